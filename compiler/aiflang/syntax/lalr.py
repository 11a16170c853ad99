"""The LALR driver: Lark's tables and contextual lexer, run by a lean loop.

Lark builds the LALR(1) tables and the contextual lexer's per-state scanners
from dsl/aif.lark; `aiflang.syntax.tables` exports them as plain data and
keeps them on disk. This module runs them itself, for speed and for error
recovery that costs O(1) per error:

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

import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

Token = tuple[str, str, int, int, int]  # type, text, offset, line, column (1-based)
END = "$END"

# What the parse table says for a symbol in a state: (True, next state) to shift
# (or go to, for a rule's result), or (False, Reduction) to reduce.
Action = tuple[bool, Any]


class Reduction:
    """How to reduce by one rule: pop `size` values, keep some, build the node.

    `keep` lists (index, splice) for the children kept: a splice is the list
    an inlined rule (`_seps`, `__start_star_0`) reduced to, spliced into its
    parent, as Lark's tree builder does, but with no tree node in between. An
    inlined rule's result is that list (`build` is None); `single` returns a
    lone kept child as is (`?value`).
    """

    __slots__ = ("build", "direct", "keep", "rule", "single", "size")

    def __init__(self, exported: list[Any], builder: Any) -> None:
        size, rule, keep, single, callback = exported
        self.size: int = size
        self.rule: str = rule
        self.keep: tuple[tuple[int, bool], ...] = tuple((i, bool(s)) for i, s in keep)
        self.single: bool = bool(single)
        self.build: Any = None if callback is None else getattr(builder, callback, None)
        if self.build is None and callback is not None and not self.single:
            raise RuntimeError(f"the syntax builder has no callback for rule {callback!r}")
        # The callback itself, when it takes the children as they are (none dropped,
        # none spliced): the loop then calls it without this object in between.
        whole = self.keep == tuple((index, False) for index in range(self.size))
        self.direct: Any = self.build if whole and not self.single else None

    def __call__(self, children: list[Any]) -> Any:
        """The value of this reduction (the loop inlines the common cases)."""
        kept: list[Any] = []
        for index, splice in self.keep:
            child = children[index]
            if splice:
                if kept:
                    kept += child
                elif child:  # left recursion: grow the list the previous step built
                    kept = child
            else:
                kept.append(child)
        if self.single and len(kept) == 1:
            return kept[0]
        return kept if self.build is None else self.build(kept)


class Recovery(Protocol):
    """What the driver calls when the input does not fit the grammar."""

    def token(self, parse: Parse, token: Token) -> None:
        """`token` is not accepted in the current state."""

    def character(self, parse: Parse) -> None:
        """No token of the language starts at `parse.pos`."""

    def end(self, parse: Parse, token: Token) -> None:
        """The end of the file came before the input was complete."""

    def long_line(self, parse: Parse, token: Token) -> None:
        """`token` is one more than a line may hold; the line is to be skipped."""

    def too_many_tokens(self, parse: Parse, token: Token) -> None:
        """`token` is one more than a file may hold; the parse stops after this call."""


# A state's scanner: its compiled pattern (one group per terminal, named after
# it) and the keywords it first matches as another terminal (see `_keywords`).
Scanner = tuple[Any, dict[str, dict[str, str]]]


class Grammar:
    """The exported tables (`aiflang.syntax.tables`) in the shape the loop wants.

    `builder` holds the rule callbacks, one method per rule (named after the
    rule or its alias), each given the rule's kept children. Each state's
    scanner pattern is compiled the first time the state lexes.
    """

    def __init__(
        self,
        tables: dict[str, Any],
        builder: Any,
        rebuild: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        self._rebuild = rebuild  # fresh tables, should a cached pattern not compile
        self.start_state: int = tables["start"]
        self.end_state: int = tables["end"]
        reductions = [Reduction(rule, builder) for rule in tables["rules"]]
        self.actions: dict[int, dict[str, Action]] = {}
        self.expected: dict[int, frozenset[str]] = {}
        for state, row in tables["states"].items():
            self.actions[int(state)] = {
                symbol: (True, argument) if shift else (False, reductions[argument])
                for symbol, (shift, argument) in row.items()
            }
            self.expected[int(state)] = frozenset(s for s in row if s.isupper())
        self._exported = tables["scanners"]
        self._lexer: dict[int, int] = {int(state): i for state, i in tables["lexer"].items()}
        self._compiled: dict[int, Scanner] = {}
        self._scanners: dict[int, Scanner] = {}
        self.root: Scanner = self._compile(tables["root"])
        self.ignore: frozenset[str] = frozenset(tables["ignore"])

    def _compile(self, index: int) -> Scanner:
        found = self._compiled.get(index)
        if found is None:
            regex, flags, keywords = self._exported[index]
            try:
                pattern = re.compile(regex, flags)
            except (re.error, TypeError):
                if self._rebuild is None:
                    raise
                self._exported = self._rebuild()["scanners"]  # the tables' shape is fixed
                self._rebuild = None
                regex, flags, keywords = self._exported[index]
                pattern = re.compile(regex, flags)
            found = self._compiled[index] = (pattern, keywords)
        return found

    @property
    def scanners(self) -> dict[int, Scanner]:
        """The scanners built so far, by state (see `scanner`)."""
        return self._scanners

    def scanner(self, state: int) -> Scanner:
        """The scanner of the contextual lexer in `state`, built on first use."""
        found = self._scanners.get(state)
        if found is None:
            found = self._scanners[state] = self._compile(self._lexer[state])
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
                size = argument.size
                if size:
                    del states[-size:]
                goto = actions[states[-1]].get(argument.rule)
                if goto is None:
                    return False
                states.append(goto[1])
                if kind == END and states[-1] == self.end_state:
                    return True
        return True


class TooManyErrors(Exception):
    """Raised by a recovery policy to stop the parse."""


class StopParse(Exception):
    """Raised by a rule callback to end the parse early (a limit); what is complete is kept."""


class TooDeep(Exception):
    """Brackets nest deeper than the limit; `token` is the bracket that went too deep."""

    def __init__(self, token: Token) -> None:
        super().__init__(token)
        self.token = token


# Spaces between tokens (the grammar's ignored WS), skipped without a scanner call.
_SPACES = re.compile(r"[\t \f]+")

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
        "close_at",
        "comments",
        "end",
        "grammar",
        "line",
        "line_depth",
        "line_start",
        "max_line_tokens",
        "max_tokens",
        "pos",
        "stack",
        "text",
        "values",
    )

    def __init__(
        self,
        grammar: Grammar,
        text: str,
        *,
        max_nesting: int,
        max_line_tokens: int,
        max_tokens: int,
        close_at: int | None = None,
    ) -> None:
        self.grammar = grammar
        # Where to close the innermost block before lexing on (a `}` the designer
        # lost, placed by indentation on a second parse); past the end: never.
        self.close_at = len(text) + 1 if close_at is None else close_at
        self.brackets = Brackets(text, max_nesting)
        self.max_line_tokens = max_line_tokens
        self.max_tokens = max_tokens
        self.text = text
        self.end = len(text)
        self.pos = 0
        self.line = 1
        self.line_start = 0
        self.stack: list[int] = [grammar.start_state]
        self.line_depth = 1  # the stack's height where the current line began
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
        spaces = _SPACES.match
        most_on_line, most_tokens = self.max_line_tokens, self.max_tokens
        on_line = tokens = 0  # tokens since the last line break, and in all
        pos, line, line_start = self.pos, self.line, self.line_start
        close_at = self.close_at
        while pos < end:
            if pos >= close_at:  # the `}` and the line break that ends it
                close_at = self.close_at = end + 1
                if self.accepts("RBRACE", "_NL"):
                    self.feed(("RBRACE", "", pos, line, pos - line_start + 1))
                    self.feed(("_NL", "", pos, line, pos - line_start + 1))
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
                kind = retype[kind].get(value, kind)
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
            if pos < end and text[pos] == " ":  # step over spaces here, not as a token
                pos = spaces(text, pos).end()  # type: ignore[union-attr]  # a space matches
            if kind == "_NL":
                line += value.count("\n")
                line_start = token[2] + value.rindex("\n") + 1
                on_line = 0
                self.line_depth = len(stack)
            else:
                on_line += 1
                tokens += 1
                if tokens > most_tokens:
                    self.pos, self.line, self.line_start = pos, line, line_start
                    recovery.too_many_tokens(self, token)
                    raise StopParse
                if on_line > most_on_line:
                    self.pos, self.line, self.line_start = pos, line, line_start
                    recovery.long_line(self, token)
                    pos, line, line_start = self.pos, self.line, self.line_start
                    continue
                if kind in BRACKETS:
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
                size = argument.size
                if size:
                    children = values[-size:]
                    del stack[-size:]
                    del values[-size:]
                else:
                    children = []
                build = argument.direct
                values.append(argument(children) if build is None else build(children))
                stack.append(actions[stack[-1]][argument.rule][1])
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
            kind = retype[kind].get(value, kind)
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
            size = argument.size
            if size:
                children = values[-size:]
                del stack[-size:]
                del values[-size:]
            else:
                children = []
            build = argument.direct
            values.append(argument(children) if build is None else build(children))
            stack.append(actions[stack[-1]][argument.rule][1])
            if kind == END and stack[-1] == self.grammar.end_state:
                return values[-1]

    def pop_until(self, kind: str, depth: int | None = None) -> bool:
        """Drop the innermost unfinished constructs until `kind` is accepted.

        With `depth`, the stack is first cut to at most that height. Returns
        False, changing nothing, when no enclosing state accepts `kind`.
        """
        grammar = self.grammar
        highest = len(self.stack) if depth is None else min(depth, len(self.stack))
        for depth in range(highest, 0, -1):
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
