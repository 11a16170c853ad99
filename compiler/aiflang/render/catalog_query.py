"""The built-in catalog as entries: attributes with their text and SI value, filters.

`catalog_entries()` reads every built-in definition (and a project's own) with its attributes
merged along `extends`, the value as written, its SI value where it has one
and the comment written after it. `select()` keeps the entries of some
kinds that match a search text and every `--where` condition.

A condition is `attribute operator value`, such as `power < 1 kW`,
`ports >= 800 Gbps`, `vendor = NVIDIA` or `status != estimate`; several are
joined with `and`. Quantities compare by dimension in SI (a multiplicity
such as `64 x 800 Gbps` compares its per-unit quantity); words compare as
text, ignoring case. `parse_where()` raises `QueryError` with one clear
line for a condition it cannot read.
"""

from __future__ import annotations

import difflib
import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiflang import units
from aiflang.catalog import catalog_modules
from aiflang.frontend.resolve import Definition, Scope, catalog_scope
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import ParseResult
from aiflang.syntax.schema import BLOCKS, COMPONENT_KINDS


class QueryError(ValueError):
    """A search or condition that cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class Value:
    """One attribute of an entry: as written, in SI where it is a quantity, and its note."""

    text: str
    si: float | None = None
    dimension: units.Dimension | None = None
    note: str | None = None


@dataclass(slots=True)
class Entry:
    kind: str
    name: str
    file: str
    line: int
    extends: str | None = None
    doc: str | None = None
    values: dict[str, Value] = field(default_factory=dict)
    project: bool = False  # from the project's own catalog files

    def text(self, attribute: str) -> str | None:
        value = self.values.get(attribute)
        return value.text.strip('"') if value is not None else None


def _source_text(attribute: ast.Attribute, results: Sequence[ParseResult]) -> str:
    value_span = attribute.value.span
    for result in results:
        if result.module.file == value_span.file:
            return result.text[value_span.offset : value_span.end_offset].strip()
    return ""


def _si(value: ast.Value) -> tuple[float | None, units.Dimension | None]:
    """The SI value of a quantity, or of the per-unit quantity of `N x quantity`."""
    if isinstance(value, ast.Multiplicity) and isinstance(value.item, ast.Quantity):
        value = value.item
    if not isinstance(value, ast.Quantity):
        return None, None
    if value.unit is None:
        return value.number.value, units.DIMENSIONLESS
    try:
        unit = units.parse_unit(value.unit)
    except units.UnitError:
        return None, None
    return unit.to_reference(value.number.value), unit.dimension


def _scope(project: Sequence[ParseResult]) -> Scope:
    """The built-in catalog with the project's parts in front of it."""
    scope = catalog_scope()
    if not project:
        return scope
    front = Scope(parent=scope)
    for result in project:
        for entry in result.module.entries:
            if isinstance(entry, ast.Block) and entry.kind in COMPONENT_KINDS and entry.name:
                front.symbols[entry.name] = Definition(
                    entry.kind, entry.name, entry, builtin=True, doc=entry.doc
                )
    return front


def _merged(definition: Definition, scope: Scope) -> dict[str, ast.Attribute]:
    chain = [definition.block]
    seen = {id(definition.block)}
    while chain[-1].extends:
        base = scope.lookup(chain[-1].extends)
        if base is not None and base.block is chain[-1] and scope.parent is not None:
            base = scope.parent.lookup(chain[-1].extends)  # `rack X extends X`: the built-in X
        if base is None or id(base.block) in seen:
            break
        seen.add(id(base.block))
        chain.append(base.block)
    merged: dict[str, ast.Attribute] = {}
    for link in reversed(chain):
        for entry in link.entries:
            if isinstance(entry, ast.Attribute):
                merged[entry.name] = entry
    return merged


def catalog_entries(project: Sequence[ParseResult] = ()) -> list[Entry]:
    """Every built-in entry and the project's own (parses of its catalog files),
    by kind (in schema order) and name; a project part replaces a built-in one
    of the same name, as it does when designs are compiled."""
    scope = _scope(project)
    results = (*catalog_modules(), *project)
    notes = {
        (r.module.file, c.line): c.text.lstrip("#").strip()
        for r in results
        for c in r.module.comments
    }
    own = {
        e.name
        for r in project
        for e in r.module.entries
        if isinstance(e, ast.Block) and e.kind in COMPONENT_KINDS and e.name
    }
    entries = []
    for name, definition in sorted(scope.names()):
        block = definition.block
        entry = Entry(
            kind=definition.kind,
            name=name,
            file=block.span.file,
            line=block.span.line,
            extends=block.extends,
            doc=definition.doc,
            project=name in own,
        )
        for key, attribute in _merged(definition, scope).items():
            si, dimension = _si(attribute.value)
            note = notes.get((attribute.span.file, attribute.span.end_line))
            entry.values[key] = Value(_source_text(attribute, results), si, dimension, note or None)
        entries.append(entry)
    order = {kind: index for index, kind in enumerate(COMPONENT_KINDS)}
    return sorted(entries, key=lambda e: (order.get(e.kind, 99), e.name.lower()))


# Conditions -------------------------------------------------------------------
_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "!=": operator.ne,
    "==": operator.eq,
    "=": operator.eq,
    "<": operator.lt,
    ">": operator.gt,
}
_CONDITION = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(<=|>=|!=|==|=|<|>)\s*(.+?)\s*$")
_QUANTITY = re.compile(r"^([+-]?\d[\d_]*(?:\.\d*)?(?:[eE][+-]?\d+)?)\s*(\S*)$")


@dataclass(frozen=True, slots=True)
class Condition:
    """`attribute operator value`; `si`/`dimension` set when the value is a quantity."""

    attribute: str
    operator: str
    text: str
    si: float | None = None
    dimension: units.Dimension | None = None

    def holds(self, entry: Entry) -> bool:
        value = entry.values.get(self.attribute)
        if value is None:
            return False
        compare = _OPERATORS[self.operator]
        if self.si is not None:
            if value.si is None or value.dimension != self.dimension:
                return False
            return compare(value.si, self.si)
        if self.operator not in ("=", "==", "!="):
            return False
        return compare(value.text.strip('"').lower(), self.text.strip('"').lower())


def _known_attributes(kinds: tuple[str, ...]) -> list[str]:
    names: list[str] = []
    for kind in kinds or COMPONENT_KINDS:
        for name in BLOCKS[kind].attrs:
            if name not in names:
                names.append(name)
    return names


def parse_where(text: str, kinds: tuple[str, ...] = ()) -> list[Condition]:
    """Conditions joined by `and`, each checked against the attributes of `kinds`."""
    conditions = []
    known = _known_attributes(kinds)
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _CONDITION.match(part)
        if match is None:
            raise QueryError(
                f"cannot read the condition {part!r}: write `attribute operator value`, "
                "such as `power < 1 kW` or `vendor = NVIDIA`"
            )
        name, op, raw = match.groups()
        if name not in known:
            close = difflib.get_close_matches(name, known, n=3)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            raise QueryError(f"no catalog entry of those kinds has the attribute `{name}`{hint}")
        conditions.append(_condition(name, op, raw))
    return conditions


def _condition(name: str, op: str, raw: str) -> Condition:
    quantity = _QUANTITY.match(raw)
    if quantity is None:
        if op not in ("=", "==", "!="):
            raise QueryError(f"`{name} {op} {raw}`: only quantities compare with {op}")
        return Condition(name, op, raw)
    number = float(quantity.group(1).replace("_", ""))
    unit_text = quantity.group(2)
    if not unit_text:
        return Condition(name, op, raw, number, units.DIMENSIONLESS)
    try:
        unit = units.parse_unit(unit_text)
    except units.UnitError as error:
        raise QueryError(f"`{name} {op} {raw}`: {error}") from None
    return Condition(name, op, raw, unit.to_reference(number), unit.dimension)


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text).lower()


def matches_search(entry: Entry, needle: str) -> bool:
    """Whether `needle` occurs in the entry's name, kind, doc or any value, ignoring case
    and spaces (`800G` finds `800 Gbps`)."""
    wanted = _squeezed(needle)
    haystack = [entry.name, entry.kind, entry.doc or ""]
    haystack.extend(v.text for v in entry.values.values())
    haystack.extend(v.note or "" for v in entry.values.values())
    return any(wanted in _squeezed(text) for text in haystack)


def select(
    entries: list[Entry],
    kinds: tuple[str, ...] = (),
    search: str | None = None,
    where: tuple[str, ...] = (),
) -> list[Entry]:
    """The entries of `kinds` (all when empty) matching the search and every condition."""
    conditions = [c for text in where for c in parse_where(text, kinds)]
    return [
        e
        for e in entries
        if (not kinds or e.kind in kinds)
        and (search is None or matches_search(e, search))
        and all(c.holds(e) for c in conditions)
    ]


def close_names(entries: list[Entry], name: str) -> list[str]:
    """Up to three entry names close to `name`, for a help line."""
    names = [e.name for e in entries]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if not close:
        lowered = {n.lower(): n for n in names}
        close = [lowered[n] for n in difflib.get_close_matches(name.lower(), list(lowered), n=3)]
    if not close:
        close = [n for n in names if name.lower() in n.lower()][:3]
    return close
