"""Check `require` rules against the computed figures.

A rule names a path into the JSON report (list items chosen by name), a
comparison and a quantity: `require halls.A.headroom.power >= 10%`. The
quantity's dimension must match the field's, which follows from its name
suffix (`_w` power, `_per_mw` per megawatt, `_bytes` data, ...).

Needs: every other analysis. Emits: E601 (rule fails, with the actual
value), E602 (path names nothing, or the dimensions differ).
"""

from __future__ import annotations

import difflib
import math
import operator
from collections.abc import Callable
from typing import Any

from aiflang import report as rp
from aiflang import units
from aiflang.analyses.facts import Facts, report_sections
from aiflang.diagnostics import Fix, Sink, codes, replacements
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

_YEAR_S = 365 * 86400.0

# Field name suffix -> (dimension, factor from the field's unit to SI).
_SUFFIXES: tuple[tuple[str, units.Dimension, float], ...] = (
    ("tokens_per_s_per_mw", units.TOKEN_RATE_PER_POWER, 1e-6),
    ("cost_per_million_tokens_usd", units.MONEY_PER_TOKEN, 1e-6),
    ("cost_per_gpu_hour_usd", units.MONEY_PER_GPU_TIME, 1 / 3600),
    ("joules_per_token", units.ENERGY_PER_TOKEN, 1.0),
    ("tokens_per_s", units.TOKEN_RATE, 1.0),
    ("_usd_per_year", units.MONEY_PER_TIME, 1 / _YEAR_S),
    ("_w", units.POWER, 1.0),
    ("_j", units.ENERGY, 1.0),
    ("_s", units.TIME, 1.0),
    ("_bps", units.BANDWIDTH, 1.0),
    ("_bytes", units.DATA, 8.0),
    ("_usd", units.MONEY, 1.0),
)


def field_dimension(name: str) -> tuple[units.Dimension, float]:
    for suffix, dimension, factor in _SUFFIXES:
        if name.endswith(suffix):
            return dimension, factor
    return units.DIMENSIONLESS, 1.0


def _step(node: Any, segment: str) -> tuple[Any, list[str]]:
    """Follow one path segment; lists are indexed by their items' names."""
    if isinstance(node, list):
        names = [item.get("name") for item in node if isinstance(item, dict)]
        for item in node:
            if isinstance(item, dict) and item.get("name") == segment:
                return item, []
        return None, [n for n in names if isinstance(n, str)]
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
            close = difflib.get_close_matches(segment, choices, n=3)
            hint = f"; did you mean {' or '.join(close)}?" if close else ""
            known = f" (known: {', '.join(choices[:12])})" if choices and not close else ""
            return None, f"`{segment}` is not in {where}{hint}{known}", (depth, close)
    return node, None, None


def evaluate(requirement: Requirement, data: dict[str, Any], sink: Sink) -> rp.RequirementReport:
    path_text = ".".join(requirement.path)
    value, problem, broken = _follow(data, requirement.path)
    result = rp.RequirementReport(
        path=path_text,
        operator=requirement.operator,
        expected=requirement.value,
        actual=None,
        passed=False,
        message=requirement.message,
    )
    if problem is not None or value is None:
        sink.error(
            codes.E602,
            f"requirement path {path_text}: {problem or 'the value could not be computed'}",
            requirement.span,
            help="paths follow the JSON report (`aifc schema`); list items are chosen by name",
            fixes=_segment_fixes(requirement, broken),
        )
        return result
    if isinstance(value, bool) or not isinstance(value, int | float):
        sink.error(
            codes.E602,
            f"requirement path {path_text} names a section, not a number",
            requirement.span,
            help="extend the path to a numeric field",
        )
        return result
    dimension, factor = field_dimension(requirement.path[-1])
    expected_name = units.dimension_name(dimension)
    counts_gpus = requirement.path[-1].endswith("gpus") or requirement.path[-1] == (
        "gpus_per_replica"
    )
    plain = units.dimension_name(units.DIMENSIONLESS)
    if expected_name != requirement.dimension and not (
        dimension.is_dimensionless
        and (
            requirement.dimension == plain
            or (counts_gpus and requirement.dimension == units.dimension_name(units.GPU_COUNT))
        )
    ):
        bound = (
            "write the bound as a plain number"
            + (" or in GPUs (`2000 GPU`)" if counts_gpus else "")
            if dimension.is_dimensionless
            else f"write the bound in a unit of {expected_name}: "
            + ", ".join(units_for(None, requirement.path[-1], dimension) or ["..."])
        )
        found = (
            "a plain number"
            if requirement.dimension == plain
            else f"{requirement.dimension} ({requirement.unit})"
        )
        sink.error(
            codes.E602,
            f"requirement compares {path_text} "
            f"({'a count of GPUs' if counts_gpus else dimension_words(dimension)}) with {found}",
            requirement.span,
            help=bound,
        )
        return result
    actual_si = float(value) * factor
    passed = _OPERATORS[requirement.operator](actual_si, requirement.value)
    result = result.model_copy(update={"actual": actual_si, "passed": passed})
    if not passed:
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
    return result


def check_requirements(design: Design, facts: Facts, sink: Sink) -> None:
    if not design.requirements:
        return
    data = {
        key: (
            [item.model_dump(mode="json") for item in value]
            if isinstance(value, list)
            else value.model_dump(mode="json")
            if isinstance(value, rp.BaseModel)
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
