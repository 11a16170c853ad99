"""Check `require` rules against the computed figures.

A rule names a path into the JSON report (list items chosen by their name,
or by the rack or part they are about), a comparison and a quantity:
`require halls.A.headroom.power >= 10%`. Every numeric field has a declared
unit in `aiflang.report.FIELD_UNITS` (the table `aifc schema` describes
fields with); the bound must have that unit's dimension (a bare number for
a plain number or a count) and is compared in SI: `cost.capex_usd.total <=
2.5 billion USD`, `serve.chat.cost_per_million_tokens_usd <= 0.5 USD/Mtok`.

Needs: every other analysis. Emits: E601 (rule fails, with the actual
value), E602 (path names nothing, or the dimensions differ), W601 (a bound
whose magnitude is implausible for its field: a slip of unit).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

from aiflang import report as rp
from aiflang import units
from aiflang.analyses.facts import Facts, report_sections
from aiflang.diagnostics import Fix, Sink, codes, get_close_matches, replacements
from aiflang.frontend.design import Design, Requirement
from aiflang.frontend.hints import dimension_words, units_for

_OPERATORS: dict[str, Callable[[float, float], bool]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
    "==": lambda a, b: math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12),
    "!=": lambda a, b: not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12),
}

# Keys that name a list item, in the order they are tried.
_ITEM_KEYS = ("name", "rack", "part")


class _Field:
    """A report field's unit as a rule compares with it: value x factor = SI."""

    def __init__(
        self, declared: rp.FieldUnit, unit_text: str, dimension: units.Dimension, factor: float
    ) -> None:
        self.declared = declared
        self.unit_text = unit_text  # "" for a plain number or an SI value
        self.dimension = dimension
        self.factor = factor

    def to_si(self, value: float) -> float:
        return value * self.factor

    def from_si(self, value: float) -> float:
        return value / self.factor


def field_of(path: list[str], data: dict[str, Any]) -> _Field | None:
    """The unit of the field at `path`: the table's, or for an SI field the one its item names."""
    declared = rp.field_unit(path)
    if declared is None:
        return None
    if declared.unit != "si":
        if not declared.unit:
            return _Field(declared, "", units.DIMENSIONLESS, 1.0)
        unit = units.parse_unit(declared.unit)
        return _Field(declared, declared.unit, unit.dimension, unit.factor)
    item, _ = lookup(data, path[:-1])
    written = item.get("unit") if isinstance(item, dict) else None
    if not isinstance(written, str):
        return None
    dimension = units.parse_unit(written).dimension if written not in ("", "%") else None
    return _Field(declared, "", dimension or units.DIMENSIONLESS, 1.0)


def _step(node: Any, segment: str) -> tuple[Any, list[str]]:
    """Follow one path segment; lists are indexed by their items' names."""
    if isinstance(node, list):
        names: list[str] = []
        for item in node:
            if not isinstance(item, dict):
                continue
            name = next((item[k] for k in _ITEM_KEYS if isinstance(item.get(k), str)), None)
            if name == segment:
                return item, []
            if name is not None:
                names.append(name)
        return None, names
    if isinstance(node, dict):
        if segment in node:
            return node[segment], []
        return None, [str(k) for k in node]
    return None, []


def lookup(data: dict[str, Any], path: list[str]) -> tuple[Any, str | None]:
    """The value at `path`, or None and a message saying where the path broke."""
    value, problem, _ = _follow(data, path)
    return value, problem


def _follow(
    data: dict[str, Any], path: list[str]
) -> tuple[Any, str | None, tuple[int, list[str]] | None]:
    """`lookup`, with the index of the segment that broke and the names close to it."""
    node: Any = data
    for depth, segment in enumerate(path):
        if isinstance(node, dict) and segment in node and node[segment] is None:
            return (
                None,
                f"`{'.'.join(path[: depth + 1])}` could not be computed for this design",
                None,
            )
        node, choices = _step(node, segment)
        if node is None:
            where = ".".join(path[:depth]) or "the report"
            close = get_close_matches(segment, choices, n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            known = f" (known: {', '.join(choices[:12])})" if choices and not close else ""
            return None, f"`{segment}` is not in {where}{hint}{known}", (depth, close)
    return node, None, None


def evaluate(requirement: Requirement, data: dict[str, Any], sink: Sink) -> rp.RequirementReport:
    """Check one rule against the report data; E602 when it cannot be compared, E601 when
    it fails, W601 when its bound is implausible for its field."""
    path_text = ".".join(requirement.path)
    result = rp.RequirementReport(
        path=path_text,
        operator=requirement.operator,
        expected=requirement.value,
        actual=None,
        passed=False,
        message=requirement.message,
    )
    found = _comparable(requirement, data, path_text, sink)
    if found is None:
        return result
    value, field = found
    _check_plausible(requirement, field, path_text, sink)
    actual_si = field.to_si(value)
    passed = _OPERATORS[requirement.operator](actual_si, requirement.value)
    if not passed:
        _report_failure(requirement, field.dimension, actual_si, path_text, sink)
    return result.model_copy(update={"actual": actual_si, "passed": passed})


def _comparable(
    requirement: Requirement, data: dict[str, Any], path_text: str, sink: Sink
) -> tuple[float, _Field] | None:
    """The figure at the rule's path and its unit, or None (E602) when it cannot be compared."""
    value, problem, broken = _follow(data, requirement.path)
    if problem is not None or value is None:
        sink.error(
            codes.E602,
            f"requirement path {path_text}: {problem or 'the value could not be computed'}",
            requirement.span,
            help="paths follow the JSON report (`aifc schema`); list items are chosen by name",
            fixes=_segment_fixes(requirement, broken),
        )
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        sink.error(
            codes.E602,
            f"requirement path {path_text} names a section, not a number",
            requirement.span,
            help="extend the path to a numeric field",
        )
        return None
    field = field_of(requirement.path, data)
    if field is None:
        sink.error(
            codes.E602,
            f"requirement path {path_text} names a figure with no declared unit",
            requirement.span,
            help="paths follow the JSON report (`aifc schema` gives each field's unit)",
        )
        return None
    expected_name = units.dimension_name(field.dimension)
    plain = units.dimension_name(units.DIMENSIONLESS)
    counts_gpus = field.unit_text == "GPU"
    bare_count = counts_gpus and requirement.dimension == plain
    if expected_name != requirement.dimension and not bare_count:
        sink.error(
            codes.E602,
            f"requirement compares {path_text} "
            f"({'a count of GPUs' if counts_gpus else dimension_words(field.dimension)}) with "
            + (
                "a plain number"
                if requirement.dimension == plain
                else f"{requirement.dimension} ({requirement.unit})"
            ),
            requirement.span,
            help=_bound_help(field, requirement.path[-1]),
        )
        return None
    return float(value), field


def _bound_help(field: _Field, attribute: str) -> str:
    """How to write a bound the field can be compared with (never "a unit of dimensionless")."""
    if field.unit_text == "GPU":
        return "write the bound as a plain number or in GPUs (`2000 GPU`)"
    if field.dimension.is_dimensionless:
        return "write the bound as a plain number"
    options = units_for(None, attribute, field.dimension)
    if field.unit_text and field.unit_text not in options:
        options.insert(0, field.unit_text)
    shown = f": {', '.join(options)}" if options else ""
    return f"write the bound in a unit of {units.dimension_name(field.dimension)}{shown}"


def _report_failure(
    requirement: Requirement,
    dimension: units.Dimension,
    actual_si: float,
    path_text: str,
    sink: Sink,
) -> None:
    """E601 with the figure and the bound, in the field's unit."""
    if not sink.wants(codes.E601, requirement.span):
        # Over the file's cap the failure is only counted: skip formatting its figures.
        sink.error(codes.E601, f"requirement failed: {path_text}", requirement.span)
        return
    actual_text = units.format_quantity(actual_si, dimension)
    expected_text = units.format_quantity(requirement.value, dimension)
    if dimension.is_dimensionless and requirement.unit == "%":
        actual_text = units.format_percent(actual_si)
        expected_text = units.format_percent(requirement.value)
    sink.error(
        codes.E601,
        f"requirement failed: {path_text} is {actual_text}, "
        f"not {requirement.operator} {expected_text}"
        + (f" ({requirement.message})" if requirement.message else ""),
        requirement.span,
        help="change the design or the rule; `aifc report --explain` shows how the figure "
        "was computed",
    )


def _check_plausible(requirement: Requirement, field: _Field, path_text: str, sink: Sink) -> None:
    """W601 for a bound whose magnitude the field never takes: a slip of unit."""
    plausible = field.declared.plausible
    if plausible is None or requirement.value == 0:
        return
    low, high = plausible
    bound = abs(field.from_si(requirement.value))
    if low * (1 - 1e-3) <= bound <= high * (1 + 1e-3):  # a bound at the edge is fine
        return
    unit = field.unit_text
    shown = f"{units.format_number(bound, 3)} {unit}".strip()
    written = requirement.unit or ""
    number = units.parse_unit(written).from_reference(requirement.value) if written else None
    hint = ""
    if unit == "" and high <= 1 and bound > 1:
        hint = f"; for a share, write {units.format_number(bound, 3)}%"
    elif number is not None and unit and written != unit:
        hint = f"; did you mean {units.format_number(number, 3)} {unit}?"
    sink.warning(
        codes.W601,
        f"requirement bound {shown} is implausible for {path_text} "
        f"({field.declared.meaning}: {units.format_number(low, 3)} to "
        f"{units.format_number(high, 3)} {unit})".replace(" )", ")"),
        requirement.span,
        help=f"check the unit of the bound{hint}",
    )


def check_requirements(design: Design, facts: Facts, sink: Sink) -> None:
    if not design.requirements:
        return
    data = {
        key: (
            [item.model_dump(mode="json") for item in value]
            if isinstance(value, list)
            else value.model_dump(mode="json")
            if isinstance(value, rp.ReportModel)
            else value
        )
        for key, value in report_sections(design, facts).items()
    }
    data["factory"] = design.name
    for requirement in design.requirements:
        facts.requirements.append(evaluate(requirement, data, sink))


def _segment_fixes(
    requirement: Requirement, broken: tuple[int, list[str]] | None
) -> tuple[Fix, ...]:
    """Fixes that rename the path segment that broke to each close name."""
    if broken is None or broken[0] >= len(requirement.path_spans):
        return ()
    depth, close = broken
    written = [name if name.isidentifier() else f'"{name}"' for name in close]
    return replacements(requirement.path_spans[depth], written)
