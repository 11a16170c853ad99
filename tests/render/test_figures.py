"""One set of number and unit formatters: every renderer shows a value in the unit its
name states, never as a raw SI number."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest

from aiflang import report as rp
from aiflang.render import figures as fig
from aiflang.render.derivation import render_derivation
from aiflang.render.html import render_html
from aiflang.render.markdown import render_markdown

MakeReport = Callable[..., rp.Report]
RAW = re.compile(r"\d\.\d+e[+-]?\d+|0\.0000\d")  # 9.894e+14, 6.891e-08, 0.00000006891


@pytest.mark.parametrize(
    ("name", "value", "text"),
    [
        ("it_power_w", 2.3771e6, "2.38 MW"),
        ("facility_power_w", 950.0, "950 W"),
        ("capex_usd", 3.5e6, "$3.50 M"),
        ("opex_usd_per_year", 1.2e7, "$12.0 M/year"),
        ("annualized_usd_per_year", 84.88e6, "$84.9 M/year"),
        ("build_cost_usd_per_w", 15.0, "$15.0 M/MW"),
        ("power_price_usd_per_j", 0.08 / 3.6e6, "$0.08/kWh"),
        ("license_usd_per_gpu_s", 4500 / (365.25 * 86400), "$4,500/GPU/year"),
        ("tokens_per_s", 2.969e5, "297 k tokens/s"),
        ("tokens_per_s_per_mw", 1.71e6, "1.71 M tokens/s/MW"),
        ("cost_per_million_tokens_usd", 0.0689, "$0.0689/M tokens"),
        ("cost_per_gpu_hour_usd", 2.35, "$2.35/GPU/h"),
        ("peak_flops_per_gpu", 9.894e14, "989 TFLOPS"),
        ("flops", 3.15e23, "3.15e23 FLOP"),
        ("link_speed_bps", 8e11, "800 Gbps"),
        ("memory_bits", 8 * 186e9, "186 GB"),
        ("hbm_bytes", 2.6e14, "260 TB"),
        ("gpu_hours", 26.61e6, "26.6 M GPU-hours"),
        ("horizon_years", 5, "5 years"),
        ("checkpoint_warn_s", 60, "1 min"),
        ("utilization", 0.8, "80%"),
        ("maintenance_fraction", 0.04, "4%"),
        ("gpus", 4032, "4,032"),
        ("pue", 1.2, "1.2"),
    ],
)
def test_a_value_shows_in_the_unit_its_name_states(name: str, value: float, text: str) -> None:
    assert fig.named(name, value) == text


def test_a_require_bound_shows_in_the_unit_of_its_field() -> None:
    # Bounds and results of `require` are SI: a cost per million tokens is USD per token.
    assert fig.si_named("cost_per_million_tokens_usd", 6.891e-8) == "$0.0689/M tokens"
    assert fig.si_named("it_load_w", 1e6) == "1 MW"
    assert fig.si_named("gpus", 2000) == "2,000"


def _with_costly_rule(report: rp.Report) -> rp.Report:
    rule = rp.RequirementReport(
        path="serve.chat.cost_per_million_tokens_usd",
        operator="<=",
        expected=5e-8,
        actual=6.891e-8,
        passed=False,
    )
    return report.model_copy(update={"requirements": [*report.requirements, rule]})


def test_html_requirements_table_shows_units(make_report: MakeReport) -> None:
    html = render_html(_with_costly_rule(make_report()))
    table = html.split("Requirement</th>")[1].split("</table>")[0]
    assert "&lt;= $0.05/M tokens" in table and "$0.0689/M tokens" in table
    assert "== 2,000" in table and "1,632" in table
    assert not RAW.search(table), RAW.search(table)


def test_markdown_failed_requirements_show_units(make_report: MakeReport) -> None:
    md = render_markdown(_with_costly_rule(make_report()))
    assert "&lt;= \\$0.05/M tokens (is \\$0.0689/M tokens)" in md
    assert "== 2,000 (is 1,632)" in md


def test_html_and_terminal_explanations_agree(make_report: MakeReport) -> None:
    report = make_report()
    text = render_derivation(report, "cost.tco_usd")
    assert text is not None
    assert "$140 M" in text and "$12.0 M/year" in text and "5 years" in text
    html = render_html(report)
    tco = html.split("cost.tco_usd")[1].split("</details>")[0]
    assert "$140 M" in tco and "$12.0 M/year" in tco and "5 years" in tco
    assert not RAW.search(text) and not RAW.search(tco)
