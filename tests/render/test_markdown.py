"""The Markdown report: key figures, diagnostics, workloads, escaping."""

from __future__ import annotations

from collections.abc import Callable

from aiflang import report as rp
from aiflang.render.markdown import escape, render_markdown

MakeReport = Callable[..., rp.Report]


def test_summary_tables(make_report: MakeReport) -> None:
    md = render_markdown(make_report())
    assert "**❌ invalid**: 1 error, 1 warning" in md
    assert "| GPUs | 1,632 |" in md
    assert "| Capex | \\$140 M |" in md
    assert "- **error** `E402` at `designs/two_halls.aif:51`" in md
    assert "- `capacity.gpus` == 2,000" in md
    assert "| llama3-70b | 1,000 | 250 × 4 | 2.3 M tokens/s | 1 M tokens/s/MW" in md
    assert "| llama3-405b | 1,152 | 41.9 days |" in md
    table_rows = [line for line in md.splitlines() if line.startswith("| llama3-70b")]
    assert len(table_rows) == 1 and table_rows[0].count("|") == 8


def test_escapes_user_strings(make_report: MakeReport) -> None:
    md = render_markdown(make_report(factory="a|b <script>*x*_[y](z)`"))
    title = md.splitlines()[0]
    assert title == "## AI factory report: a\\|b &lt;script&gt;\\*x\\*\\_\\[y\\](z)\\`"
    assert "<script>" not in md


def test_escape_keeps_one_line_and_cells() -> None:
    assert escape("a\nb|c") == "a b\\|c"
    assert escape("$5 & $6") == "\\$5 &amp; \\$6"


def test_escaped_workload_name_keeps_table_shape(make_report: MakeReport) -> None:
    report = make_report()
    serve = [report.serve[0].model_copy(update={"name": "x|y|z"})]
    md = render_markdown(report.model_copy(update={"serve": serve}))
    row = next(line for line in md.splitlines() if line.startswith("| x"))
    assert row.replace("\\|", "").count("|") == 8


def test_a_disaggregated_workload_shows_its_prefill_pool(make_report: MakeReport) -> None:
    """As the HTML report does: 250 replicas of 4 GPUs and a 90-GPU prefill pool are the
    workload's 1,090 GPUs, not 1,000."""
    report = make_report()
    serve = [report.serve[0].model_copy(update={"gpus": 1090, "prefill_gpus": 90})]
    md = render_markdown(report.model_copy(update={"serve": serve}))
    assert "| llama3-70b | 1,090 | 250 × 4 + 90 prefill | 2.3 M tokens/s |" in md
