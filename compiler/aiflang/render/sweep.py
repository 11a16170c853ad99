"""The HTML report of a sweep: what was varied, the Pareto front, each input's effect.

Charts are self-contained SVG (`render.scatter.scatter_chart`); the page
loads nothing. Points are drawn in variant order, infeasible first, then
feasible, then the front, so the front is never hidden. Continuous and
stepped inputs are plotted by value; list inputs by category, in the
order the list gives them. The page is a function of the sweep's rows
alone, so the same sweep gives byte-identical HTML.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aiflang.render.charts import Chart
from aiflang.render.html import Cell, Table, render_template
from aiflang.render.scatter import Point, scatter_chart, tick_text
from aiflang.sweep.engine import Row
from aiflang.sweep.pareto import Objective

# A value is plotted by its number only when it is a number with at most a unit
# (`1.2`, `85%`, `0.07 USD/kWh`); anything else (`16 x GB200_NVL72`) is a category.
_QUANTITY = re.compile(
    r"\s*([+-]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?)\s*(?:%|[A-Za-z$][\w$/*^]*)?\s*"
)
MAX_TABLE_ROWS = 200


@dataclass(frozen=True)
class Figure:
    title: str
    chart: Chart
    note: str = ""


def _number(text: str) -> float | None:
    match = _QUANTITY.fullmatch(text)
    return float(match.group(1).replace("_", "")) if match else None


def _css(row: Row, front: set[int]) -> str:
    if row.index in front:
        return "pt front"
    return "pt" if row.feasible else "pt out"


def _ordered(rows: Sequence[Row], front: set[int]) -> list[Row]:
    return sorted(rows, key=lambda r: (r.index in front, r.feasible, r.index))


def _tooltip(row: Row) -> str:
    inputs = ", ".join(f"{p} = {v}" for p, v in row.inputs)
    state = "feasible" if row.feasible else (row.first_error or "infeasible")
    return f"#{row.index}: {inputs} ({state})"


def front_figure(rows: Sequence[Row], front: set[int], objectives: Sequence[Objective]) -> Figure:
    x_obj, y_obj = objectives[0], objectives[1]
    points = []
    for row in _ordered(rows, front):
        x, y = row.objectives.get(x_obj.path), row.objectives.get(y_obj.path)
        if x is not None and y is not None and row.valid:
            points.append(Point(x, y, _css(row, front), _tooltip(row)))
    on_front = [p for p in points if p.css == "pt front"]
    chart = scatter_chart(
        f"Pareto front: {x_obj.label} against {y_obj.label}",
        x_obj.axis_label,
        y_obj.axis_label,
        points,
        front=on_front,
    )
    return Figure(f"{x_obj.path} against {y_obj.path}", chart)


def effect_figure(
    rows: Sequence[Row], front: set[int], path: str, values: Sequence[str], objective: Objective
) -> Figure:
    """One input against one objective: by value, or by category for a list."""
    numeric = not values or all(_number(v) is not None for v in values)
    categories = None if numeric or not values else list(values)
    points = []
    for row in _ordered(rows, front):
        given = dict(row.inputs).get(path)
        y = row.objectives.get(objective.path)
        if given is None or y is None or not row.valid:
            continue
        if categories is not None:
            x: float | None = float(categories.index(given)) if given in categories else None
        else:
            x = _number(given)
        if x is not None:
            points.append(Point(x, y, _css(row, front), _tooltip(row)))
    chart = scatter_chart(
        f"{path} against {objective.label}",
        path,
        objective.axis_label,
        points,
        categories=categories,
    )
    return Figure(f"{path} → {objective.path}", chart)


def _front_table(
    front: Sequence[Row], inputs: Sequence[str], objectives: Sequence[Objective]
) -> Table:
    headers = ["#", *inputs, *(o.path for o in objectives)]
    numeric = [True] + [False] * len(inputs) + [True] * len(objectives)
    body = []
    for row in front[:MAX_TABLE_ROWS]:
        given = dict(row.inputs)
        cells = [Cell(str(row.index))]
        cells += [Cell(given.get(p, "")) for p in inputs]
        for objective in objectives:
            value = row.objectives.get(objective.path)
            cells.append(Cell(tick_text(value) if value is not None else "–"))
        body.append(cells)
    return Table(headers, body, numeric)


def render_sweep_html(
    summary: dict[str, Any],
    rows: Sequence[Row],
    front: Sequence[Row],
    objectives: Sequence[Objective],
    inputs: Sequence[str],
) -> str:
    """The sweep's HTML page."""
    on_front = {r.index for r in front}
    figures: list[Figure] = []
    if len(objectives) >= 2:
        figures.append(front_figure(rows, on_front, objectives))
    values_of = {a["path"]: a.get("values", []) for a in summary["axes"]}
    effects = [
        effect_figure(rows, on_front, path, values_of.get(path, []), objective)
        for path in inputs
        for objective in objectives[:2]
    ]
    facts = [
        ("Design", summary["file"]),
        ("Variants", f"{summary['variants']:,}"),
        ("Valid", f"{summary['valid']:,}"),
        ("Feasible", f"{summary['feasible']:,}"),
        ("On the Pareto front", f"{len(front):,}"),
        (
            "Sampling",
            f"{summary['method']}, {summary['samples']} samples, seed {summary['seed']}"
            if summary["samples"]
            else f"grid, seed {summary['seed']}",
        ),
        ("Objectives", "; ".join(o.label for o in objectives)),
        ("Constraints", "; ".join(summary["constraints"]) or "the design's own require rules"),
    ]
    axes = [
        (a["path"], ", ".join(a["values"]) if "values" in a else a["distribution"])
        for a in summary["axes"]
    ]
    return render_template(
        "sweep.html",
        title=f"Sweep of {summary['file']}",
        facts=facts,
        axes=axes,
        front_figures=figures,
        effects=effects,
        front_table=_front_table(front, inputs, objectives),
        shown=min(len(front), MAX_TABLE_ROWS),
        front_size=len(front),
    )
