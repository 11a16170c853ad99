"""Parsing a text again after a small edit: reuse the parse of every unchanged chunk.

An editor recompiles a document on each pause in typing; most of the text
has not changed since the last time. `ChunkedParser` splits a file at its
top-level blank lines (outside any block, bracket or string; never after a
line continuation), parses each chunk on its own, keeps the parses, and
joins them with their spans moved to where the chunk stands in the file.
A chunk's leading comments travel with it, so documentation comments stay
attached to their block.

The result is the one `parse_source` gives for the whole text, spans and
comments included; a test checks it on every design and test case. When
anything is off (a syntax error in a chunk, unbalanced brackets, a file of
one chunk) the whole text is parsed as usual, so error messages and their
recovery are exactly those of `parse_source`.
"""

from __future__ import annotations

import dataclasses
import re
from collections import OrderedDict
from typing import Any

from aiflang.diagnostics import Span
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import ParseResult, _check_nesting, parse_source

_OPENERS = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[{}\[\]]')


def _chunks(text: str) -> list[tuple[int, int, str]]:
    """(start offset, start line - 1, text) of each chunk: split at top-level blank lines."""
    depth_at: dict[int, int] = {}  # line start offset -> bracket depth there
    depth = 0
    position = 0
    lines = text.split("\n")
    chunks: list[tuple[int, int, str]] = []
    start_offset, start_line = 0, 0
    previous = ""
    for index, line in enumerate(lines):
        depth_at[position] = depth
        if (
            not line.strip()
            and depth == 0
            and not previous.rstrip().endswith("\\")
            and position > start_offset
        ):
            chunks.append((start_offset, start_line, text[start_offset:position]))
            start_offset, start_line = position, index
        for match in _OPENERS.finditer(line):
            token = match.group()
            if token in "{[":
                depth += 1
            elif token in "}]":
                depth -= 1
        if line.strip():
            previous = line
        position += len(line) + 1
    chunks.append((start_offset, start_line, text[start_offset:]))
    return [c for c in chunks if c[2]]


def _shift(node: Any, lines: int, offset: int) -> Any:
    """`node` with every span and comment moved down `lines` lines and on `offset` characters."""
    if isinstance(node, Span):
        if node.file == "<none>":  # the placeholder of a node without a place
            return node
        return Span(
            node.file,
            node.line + lines,
            node.column,
            node.end_line + lines,
            node.end_column,
            node.offset + offset,
            node.end_offset + offset,
        )
    if isinstance(node, ast.Comment):
        return ast.Comment(node.text, node.line + lines, node.column, node.offset + offset)
    if isinstance(node, tuple):
        return tuple(_shift(item, lines, offset) for item in node)
    if dataclasses.is_dataclass(node) and not isinstance(node, type):
        changes = {}
        for field in dataclasses.fields(node):
            value = getattr(node, field.name)
            if isinstance(value, Span | tuple) or dataclasses.is_dataclass(value):
                changes[field.name] = _shift(value, lines, offset)
        return dataclasses.replace(node, **changes)
    return node


class ChunkedParser:
    """`parse_source` with memory: each call reuses the chunks it has parsed before."""

    def __init__(self, capacity: int = 4096) -> None:
        self.capacity = capacity
        self._parsed: OrderedDict[tuple[str, str], ParseResult] = OrderedDict()
        self._placed: OrderedDict[tuple[str, str, int, int], ParseResult] = OrderedDict()

    def _remember(self, table: OrderedDict[Any, ParseResult], key: Any, value: ParseResult) -> None:
        table[key] = value
        table.move_to_end(key)
        while len(table) > self.capacity:
            table.popitem(last=False)

    def _chunk(self, file: str, text: str, line: int, offset: int) -> ParseResult:
        placed_key = (file, text, line, offset)
        placed = self._placed.get(placed_key)
        if placed is not None:
            self._placed.move_to_end(placed_key)
            return placed
        parsed = self._parsed.get((file, text))
        if parsed is None:
            parsed = parse_source(text, file)
            self._remember(self._parsed, (file, text), parsed)
        placed = ParseResult(
            _shift(parsed.module, line, offset), list(parsed.diagnostics), parsed.text
        )
        self._remember(self._placed, placed_key, placed)
        return placed

    def __call__(self, text: str, file: str) -> ParseResult:
        """The parse of `text` as file `file`, equal to `parse_source(text, file)`."""
        if text.startswith("\ufeff"):
            text = text[1:]
        text = text.replace("\r\n", "\n")
        problems, unclosed = _check_nesting(text, file)
        chunks = _chunks(text) if not problems and not unclosed else []
        if len(chunks) < 2:
            return parse_source(text, file)
        entries: list[ast.Entry] = []
        comments: list[ast.Comment] = []
        for offset, line, chunk in chunks:
            result = self._chunk(file, chunk, line, offset)
            if result.diagnostics:
                return parse_source(text, file)  # errors read as in a whole parse
            entries.extend(result.module.entries)
            comments.extend(result.module.comments)
        module = ast.Module(
            file, tuple(entries), tuple(comments), Span(file, 1, 1, 1, 1, 0, len(text))
        )
        return ParseResult(module, [], text)
