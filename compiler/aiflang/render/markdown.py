"""The report as Markdown, sized for a pull-request comment.

Validity, a table of key figures, the diagnostics and one table per kind of
workload. User strings (names, messages, paths) are escaped so they cannot
break a table (`|`), start markup (`*`, `_`, `` ` ``, `[`, `<`) or inject
HTML, which GitHub would otherwise render. Bare URLs and @mentions are shown
as code, so a report posted as a pull-request comment links to nothing and
notifies no one; control and text-direction characters show as escapes.
"""

from __future__ import annotations

from aiflang.render import figures as fig
from aiflang.render.markdown_text import escape, escape_code, figure_text
from aiflang.report import Report

__all__ = ["escape", "escape_code", "figure_text", "provenance_footer", "render_markdown"]


def _table(headers: list[str], rows: list[list[str]], right: set[int]) -> list[str]:
    rows = [[figure_text(cell) for cell in row] for row in rows]
    align = ["---:" if i in right else "---" for i in range(len(headers))]
    lines = ["| " + " | ".join(headers) + " |", "| " + " | ".join(align) + " |"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def render_markdown(report: Report) -> str:
    """A Markdown summary of `report`, ending with a newline."""
    verdict = "✅ valid" if report.valid else "❌ invalid"
    out = [
        f"## AI factory report: {escape(fig.factory_title(report))}",
        "",
        f"**{verdict}**: {fig.plural(report.error_count, 'error')}, "
        f"{fig.plural(report.warning_count, 'warning')} (`{escape_code(report.file)}`)",
        "",
    ]
    note = fig.factories_note(report)
    if note:
        out += [escape(note), ""]
    figures = [f for f in fig.key_figures(report) if f.value is not None]
    if figures:
        out += _table(["Figure", "Value"], [[f.label, f.text] for f in figures], {1})
        out.append("")
    if report.diagnostics:
        out += ["### Diagnostics", ""]
        for d in report.diagnostics:
            where = ""
            if d.range is not None:
                where = f" at `{escape_code(d.range.filename)}:{d.range.start.line}`"
            line = f"- **{d.severity}** `{escape_code(d.code)}`{where}: {escape(d.summary)}"
            if d.help:
                line += f" (help: {escape(d.help)})"
            out.append(line)
        out.append("")
    failed = [r for r in report.requirements if not r.passed]
    if failed:
        out += ["### Failed requirements", ""]
        for r in failed:
            note = f": {escape(r.message)}" if r.message else ""
            bound = figure_text(fig.si_at(r.path, r.expected))
            actual = fig.MISSING if r.actual is None else figure_text(fig.si_at(r.path, r.actual))
            out.append(
                f"- `{escape_code(r.path)}` {escape(r.operator)} {bound} (is {actual}){note}"
            )
        out.append("")
    if report.train:
        out += ["### Training", ""]
        rows = [
            [
                escape(t.name),
                fig.count(t.gpus),
                fig.duration(t.time_s),
                fig.gpu_hours(t.gpu_hours),
                fig.energy(t.energy_j),
                fig.optional(t.cost_usd, fig.money),
            ]
            for t in report.train
        ]
        out += _table(["Run", "GPUs", "Time", "GPU-hours", "Energy", "Cost"], rows, {1, 2, 3, 4, 5})
        out.append("")
    if report.serve:
        out += ["### Inference", ""]
        rows = [
            [
                escape(s.name),
                fig.count(s.gpus),
                f"{fig.count(s.replicas)} × {fig.count(s.gpus_per_replica)}"
                + (f" + {fig.count(s.prefill_gpus)} prefill" if s.prefill_gpus else ""),
                fig.token_rate(s.tokens_per_s),
                fig.tokens_per_mw(s.tokens_per_s_per_mw),
                fig.joules_per_token(s.joules_per_token),
                fig.optional(s.cost_per_million_tokens_usd, fig.cost_per_million_tokens),
            ]
            for s in report.serve
        ]
        out += _table(
            [
                "Workload",
                "GPUs",
                "Replicas × GPUs",
                "Tokens/s",
                "Tokens/s per MW",
                "J/token",
                "Cost",
            ],
            rows,
            {1, 2, 3, 4, 5, 6},
        )
        out.append("")
    if report.degraded_modes:
        out += ["### Degraded modes", ""]
        out += [
            "What survives each single failure: lost GPUs come out of every workload in "
            "proportion to its GPUs; a serving replica is lost whole; training runs on the "
            "GPUs left, slowed by the bisection a spine or core takes.",
            "",
        ]
        rows = [[escape(c) for c in row] for row in fig.degraded_rows(report)]
        numeric = {i for i, n in enumerate(fig.DEGRADED_NUMERIC) if n}
        out += _table(fig.DEGRADED_HEADERS, rows, numeric)
        out.append("")
    found = report.uncertainty
    if found is not None and found.inputs:
        out += ["### Uncertainty", ""]
        out += [
            f"{found.valid_samples:,} of {found.samples:,} Monte Carlo samples valid "
            f"(Latin hypercube, seed {found.seed}) over {len(found.inputs)} uncertain inputs.",
            "",
        ]
        rows = [[escape(c) for c in row] for row in fig.uncertainty_rows(report)]
        out += _table(fig.UNCERTAINTY_HEADERS, rows, {1, 2, 3, 4})
        out.append("")
        for name, bars in found.tornado.items():
            moving = [b for b in bars if b.swing > 0][:5]
            if not moving or name not in fig.UNCERTAINTY_FIGURES:
                continue
            label, formatter = fig.UNCERTAINTY_FIGURES[name]
            out += [f"What moves {label} most (one input at a time, P10 to P90):", ""]
            table_rows = [
                [
                    f"`{escape_code(b.input)}`",
                    escape(f"{b.low_value} .. {b.high_value}"),
                    escape(fig.optional(b.at_low, formatter)),
                    escape(fig.optional(b.at_high, formatter)),
                ]
                for b in moving
            ]
            out += _table(["Input", "P10 .. P90", "At P10", "At P90"], table_rows, {2, 3})
            out.append("")
    if report.bom is not None:
        from aiflang.render.bom import dollars, markdown_table

        # Folded: a campus lists a hundred lines, which would bury a pull-request comment.
        summary = f"Bill of materials: capex {dollars(report.bom.capex_usd)}"
        out += [
            "### Bill of materials",
            "",
            "<details>",
            f"<summary>{escape(summary)}</summary>",
            "",
        ]
        out += markdown_table(report.bom)
        out += ["</details>", ""]
    out += provenance_footer(report)
    return "\n".join(out)


def provenance_footer(report: Report) -> list[str]:
    """A closing paragraph that says which aifc and which inputs produced the report."""
    lines = fig.provenance_lines(report)
    if not lines:
        return []
    return ["<sub>" + "; ".join(f"`{escape_code(line)}`" for line in lines) + "</sub>", ""]
