"""Syntax errors: what to tell the designer, and how the parse carries on.

The policy keeps every error O(1) amortised, whatever the input:

- one diagnostic per line: the first error on a line is reported (E102-E107)
  and repaired locally (insert the value, `=`, line break or `}` that makes
  the offending token fit; else step over the token or character);
- any further error on a line already reported skips the rest of that line
  without lexing it (to its `{` when the line opens a block), then drops the
  unfinished constructs until the line break fits: a line of a million stray
  characters costs two errors, not a million;
- after `MAX_SYNTAX_ERRORS` reported errors (or a multiple of that in
  unreported ones) the parse stops with E108.

At the end of the file, unclosed blocks are closed (E104); when the
indentation shows which block lost its `}` (a `}` indented less than the
line that opened the block it closes), E104 points at that block rather
than at the outermost one.
"""

from __future__ import annotations

from aiflang.diagnostics import Diagnostic, Related, Severity, Span, codes
from aiflang.records import record
from aiflang.syntax.build import shorten
from aiflang.syntax.lalr import END, Parse, Token, TooManyErrors

MAX_SYNTAX_ERRORS = 50
MAX_ERROR_EVENTS = 20 * MAX_SYNTAX_ERRORS  # reported or not; each costs O(1)

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
    END: "the end of the file",
}

# Tokens that can start a value but not an entry: seeing them expected means
# the parser stands just after `=` (or `x`), where a value belongs.
_VALUE_ONLY_STARTS = {"NUMBER", "RATIO", "REDUNDANCY", "LBRACKET"}
_CLOSERS = {"_NL", "RBRACE", "RBRACKET", "COMMA", "SEMICOLON"}
_SYNC = ("_NL", "RBRACE", "RBRACKET")


@record
class LostBrace:
    """A block whose `}` is probably missing, judged by indentation.

    `opener` is its `{`; `closer` the `}` that closes it instead, indented
    less than the line that opened it; `before_line` the first line after the
    opener indented no deeper than it, where the missing `}` belongs, and
    `before` the offset of that line's first character.
    """

    opener: int
    header: str
    closer: int
    before_line: int
    before: int


def describe_expected(accepts: frozenset[str] | set[str]) -> str:
    words = sorted(
        {TERMINAL_WORDS.get(name, name) for name in accepts if not name.startswith("__")}
    )
    if len(words) > 8:
        words = [*words[:8], "..."]
    return ", ".join(words)


def describe_token(token: Token) -> str:
    if token[0] == END:
        return "the end of the file"
    if token[0] == "_NL":
        return "a line break"
    return f"`{shorten(token[1])}`"


class SyntaxRecovery:
    """The recovery policy the LALR driver calls; collects the syntax diagnostics."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self.span_at = _SpanAt(file, text)
        self.diagnostics: list[Diagnostic] = []
        self.lines: set[int] = set()
        self.events = 0
        self.lost: LostBrace | None = None  # the block that lost its `}`, found at the end

    # Reporting --------------------------------------------------------------------
    def report(self, diagnostic: Diagnostic) -> None:
        line = diagnostic.span.line if diagnostic.span else 0
        self.lines.add(line)
        self.diagnostics.append(diagnostic)
        if len(self.diagnostics) >= MAX_SYNTAX_ERRORS:
            raise TooManyErrors

    def _count(self) -> None:
        self.events += 1
        if self.events > MAX_ERROR_EVENTS:
            raise TooManyErrors

    def token_span(self, token: Token) -> Span:
        _, text, offset, line, column = token
        return Span(
            self.file, line, column, line, column + max(1, len(text)), offset, offset + len(text)
        )

    # The driver's calls ----------------------------------------------------------------
    def token(self, parse: Parse, token: Token) -> None:
        self._count()
        if token[3] not in self.lines:
            self.report(self._classify(parse, token))
            if self._repair(parse, token):
                return
            if token[0] in _SYNC and parse.pop_until(token[0]):
                parse.feed(token)
            return  # else the token is dropped
        if token[0] in _SYNC and parse.pop_until(token[0]):
            parse.feed(token)
            return
        self._skip_line(parse)

    def character(self, parse: Parse) -> None:
        self._count()
        if parse.line not in self.lines:
            self.report(self._character(parse))
            parse.skip_char()
            return
        self._skip_line(parse)

    def end(self, parse: Parse, token: Token) -> None:
        self._count()
        diagnostic = self._at_end(parse, token)
        if diagnostic.code == codes.E104 or token[3] not in self.lines:
            self.report(diagnostic)
        for _ in range(len(parse.stack) + 2):
            if parse.accepts(END):
                return
            for closer, text in (("RBRACE", ""), ("RBRACKET", ""), ("_NL", ""), ("NUMBER", "")):
                if parse.accepts(closer):
                    parse.feed((closer, text, token[2], token[3], token[4]))
                    break
            else:
                break
        if not parse.accepts(END):
            parse.pop_until(END)

    def long_line(self, parse: Parse, token: Token) -> None:
        """A line holds more tokens than `parse.max_line_tokens`: report it, skip the rest."""
        self._count()
        if token[3] not in self.lines:
            self.report(
                Diagnostic(
                    codes.E108,
                    Severity.ERROR,
                    f"line {token[3]:,} holds more than {parse.max_line_tokens:,} tokens; "
                    "the rest of the line is not read",
                    self.token_span(token),
                    help="a value holds a few tokens; split long lists over several lines",
                )
            )
        # Drop what the line started, so the next line reads as it would without it.
        parse.skip_to(parse.line_end())
        parse.pop_until("_NL", parse.line_depth)

    def too_many_tokens(self, parse: Parse, token: Token) -> None:
        self.diagnostics.append(
            Diagnostic(
                codes.E108,
                Severity.ERROR,
                f"the file holds more than {parse.max_tokens:,} tokens; the rest of the file "
                f"(from line {token[3]:,}) is not read",
                self.token_span(token),
                help="split the design into several files joined with `import`",
            )
        )

    # Repairs -------------------------------------------------------------------------------
    def _repair(self, parse: Parse, token: Token) -> bool:
        """Insert the token that makes `token` fit, if one does."""
        expected = parse.expected
        for kind in ("NUMBER", "_NL", "EQUAL", "RBRACE"):
            if kind in expected and parse.accepts(kind, token[0]):
                parse.feed((kind, "", token[2], token[3], token[4]))
                parse.feed(token)
                return True
        return False

    def _skip_line(self, parse: Parse) -> None:
        """Skip the rest of the line; to its `{` when the line opens a block there."""
        end = parse.line_end()
        code = self.text[parse.pos : end].split("#", 1)[0].rstrip()
        if code.endswith("{") and "LBRACE" in parse.expected:
            parse.skip_to(parse.pos + len(code) - 1)
        else:
            parse.skip_to(end)

    # Messages ----------------------------------------------------------------------------
    def _classify(self, parse: Parse, token: Token) -> Diagnostic:
        span = self.token_span(token)
        found = describe_token(token)
        accepts = parse.expected
        kind, text, offset = token[0], token[1], token[2]
        before = self.text[offset - 1] if offset > 0 else ""
        if text.startswith("-") and (before.isalnum() or before == "_"):
            name = _word_around(self.text, offset)
            return Diagnostic(
                codes.E102,
                Severity.ERROR,
                f"`{shorten(name)}` is not a name: names hold letters, digits and `_`",
                span,
                label="`-` cannot stand in a name",
                help=f'put a name with `-` in quotes: "{shorten(name)}"',
            )
        if kind == "NUMBER" and text[:1] in "+-" and before == "N":
            written = _word_around(self.text, offset - 1) + text
            return Diagnostic(
                codes.E102,
                Severity.ERROR,
                f"`{shorten(written)}` is not a redundancy aifc reads",
                span,
                label="a redundancy ends here",
                help="write `2N` (two full systems) or `N+1` (one spare module); redundancies "
                "are written N, N+1, N+2, 2N or 3/2",
            )
        if kind == "NUMBER" and before == "," and _digits_before_comma(self.text, offset - 1):
            number = _number_with_commas(self.text, offset)
            plain = number.replace(",", "")
            return Diagnostic(
                codes.E102,
                Severity.ERROR,
                f"`{shorten(number)}` is not a number: a comma ends an attribute",
                span,
                label="a new attribute was expected after the comma",
                help=f"write {plain} or {_underscored(plain)}",
            )
        if kind in _CLOSERS and accepts & _VALUE_ONLY_STARTS:
            return Diagnostic(
                codes.E105,
                Severity.ERROR,
                "missing value",
                span,
                label=f"expected a value here, found {found}",
                help="write the value on the same line as its attribute, e.g. `power = 132 kW`",
            )
        if "LBRACE" in accepts and kind in {"NUMBER", "_NL", "STRING", "LBRACKET", "RATIO"}:
            return Diagnostic(
                codes.E107,
                Severity.ERROR,
                f"missing `=`: expected `=` or `{{`, found {found}",
                span,
                label="an attribute needs `=` between its name and value",
                help="write `name = value`; a block is `kind name { ... }`",
            )
        expected = describe_expected(accepts)
        return Diagnostic(
            codes.E102,
            Severity.ERROR,
            f"unexpected {found}",
            span,
            label=f"expected {expected}" if expected else "",
        )

    def _character(self, parse: Parse) -> Diagnostic:
        offset = parse.pos
        char = self.text[offset]
        span = Span(
            self.file, parse.line, parse.column, parse.line, parse.column + 1, offset, offset + 1
        )
        if char == '"':
            return Diagnostic(
                codes.E103,
                Severity.ERROR,
                "unterminated label: a quoted label must close on the same line",
                span,
                help='close the label with `"`',
            )
        shown = repr(char) if not char.isprintable() or char.isspace() else f"`{char}`"
        hint = None
        if char in "“”‘’":
            hint = 'use straight double quotes: "label"'
        elif not char.isascii():
            hint = "names use ASCII letters, digits and `_`; put other text in a quoted label"
        elif char == "\r":
            hint = "save the file with Unix (LF) or Windows (CRLF) line endings"
        return Diagnostic(
            codes.E103,
            Severity.ERROR,
            f"unexpected character {shown}",
            span,
            label="no token of the language starts here",
            help=hint,
        )

    def _at_end(self, parse: Parse, token: Token) -> Diagnostic:
        span = self.token_span(token)
        unclosed = parse.brackets.open
        if not unclosed:
            if parse.expected & _VALUE_ONLY_STARTS:
                return Diagnostic(
                    codes.E105,
                    Severity.ERROR,
                    "missing value",
                    span,
                    label="expected a value here, found the end of the file",
                    help="write the value on the same line as its attribute",
                )
            return Diagnostic(
                codes.E102,
                Severity.ERROR,
                "unexpected end of the file",
                span,
                label=f"expected {describe_expected(parse.expected)}",
            )
        lost = _lost_brace(self.text, parse.brackets.lost) if parse.brackets.lost else None
        self.lost = lost
        if lost is not None:
            opener = self.span_at(lost.opener)
            closer_span = self.span_at(lost.closer)
            return Diagnostic(
                codes.E104,
                Severity.ERROR,
                f"unclosed block: `{shorten(lost.header)}` has no `}}` of its own",
                opener,
                label="opened here; judging by the indentation, never closed",
                related=(
                    Related(
                        closer_span,
                        f"this `}}` is indented less than `{shorten(lost.header)}`, yet closes it",
                    ),
                ),
                help=f"add `}}` before line {lost.before_line} to close `{shorten(lost.header)}`",
            )
        char, offset, _, _ = unclosed[-1]
        closer = "}" if char == "{" else "]"
        return Diagnostic(
            codes.E104,
            Severity.ERROR,
            "unclosed block at the end of the file",
            span,
            related=(Related(self.span_at(offset), f"`{char}` opened here"),),
            help=f"add the missing `{closer}`",
        )


class _SpanAt:
    """One-character spans at offsets, from a table of line starts built once."""

    def __init__(self, file: str, text: str) -> None:
        self.file = file
        self.text = text
        self._starts: list[int] | None = None

    def __call__(self, offset: int) -> Span:
        import bisect

        if self._starts is None:
            starts = [0]
            find = self.text.find
            position = find("\n")
            while position >= 0:
                starts.append(position + 1)
                position = find("\n", position + 1)
            self._starts = starts
        index = bisect.bisect_right(self._starts, offset) - 1
        line, column = index + 1, offset - self._starts[index] + 1
        return Span(self.file, line, column, line, column + 1, offset, offset + 1)


def _word_around(text: str, offset: int) -> str:
    """The run of name characters and `-` around `offset` (at most 80 characters each way)."""
    start = offset
    while start > max(0, offset - 80) and (text[start - 1].isalnum() or text[start - 1] in "_-"):
        start -= 1
    end = offset
    while end < min(len(text), offset + 80) and (text[end].isalnum() or text[end] in "_-"):
        end += 1
    return text[start:end]


def _digits_before_comma(text: str, comma: int) -> bool:
    return comma > 0 and text[comma - 1].isdigit()


def _number_with_commas(text: str, offset: int) -> str:
    """`1,000,000` around the digits at `offset` (just after a comma)."""
    start = offset - 1
    while start > max(0, offset - 80) and (text[start - 1].isdigit() or text[start - 1] == ","):
        start -= 1
    end = offset
    while end < min(len(text), offset + 80) and (text[end].isdigit() or text[end] == ","):
        end += 1
    return text[start:end].strip(",")


def _underscored(digits: str) -> str:
    """1000000 -> 1_000_000."""
    head = len(digits) % 3 or 3
    groups = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return "_".join(groups)


def _lost_brace(text: str, found: tuple[int, int, int, int]) -> LostBrace:
    """Where the block that lost its `}` opened, and where the `}` belongs."""
    opener, opener_line, indent, closer = found
    line_start = text.rfind("\n", 0, opener) + 1
    header = text[line_start : opener + 1].strip()
    # Before the first line, after the opener's, indented no deeper than it
    # (blank lines and comments aside).
    line, position = opener_line, text.find("\n", opener)
    while position >= 0:
        line += 1
        start = position + 1
        depth = start
        while depth < len(text) and text[depth] in " \t":
            depth += 1
        first = text[depth : depth + 1]
        if first not in ("", "\n", "#") and depth - start <= indent:
            return LostBrace(opener, header, closer, line, depth)
        position = text.find("\n", start)
    return LostBrace(opener, header, closer, line + 1, len(text))
