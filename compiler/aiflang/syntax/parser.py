"""Parse `.aif` text into the syntax model, with syntax diagnostics.

Guarantees: `parse_source` never raises for any input text; it returns a
`Module` (possibly partial) and the syntax diagnostics (E101-E108), in time
and memory linear in the text. Several errors per file are reported, at most
one per line (the policy is `aiflang.syntax.recovery`). The grammar is
dsl/aif.lark; Lark builds its LALR tables, and `aiflang.syntax.lalr` runs
them, building the syntax model as it goes (`aiflang.syntax.build`).

The garbage collector is paused during a parse: a parse allocates many
small objects that all stay alive, so collecting finds nothing to free and
costs a third of the parse.

Needs: the grammar dsl/aif.lark. Emits: E101, E102, E103, E104, E105, E107, E108,
and the warning W102 (a text-direction control in a comment or label).
"""

from __future__ import annotations

import functools
import gc
import re
from typing import Any

from aiflang.diagnostics import Diagnostic, Severity, Span, codes
from aiflang.diagnostics.characters import TEXT_DIRECTION_CONTROLS, TEXT_DIRECTION_PATTERN
from aiflang.records import field, record
from aiflang.resources import data_path
from aiflang.syntax import tree as ast
from aiflang.syntax.build import (
    MAX_BLOCKS,
    MAX_NUMBER_DIGITS,
    MAX_PATH_SEGMENTS,
    MAX_VALUE_ITEMS,
    Builder,
)
from aiflang.syntax.lalr import Grammar, Parse, StopParse, TooDeep, TooManyErrors
from aiflang.syntax.recovery import (
    MAX_ERROR_EVENTS,
    MAX_SYNTAX_ERRORS,
    LostBrace,
    SyntaxRecovery,
)

__all__ = [
    "MAX_BLOCKS",
    "MAX_ERROR_EVENTS",
    "MAX_FILE_BYTES",
    "MAX_FILE_TOKENS",
    "MAX_LINE_TOKENS",
    "MAX_NESTING",
    "MAX_NUMBER_DIGITS",
    "MAX_PATH_SEGMENTS",
    "MAX_SYNTAX_ERRORS",
    "MAX_VALUE_ITEMS",
    "ParseResult",
    "decode_source",
    "parse_source",
]

MAX_FILE_BYTES = 1024 * 1024
MAX_NESTING = 64
MAX_LINE_TOKENS = 1_000  # a value is a few tokens; a long list belongs on several lines
# A valid 1 MiB design (tens of thousands of lines) holds about 240,000 tokens; past
# this, parsing alone would pass the time a file may take (docs/limits.md).
MAX_FILE_TOKENS = 300_000


@functools.lru_cache(maxsize=1)
def _grammar_text() -> str:
    return data_path("dsl", "aif.lark").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def _parser() -> tuple[Grammar, Builder]:
    """The tables (built once per process, from the on-disk cache) and the callbacks."""
    from aiflang.syntax.tables import export, load

    builder = Builder()
    grammar = _grammar_text()
    try:
        return Grammar(load(grammar), builder, rebuild=lambda: export(grammar)), builder
    except (KeyError, TypeError, ValueError, IndexError):  # a cache entry of another shape
        return Grammar(export(grammar), builder), builder


@record(frozen=False)
class ParseResult:
    module: ast.Module
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = ""

    @property
    def ok(self) -> bool:
        return not any(d.is_error for d in self.diagnostics)


def oversize(size: int, file: str) -> Diagnostic:
    """E108 for a file of `size` bytes, over MAX_FILE_BYTES."""
    return Diagnostic(
        codes.E108,
        Severity.ERROR,
        f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes",
        Span.point(file),
        help="split the design into several files joined with `import`",
    )


def decode_source(data: bytes, file: str) -> tuple[str | None, Diagnostic | None]:
    """Bytes to text: UTF-8 with an optional BOM; NUL bytes are refused."""
    if len(data) > MAX_FILE_BYTES:
        return None, oversize(len(data), file)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        return None, Diagnostic(
            codes.E101,
            Severity.ERROR,
            f"the file is not valid UTF-8 (byte 0x{data[error.start]:02x} at byte {error.start})",
            Span(file, line, column, line, column + 1, error.start, error.start + 1),
            help="save the file as UTF-8 text",
        )
    nul = text.find("\x00")
    if nul >= 0:
        line = text.count("\n", 0, nul) + 1
        column = nul - (text.rfind("\n", 0, nul) + 1) + 1
        return None, Diagnostic(
            codes.E101,
            Severity.ERROR,
            "the file holds a NUL byte: it looks binary, not a design",
            Span(file, line, column, line, column + 1, nul, nul + 1),
            help="save the file as UTF-8 text",
        )
    return text.replace("\r\n", "\n"), None


def parse_source(text: str, file: str) -> ParseResult:
    """Parse one file's text. Never raises for any text.

    When a block lost its closing brace (E104, judged by indentation), the
    text is parsed once more with that brace in place, so the blocks after it
    are read where the designer meant them, not as its children.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    result, lost = _parse(text, file, None)
    if lost is None:
        return result
    unclosed = [d for d in result.diagnostics if d.code == "E104"]
    again, _ = _parse(text, file, lost.before)
    again.diagnostics[:0] = unclosed
    return again


def _parse(text: str, file: str, close_at: int | None) -> tuple[ParseResult, LostBrace | None]:
    empty = ast.Module(file, ())
    grammar, builder = _parser()
    parse = Parse(
        grammar,
        text,
        max_nesting=MAX_NESTING,
        max_line_tokens=MAX_LINE_TOKENS,
        max_tokens=MAX_FILE_TOKENS,
        close_at=close_at,
    )
    recovery = SyntaxRecovery(file, text)
    builder.begin(file, text, parse.comments, recovery.lines)
    collecting = gc.isenabled()
    gc.disable()
    try:
        entries = parse.run(recovery)
    except StopParse:  # a limit: keep the entries completed at the top of the file
        entries = _completed_entries(parse.values)
    except TooManyErrors:
        last = recovery.diagnostics[-1].span if recovery.diagnostics else Span.point(file)
        reported = len(recovery.diagnostics)
        message = (
            f"too many syntax errors; stopped after {reported}"
            if reported >= MAX_SYNTAX_ERRORS
            else f"the parser met more than {MAX_ERROR_EVENTS:,} errors while recovering "
            f"from the ones above; stopped at line {parse.line:,}"
        )
        recovery.diagnostics.append(
            Diagnostic(
                codes.E108, Severity.ERROR, message, last, help="fix the first errors and run again"
            )
        )
        return ParseResult(empty, recovery.diagnostics, text), None
    except TooDeep as error:
        _, _, offset, line, column = error.token
        span = Span(file, line, column, line, column + 1, offset, offset + 1)
        too_deep = Diagnostic(
            codes.E108,
            Severity.ERROR,
            f"blocks nest deeper than {MAX_NESTING} levels",
            span,
            help="a design needs a few levels (factory, hall, map); flatten it",
        )
        return ParseResult(empty, [too_deep], text), None
    finally:
        if collecting:
            gc.enable()
    comments = tuple(
        ast.Comment(value.rstrip(), line, column, offset)
        for _, value, offset, line, column in parse.comments
    )
    module = ast.Module(file, entries, comments, Span(file, 1, 1, 1, 1, 0, len(text)))
    diagnostics = recovery.diagnostics + builder.diagnostics
    result = ParseResult(module, diagnostics + _direction_controls(text, file, diagnostics), text)
    return result, (recovery.lost if close_at is None else None)


def _completed_entries(values: list[Any]) -> tuple[ast.Entry, ...]:
    """The top-level entries finished before a parse stopped (they lie at the bottom
    of the value stack, alone or in the list the entries are gathered into)."""
    entries: list[ast.Entry] = []
    kinds = (ast.Block, ast.Attribute, ast.Require, ast.Import)
    for value in values:
        if isinstance(value, kinds):
            entries.append(value)
        elif isinstance(value, list) and all(isinstance(v, kinds) for v in value):
            entries.extend(value)
        else:
            break
    return tuple(entries)


def _direction_controls(text: str, file: str, found: list[Diagnostic]) -> list[Diagnostic]:
    """W102 for text-direction controls in comments and labels ("Trojan Source").

    One per line, at most MAX_SYNTAX_ERRORS per file; elsewhere such a
    character is already E103 (no token starts with it).
    """
    if not TEXT_DIRECTION_PATTERN.search(text):
        return []
    reported = {d.span.line for d in found if d.code == codes.E103 and d.span}
    warnings: list[Diagnostic] = []
    line, line_start, scanned = 1, 0, 0
    for match in TEXT_DIRECTION_PATTERN.finditer(text):
        offset = match.start()
        newlines = text.count("\n", scanned, offset)  # each stretch of text counted once
        if newlines:
            line += newlines
            line_start = text.rfind("\n", scanned, offset) + 1
        scanned = offset
        if line in reported:
            continue
        reported.add(line)
        if len(warnings) == MAX_SYNTAX_ERRORS:
            break
        char = match.group()
        column = offset - line_start + 1
        warnings.append(
            Diagnostic(
                codes.W102,
                Severity.WARNING,
                f"text-direction control U+{ord(char):04X} {TEXT_DIRECTION_CONTROLS[char]}: "
                "the text around it displays in another order than aifc reads it",
                Span(file, line, column, line, column + 1, offset, offset + 1),
                help="remove it (see `aifc explain W102`)",
            )
        )
    return warnings


_BRACKETS = re.compile(r'"(?:[^"\\\n]|\\.)*+"|#[^\n]*|[{}\[\]]')


def _check_nesting(text: str, file: str) -> tuple[list[Diagnostic], list[tuple[str, int]]]:
    """Nesting past the limit, and the brackets left open at the end, in one pass.

    The parser counts nesting as it lexes; this is for callers that want to
    know before parsing whether a text's brackets balance (the incremental
    parser splits only balanced text into chunks). Linear in the text.
    """
    stack: list[tuple[str, int]] = []
    for match in _BRACKETS.finditer(text):
        char = match.group()
        if char in "{[":
            stack.append((char, match.start()))
            if len(stack) > MAX_NESTING:
                offset = match.start()
                line = text.count("\n", 0, offset) + 1
                column = offset - (text.rfind("\n", 0, offset) + 1) + 1
                span = Span(file, line, column, line, column + 1, offset, offset + 1)
                too_deep = Diagnostic(
                    codes.E108,
                    Severity.ERROR,
                    f"blocks nest deeper than {MAX_NESTING} levels",
                    span,
                    help="a design needs a few levels (factory, hall, map); flatten it",
                )
                return [too_deep], []
        elif char in "}]" and stack and stack[-1][0] == ("{" if char == "}" else "["):
            stack.pop()
    return [], stack
