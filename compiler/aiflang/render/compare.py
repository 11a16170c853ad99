"""`aifc compare A B`: the key figures of two designs side by side.

Each row holds both raw values, their formatted text, the ratio b/a and the
delta b - a (None when either side lacks the figure, and no ratio when a is
zero). Serve workloads are matched by name; a workload in only one design
gets a row with the other side empty.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict

from aiflang import units
from aiflang.render import figures as fig
from aiflang.report import Report, ServeReport


class ComparisonRow(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    label: str
    a: float | None
    b: float | None
    a_text: str
    b_text: str
    ratio: float | None  # b / a
    delta: float | None  # b - a
    delta_text: str


class Comparison(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    a: str  # factory names
    b: str
    a_file: str
    b_file: str
    a_valid: bool
    b_valid: bool
    rows: list[ComparisonRow]


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
    names = list(serve_a) + [name for name in serve_b if name not in serve_a]
    fields: list[tuple[str, str, Callable[[ServeReport], float | None], Callable[[float], str]]] = [
        ("tokens_per_s", "tokens/s", lambda s: s.tokens_per_s, fig.token_rate),
        (
            "tokens_per_s_per_mw",
            "tokens/s per MW",
            lambda s: s.tokens_per_s_per_mw,
            fig.tokens_per_mw,
        ),
        (
            "cost_per_million_tokens_usd",
            "cost per million tokens",
            lambda s: s.cost_per_million_tokens_usd,
            fig.cost_per_million_tokens,
        ),
    ]
    for name in names:
        left, right = serve_a.get(name), serve_b.get(name)
        for field, label, get, formatter in fields:
            rows.append(
                _row(
                    f"serve.{name}.{field}",
                    f"{name}: {label}",
                    get(left) if left else None,
                    get(right) if right else None,
                    formatter,
                )
            )
    return Comparison(
        a=a.factory,
        b=b.factory,
        a_file=a.file,
        b_file=b.file,
        a_valid=a.valid,
        b_valid=b.valid,
        rows=rows,
    )


def ratio_text(ratio: float | None) -> str:
    return fig.MISSING if ratio is None else f"{units.format_number(ratio, 3)}x"


def _cells(comparison: Comparison) -> list[list[str]]:
    return [
        [row.label, row.a_text, row.b_text, ratio_text(row.ratio), row.delta_text]
        for row in comparison.rows
    ]


def _text(comparison: Comparison) -> str:
    headers = ["figure", comparison.a, comparison.b, "b/a", "delta"]
    table = [headers, *_cells(comparison)]
    widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
    lines = [
        f"a: {comparison.a} ({comparison.a_file})",
        f"b: {comparison.b} ({comparison.b_file})",
        "",
    ]
    for index, row in enumerate(table):
        first = row[0].ljust(widths[0])
        rest = [cell.rjust(widths[i + 1]) for i, cell in enumerate(row[1:])]
        lines.append("  ".join([first, *rest]).rstrip())
        if index == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _markdown(comparison: Comparison) -> str:
    from aiflang.render.markdown import escape, figure_text

    a, b = escape(comparison.a), escape(comparison.b)
    lines = [
        f"## Comparison: {a} vs {b}",
        "",
        f"| Figure | {a} | {b} | b/a | Delta |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for cells in _cells(comparison):
        label = escape(cells[0])
        lines.append("| " + " | ".join([label] + [figure_text(c) for c in cells[1:]]) + " |")
    return "\n".join(lines) + "\n"


def render_comparison(comparison: Comparison, fmt: str) -> str:
    """The comparison as "text", "json", "md" or "html"."""
    if fmt == "json":
        data = comparison.model_dump(mode="json")
        return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    if fmt == "md":
        return _markdown(comparison)
    if fmt == "html":
        from aiflang.render.html import render_template

        return render_template("comparison.html", c=comparison, rows=_cells(comparison))
    if fmt == "text":
        return _text(comparison)
    raise ValueError(f"unknown comparison format {fmt!r}")
