"""Rule callbacks: each grammar rule's children to one syntax node, with its span.

The LALR driver (`aiflang.syntax.lalr`) calls these on every reduction, so the
syntax model is built while parsing, without a parse tree. A node's span runs
from its first token to its last and is computed once, from the spans of its
children. Tokens are `(type, text, offset, line, column)` tuples; a token the
error recovery inserted has empty text, and a value built from one is
`Invalid` (its error is already reported, so later passes skip it quietly).

The resource limits on single values are checked here, as each value is
built, and the value is cut down to the limit so later passes stay bounded:
digits per number (`MAX_NUMBER_DIGITS`), items per list or map
(`MAX_VALUE_ITEMS`), segments per `require` path (`MAX_PATH_SEGMENTS`) and
blocks per file (`MAX_BLOCKS`). Each is E108, once per value.
"""

from __future__ import annotations

import math
import re
from typing import Any, TypeVar

from aiflang.diagnostics import Diagnostic, Severity, Span, codes
from aiflang.records import record_constructor
from aiflang.syntax import tree as ast
from aiflang.syntax.lalr import StopParse, Token

MAX_NUMBER_DIGITS = 100  # a float holds 17 significant digits; `1_000_000` spelling fits
MAX_VALUE_ITEMS = 1_000  # items of one list or map
MAX_PATH_SEGMENTS = 32  # names in one `require` path
MAX_BLOCKS = 10_000  # blocks (definitions, halls, workloads, ...) in one file

Children = list[Any]  # a rule's children: tokens and the nodes of its sub-rules

SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_T = TypeVar("_T")
_DIGIT_RUNS = re.compile(r"[0-9_]+")
_ESCAPE = re.compile(r"\\(.)")


_span = record_constructor(Span)
# Fast constructors of the syntax model's nodes (every field, in order).
_Block = record_constructor(ast.Block)
_Attribute = record_constructor(ast.Attribute)
_Require = record_constructor(ast.Require)
_PathSegment = record_constructor(ast.PathSegment)
_Import = record_constructor(ast.Import)
_Invalid = record_constructor(ast.Invalid)
_Number = record_constructor(ast.Number)
_Quantity = record_constructor(ast.Quantity)
_Ref = record_constructor(ast.Ref)
_Multiplicity = record_constructor(ast.Multiplicity)
_Tagged = record_constructor(ast.Tagged)
_MapValue = record_constructor(ast.MapValue)
_ListValue = record_constructor(ast.ListValue)
_StringValue = record_constructor(ast.StringValue)
_ListItem = record_constructor(ast.ListItem)
_Ratio = record_constructor(ast.Ratio)
_Redundancy = record_constructor(ast.Redundancy)
_Uncertain = record_constructor(ast.Uncertain)


class _Named:
    """`block_name`: the NAME or STRING after a block's kind."""

    __slots__ = ("token",)

    def __init__(self, token: Token) -> None:
        self.token = token


class _Extends:
    __slots__ = ("token",)

    def __init__(self, token: Token) -> None:
        self.token = token


class _Body:
    __slots__ = ("close", "entries")

    def __init__(self, entries: tuple[ast.Entry, ...], close: Token) -> None:
        self.entries = entries
        self.close = close


class _Role:
    __slots__ = ("token",)

    def __init__(self, token: Token) -> None:
        self.token = token


class _Path:
    __slots__ = ("segments", "span")

    def __init__(self, segments: tuple[ast.PathSegment, ...], span: Span) -> None:
        self.segments = segments
        self.span = span


def _nodes(children: Children) -> tuple[Any, ...]:
    return tuple(children)


def unquote(text: str) -> str:
    """The text of a quoted label, without its quotes and escapes."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    return _ESCAPE.sub(r"\1", text) if "\\" in text else text


def shorten(text: str, width: int = 40) -> str:
    """`text` cut to `width` characters for a message, with `...` when cut."""
    return text if len(text) <= width else text[: width - 3] + "..."


class Builder:
    """The callbacks, named after the grammar's rules; one instance per process.

    `begin` readies it for one file: the file name for spans, and the comment
    lines above each block (its documentation) as the lexer finds them.
    """

    def __init__(self) -> None:
        self.file = ""
        self.comments: list[Token] = []
        self.error_lines: set[int] = set()
        self.diagnostics: list[Diagnostic] = []
        self.blocks = 0
        self._doc_lines: dict[int, str] = {}
        self._seen_comments = 0
        self._text = ""
        self._limited: set[int] = set()

    def begin(self, file: str, text: str, comments: list[Token], error_lines: set[int]) -> None:
        self.file = file
        self._text = text
        self.comments = comments  # the driver's list, filled as it lexes
        self.error_lines = error_lines  # the recovery's lines with a syntax error, so far
        self.diagnostics = []
        self.blocks = 0
        self._doc_lines = {}
        self._seen_comments = 0
        self._limited = set()

    # Spans -----------------------------------------------------------------------
    def token_span(self, token: Token) -> Span:
        _, text, offset, line, column = token
        return _span(self.file, line, column, line, column + len(text), offset, offset + len(text))

    def join(self, first: Span, last: Span) -> Span:
        return _span(
            self.file,
            first.line,
            first.column,
            last.end_line,
            last.end_column,
            first.offset,
            last.end_offset,
        )

    def _limit(self, span: Span, message: str, help: str, *, once: bool = False) -> None:
        """Report a limit once per value (or once per file, with `once`)."""
        key = -1 if once else span.offset
        if key in self._limited:
            return
        self._limited.add(key)
        self.diagnostics.append(Diagnostic(codes.E108, Severity.ERROR, message, span, help=help))

    # Documentation comments ----------------------------------------------------------
    def doc_for(self, line: int) -> str | None:
        """The comment lines directly above `line`, each alone on its line."""
        self._index_comments()
        lines: list[str] = []
        current = line - 1
        while current in self._doc_lines:
            lines.append(self._doc_lines[current])
            current -= 1
        return "\n".join(reversed(lines)) if lines else None

    def _index_comments(self) -> None:
        text = self._text
        for _, comment, offset, line, column in self.comments[self._seen_comments :]:
            start = offset - (column - 1)
            if column == 1 or text[start:offset].isspace():
                self._doc_lines[line] = comment.lstrip("#").strip()
        self._seen_comments = len(self.comments)

    # Entries ---------------------------------------------------------------------------
    def start(self, children: Children) -> tuple[ast.Entry, ...]:
        return _nodes(children)

    def block(self, children: Children) -> ast.Block:
        kind = children[0]
        kind_span = self.token_span(kind)
        name: str | None = None
        quoted = False
        name_span = extends_span = kind_span
        extends: str | None = None
        body = children[-1]
        assert isinstance(body, _Body)
        for child in children[1:-1]:
            if isinstance(child, _Named):
                quoted = child.token[0] == "STRING"
                name = unquote(child.token[1]) if quoted else child.token[1]
                name_span = self.token_span(child.token)
            elif isinstance(child, _Extends):
                extends = child.token[1]
                extends_span = self.token_span(child.token)
        close_span = self.token_span(body.close)
        self.blocks += 1
        if self.blocks > MAX_BLOCKS:
            self._limit(
                kind_span,
                f"the file holds more than {MAX_BLOCKS:,} blocks; the rest of the file is not read",
                "split the design into several files joined with `import`",
                once=True,
            )
            raise StopParse
        block = _Block(
            kind[1],
            name,
            body.entries,
            quoted,
            extends,
            self.doc_for(kind[3]),
            self.join(kind_span, close_span),
            kind_span,
            name_span,
            extends_span,
            close_span,
        )
        return block

    def block_name(self, children: Children) -> _Named:
        return _Named(children[0])

    def extends(self, children: Children) -> _Extends:
        return _Extends(children[-1])

    def body(self, children: Children) -> _Body:
        return _Body(_nodes(children[1:-1]), children[-1])

    def attribute(self, children: Children) -> ast.Attribute:
        name, _equal, value = children
        name_span = self.token_span(name)
        span = self.join(name_span, value.span)
        if self.error_lines and (
            span.line in self.error_lines or span.end_line in self.error_lines
        ):
            # The parser repaired this line: whatever value it read is a guess.
            value = _Invalid(value.span)
        return _Attribute(name[1], value, span, name_span)

    def require(self, children: Children) -> ast.Require:
        keyword, path, operator, value = children[:4]
        message = unquote(children[4][1]) if len(children) > 4 else None
        last = self.token_span(children[4]) if len(children) > 4 else value.span
        return _Require(
            path.segments, operator[1], value, message, self.join(self.token_span(keyword), last)
        )

    def path(self, children: Children) -> _Path:
        span = self.join(children[0].span, children[-1].span)
        if len(children) > MAX_PATH_SEGMENTS:
            self._limit(
                span,
                f"a `require` path of {len(children):,} names, over the limit of "
                f"{MAX_PATH_SEGMENTS}",
                "paths name a few levels of the report, e.g. `halls.A.headroom.power`",
            )
            children = children[:MAX_PATH_SEGMENTS]
        return _Path(tuple(children), span)

    def path_segment(self, children: Children) -> ast.PathSegment:
        token = children[0]
        quoted = token[0] == "STRING"
        return _PathSegment(
            unquote(token[1]) if quoted else token[1], quoted, self.token_span(token)
        )

    def import_stmt(self, children: Children) -> ast.Import:
        keyword, path = children
        return _Import(unquote(path[1]), self.join(self.token_span(keyword), self.token_span(path)))

    # Values -------------------------------------------------------------------------------
    def number(self, children: Children) -> ast.Number | ast.Invalid:
        token = children[0]
        span = self.token_span(token)
        if len(children) > 1:
            span = self.join(span, self.token_span(children[1]))
        text = token[1]
        if not text:  # inserted by the error recovery
            return _Invalid(span)
        if not self._digits_fit(text, span):
            return _Invalid(span)
        try:
            value = float(text.replace("_", ""))
        except ValueError:
            value = math.nan
        scale = children[1][1] if len(children) > 1 else None
        if scale is not None:
            value *= SCALES[scale]
        return _Number(value, text, scale, span)

    def _digits_fit(self, text: str, span: Span) -> bool:
        if len(text) <= MAX_NUMBER_DIGITS:
            return True
        longest = max((len(run) for run in _DIGIT_RUNS.findall(text)), default=0)
        if longest <= MAX_NUMBER_DIGITS:
            return True
        self._limit(
            span,
            f"a number of {longest:,} digits, over the limit of {MAX_NUMBER_DIGITS}",
            "write large numbers with an exponent or a scale word: 2.5e9, 405 billion",
        )
        return False

    def unit(self, children: Children) -> Token:
        token: Token = children[0]
        return token

    def quantity(self, children: Children) -> ast.Quantity | ast.Invalid:
        number = children[0]
        if len(children) > 1:
            unit_span = self.token_span(children[1])
            span = self.join(number.span, unit_span)
            if isinstance(number, ast.Invalid):
                return _Invalid(span)
            return _Quantity(number, children[1][1], span, unit_span)
        if isinstance(number, ast.Invalid):
            return number
        return _Quantity(number, None, number.span, number.span)

    def multiplicity(self, children: Children) -> ast.Multiplicity | ast.Invalid:
        count, _times, item = children
        if isinstance(item, tuple):
            item_value: Any = _Ref(item[1], self.token_span(item))
        else:
            item_value = item
        span = self.join(count.span, item_value.span)
        if isinstance(count, ast.Invalid) or isinstance(item_value, ast.Invalid):
            return _Invalid(span)
        return _Multiplicity(count, item_value, span)

    def tagged(self, children: Children) -> ast.Ref | ast.Tagged | ast.Invalid:
        tag = _Ref(children[0][1], self.token_span(children[0]))
        if len(children) == 1:
            return tag
        argument = children[1]
        span = self.join(tag.span, argument.span)
        if isinstance(argument, ast.Invalid):
            return _Invalid(span)
        return _Tagged(tag, argument, span)

    def uncertain(self, children: Children) -> ast.Uncertain | ast.Invalid:
        """`0.06..0.09 USD/kWh`: the unit written after the high end is the low end's too."""
        low, _dots, high = children
        span = self.join(low.span, high.span)
        if isinstance(low, ast.Invalid) or isinstance(high, ast.Invalid):
            return _Invalid(span)
        low_quantity = _Quantity(low, high.unit, low.span, high.unit_span)
        return _Uncertain("range", (low_quantity, high), span, span)

    def distribution(self, children: Children) -> ast.Uncertain | ast.Invalid:
        """`normal(40%, 5%)`: the name as written; the arguments checked by the front end."""
        name = children[0]
        span = self.join(self.token_span(name), self.token_span(children[-1]))
        arguments = tuple(c for c in children[1:] if not isinstance(c, tuple))
        if any(isinstance(a, ast.Invalid) for a in arguments):
            return _Invalid(span)
        return _Uncertain(name[1], arguments, span, self.token_span(name))

    def map(self, children: Children) -> ast.MapValue:
        span = self.join(self.token_span(children[0]), self.token_span(children[-1]))
        entries = _nodes(children[1:-1])
        if len(entries) > MAX_VALUE_ITEMS:
            self._too_many(span, len(entries), "entries in one map")
            entries = entries[:MAX_VALUE_ITEMS]
        return _MapValue(entries, span)

    def list(self, children: Children) -> ast.ListValue | ast.Invalid:
        span = self.join(self.token_span(children[0]), self.token_span(children[-1]))
        items = _nodes(children[1:-1])
        if len(items) > MAX_VALUE_ITEMS:
            self._too_many(span, len(items), "items in one list")
            return _Invalid(span)
        if any(isinstance(item.value, ast.Invalid) for item in items):
            return _Invalid(span)
        return _ListValue(items, span)

    def _too_many(self, span: Span, count: int, what: str) -> None:
        self._limit(
            span,
            f"{count:,} {what}, over the limit of {MAX_VALUE_ITEMS:,}",
            "a value lists a few kinds of parts; give counts instead (`8 x H100`)",
        )

    def list_item(self, children: Children) -> ast.ListItem:
        first = children[0]
        value: Any = first
        if isinstance(first, tuple):  # a token: a label, or a ratio or redundancy among choices
            if first[0] == "RATIO":
                value = self.ratio([first])
            elif first[0] == "REDUNDANCY":
                value = self.redundancy([first])
            else:
                value = _StringValue(unquote(first[1]), self.token_span(first))
        if len(children) > 1:
            role_token = children[1].token
            role_span = self.token_span(role_token)
            return _ListItem(value, role_token[1], self.join(value.span, role_span), role_span)
        return _ListItem(value, None, value.span, value.span)

    def role(self, children: Children) -> _Role:
        return _Role(children[-1])

    def string(self, children: Children) -> ast.StringValue:
        token = children[0]
        return _StringValue(unquote(token[1]), self.token_span(token))

    def ratio(self, children: Children) -> ast.Ratio | ast.Invalid:
        token = children[0]
        span = self.token_span(token)
        if not self._digits_fit(token[1], span):
            return _Invalid(span)
        left, right = token[1].split(":")
        return _Ratio(float(left), float(right), token[1], span)

    def redundancy(self, children: Children) -> ast.Redundancy | ast.Invalid:
        token = children[0]
        span = self.token_span(token)
        if not self._digits_fit(token[1], span):
            return _Invalid(span)
        return _Redundancy(token[1], span)
