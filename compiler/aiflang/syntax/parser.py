"""Parse `.aif` text into the syntax model, with syntax diagnostics.

Guarantees: `parse_source` never raises for any input text; it returns a
`Module` (possibly partial) and the syntax diagnostics (E101-E108). Several
errors per file are reported: after an error the parser inserts the token
that would make sense (a value, a line break, a closing brace) or skips the
offending token, and reports at most one error per line.

Needs: the grammar dsl/aif.lark. Emits: E101, E102, E103, E104, E105, E107, E108,
and the warning W102 (a text-direction control in a comment or label).
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from aiflang.diagnostics import Diagnostic, Related, Severity, Span, codes
from aiflang.diagnostics.characters import TEXT_DIRECTION_CONTROLS, TEXT_DIRECTION_PATTERN
from aiflang.resources import data_path
from aiflang.syntax import tree as ast

MAX_FILE_BYTES = 1024 * 1024
MAX_NESTING = 64
MAX_SYNTAX_ERRORS = 50

SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}

# What each terminal is called in a message, in the designer's words.
TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": "a quoted label",
    "NUMBER": "a number",
    "UNIT": "a unit",
    "SCALE": "a scale word (thousand, million, billion, trillion)",
    "PERCENT": "`%`",
    "RATIO": "a ratio such as `3:1`",
    "REDUNDANCY": "a redundancy such as `N+1`, `2N` or `3/2`",
    "TIMES": "`x`",
    "COMPARE": "a comparison (`>=`, `<=`, `==`, `!=`, `>`, `<`)",
    "EQUAL": "`=`",
    "LBRACE": "`{`",
    "RBRACE": "`}`",
    "LBRACKET": "`[`",
    "RBRACKET": "`]`",
    "COMMA": "`,`",
    "SEMICOLON": "`;`",
    "DOT": "`.`",
    "FOR": "`for`",
    "EXTENDS": "`extends`",
    "REQUIRE": "`require`",
    "IMPORT": "`import`",
    "_NL": "a line break",
    "$END": "the end of the file",
}

# Tokens that can start a value but not an entry: seeing them expected means
# the parser stands just after `=` (or `x`), where a value belongs.
_VALUE_ONLY_STARTS = {"NUMBER", "RATIO", "REDUNDANCY", "LBRACKET"}


@functools.lru_cache(maxsize=1)
def _grammar_text() -> str:
    return data_path("dsl", "aif.lark").read_text(encoding="utf-8")


class _CommentCollector:
    """Receives COMMENT tokens from the lexer (Lark calls it for ignored tokens)."""

    def __init__(self) -> None:
        self.comments: list[Token] = []

    def __call__(self, token: Token) -> Token:
        self.comments.append(token)
        return token


_COLLECTOR = _CommentCollector()


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    from aiflang.syntax.tables import build_parser

    grammar = _grammar_text()
    options: dict[str, Any] = {
        "parser": "lalr",
        "lexer": "contextual",
        "propagate_positions": True,
        "maybe_placeholders": False,
    }
    return build_parser(grammar, options, {"COMMENT": _COLLECTOR})


@dataclass(slots=True)
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


_BRACKETS = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[{}\[\]]')


def _check_nesting(text: str, file: str) -> tuple[list[Diagnostic], list[tuple[str, int]]]:
    """Nesting depth and unclosed brackets, found before parsing.

    Returns diagnostics for excessive depth and the offsets of brackets left
    open at the end of the file (for the E104 related span).
    """
    stack: list[tuple[str, int]] = []
    for match in _BRACKETS.finditer(text):
        char = match.group()
        if char in "{[":
            stack.append((char, match.start()))
            if len(stack) > MAX_NESTING:
                span = _offset_span(text, file, match.start())
                return [
                    Diagnostic(
                        codes.E108,
                        Severity.ERROR,
                        f"blocks nest deeper than {MAX_NESTING} levels",
                        span,
                        help="a design needs a few levels (factory, hall, map); flatten it",
                    )
                ], []
        elif char in "}]" and stack and stack[-1][0] == ("{" if char == "}" else "["):
            stack.pop()
    return [], stack


def _offset_span(text: str, file: str, offset: int, length: int = 1) -> Span:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return Span(file, line, column, line, column + length, offset, offset + length)


def _token_span(file: str, token: Token) -> Span:
    line = token.line or 1
    column = token.column or 1
    end_line = token.end_line or line
    end_column = token.end_column or column + 1
    start = token.start_pos or 0
    end = token.end_pos or start + 1
    return Span(file, line, column, end_line, end_column, start, end)


def _describe_expected(accepts: set[str]) -> str:
    words = sorted(
        {TERMINAL_WORDS.get(name, name) for name in accepts if not name.startswith("__")}
    )
    if len(words) > 8:
        words = [*words[:8], "..."]
    return ", ".join(words)


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    if token.type == "_NL":
        return "a line break"
    text = str(token)
    if len(text) > 40:
        text = text[:37] + "..."
    return f"`{text}`"


class _Recovery:
    """The on_error handler: records a diagnostic and repairs the parse."""

    def __init__(self, file: str, text: str, unclosed: list[tuple[str, int]]) -> None:
        self.file = file
        self.text = text
        self.unclosed = unclosed
        self.diagnostics: list[Diagnostic] = []
        self.lines: set[int] = set()
        self.previous: Token | None = None

    def report(self, diagnostic: Diagnostic) -> None:
        line = diagnostic.span.line if diagnostic.span else 0
        if line in self.lines:
            return
        self.lines.add(line)
        self.diagnostics.append(diagnostic)
        if len(self.diagnostics) >= MAX_SYNTAX_ERRORS:
            raise _TooManyErrors

    def __call__(self, error: UnexpectedInput) -> bool:
        if isinstance(error, UnexpectedCharacters):
            self._unexpected_character(error)
            return True
        if isinstance(error, UnexpectedToken):
            return self._unexpected_token(error)
        return False

    def _unexpected_character(self, error: UnexpectedCharacters) -> None:
        offset = error.pos_in_stream or 0
        char = self.text[offset] if offset < len(self.text) else ""
        span = _offset_span(self.text, self.file, offset)
        if char == '"':
            self.report(
                Diagnostic(
                    codes.E103,
                    Severity.ERROR,
                    "unterminated label: a quoted label must close on the same line",
                    span,
                    help='close the label with `"`',
                )
            )
            return
        shown = repr(char) if not char.isprintable() or char.isspace() else f"`{char}`"
        hint = None
        if char in "“”‘’":
            hint = 'use straight double quotes: "label"'
        elif not char.isascii():
            hint = "names use ASCII letters, digits and `_`; put other text in a quoted label"
        self.report(
            Diagnostic(
                codes.E103,
                Severity.ERROR,
                f"unexpected character {shown}",
                span,
                label="no token of the language starts here",
                help=hint,
            )
        )

    def _unexpected_token(self, error: UnexpectedToken) -> bool:
        token = error.token
        parser = error.interactive_parser
        accepts = set(error.expected) if error.expected else set()
        span = _token_span(self.file, token)
        if token.type == "$END":
            self._unclosed_at_end(span)
            return self._close_blocks(parser)
        self.report(self._classify(token, accepts, span))
        return self._repair(parser, token, accepts)

    def _classify(self, token: Token, accepts: set[str], span: Span) -> Diagnostic:
        found = _describe_token(token)
        expected = _describe_expected(accepts)
        if token.type in {"_NL", "RBRACE", "COMMA", "SEMICOLON", "RBRACKET"} and (
            accepts & _VALUE_ONLY_STARTS
        ):
            return Diagnostic(
                codes.E105,
                Severity.ERROR,
                "missing value",
                span,
                label=f"expected a value here, found {found}",
                help="write the value on the same line as its attribute, e.g. `power = 132 kW`",
            )
        if "LBRACE" in accepts and token.type in {"NUMBER", "_NL", "STRING", "LBRACKET", "RATIO"}:
            return Diagnostic(
                codes.E107,
                Severity.ERROR,
                f"missing `=`: expected `=` or `{{`, found {found}",
                span,
                label="an attribute needs `=` between its name and value",
                help="write `name = value`; a block is `kind name { ... }`",
            )
        return Diagnostic(
            codes.E102,
            Severity.ERROR,
            f"unexpected {found}",
            span,
            label=f"expected {expected}" if expected else "",
        )

    def _unclosed_at_end(self, span: Span) -> None:
        related: tuple[Related, ...] = ()
        if self.unclosed:
            char, offset = self.unclosed[-1]
            related = (
                Related(_offset_span(self.text, self.file, offset), f"`{char}` opened here"),
            )
        closer = "}" if not self.unclosed or self.unclosed[-1][0] == "{" else "]"
        self.report(
            Diagnostic(
                codes.E104,
                Severity.ERROR,
                "unclosed block at the end of the file",
                span,
                related=related,
                help=f"add the missing `{closer}`",
            )
        )

    def _close_blocks(self, parser: Any) -> bool:
        for _ in range(MAX_NESTING + 2):
            accepts = parser.accepts()
            if "$END" in accepts:
                return True
            for closer, text in (("RBRACE", "}"), ("RBRACKET", "]"), ("_NL", "\n")):
                if closer in accepts:
                    parser.feed_token(Token(closer, text))
                    break
            else:
                return False
        return False

    def _repair(self, parser: Any, token: Token, accepts: set[str]) -> bool:
        candidates: list[list[Token]] = []
        if accepts & {"NUMBER"}:
            candidates.append([Token("NUMBER", "0")])
        if "_NL" in accepts:
            candidates.append([Token("_NL", "\n")])
        if "EQUAL" in accepts:
            candidates.append([Token("EQUAL", "=")])
        if "RBRACE" in accepts:
            candidates.append([Token("RBRACE", "}")])
        for inserted in candidates:
            trial = parser.copy()
            try:
                for fake in inserted:
                    trial.feed_token(fake)
                trial.feed_token(token)
            except UnexpectedInput:
                continue
            for fake in inserted:
                parser.feed_token(fake)
            parser.feed_token(token)
            return True
        return True  # drop the token and carry on


class _TooManyErrors(Exception):
    pass


def parse_source(text: str, file: str) -> ParseResult:
    """Parse one file's text. Never raises for any text."""
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n")
    nesting_errors, unclosed = _check_nesting(text, file)
    empty = ast.Module(file, ())
    if nesting_errors:
        return ParseResult(empty, nesting_errors, text)
    recovery = _Recovery(file, text, unclosed)
    _COLLECTOR.comments = []
    try:
        tree = _parser().parse(text, on_error=recovery)
    except _TooManyErrors:
        recovery.diagnostics.append(
            Diagnostic(
                codes.E108,
                Severity.ERROR,
                f"too many syntax errors; stopped after {MAX_SYNTAX_ERRORS}",
                recovery.diagnostics[-1].span,
            )
        )
        return ParseResult(empty, recovery.diagnostics, text)
    except UnexpectedInput as error:
        span = Span.point(file, error.line or 1, error.column or 1)
        if not recovery.diagnostics:
            recovery.diagnostics.append(
                Diagnostic(codes.E102, Severity.ERROR, "the parser could not recover here", span)
            )
        return ParseResult(empty, recovery.diagnostics, text)
    comments = tuple(
        ast.Comment(str(c).rstrip(), c.line or 1, c.column or 1, c.start_pos or 0)
        for c in _COLLECTOR.comments
    )
    builder = _Builder(file, text, comments)
    try:
        entries = builder.entries(tree.children)
    except _Broken:
        entries = ()
    module = ast.Module(file, entries, comments, Span(file, 1, 1, 1, 1, 0, len(text)))
    diagnostics = recovery.diagnostics + builder.diagnostics
    return ParseResult(module, diagnostics + _direction_controls(text, file, diagnostics), text)


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


class _Broken(Exception):
    """A tree shape that only error recovery produces; the file already has errors."""


class _Builder:
    """Lark tree to syntax model, attaching spans and documentation comments."""

    def __init__(self, file: str, text: str, comments: tuple[ast.Comment, ...]) -> None:
        self.file = file
        self.text = text
        self.diagnostics: list[Diagnostic] = []
        self.comment_by_line = {c.line: c for c in comments}
        self.code_lines = {c.line for c in comments if c.column > 1 and not self._line_blank(c)}

    def _line_blank(self, comment: ast.Comment) -> bool:
        start = comment.offset - (comment.column - 1)
        return self.text[start : comment.offset].strip() == ""

    def span(self, node: Tree[Token] | Token) -> Span:
        if isinstance(node, Token):
            return _token_span(self.file, node)
        meta = node.meta
        if getattr(meta, "empty", True):
            return Span.point(self.file)
        return Span(
            self.file,
            meta.line,
            meta.column,
            meta.end_line,
            meta.end_column,
            meta.start_pos,
            meta.end_pos,
        )

    def doc_for(self, line: int) -> str | None:
        lines: list[str] = []
        current = line - 1
        while current in self.comment_by_line and current not in self.code_lines:
            comment = self.comment_by_line[current]
            if not self._line_blank(comment):
                break
            lines.append(comment.text.lstrip("#").strip())
            current -= 1
        if not lines:
            return None
        return "\n".join(reversed(lines))

    def entries(self, children: list[Any]) -> tuple[ast.Entry, ...]:
        result: list[ast.Entry] = []
        for child in children:
            if isinstance(child, Tree):
                entry = self.entry(child)
                if entry is not None:
                    result.append(entry)
        return tuple(result)

    def entry(self, node: Tree[Token]) -> ast.Entry | None:
        kind = node.data
        if kind == "block":
            return self.block(node)
        if kind == "attribute":
            return self.attribute(node)
        if kind == "require":
            return self.require(node)
        if kind == "import_stmt":
            (path,) = [c for c in node.children if isinstance(c, Token) and c.type == "STRING"]
            return ast.Import(_unquote(path), self.span(node))
        return None

    def block(self, node: Tree[Token]) -> ast.Block:
        kind_token = node.children[0]
        assert isinstance(kind_token, Token)
        name: str | None = None
        quoted = False
        name_span = self.span(kind_token)
        extends: str | None = None
        extends_span = name_span
        body: Tree[Token] | None = None
        for child in node.children[1:]:
            if not isinstance(child, Tree):
                continue
            if child.data == "block_name":
                token = child.children[0]
                assert isinstance(token, Token)
                quoted = token.type == "STRING"
                name = _unquote(token) if quoted else str(token)
                name_span = self.span(token)
            elif child.data == "extends":
                token = child.children[-1]
                assert isinstance(token, Token)
                extends = str(token)
                extends_span = self.span(token)
            elif child.data == "body":
                body = child
        if body is None:
            raise _Broken
        close = body.children[-1]
        close_span = self.span(close) if isinstance(close, Token) else self.span(body)
        span = self.span(node)
        return ast.Block(
            kind=str(kind_token),
            name=name,
            entries=self.entries(body.children),
            quoted_name=quoted,
            extends=extends,
            doc=self.doc_for(span.line),
            span=span,
            kind_span=self.span(kind_token),
            name_span=name_span,
            extends_span=extends_span,
            close_span=close_span,
        )

    def attribute(self, node: Tree[Token]) -> ast.Attribute:
        name_token, _equal, value = node.children[:3]
        assert isinstance(name_token, Token)
        return ast.Attribute(
            str(name_token), self.value(value), self.span(node), self.span(name_token)
        )

    def require(self, node: Tree[Token]) -> ast.Require:
        path_node = node.children[0]
        assert isinstance(path_node, Tree)
        segments = []
        for segment in path_node.children:
            if isinstance(segment, Tree):
                token = segment.children[0]
                assert isinstance(token, Token)
                quoted = token.type == "STRING"
                segments.append(
                    ast.PathSegment(
                        _unquote(token) if quoted else str(token), quoted, self.span(token)
                    )
                )
        operator = node.children[1]
        value = node.children[2]
        message: str | None = None
        if len(node.children) > 3:
            last = node.children[3]
            if isinstance(last, Token) and last.type == "STRING":
                message = _unquote(last)
        return ast.Require(
            tuple(segments), str(operator), self.value(value), message, self.span(node)
        )

    def number(self, node: Tree[Token]) -> ast.Number:
        tokens = [c for c in node.children if isinstance(c, Token)]
        if not tokens:
            raise _Broken
        text = str(tokens[0])
        scale = str(tokens[1]) if len(tokens) > 1 else None
        try:
            value = float(text.replace("_", ""))
        except ValueError:
            value = math.nan
        if scale is not None:
            value *= SCALES[scale]
        return ast.Number(value, text, scale, self.span(node))

    def quantity(self, node: Tree[Token]) -> ast.Quantity:
        number_node = node.children[0]
        assert isinstance(number_node, Tree)
        unit: str | None = None
        unit_span = self.span(node)
        if len(node.children) > 1:
            unit_node = node.children[1]
            assert isinstance(unit_node, Tree)
            token = unit_node.children[0]
            assert isinstance(token, Token)
            unit = str(token)
            unit_span = self.span(token)
        return ast.Quantity(self.number(number_node), unit, self.span(node), unit_span)

    def value(self, node: Tree[Token] | Token) -> ast.Value:
        if isinstance(node, Token):
            raise _Broken
        kind = node.data
        span = self.span(node)
        if kind == "quantity":
            return self.quantity(node)
        if kind == "multiplicity":
            count_node, _times, item = node.children[:3]
            assert isinstance(count_node, Tree)
            item_value: ast.Ref | ast.Quantity
            if isinstance(item, Token):
                item_value = ast.Ref(str(item), self.span(item))
            else:
                item_value = self.quantity(item)
            return ast.Multiplicity(self.number(count_node), item_value, span)
        if kind == "tagged":
            tag_token = node.children[0]
            assert isinstance(tag_token, Token)
            tag = ast.Ref(str(tag_token), self.span(tag_token))
            if len(node.children) == 1:
                return tag
            argument = node.children[1]
            assert isinstance(argument, Tree)
            arg_value = (
                self.quantity(argument) if argument.data == "quantity" else self.map(argument)
            )
            return ast.Tagged(tag, arg_value, span)
        if kind == "uncertain":
            low_node, _dots, high_node = node.children[:3]
            assert isinstance(low_node, Tree) and isinstance(high_node, Tree)
            high = self.quantity(high_node)
            low = ast.Quantity(
                self.number(low_node), high.unit, self.span(low_node), high.unit_span
            )
            return ast.Uncertain("range", (low, high), span, span)
        if kind == "distribution":
            name = node.children[0]
            assert isinstance(name, Token)
            arguments = tuple(
                self.quantity(c)
                for c in node.children
                if isinstance(c, Tree) and c.data == "quantity"
            )
            return ast.Uncertain(str(name), arguments, span, self.span(name))
        if kind == "map":
            return self.map(node)
        if kind == "list":
            return self.list(node)
        token = node.children[0]
        assert isinstance(token, Token)
        if kind == "string":
            return ast.StringValue(_unquote(token), span)
        if kind == "ratio":
            left, right = str(token).split(":")
            return ast.Ratio(float(left), float(right), str(token), span)
        if kind == "redundancy":
            return ast.Redundancy(str(token), span)
        raise _Broken

    def map(self, node: Tree[Token]) -> ast.MapValue:
        entries = tuple(
            self.attribute(c)
            for c in node.children
            if isinstance(c, Tree) and c.data == "attribute"
        )
        return ast.MapValue(entries, self.span(node))

    def list(self, node: Tree[Token]) -> ast.ListValue:
        items: list[ast.ListItem] = []
        for child in node.children:
            if not isinstance(child, Tree) or child.data != "list_item":
                continue
            first = child.children[0]
            value: ast.Value
            if isinstance(first, Token) and first.type == "RATIO":
                left, right = str(first).split(":")
                value = ast.Ratio(float(left), float(right), str(first), self.span(first))
            elif isinstance(first, Token) and first.type == "REDUNDANCY":
                value = ast.Redundancy(str(first), self.span(first))
            elif isinstance(first, Token):
                value = ast.StringValue(_unquote(first), self.span(first))
            else:
                value = self.value(first)
            role: str | None = None
            role_span = self.span(child)
            if len(child.children) > 1:
                role_node = child.children[1]
                assert isinstance(role_node, Tree)
                role_token = role_node.children[-1]
                assert isinstance(role_token, Token)
                role = str(role_token)
                role_span = self.span(role_token)
            items.append(ast.ListItem(value, role, self.span(child), role_span))
        return ast.ListValue(tuple(items), self.span(node))


def _unquote(token: Token | str) -> str:
    text = str(token)
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1]
    return re.sub(r"\\(.)", r"\1", text)
