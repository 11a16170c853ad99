"""Uncertain values: read `0.06..0.09 USD/kWh` and `normal(40%, 5%)` as their nominal value.

A design may give any quantity as a range or a distribution. A single
compile uses its nominal value (`models.distributions`: the middle of a
range, the mean of a normal law, the mode of a triangular one), so every
later pass sees an ordinary quantity in the unit written and checks it as
usual (dimension, bounds). `aifc report --uncertainty N` samples the same
values (`uncertain_attributes` finds them, with the `--set` path of each).

Needs: a parsed module (after `--set`). Emits: E217 for a malformed range
or distribution (the value is then dropped, so no later pass reports it
again as a wrong type).
"""

from __future__ import annotations

from collections.abc import Iterator

from aiflang.diagnostics import Sink, codes, did_you_mean, get_close_matches
from aiflang.models.distributions import Distribution, problem
from aiflang.records import replace
from aiflang.syntax import tree as ast
from aiflang.syntax.schema import BLOCKS

_KIND = {"range": "uniform"}
# Blocks whose `--set` path is `KIND.ATTR` (one per factory) or `PLURAL.NAME.ATTR`.
_UNNAMED = ("site", "finance", "assumptions")
_PLURAL = {
    "hall": "halls",
    "fabric": "fabrics",
    "storage": "storage",
    "train": "train",
    "serve": "serve",
}


def distribution_of(value: ast.Uncertain) -> tuple[Distribution | None, str | None]:
    """The distribution an uncertain value stands for, or None and why not."""
    written = {a.unit for a in value.arguments if a.unit is not None}
    if len(written) > 1:
        return None, "write every value in the same unit"
    kind = _KIND.get(value.kind, value.kind)
    parameters = tuple(a.number.value for a in value.arguments)
    found = problem(kind, parameters)
    if found is not None:
        return None, found
    return Distribution(kind, parameters, written.pop() if written else None), None


def _nominal(value: ast.Uncertain, name: str, sink: Sink) -> ast.Quantity | None:
    distribution, why = distribution_of(value)
    if distribution is None:
        sink.error(
            codes.E217,
            f"`{name}`: {why}",
            value.span,
            help="write LOW..HIGH UNIT, normal(MEAN, SD), uniform(LOW, HIGH) or "
            "triangular(LOW, MODE, HIGH), every value in one unit",
        )
        # Its first value stands in, so the attribute is not reported again as missing.
        return value.arguments[0] if value.arguments else None
    # Twelve significant digits, read back: `1.1..1.3` is exactly `1.2`, not 1.2000000000000002,
    # so a range and its written middle give identical figures.
    text = f"{distribution.nominal:.12g}"
    number = ast.Number(float(text), text, None, value.span)
    return ast.Quantity(number, distribution.unit, value.span, value.arguments[-1].unit_span)


def _attribute(attribute: ast.Attribute, sink: Sink) -> ast.Attribute | None:
    value = attribute.value
    if isinstance(value, ast.Uncertain):
        nominal = _nominal(value, attribute.name, sink)
        return replace(attribute, value=nominal) if nominal is not None else None
    if isinstance(value, ast.MapValue) and any(
        isinstance(e.value, ast.Uncertain) for e in value.entries
    ):
        entries = tuple(e for e in (_attribute(e, sink) for e in value.entries) if e is not None)
        return replace(attribute, value=replace(value, entries=entries))
    return attribute


def _entries(entries: tuple[ast.Entry, ...], sink: Sink) -> tuple[ast.Entry, ...]:
    out: list[ast.Entry] = []
    for entry in entries:
        if isinstance(entry, ast.Block) and entry.kind == "sweep":
            out.append(entry)  # its lists and ranges are the space to search, read by `aifc sweep`
            continue
        if isinstance(entry, ast.Attribute):
            replaced = _attribute(entry, sink)
            if replaced is not None:
                out.append(replaced)
        elif isinstance(entry, ast.Block):
            out.append(replace(entry, entries=_entries(entry.entries, sink)))
        else:
            out.append(entry)
    return tuple(out)


def _has_uncertain(entries: tuple[ast.Entry, ...]) -> bool:
    for entry in entries:
        if isinstance(entry, ast.Attribute):
            value = entry.value
            if isinstance(value, ast.Uncertain) or (
                isinstance(value, ast.MapValue)
                and any(isinstance(e.value, ast.Uncertain) for e in value.entries)
            ):
                return True
        elif (
            isinstance(entry, ast.Block) and entry.kind != "sweep" and _has_uncertain(entry.entries)
        ):
            return True
    return False


def nominal_module(module: ast.Module, sink: Sink) -> ast.Module:
    """`module` with every uncertain value replaced by its nominal quantity."""
    if not _has_uncertain(module.entries):
        return module  # the common case: nothing to rebuild
    return replace(module, entries=_entries(module.entries, sink))


def setting_path(*segments: str) -> str:
    """A `--set` path from its segments, quoting those that are not plain names."""
    return ".".join(f'"{s}"' if not s.isidentifier() else s for s in segments)


def uncertain_attributes(module: ast.Module) -> Iterator[tuple[str, ast.Uncertain]]:
    """Every uncertain value of the file, with the `--set` path that sets it."""

    def attributes(
        prefix: tuple[str, ...], block: ast.Block
    ) -> Iterator[tuple[str, ast.Uncertain]]:
        for entry in block.entries:
            if not isinstance(entry, ast.Attribute):
                continue
            if isinstance(entry.value, ast.Uncertain):
                yield setting_path(*prefix, entry.name), entry.value
            elif isinstance(entry.value, ast.MapValue):
                for item in entry.value.entries:
                    if isinstance(item.value, ast.Uncertain):
                        yield setting_path(*prefix, entry.name, item.name), item.value

    def blocks(entries: tuple[ast.Entry, ...]) -> Iterator[tuple[str, ast.Uncertain]]:
        for entry in entries:
            if not isinstance(entry, ast.Block):
                continue
            if entry.kind == "sweep":
                continue
            if entry.kind == "factory":
                yield from blocks(entry.entries)
            elif entry.kind in _UNNAMED:
                yield from attributes((entry.kind,), entry)
            elif entry.name is not None:
                yield from attributes((_PLURAL.get(entry.kind, entry.kind), entry.name), entry)

    yield from blocks(module.entries)


def check_sweep(block: ast.Block, sink: Sink) -> None:
    """Names in a `sweep` block: known attributes, and blocks of kinds a factory holds.

    Its values are checked when `aifc sweep` applies them, as `--set` values.
    """
    spec = BLOCKS["sweep"]
    for entry in block.entries:
        if isinstance(entry, ast.Attribute) and entry.name not in spec.attrs:
            close = get_close_matches(entry.name, list(spec.attrs), n=2)
            sink.error(
                codes.E208,
                f"unknown attribute `{entry.name}` in a sweep block",
                entry.name_span,
                help=did_you_mean(close) or f"a sweep block has: {', '.join(spec.attrs)}",
            )
        elif isinstance(entry, ast.Block) and entry.kind not in spec.children:
            close = get_close_matches(entry.kind, list(spec.children), n=2)
            sink.error(
                codes.E209,
                f"a `{entry.kind}` block cannot stand in a sweep block",
                entry.kind_span,
                help=did_you_mean(close) or f"a sweep block varies: {', '.join(spec.children)}",
            )
