"""`aifc compare A B`: the key figures of two designs side by side.

Each row holds both raw values, their formatted text, the ratio b/a and the
delta b - a (None when either side lacks the figure, and no ratio when a is
zero). Serve and train workloads are matched by name; a workload in only
one design gets a row with the other side empty.

Each side carries its validity and its diagnostics, and every format shows
them: a figure of an invalid design is not comparable without saying so.
The JSON form is versioned (`format_version`, the report contract's).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict

from aiflang.diagnostics.characters import json_safe, neutralise
from aiflang.render import charts
from aiflang.render import figures as fig
from aiflang.render.review import (
    Comparison,
    ComparisonRow,
    CurveComparison,
    bom_changes,
    diagnostic_changes,
    requirement_changes,
)
from aiflang.report import DiagnosticReport, Report, ServeReport

__all__ = ["Comparison", "ComparisonRow", "CurveComparison", "compare_reports", "render_comparison"]

# The diagnostics listed per side in the text, Markdown and HTML forms (JSON has all).
SHOWN_DIAGNOSTICS = 10


def _row(
    key: str, label: str, a: float | None, b: float | None, formatter: Callable[[float], str]
) -> ComparisonRow:
    delta = ratio = None
    if a is not None and b is not None:
        delta = b - a
        ratio = b / a if a else None
    delta_text = fig.MISSING
    if delta is not None:
        delta_text = ("+" if delta > 0 else "") + formatter(delta) if delta else "0"
    return ComparisonRow(
        key=key,
        label=label,
        a=a,
        b=b,
        a_text=fig.optional(a, formatter),
        b_text=fig.optional(b, formatter),
        ratio=ratio,
        delta=delta,
        delta_text=delta_text,
    )


_FORMATTERS: dict[str, Callable[[float], str]] = {
    "gpus": fig.count,
    "it_power_w": fig.power,
    "facility_power_w": fig.power,
    "peak_flops": fig.flops,
    "tokens_per_s": fig.token_rate,
    "tokens_per_s_per_mw": fig.tokens_per_mw,
    "cost_per_million_tokens_usd": fig.cost_per_million_tokens,
    "capex_usd": fig.money,
    "tco_usd": fig.money,
    "cost_per_gpu_hour_usd": fig.cost_per_gpu_hour,
}

# (field, label, getter, formatter) of one per-workload row.
Field = tuple[str, str, Callable[[Any], float | None], Callable[[float], str]]


def _workload_rows(
    kind: str, left: dict[str, Any], right: dict[str, Any], fields: list[Field]
) -> list[ComparisonRow]:
    """Rows for workloads matched by name; one missing on a side leaves that side empty."""
    rows = []
    for name in list(left) + [name for name in right if name not in left]:
        a, b = left.get(name), right.get(name)
        for field, label, get, formatter in fields:
            rows.append(
                _row(
                    f"{kind}.{name}.{field}",
                    f"{name}: {label}",
                    get(a) if a is not None else None,
                    get(b) if b is not None else None,
                    formatter,
                )
            )
    return rows


_SERVE_FIELDS: list[Field] = [
    ("tokens_per_s", "tokens/s", lambda s: s.tokens_per_s, fig.token_rate),
    ("tokens_per_s_per_mw", "tokens/s per MW", lambda s: s.tokens_per_s_per_mw, fig.tokens_per_mw),
    (
        "cost_per_million_tokens_usd",
        "cost per million tokens",
        lambda s: s.cost_per_million_tokens_usd,
        fig.cost_per_million_tokens,
    ),
]
_TRAIN_FIELDS: list[Field] = [
    ("time_s", "time to train", lambda t: t.time_s, fig.duration),
    ("gpu_hours", "GPU-hours", lambda t: t.gpu_hours, fig.gpu_hours),
    ("cost_usd", "cost to train", lambda t: t.cost_usd, fig.money),
]


def compare_reports(a: Report, b: Report) -> Comparison:
    """Key figures of `a` and `b`, with ratio b/a and delta b - a."""
    figures_a = {f.key: f for f in fig.key_figures(a)}
    figures_b = {f.key: f for f in fig.key_figures(b)}
    rows = []
    for key, figure in figures_a.items():
        label = figure.label + (
            " (all serve workloads)" if key.startswith(("tokens", "cost_per_m")) else ""
        )
        rows.append(_row(key, label, figure.value, figures_b[key].value, _FORMATTERS[key]))
    serve_a = {s.name: s for s in a.serve}
    serve_b = {s.name: s for s in b.serve}
    rows += _workload_rows("serve", serve_a, serve_b, _SERVE_FIELDS)
    train_a = {t.name: t for t in a.train}
    train_b = {t.name: t for t in b.train}
    rows += _workload_rows("train", train_a, train_b, _TRAIN_FIELDS)
    curves = [
        CurveComparison(
            name=name,
            a=_front(serve_a.get(name)),
            b=_front(serve_b.get(name)),
            a_point=_point(serve_a.get(name)),
            b_point=_point(serve_b.get(name)),
        )
        for name in list(serve_a) + [n for n in serve_b if n not in serve_a]
        if _front(serve_a.get(name)) or _front(serve_b.get(name))
    ]
    new, fixed = diagnostic_changes(a, b)
    return Comparison(
        a=a.factory,
        b=b.factory,
        a_file=a.file,
        b_file=b.file,
        a_valid=a.valid,
        b_valid=b.valid,
        a_error_count=a.error_count,
        a_warning_count=a.warning_count,
        b_error_count=b.error_count,
        b_warning_count=b.warning_count,
        a_diagnostics=a.diagnostics,
        b_diagnostics=b.diagnostics,
        rows=rows,
        curves=curves,
        new_diagnostics=new,
        fixed_diagnostics=fixed,
        requirement_changes=requirement_changes(a, b),
        bom_changes=bom_changes(a, b),
    )


def _front(serve: ServeReport | None) -> list[tuple[float, float]]:
    """A workload's Pareto front, slowest per user first (empty when it has no curve)."""
    if serve is None:
        return []
    points = [p for p in serve.curve if p.pareto]
    return sorted((p.user_rate_tokens_per_s, p.tokens_per_s_per_mw) for p in points)


def _point(serve: ServeReport | None) -> tuple[float, float] | None:
    if serve is None or serve.user_rate_tokens_per_s is None or not serve.tokens_per_s_per_mw:
        return None
    return (serve.user_rate_tokens_per_s, serve.tokens_per_s_per_mw)


def curve_charts(comparison: Comparison) -> list[charts.Chart]:
    """One chart per serve workload with both designs' fronts and operating points."""
    result = []
    for curve in comparison.curves:
        series = [
            charts.Series(f"a: {comparison.a}", list(curve.a), "series0"),
            charts.Series(f"b: {comparison.b}", list(curve.b), "series1"),
        ]
        marks = [
            charts.Mark(f"{letter}: operating point, {_point_text(point)}", *point, css)
            for letter, point, css in (
                ("a", curve.a_point, "series0"),
                ("b", curve.b_point, "series1"),
            )
            if point is not None
        ]
        result.append(
            charts.line_chart(
                f"{curve.name}: tokens/s per MW against tokens/s per user",
                series,
                marks,
                x_label="output tokens/s per user",
                y_label="output tokens/s per MW (log)",
            )
        )
    return result


def _point_text(point: tuple[float, float] | None) -> str:
    if point is None:
        return ""
    return f"{fig.token_rate(point[0])} per user"


def ratio_text(ratio: float | None) -> str:
    return fig.MISSING if ratio is None else fig.multiple(ratio)


def _cells(comparison: Comparison) -> list[list[str]]:
    return [
        [row.label, row.a_text, row.b_text, ratio_text(row.ratio), row.delta_text]
        for row in comparison.rows
    ]


def column_title(name: str, valid: bool) -> str:
    """A side's column heading: its factory name, marked when the design is invalid."""
    return name if valid else f"{name} (INVALID)"


class Side(BaseModel):
    """One side of a comparison, as every format describes it."""

    model_config = ConfigDict(frozen=True)

    letter: str
    factory: str
    file: str
    valid: bool
    summary: str  # "valid: 0 errors, 1 warning"
    diagnostics: list[str]  # one line each, the first SHOWN_DIAGNOSTICS
    more: int  # how many more were not listed


def sides(comparison: Comparison) -> list[Side]:
    """Both sides with their validity and a one-line summary of each finding."""
    result = []
    for letter in ("a", "b"):
        valid = getattr(comparison, f"{letter}_valid")
        errors = getattr(comparison, f"{letter}_error_count")
        warnings = getattr(comparison, f"{letter}_warning_count")
        diagnostics: list[DiagnosticReport] = getattr(comparison, f"{letter}_diagnostics")
        verdict = "valid" if valid else "INVALID"
        lines = [_diagnostic_line(d) for d in diagnostics[:SHOWN_DIAGNOSTICS]]
        result.append(
            Side(
                letter=letter,
                factory=getattr(comparison, letter),
                file=getattr(comparison, f"{letter}_file"),
                valid=valid,
                summary=f"{verdict}: {fig.plural(errors, 'error')}, "
                f"{fig.plural(warnings, 'warning')}",
                diagnostics=lines,
                more=max(0, len(diagnostics) - SHOWN_DIAGNOSTICS),
            )
        )
    return result


def _diagnostic_line(diagnostic: DiagnosticReport) -> str:
    where = ""
    if diagnostic.range is not None:
        where = f"{diagnostic.range.filename}:{diagnostic.range.start.line}: "
    return f"{diagnostic.severity}[{diagnostic.code}] {where}{diagnostic.summary}"


def _text(comparison: Comparison) -> str:
    headers = [
        "figure",
        column_title(comparison.a, comparison.a_valid),
        column_title(comparison.b, comparison.b_valid),
        "b/a",
        "delta",
    ]
    # Names come from the designs: escape them before measuring the columns.
    table = [[neutralise(cell) for cell in row] for row in [headers, *_cells(comparison)]]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = []
    for side in sides(comparison):
        lines.append(f"{side.letter}: {side.factory} ({side.file}): {side.summary}")
        lines += [f"   {line}" for line in side.diagnostics]
        if side.more:
            lines.append(f"   ... {side.more} more (run `aifc validate {side.file}`)")
    if not (comparison.a_valid and comparison.b_valid):
        lines.append("figures of an INVALID design are not reliable: fix its errors first")
    lines.append("")
    for index, row in enumerate(table):
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:])]
        lines.append("  ".join([first, *rest]).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return neutralise("\n".join(lines) + "\n")


def _markdown(comparison: Comparison) -> str:
    from aiflang.render.markdown import escape, escape_code, figure_text
    from aiflang.render.pull_request import review_sections

    a, b = escape(comparison.a), escape(comparison.b)
    lines = [f"## Comparison: {a} vs {b}", ""]
    for side in sides(comparison):
        mark = "✅" if side.valid else "❌"
        lines.append(
            f"- **{side.letter}**: {escape(side.factory)} (`{escape_code(side.file)}`): "
            f"{mark} {escape(side.summary)}"
        )
        lines += [f"  - {escape(line)}" for line in side.diagnostics]
        if side.more:
            lines.append(f"  - ... {side.more} more")
    lines.append("")
    lines += review_sections(comparison)
    lines += [
        "<details>",
        "<summary>Every figure</summary>",
        "",
        f"| Figure | {escape(column_title(comparison.a, comparison.a_valid))} "
        f"| {escape(column_title(comparison.b, comparison.b_valid))} | b/a | Delta |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for cells in _cells(comparison):
        label = escape(cells[0])
        lines.append("| " + " | ".join([label] + [figure_text(c) for c in cells[1:]]) + " |")
    lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def render_comparison(comparison: Comparison, fmt: str) -> str:
    """The comparison as "text", "json", "md" or "html"."""
    if fmt == "json":
        data = comparison.model_dump(mode="json")
        return json_safe(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"
    if fmt == "md":
        return _markdown(comparison)
    if fmt == "html":
        from aiflang.render.html import render_template

        return render_template(
            "comparison.html",
            c=comparison,
            rows=_cells(comparison),
            curve_charts=curve_charts(comparison),
            sides=sides(comparison),
            titles=[
                column_title(comparison.a, comparison.a_valid),
                column_title(comparison.b, comparison.b_valid),
            ],
        )
    if fmt == "text":
        return _text(comparison)
    raise ValueError(f"unknown comparison format {fmt!r}")
