"""compare_reports and render_comparison, with ratios checked by hand."""

from __future__ import annotations

import json

import pytest

from aiflang import report as rp
from aiflang.render.compare import compare_reports, render_comparison


def _report(
    name: str, gpus: int, it_w: float, serve: list[rp.ServeReport], tco: float
) -> rp.Report:
    return rp.Report(
        factory=name,
        file=f"{name}.aif",
        valid=True,
        error_count=0,
        warning_count=0,
        diagnostics=[],
        capacity=rp.Capacity(
            gpus=gpus,
            gpus_by_model={"H100": gpus},
            it_power_w=it_w,
            facility_power_w=it_w * 1.25,
            peak_flops={"bf16": gpus * 989e12},
            hbm_bytes=gpus * 80e9,
            racks=gpus // 32,
            positions=gpus // 32,
        ),
        serve=serve,
        cost=rp.CostReport(
            capex_usd={"total": tco * 0.6},
            opex_usd_per_year={"total": tco * 0.08},
            horizon_s=5 * 365.25 * 86400,
            tco_usd=tco,
            cost_per_gpu_hour_usd=2.0 if name == "small" else 1.5,
        ),
    )


def _serve(name: str, gpus: int, tokens: float, per_mw: float, usd: float | None) -> rp.ServeReport:
    return rp.ServeReport(
        name=name,
        gpus=gpus,
        precision="fp8",
        gpus_per_replica=8,
        replicas=gpus // 8,
        tokens_per_s=tokens,
        tokens_per_s_per_mw=per_mw,
        joules_per_token=1.0,
        cost_per_million_tokens_usd=usd,
    )


@pytest.fixture
def pair() -> tuple[rp.Report, rp.Report]:
    small = _report("small", 1000, 2e6, [_serve("chat", 1000, 1e6, 4e5, 0.5)], 1e8)
    big = _report(
        "big",
        4000,
        7e6,
        [_serve("chat", 2000, 3e6, 3.5e5, 0.4), _serve("code", 2000, 1e6, 1.1e5, 0.8)],
        3e8,
    )
    return small, big


def _rows(a: rp.Report, b: rp.Report) -> dict[str, object]:
    return {row.key: row for row in compare_reports(a, b).rows}


def test_ratios_and_deltas_by_hand(pair: tuple[rp.Report, rp.Report]) -> None:
    rows = _rows(*pair)
    gpus = rows["gpus"]
    assert (gpus.a, gpus.b, gpus.ratio, gpus.delta) == (1000, 4000, 4.0, 3000)  # type: ignore[attr-defined]
    assert rows["it_power_w"].ratio == pytest.approx(3.5)  # type: ignore[attr-defined]
    assert rows["facility_power_w"].b == pytest.approx(8.75e6)  # type: ignore[attr-defined]
    assert rows["peak_flops"].ratio == pytest.approx(4.0)  # type: ignore[attr-defined]
    assert rows["tco_usd"].ratio == pytest.approx(3.0)  # type: ignore[attr-defined]
    assert rows["capex_usd"].delta == pytest.approx(1.2e8)  # type: ignore[attr-defined]
    assert rows["cost_per_gpu_hour_usd"].ratio == pytest.approx(0.75)  # type: ignore[attr-defined]


def test_overall_serve_figures(pair: tuple[rp.Report, rp.Report]) -> None:
    rows = _rows(*pair)
    # big: 3e6 + 1e6 tokens/s over 8.75 MW of facility power
    total = rows["tokens_per_s"]
    assert total.b == pytest.approx(4e6) and total.ratio == pytest.approx(4.0)  # type: ignore[attr-defined]
    assert rows["tokens_per_s_per_mw"].b == pytest.approx(4e6 / 8.75)  # type: ignore[attr-defined]
    # blended cost: (0.4 x 3e6 + 0.8 x 1e6) / 4e6 = 0.5, the same as small's 0.5
    assert rows["cost_per_million_tokens_usd"].b == pytest.approx(0.5)  # type: ignore[attr-defined]
    assert rows["cost_per_million_tokens_usd"].ratio == pytest.approx(1.0)  # type: ignore[attr-defined]


def test_serve_matched_by_name(pair: tuple[rp.Report, rp.Report]) -> None:
    rows = _rows(*pair)
    chat = rows["serve.chat.tokens_per_s"]
    assert chat.ratio == pytest.approx(3.0)  # type: ignore[attr-defined]
    assert rows["serve.chat.tokens_per_s_per_mw"].ratio == pytest.approx(0.875)  # type: ignore[attr-defined]
    assert rows["serve.chat.cost_per_million_tokens_usd"].ratio == pytest.approx(0.8)  # type: ignore[attr-defined]
    code = rows["serve.code.tokens_per_s"]
    assert code.a is None and code.b == 1e6 and code.ratio is None  # type: ignore[attr-defined]
    assert code.a_text == "—"  # type: ignore[attr-defined]


def test_zero_in_a_gives_no_ratio() -> None:
    a = _report("a", 1000, 2e6, [_serve("chat", 1000, 0.0, 0.0, None)], 1e8)
    b = _report("b", 1000, 2e6, [_serve("chat", 1000, 5e5, 2e5, None)], 1e8)
    row = _rows(a, b)["serve.chat.tokens_per_s"]
    assert row.ratio is None and row.delta == 5e5  # type: ignore[attr-defined]


def test_text_output(pair: tuple[rp.Report, rp.Report]) -> None:
    text = render_comparison(compare_reports(*pair), "text")
    gpu_line = next(line for line in text.splitlines() if line.startswith("GPUs"))
    assert gpu_line.split()[1:] == ["1,000", "4,000", "4x", "+3,000"]
    it_line = next(line for line in text.splitlines() if line.startswith("IT power"))
    assert it_line.split()[2:] == ["2", "MW", "7", "MW", "3.5x", "+5", "MW"]
    assert "$300 M" in text


def test_json_output_round_trips(pair: tuple[rp.Report, rp.Report]) -> None:
    data = json.loads(render_comparison(compare_reports(*pair), "json"))
    assert data["a"] == "small" and data["b"] == "big"
    row = next(r for r in data["rows"] if r["key"] == "tco_usd")
    assert row["ratio"] == pytest.approx(3.0) and row["a_text"] == "$100 M"


def test_markdown_and_html_escape_names() -> None:
    hostile = "<script>alert(1)</script>|x"
    a = _report("a", 1000, 2e6, [_serve(hostile, 1000, 1e6, 4e5, 0.5)], 1e8)
    b = _report("b", 1000, 2e6, [], 1e8)
    comparison = compare_reports(a, b)
    md = render_comparison(comparison, "md")
    html = render_comparison(comparison, "html")
    assert "<script>" not in md and "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "\\|x" in md
    header = next(line for line in md.splitlines() if line.startswith("| Figure"))
    assert header.count("|") == 6


def test_unknown_format(pair: tuple[rp.Report, rp.Report]) -> None:
    with pytest.raises(ValueError):
        render_comparison(compare_reports(*pair), "pdf")


def _train(name: str, hours: float, cost: float | None) -> rp.TrainReport:
    return rp.TrainReport(
        name=name,
        gpus=1000,
        precision="bf16",
        mfu=0.4,
        flops=1e24,
        time_s=hours * 3600 / 1000,
        gpu_hours=hours,
        energy_j=1e12,
        cost_usd=cost,
    )


def test_training_figures_are_compared() -> None:
    a = _report("a", 1000, 2e6, [], 1e8).model_copy(
        update={"train": [_train("llama", 2e6, 4e6), _train("only-a", 1e5, None)]}
    )
    b = _report("b", 1000, 2e6, [], 1e8).model_copy(
        update={"train": [_train("llama", 1.5e6, 3.3e6)]}
    )
    rows = _rows(a, b)
    hours = rows["train.llama.gpu_hours"]
    assert (hours.a, hours.b, hours.ratio) == (2e6, 1.5e6, 0.75)  # type: ignore[attr-defined]
    time = rows["train.llama.time_s"]
    # 2e6 GPU-hours on 1,000 GPUs: 2,000 h = 7.2e6 s = 83.3 days.
    assert time.a == 7.2e6 and time.b == 5.4e6 and time.a_text == "83.3 days"  # type: ignore[attr-defined]
    assert rows["train.llama.cost_usd"].ratio == pytest.approx(0.825)  # type: ignore[attr-defined]
    assert rows["train.only-a.cost_usd"].a is None  # type: ignore[attr-defined]
    assert rows["train.only-a.gpu_hours"].b is None  # type: ignore[attr-defined]
    text = render_comparison(compare_reports(a, b), "text")
    assert "llama: time to train" in text and "llama: cost to train" in text


def _invalid(name: str) -> rp.Report:
    diagnostic = rp.DiagnosticReport(
        code="E402",
        severity="error",
        summary='hall "A" draws 3.41 MW, over its 3 MW of IT capacity',
        range=rp.Range(
            filename=f"{name}.aif",
            start=rp.Position(file=f"{name}.aif", line=12, column=5, byte=200),
            end=rp.Position(file=f"{name}.aif", line=12, column=20, byte=215),
        ),
    )
    return _report(name, 1000, 2e6, [], 1e8).model_copy(
        update={"valid": False, "error_count": 1, "diagnostics": [diagnostic]}
    )


@pytest.mark.parametrize("fmt", ["text", "md", "html"])
def test_an_invalid_side_is_marked_with_its_diagnostics(fmt: str) -> None:
    good = _report("good", 1000, 2e6, [], 1e8)
    out = render_comparison(compare_reports(_invalid("broken"), good), fmt)
    assert "INVALID: 1 error, 0 warnings" in out
    assert "valid: 0 errors, 0 warnings" in out
    assert "E402" in out and "broken.aif:12" in out and "draws 3.41 MW" in out
    assert "broken (INVALID)" in out  # the column heading of its figures


def test_json_comparison_is_versioned_and_carries_both_sides() -> None:
    data = json.loads(
        render_comparison(
            compare_reports(_invalid("broken"), _report("good", 10, 1e6, [], 1e7)), "json"
        )
    )
    assert data["format_version"] == rp.FORMAT_VERSION
    assert data["a_valid"] is False and data["a_error_count"] == 1
    assert data["a_diagnostics"][0]["code"] == "E402"
    assert data["b_valid"] is True and data["b_diagnostics"] == []
