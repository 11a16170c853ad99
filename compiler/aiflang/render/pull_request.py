"""The review part of `aifc compare --format md`: what a pull request changes.

Sections, each as Markdown lines ready for a pull-request comment or a job
summary (every user string escaped, as in render/markdown_text.py):

- the headline figures, base then change, with the delta and its percent:
  GPUs, IT and facility power, capex, TCO, tokens/s, tokens/s per MW and
  cost per million tokens;
- findings new in the change and findings it fixes;
- requirements whose status changed;
- the bill of materials lines that changed, with the capex they move.

Long lists stop after `SHOWN` entries and say how many more there are.
"""

from __future__ import annotations

from aiflang.render import figures as fig
from aiflang.render.markdown_text import escape, escape_code, figure_text
from aiflang.render.review import BomChange, Comparison, ComparisonRow, RequirementChange
from aiflang.report import DiagnosticReport

HEADLINE = (
    "gpus",
    "it_power_w",
    "facility_power_w",
    "capex_usd",
    "tco_usd",
    "tokens_per_s",
    "tokens_per_s_per_mw",
    "cost_per_million_tokens_usd",
)
SHOWN = 25


def _change(row: ComparisonRow) -> str:
    if row.delta is None:
        return fig.MISSING
    if row.delta == 0:
        return "no change"
    text = row.delta_text
    if row.a:
        text += f" ({row.delta / row.a:+.1%})"
    return text


def headline(comparison: Comparison) -> list[str]:
    rows = {row.key: row for row in comparison.rows}
    out = [
        "| Headline figure | Base | This change | Change |",
        "| --- | ---: | ---: | ---: |",
    ]
    for key in HEADLINE:
        row = rows.get(key)
        if row is None or (row.a is None and row.b is None):
            continue
        label = row.label.removesuffix(" (all serve workloads)")
        changed = row.delta not in (None, 0)
        cells = [figure_text(row.a_text), figure_text(row.b_text), figure_text(_change(row))]
        if changed:
            cells[2] = f"**{cells[2]}**"
        out.append(f"| {escape(label)} | " + " | ".join(cells) + " |")
    return out


def _finding(diagnostic: DiagnosticReport) -> str:
    where = ""
    if diagnostic.range is not None:
        where = f" `{escape_code(diagnostic.range.filename)}:{diagnostic.range.start.line}`"
    code = escape_code(diagnostic.code)
    return f"- {diagnostic.severity} `{code}`{where}: {escape(diagnostic.summary)}"


def findings(comparison: Comparison) -> list[str]:
    new, fixed = comparison.new_diagnostics, comparison.fixed_diagnostics
    out = [f"### Findings: {len(new)} new, {len(fixed)} fixed", ""]
    for title, items in (("New", new), ("Fixed", fixed)):
        if not items:
            continue
        out.append(f"**{title}**")
        out.append("")
        out += [_finding(d) for d in items[:SHOWN]]
        if len(items) > SHOWN:
            out.append(f"- ... {len(items) - SHOWN} more")
        out.append("")
    return out


def _status(passed: bool | None) -> str:
    return {True: "✅ passes", False: "❌ fails", None: "absent"}[passed]


def requirements(changes: list[RequirementChange]) -> list[str]:
    if not changes:
        return []
    out = ["### Requirements that changed", ""]
    out += ["| Requirement | Base | This change |", "| --- | --- | --- |"]
    for change in changes[:SHOWN]:
        label = f"`{escape_code(change.path)}` {escape(change.operator)}"
        if change.expected is not None:
            field = change.path.rsplit(".", 1)[-1]
            label += f" {figure_text(fig.si_named(field, change.expected))}"
        if change.message:
            label += f": {escape(change.message)}"
        out.append(f"| {label} | {_status(change.a_passed)} | {_status(change.b_passed)} |")
    if len(changes) > SHOWN:
        out.append(f"| ... {len(changes) - SHOWN} more | | |")
    out.append("")
    return out


def _count(value: float | None) -> str:
    return fig.MISSING if value is None else fig.count(value)


def _money(value: float | None, status: str | None) -> str:
    if value is not None:
        return f"${value:,.0f}"
    if status == "no price":
        return "**no price**"
    return fig.MISSING if status is None else escape(status)


def bill_of_materials(changes: list[BomChange]) -> list[str]:
    out = ["### Bill of materials", ""]
    if not changes:
        return [*out, "No part changed.", ""]
    moved = sum(change.delta_usd or 0.0 for change in changes if change.in_capex)
    out += [
        f"{fig.plural(len(changes), 'line')} changed; capex {'+' if moved >= 0 else '-'}"
        f"${abs(moved):,.0f}.",
        "",
        "| Hall | Part | Count | Extended | Change |",
        "| --- | --- | ---: | ---: | ---: |",
    ]
    for change in changes[:SHOWN]:
        count = f"{_count(change.a_count)} → {_count(change.b_count)}"
        extended = (
            f"{_money(change.a_extended_usd, change.a_status)} → "
            f"{_money(change.b_extended_usd, change.b_status)}"
        )
        delta = fig.MISSING
        if change.delta_usd is not None:
            delta = f"{'+' if change.delta_usd >= 0 else '-'}${abs(change.delta_usd):,.0f}"
        out.append(
            f"| {escape(change.hall or 'site')} | {escape(change.part)} | {count} "
            f"| {figure_text(extended)} | {figure_text(delta)} |"
        )
    if len(changes) > SHOWN:
        out.append(f"| ... {len(changes) - SHOWN} more | | | | |")
    out.append("")
    return out


def review_sections(comparison: Comparison) -> list[str]:
    """The review of B as a change to A, as Markdown lines."""
    return [
        *headline(comparison),
        "",
        *findings(comparison),
        *requirements(comparison.requirement_changes),
        *bill_of_materials(comparison.bom_changes),
    ]
