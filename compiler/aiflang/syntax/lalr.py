"""The LALR driver: Lark's tables and contextual lexer, run by a lean loop.

Lark builds the LALR(1) tables and the contextual lexer's per-state scanners
from dsl/aif.lark (the tables are cached on disk, see `aiflang.cache`). This
module runs them itself, for speed and for error recovery that costs O(1)
per error:

- tokens are plain tuples `(type, text, offset, line, column)`; the rule
  callbacks (`aiflang.syntax.build`) build syntax nodes on each reduction, so
  no parse tree is built and each span is computed once, from tokens;
- on an error the driver calls the recovery policy (`aiflang.syntax.recovery`)
  with the primitives it needs: whether a run of tokens would be accepted
  (simulated on the state stack alone: no callbacks, no copies of values),
  feeding a token, popping states, and skipping the rest of a line without
  lexing it.

Lark's own tree building and `on_error` loop are not used: they build a tree
node per rule and deep-copy the value stack on every repair attempt, which
made error recovery quadratic in the size of the file.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

Token = tuple[str, str, int, int, int]  # type, text, offset, line, column (1-based)
END = "$END"

# What the parse table says for a symbol in a state: (True, next state) to shift
# (or go to, for a rule's result), or (False, (size, rule name, callback)) to reduce.
Action = tuple[bool, Any]


class Recovery(Protocol):
    """What the driver calls when the input does not fit the grammar."""

    def token(self, parse: Parse, token: Token) -> None:
        """`token` is not accepted in the current state."""

    def character(self, parse: Parse) -> None:
        """No token of the language starts at `parse.pos`."""

    def end(self, parse: Parse, token: Token) -> None:
        """The end of the file came before the input was complete."""


# A state's scanner: its compiled pattern (one group per terminal, named after
# it) and the keywords it first matches as names, with their retyping scanner.
Scanner = tuple[Any, dict[str, Any]]


class Grammar:
    """The tables and scanners of one Lark LALR parser, in the shape the loop wants."""

    def __init__(self, lark: Any) -> None:
        from lark.parsers.lalr_analysis import Shift

        interactive = lark.parse_interactive("")
        conf = interactive.parser_state.parse_conf
        self.start_state: int = conf.start_state
        self.end_state: int = conf.end_state
        self.actions: dict[int, dict[str, Action]] = {}
        self.expected: dict[int, frozenset[str]] = {}
        for state, row in conf.states.items():
            compiled: dict[str, Action] = {}
            for symbol, (action, argument) in row.items():
                if action is Shift:
                    compiled[symbol] = (True, argument)
                else:
                    rule = argument
                    compiled[symbol] = (
                        False,
                        (len(rule.expansion), rule.origin.name, conf.callbacks[rule]),
                    )
            self.actions[state] = compiled
            self.expected[state] = frozenset(s for s in row if s.isupper())
        self._contextual = interactive.lexer_thread.lexer
        self._scanners: dict[int, Scanner] = {}
        root = self._contextual.root_lexer
        self.root: Scanner = (_pattern(root), _retypes(root))
        self.ignore: frozenset[str] = frozenset(root.ignore_types)

    @property
    def scanners(self) -> dict[int, Scanner]:
        """The scanners built so far, by state (see `scanner`)."""
        return self._scanners

    def scanner(self, state: int) -> Scanner:
        """The scanner of the contextual lexer in `state`, built on first use."""
        found = self._scanners.get(state)
        if found is None:
            lexer = self._contextual.lexers[state]
            found = (_pattern(lexer), _retypes(lexer))
            self._scanners[state] = found
        return found

    def simulate(self, stack: Sequence[int], kinds: Sequence[str]) -> bool:
        """Whether the tokens `kinds` would be accepted from `stack` (not changed)."""
        states = list(stack)
        actions = self.actions
        for kind in kinds:
            while True:
                action = actions[states[-1]].get(kind)
                if action is None:
                    return False
                shift, argument = action
                if shift:
                    states.append(argument)
                    break
                size = argument[0]
                if size:
                    del states[-size:]
                goto = actions[states[-1]].get(argument[1])
                if goto is None:
                    return False
                states.append(goto[1])
                if kind == END and states[-1] == self.end_state:
                    return True
        return True


def _pattern(lexer: Any) -> Any:
    """The one compiled pattern of a Lark scanner (it splits only past 100 terminals)."""
    patterns = lexer.scanner._mres
    if len(patterns) != 1:  # pragma: no cover - the grammar has far fewer terminals
        raise RuntimeError("the grammar's terminals no longer fit one pattern")
    return patterns[0]


def _retypes(lexer: Any) -> dict[str, Any]:
    """Keywords the lexer first matches as names, with the scanner that retypes them."""
    return {name: callback.scanner for name, callback in lexer.callback.items()}


class TooManyErrors(Exception):
    """Raised by a recovery policy to stop the parse."""


class TooDeep(Exception):
    """Brackets nest deeper than the limit; `token` is the bracket that went too deep."""

    def __init__(self, token: Token) -> None:
        super().__init__(token)
        self.token = token


_OPENERS = {"LBRACE": "{", "LBRACKET": "["}
_CLOSERS = {"RBRACE": "{", "RBRACKET": "["}
BRACKETS = frozenset(_OPENERS) | frozenset(_CLOSERS)


class Brackets:
    """The brackets the lexer has met: how deep they nest, which are open, which lost a `}`.

    A closer closes the innermost opener of its kind only (as a reader pairs
    them); others are ignored here and left to the parser. `lost` is the first
    opener closed by a closer that starts its line indented less than the
    opener's line: the block that probably lost its own `}`.
    """

    __slots__ = ("limit", "lost", "open", "text")

    def __init__(self, text: str, limit: int) -> None:
        self.text = text
        self.limit = limit
        self.open: list[tuple[str, int, int, int]] = []  # char, offset, line, indentation
        self.lost: tuple[int, int, int, int] | None = None  # opener, line, indentation; closer

    def _indent(self, line_start: int) -> int:
        text, position = self.text, line_start
        while position < len(text) and text[position] in " \t":
            position += 1
        return position - line_start

    def see(self, token: Token, line_start: int) -> None:
        kind, _, offset, line, _ = token
        char = _OPENERS.get(kind)
        if char is not None:
            self.open.append((char, offset, line, self._indent(line_start)))
            if len(self.open) > self.limit:
                raise TooDeep(token)
            return
        if not self.open or self.open[-1][0] != _CLOSERS[kind]:
            return
        _, opener, opener_line, opener_indent = self.open.pop()
        if self.lost is None and line > opener_line:
            indent = self._indent(line_start)
            if line_start + indent == offset and indent < opener_indent:
                self.lost = (opener, opener_line, opener_indent, offset)


class Parse:
    """One parse: the state and value stacks, and the lexer's position in the text."""

    __slots__ = (
        "brackets",
        "comments",
        "end",
        "grammar",
        "line",
        "line_start",
        "pos",
        "stack",
        "text",
        "values",
    )

    def __init__(self, grammar: Grammar, text: str, max_nesting: int) -> None:
        self.grammar = grammar
        self.brackets = Brackets(text, max_nesting)
        self.text = text
        self.end = len(text)
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.stack: list[int] = [grammar.start_state]
        self.values: list[Any] = []
        self.comments: list[Token] = []

    # The loop ------------------------------------------------------------------
    def run(self, recovery: Recovery) -> Any:
        """Lex and parse the whole text; returns the start rule's value."""
        grammar = self.grammar
        text, end = self.text, self.end
        actions = grammar.actions
        scanners = grammar.scanners
        ignore = grammar.ignore
        stack, values = self.stack, self.values
        comments = self.comments
        brackets = self.brackets
        pos, line, line_start = self.pos, self.line, self.line_start
        while pos < end:
            state = stack[-1]
            pattern, retype = scanners.get(state) or grammar.scanner(state)
            found = pattern.match(text, pos)
            if found is None:
                self.pos, self.line, self.line_start = pos, line, line_start
                self._no_match(recovery)
                pos, line, line_start = self.pos, self.line, self.line_start
                continue
            value = found.group()
            kind = found.lastgroup
            if kind in retype:
                kind = retype[kind].fullmatch(value) or kind
            if kind in ignore:
                if kind == "COMMENT":
                    comments.append((kind, value, pos, line, pos - line_start + 1))
                elif "\n" in value:  # a line continuation
                    line += 1
                    line_start = pos + len(value)
                pos += len(value)
                continue
            token = (kind, value, pos, line, pos - line_start + 1)
            pos += len(value)
            if kind == "_NL":
                line += value.count("\n")
                line_start = token[2] + value.rindex("\n") + 1
            elif kind in BRACKETS:
                brackets.see(token, line_start)
            while True:  # shift `token`, reducing first as the table says
                action = actions[stack[-1]].get(kind)
                if action is None:
                    self.pos, self.line, self.line_start = pos, line, line_start
                    recovery.token(self, token)
                    pos, line, line_start = self.pos, self.line, self.line_start
                    break
                shift, argument = action
                if shift:
                    stack.append(argument)
                    values.append(token)
                    break
                size, rule, callback = argument
                if size:
                    children = values[-size:]
                    del stack[-size:]
                    del values[-size:]
                else:
                    children = []
                values.append(callback(children))
                stack.append(actions[stack[-1]][rule][1])
        self.pos, self.line, self.line_start = pos, line, line_start
        token = self._end_token()
        while True:
            result = self.feed(token)
            if result is not _REFUSED:
                return result
            recovery.end(self, token)
            if not self.grammar.simulate(self.stack, (END,)):
                raise TooManyErrors  # the policy could not close the input

    def _end_token(self) -> Token:
        """The end of the file, placed just after its last character that is not blank."""
        offset = len(self.text.rstrip())
        line_start = self.text.rfind("\n", 0, offset) + 1
        line = self.text.count("\n", 0, offset) + 1
        return (END, "", offset, line, offset - line_start + 1)

    def _no_match(self, recovery: Recovery) -> None:
        """No token of this state starts here: a token of another state, or a stray character."""
        pattern, retype = self.grammar.root
        found = pattern.match(self.text, self.pos)
        if found is None or found.lastgroup in self.grammar.ignore:
            recovery.character(self)
            return
        value, kind = found.group(), found.lastgroup
        if kind in retype:
            kind = retype[kind].fullmatch(value) or kind
        token = (kind, value, self.pos, self.line, self.column)
        if kind in BRACKETS:
            self.brackets.see(token, self.line_start)
        self.pos += len(value)
        if "\n" in value:
            self.line += value.count("\n")
            self.line_start = token[2] + value.rindex("\n") + 1
        recovery.token(self, token)

    # Primitives for the recovery policy -----------------------------------------
    @property
    def column(self) -> int:
        return self.pos - self.line_start + 1

    @property
    def expected(self) -> frozenset[str]:
        """The terminals the current state accepts."""
        return self.grammar.expected[self.stack[-1]]

    def accepts(self, *kinds: str) -> bool:
        """Whether the tokens `kinds`, in order, would be accepted now."""
        return self.grammar.simulate(self.stack, kinds)

    def feed(self, token: Token) -> Any:
        """Feed one token for real; returns the result at the end, else None.

        Returns `_REFUSED` (and changes nothing) when the token is not accepted.
        """
        if not self.grammar.simulate(self.stack, (token[0],)):
            return _REFUSED
        actions = self.grammar.actions
        stack, values = self.stack, self.values
        kind = token[0]
        while True:
            shift, argument = actions[stack[-1]][kind]
            if shift:
                stack.append(argument)
                values.append(token)
                return None
            size, rule, callback = argument
            if size:
                children = values[-size:]
                del stack[-size:]
                del values[-size:]
            else:
                children = []
            values.append(callback(children))
            stack.append(actions[stack[-1]][rule][1])
            if kind == END and stack[-1] == self.grammar.end_state:
                return values[-1]

    def pop_until(self, kind: str) -> bool:
        """Drop the innermost unfinished constructs until `kind` is accepted.

        Returns False, changing nothing, when no enclosing state accepts it.
        """
        grammar = self.grammar
        for depth in range(len(self.stack), 0, -1):
            if kind in grammar.actions[self.stack[depth - 1]] and grammar.simulate(
                self.stack[:depth], (kind,)
            ):
                removed = len(self.stack) - depth
                if removed:
                    del self.stack[depth:]
                    del self.values[len(self.values) - removed :]
                return True
        return False

    def skip_char(self) -> None:
        """Step over one character (never a line break: `pos` is not at one)."""
        self.pos += 1

    def skip_to(self, offset: int) -> None:
        """Step to `offset` on the current line, without lexing what lies between."""
        self.pos = max(self.pos, min(offset, self.end))

    def line_end(self) -> int:
        """The offset of the line break that ends the current line (or the end)."""
        found = self.text.find("\n", self.pos)
        return self.end if found < 0 else found


_REFUSED: Any = object()
