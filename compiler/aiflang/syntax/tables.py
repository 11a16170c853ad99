"""The parse tables of dsl/aif.lark, as plain data, built by Lark and kept in the cache.

Lark analyses the grammar into LALR(1) tables and a contextual lexer (one
scanner pattern per parser state). `export` turns those into plain data
(lists, dicts, strings) that the driver (`aiflang.syntax.lalr`) runs
directly; `load` returns them from the user's cache (`aiflang.cache`, JSON,
keyed by the grammar text and the code that builds the entry) and builds
them with Lark when the entry is missing or does not read. Lark is imported
only then: importing it and loading its own serial form costs more than
checking a small design.

The data:

- `start`, `end`: the start and accepting states;
- `states`: per state, per symbol, `[1, next state]` to shift (or go to) and
  `[0, rule]` to reduce;
- `rules`: per rule, `[size, name, kept, single, callback]`: how many values
  it pops, its name (for the go-to), the children it keeps as `[index,
  splice]` pairs, whether a lone kept child stands for the rule (`?value`),
  and the callback that builds its node (none for inlined rules, `_seps`);
- `scanners`: the distinct scanner patterns, each `[regex, flags,
  keywords]`, where keywords maps a terminal to the keywords it first
  matches (`x` as a unit, `for` as a name) and their own types;
- `lexer`: per state, the index of its scanner; `root`: the scanner that
  knows every terminal; `ignore`: the terminals dropped between tokens.
"""

from __future__ import annotations

import json
from typing import Any

from aiflang import cache

FORMAT = "1"  # bump when the exported shape changes

# Separators carry no meaning once parsed; rules made of them reduce to nothing.
_SEPARATORS = frozenset({"COMMA", "SEMICOLON"})


def load(grammar: str) -> dict[str, Any]:
    """The tables of `grammar`, from the cache when it holds them, else built and cached."""
    key = cache.key_of(FORMAT, grammar)
    entry = cache.load("grammar", key)
    if entry is not None:
        try:
            data = json.loads(entry)
        except ValueError:
            data = None  # a damaged entry: built again below
        if isinstance(data, dict) and data.get("format") == FORMAT:
            return data
    data = export(grammar)
    if cache.enabled():
        cache.store("grammar", key, json.dumps(data, separators=(",", ":")))
    return data


def export(grammar: str) -> dict[str, Any]:
    """Build the tables of `grammar` with Lark and return them as plain data."""
    from lark import Lark
    from lark.parsers.lalr_analysis import Shift

    lark = Lark(grammar, parser="lalr", lexer="contextual", maybe_placeholders=False)
    interactive = lark.parse_interactive("")
    conf = interactive.parser_state.parse_conf
    rules: list[list[Any]] = []
    rule_index: dict[int, int] = {}
    states: dict[str, dict[str, list[int]]] = {}
    for state, row in conf.states.items():
        exported: dict[str, list[int]] = {}
        for symbol, (action, argument) in row.items():
            if action is Shift:
                exported[symbol] = [1, argument]
                continue
            index = rule_index.get(id(argument))
            if index is None:
                index = rule_index[id(argument)] = len(rules)
                rules.append(_rule(argument))
            exported[symbol] = [0, index]
        states[str(state)] = exported
    contextual: Any = interactive.lexer_thread.lexer
    scanners: list[list[Any]] = []
    scanner_index: dict[int, int] = {}

    def scanner(lexer: Any) -> int:
        index = scanner_index.get(id(lexer))
        if index is None:
            index = scanner_index[id(lexer)] = len(scanners)
            scanners.append(_scanner(lexer))
        return index

    lexers = {str(state): scanner(lexer) for state, lexer in contextual.lexers.items()}
    root = scanner(contextual.root_lexer)
    return {
        "format": FORMAT,
        "start": conf.start_state,
        "end": conf.end_state,
        "states": states,
        "rules": rules,
        "scanners": scanners,
        "lexer": lexers,
        "root": root,
        "ignore": sorted(contextual.root_lexer.ignore_types),
    }


def _rule(rule: Any) -> list[Any]:
    kept: list[list[Any]] = []
    for index, symbol in enumerate(rule.expansion):
        if symbol.is_term:
            if not symbol.filter_out and symbol.name not in _SEPARATORS:
                kept.append([index, False])
        else:
            kept.append([index, symbol.name.startswith("_")])
    name = rule.origin.name
    single = bool(rule.options.expand1) and not rule.alias
    callback = None if name.startswith("_") else (rule.alias or name)
    return [len(rule.expansion), name, kept, single, callback]


def _scanner(lexer: Any) -> list[Any]:
    patterns = lexer.scanner._mres  # building it also builds `callback`
    if len(patterns) != 1:  # pragma: no cover - the grammar has far fewer terminals
        raise RuntimeError("the grammar's terminals no longer fit one pattern")
    keywords: dict[str, dict[str, str]] = {}
    for name, callback in lexer.callback.items():
        words: dict[str, str] = {}
        for terminal in callback.scanner.terminals:
            if terminal.pattern.flags:  # pragma: no cover - the grammar has no such keyword
                raise RuntimeError(f"keyword {terminal.name} has flags")
            words[terminal.pattern.value] = terminal.name
        keywords[name] = words
    return [patterns[0].pattern, patterns[0].flags, keywords]
