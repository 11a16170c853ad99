"""Positions: the compiler's 1-based character columns and LSP's 0-based UTF-16 ones.

A span's line and column count characters from 1; LSP counts lines from 0
and columns in UTF-16 code units, so a character outside the Basic
Multilingual Plane (an emoji in a comment) is two units wide. Offsets are
character offsets into the text, as the parser gives them.
"""

from __future__ import annotations

from lsprotocol import types

from aiflang.diagnostics import Span


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class Lines:
    """One text's lines, for converting between offsets, spans and LSP positions."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.starts = [0]
        for line in self.lines[:-1]:
            self.starts.append(self.starts[-1] + len(line) + 1)

    def position(self, line: int, column: int) -> types.Position:
        """The LSP position of 1-based `line` and character `column`."""
        index = min(max(line - 1, 0), len(self.lines) - 1)
        text = self.lines[index]
        return types.Position(line=index, character=_units(text[: max(column - 1, 0)]))

    def range(self, span: Span) -> types.Range:
        start = self.position(span.line or 1, span.column or 1)
        if not span.end_line or not span.end_column:
            # A block the parser closed at the end of the file has no end of its own.
            return types.Range(start=start, end=self.end())
        return types.Range(start=start, end=self.position(span.end_line, span.end_column))

    def offset(self, position: types.Position) -> int:
        """The character offset of an LSP position (clamped to the text)."""
        if position.line >= len(self.lines):
            return len(self.text)
        line = self.lines[position.line]
        units = 0
        for index, char in enumerate(line):
            if units >= position.character:
                return self.starts[position.line] + index
            units += 2 if ord(char) > 0xFFFF else 1
        return self.starts[position.line] + len(line)

    def line_prefix(self, position: types.Position) -> str:
        """The text of the position's line up to the position."""
        offset = self.offset(position)
        return self.text[self.starts[min(position.line, len(self.starts) - 1)] : offset]

    def end(self) -> types.Position:
        return types.Position(line=len(self.lines) - 1, character=_units(self.lines[-1]))
