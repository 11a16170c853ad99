"""The HTML report: structure, figures with units, charts, safety, determinism."""

from __future__ import annotations

import re
from collections.abc import Callable

from aiflang import report as rp
from aiflang.render.html import render_html

MakeReport = Callable[..., rp.Report]


def test_sections_present(make_report: MakeReport) -> None:
    html = render_html(make_report())
    for section in (
        "summary",
        "diagnostics",
        "capacity",
        "power",
        "network",
        "workloads",
        "cost",
        "assumptions",
    ):
        assert f'<section id="{section}">' in html
        assert f'href="#{section}"' in html


def test_summary_figures_with_units(make_report: MakeReport) -> None:
    html = render_html(make_report())
    summary = html.split('<section id="summary">')[1].split("</section>")[0]
    for text in (
        "Invalid",
        "1,632",  # GPUs
        "4.52 MW",  # IT power
        "5.42 MW",  # facility power
        "3.07 EFLOPS",
        "3 M tokens/s",  # 2.3 M + 0.7 M
        "553 k tokens/s/MW",  # 3 M / 5.424 MW
        "$140 M",
        "$200 M",
        "$2.35/GPU/h",
        "PUE 1.2",
    ):
        assert text in summary, text


def test_sections_hold_their_figures(make_report: MakeReport) -> None:
    html = render_html(make_report())
    assert "2.62 MW of 3 MW (87.3%)" in html  # hall A IT load
    assert "2 more GB200_NVL72 (liquid binds)" in html
    assert "1,152 × 400 Gbps" in html and "230 Tbps" in html
    assert "2.3 M tokens/s" in html and "$0.42/M tokens" in html and "41.9 days" in html
    assert "$90.0 M (64%)" in html  # capex segment legend
    assert "$12.0 M/year" in html
    assert "Uptime Institute Global Data Center Survey 2023" in html
    assert "E402" in html and "designs/two_halls.aif:51:5" in html
    assert "raise it_power to 1.9 MW" in html


def test_svg_charts(make_report: MakeReport) -> None:
    html = render_html(make_report())
    assert html.count("<svg") == 5  # power, two tier diagrams, tokens/MW, capex
    power = html.split('<section id="power">')[1].split("</section>")[0]
    assert 'class="bar over"' in power  # hall B is over its IT capacity
    network = html.split('<section id="network">')[1].split("</section>")[0]
    assert "625 leaf switches" in network and "12,800 links" in network
    assert "…" in network  # more switches than boxes drawn


def test_explanations_on_demand(make_report: MakeReport) -> None:
    html = render_html(make_report())
    assert "<details" in html and "facility = it x pue" in html
    assert "How <code>fabrics.compute.transceivers</code> is computed" in html
    assert "<code>serve.llama3-70b.tokens_per_s</code>" in html
    # An input with a _w suffix reads as power, as in the terminal's derivation.
    assert '<td class="mono">it_w</td><td class="num">4.52 MW</td>' in html


def test_self_contained(make_report: MakeReport) -> None:
    html = render_html(make_report())
    assert (
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">"
    ) in html
    assert "<script" not in html and "<link" not in html and "@import" not in html
    for url in re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html):
        assert not url.startswith(("http:", "https:", "//")), url
    assert "http://" not in html and "https://" not in html
    assert "@media print" in html


def test_deterministic(make_report: MakeReport) -> None:
    assert render_html(make_report()) == render_html(make_report())


def test_user_strings_escaped(make_report: MakeReport) -> None:
    hostile = '<script>alert(1)</script> "q" & co'
    report = make_report(factory=hostile, hall=hostile, doc=hostile)
    html = render_html(report)
    assert "<script>" not in html and "alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;q&#34; &amp; co" in html
    # the hall name appears in tables, chart labels and tooltips, all escaped
    assert html.count("&lt;script&gt;") >= 6


def test_empty_report_renders() -> None:
    report = rp.Report(
        factory="bare", file="bare.aif", valid=True, error_count=0, warning_count=0, diagnostics=[]
    )
    html = render_html(report)
    assert "No problems found." in html
    assert "Capacity could not be computed" in html
    assert "<svg" not in html
    assert "Valid: 0 errors, 0 warnings" in html


def test_assumptions_shown_in_their_display_units() -> None:
    from aiflang.render.figures import assumption_text

    assert assumption_text(50_000.0, "kW") == "50 kW"  # stored in W
    assert assumption_text(0.55, "%") == "55%"  # stored as a fraction
    assert assumption_text(112.0, "B") == "14 B"  # data is stored in bits
    assert assumption_text(1.2, "") == "1.2"


def test_training_step_as_a_stacked_bar(make_report: MakeReport) -> None:
    report = make_report()
    (train,) = report.train
    plan = rp.TrainPlanReport(
        tp=8,
        pp=4,
        dp=36,
        zero=1,
        micro_batch=1,
        microbatches=54,
        recompute="selective",
        label="TP8 PP4 DP36 ZeRO-1",
        gpus=1152,
        memory_per_gpu_bytes=150e9,
    )
    stepped = train.model_copy(
        update={
            "plan": plan,
            "step_s": 5.75,
            "compute_s": 4.0,
            "bubble_s": 1.0,
            "exposed_s": {"tp": 0.5, "dp": 0.25},
            "failures_per_step_s": 0.25,
            "tokens_per_s": 16e6 / 5.75,
            "ettr": 5.75 / 6.0,
        }
    )
    html = render_html(report.model_copy(update={"train": [stepped]}))
    workloads = html.split('<section id="workloads">')[1].split("</section>")[0]
    assert "Step time of llama3-405b (TP8 PP4 DP36 ZeRO-1)" in workloads
    # shares of the 6 s drawn (a 5.75 s step and 0.25 s of failures per step):
    # 4 / 6 = 67%, 1 / 6 = 17%, 0.5 / 6 = 8%, 0.25 / 6 = 4%
    assert "compute: 4 s (67%)" in workloads
    assert "pipeline bubble: 1 s (17%)" in workloads
    assert "exposed tensor-parallel communication: 500 ms (8%)" in workloads
    assert "exposed data-parallel communication: 250 ms (4%)" in workloads
    assert "checkpoints, restarts and lost work: 250 ms (4%)" in workloads
    assert html.count("<svg") == 6  # the five of test_svg_charts and the step


def test_hall_notes_show_the_named_plant(make_report: MakeReport) -> None:
    plant = rp.PlantReport(
        hall="A",
        parts={"ups": "Galaxy_VXL_1250"},
        ups_losses_w=67.2e3,
        plant_pue=1.0256,
        battery_runtime_s=600,
    )
    report = make_report().model_copy(update={"plant": [plant]})
    html = render_html(report)
    assert "Plant: ups Galaxy_VXL_1250" in html
    assert "UPS losses 67.2 kW; plant PUE 1.03; battery runtime 10 min" in html
