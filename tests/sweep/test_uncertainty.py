"""Uncertain values: nominal compiles, Monte Carlo percentiles, one-at-a-time tornado."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiflang.cli import main
from aiflang.driver import build_reports, compile_file
from aiflang.frontend.settings import parse_setting
from aiflang.models.assumptions import REGISTRY
from aiflang.report import Report
from aiflang.sweep import MAX_SAMPLES
from aiflang.sweep.uncertainty import uncertainty

ROOT = Path(__file__).resolve().parents[2]
DESIGN = ROOT / "reference_designs" / "gb200_two_su.aif"
PRICE = "site.power_price=0.06..0.09 USD/kWh"


def report(*sets: str) -> Report:
    return build_reports(compile_file(DESIGN, settings=[parse_setting(s) for s in sets]))[0]


def _figures(r: Report) -> dict[str, object]:
    data = r.model_dump()
    return {k: data[k] for k in ("capacity", "train", "serve", "cost", "degraded_modes")}


@pytest.mark.parametrize(
    ("uncertain", "nominal"),
    [
        (PRICE, "site.power_price=0.075 USD/kWh"),
        ("train.llama3-405b.mfu=normal(40%, 5%)", "train.llama3-405b.mfu=40%"),
        ("site.pue=triangular(1.1, 1.25, 1.3)", "site.pue=1.25"),
        ("site.pue=1.1..1.3", "site.pue=1.2"),  # (1.1 + 1.3) / 2 is 1.2000000000000002 in floats
        ("finance.utilization=uniform(70%, 90%)", "finance.utilization=80%"),
    ],
)
def test_a_single_compile_reads_the_nominal_value(uncertain: str, nominal: str) -> None:
    assert _figures(report(uncertain)) == _figures(report(nominal))


def test_percentiles_and_the_tornado_against_hand_calculations() -> None:
    base = report(PRICE)
    found = uncertainty(DESIGN, base, samples=40, seed=3, settings=(PRICE,))
    paths = [i.path for i in found.inputs]
    assert paths[0] == "site.power_price"
    # Every assumption the report used with a published range, the design not setting it.
    expected = sorted(
        f"assumptions.{a.name}"
        for a in base.assumptions
        if not a.overridden and REGISTRY[a.name].published_range is not None
    )
    assert sorted(paths[1:]) == expected
    assert found.valid_samples == 40
    # Capex does not depend on any of these inputs: every percentile is the nominal.
    capex = found.figures["capex_usd"]
    assert capex.p10 == capex.p50 == capex.p90 == capex.nominal == base.cost.capex_usd["total"]
    tco = found.figures["tco_usd"]
    assert tco.p10 is not None and tco.p50 is not None and tco.p90 is not None
    assert tco.p10 < tco.p50 < tco.p90
    assert tco.p50 == pytest.approx(base.cost.tco_usd, rel=0.01)
    # The price alone, from P10 (0.063) to P90 (0.087): TCO moves by the horizon's
    # energy x 0.024 USD/kWh. The nominal energy bill is at 0.075 USD/kWh over 5 years.
    bar = next(b for b in found.tornado["tco_usd"] if b.input == "site.power_price")
    assert (bar.low_value, bar.high_value) == ("0.063 USD/kWh", "0.087 USD/kWh")
    energy_usd = base.cost.opex_usd_per_year["energy"] * 5
    assert bar.swing == pytest.approx(energy_usd / 0.075 * 0.024, rel=1e-9)
    assert bar.at_low is not None and bar.at_high is not None and bar.at_low < bar.at_high
    swings = [b.swing for b in found.tornado["tco_usd"]]
    assert swings == sorted(swings, reverse=True)
    # Deterministic for a seed.
    assert uncertainty(DESIGN, base, samples=40, seed=3, settings=(PRICE,)) == found


@pytest.mark.parametrize("design", sorted((ROOT / "reference_designs").glob("*.aif")), ids=str)
def test_every_reference_design_gets_an_uncertainty_report(design: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        main, ["report", str(design), "--uncertainty", "6", "-o", str(out)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    found = data["uncertainty"]
    assert found["samples"] == 6 and found["valid_samples"] == 6 and found["inputs"]
    tco = found["figures"]["tco_usd"]
    assert tco["p10"] <= tco["p50"] <= tco["p90"]
    assert data["degraded_modes"], "every reference design lists a failure"


def test_the_html_and_markdown_show_the_uncertainty(tmp_path: Path) -> None:
    html, md = tmp_path / "r.html", tmp_path / "r.md"
    for out in (html, md):
        result = CliRunner().invoke(
            main,
            ["report", str(DESIGN), "--uncertainty", "6", "--set", PRICE, "-o", str(out)],
            catch_exceptions=False,
        )
        assert result.exit_code == 0
    page = html.read_text(encoding="utf-8")
    assert '<section id="uncertainty">' in page and "What moves TCO most" in page
    assert '<section id="degraded">' in page
    text = md.read_text(encoding="utf-8")
    assert "### Uncertainty" in text and "| TCO |" in text and "### Degraded modes" in text


def test_docs_show_the_worked_uncertainty_reports_real_output() -> None:
    """docs/sweeps.md shows the worked pick's Markdown report, key figures to uncertainty."""
    example = ROOT / "docs" / "examples" / "ai_factory_100mw.aif"
    pick = [
        "--set",
        "halls.compute.racks=600 x GB200_NVL72",
        "--set",
        "fabrics.compute.oversubscription=2:1",
        "--set",
        PRICE,
    ]
    result = CliRunner().invoke(
        main,
        ["report", str(example), *pick, "--uncertainty", "200", "--format", "md"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    shown = result.stdout[result.stdout.index("| Figure | Value |") :]
    shown = shown.split("### Bill of materials")[0]  # the bill of materials is not shown there
    docs = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    missing = [line for line in shown.splitlines() if line.strip() and line not in docs]
    assert not missing, "docs/sweeps.md lacks these lines of the real output:\n" + "\n".join(
        missing
    )


def test_more_samples_than_the_limit_is_a_usage_error() -> None:
    result = CliRunner().invoke(
        main, ["report", str(DESIGN), "--uncertainty", str(MAX_SAMPLES + 1), "--format", "json"]
    )
    assert result.exit_code == 2
    assert f"{MAX_SAMPLES + 1} is not in the range 2<=x<={MAX_SAMPLES}" in result.stderr
