"""`report --explain` and the `assumptions {}` block, end to end through the command line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiflang.cli import main

ROOT = Path(__file__).resolve().parents[1]
POD = ROOT / "reference_designs" / "enterprise_h200_pod.aif"
RAW = re.compile(r"\d\.\d+e[+-]?\d+")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def with_assumptions(tmp_path: Path, block: str) -> Path:
    text = POD.read_text(encoding="utf-8")
    text = text.replace(
        "  require capacity.gpus == 128", f"{block}\n  require capacity.gpus == 128"
    )
    path = tmp_path / "pod.aif"
    path.write_text(text, encoding="utf-8")
    return path


def report(path: Path) -> dict[str, object]:
    code, out, _ = run("report", str(path), "--format", "json")
    assert code == 0, out
    data: dict[str, object] = json.loads(out)
    return data


def test_explain_shows_formula_inputs_and_units() -> None:
    code, out, _ = run("report", str(POD), "--explain", "cost.cost_per_gpu_hour_usd")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "cost.cost_per_gpu_hour_usd"
    assert lines[1] == "  = cost per GPU-hour = annualized / (gpus x 8760 h x utilization)"
    inputs = {line.split()[0]: " ".join(line.split()[1:]) for line in lines[4:] if line.strip()}
    # annualized 2.08 M USD/year over 128 GPUs x 8,760 h x 60% = 3.09 USD per GPU-hour
    assert inputs == {
        "annualized_usd_per_year": "$2.08 M/year",
        "gpus": "128",
        "utilization": "60%",
    }
    data = report(POD)
    cost = data["cost"]
    assert isinstance(cost, dict)
    assert cost["cost_per_gpu_hour_usd"] == pytest.approx(2_081_915.44 / (128 * 8760 * 0.6))


def test_explain_of_every_figure_prints_no_raw_exponent() -> None:
    data = report(POD)
    keys = data["explain"]
    assert isinstance(keys, dict) and len(keys) > 10
    for key in keys:
        code, out, _ = run("report", str(POD), "--explain", key)
        assert code == 0 and out.startswith(key)
        assert not RAW.search(out), (key, RAW.search(out))


def test_an_unknown_figure_lists_known_ones() -> None:
    code, _, err = run("report", str(POD), "--explain", "cost.nope")
    assert code == 2 and "no figure `cost.nope`" in err and "cost.tco_usd" in err


def test_an_assumption_override_changes_the_figure_and_is_reported(tmp_path: Path) -> None:
    base = report(POD)
    path = with_assumptions(tmp_path, "  assumptions {\n    maintenance_fraction = 8%\n  }\n")
    changed = report(path)
    before, after = base["cost"], changed["cost"]
    assert isinstance(before, dict) and isinstance(after, dict)
    # maintenance = fraction x hardware capex (5.27 M USD): 4% -> 210,800; 8% -> 421,600 USD/year
    assert before["opex_usd_per_year"]["maintenance"] == pytest.approx(210_800)
    assert after["opex_usd_per_year"]["maintenance"] == pytest.approx(421_600)
    assert after["capex_usd"] == before["capex_usd"]
    assumptions = changed["assumptions"]
    assert isinstance(assumptions, list)
    (entry,) = [a for a in assumptions if a["name"] == "maintenance_fraction"]
    assert entry["overridden"] is True and entry["value"] == 0.08 and entry["default"] == 0.04
    code, out, _ = run("report", str(path), "--explain", "cost.opex_usd_per_year")
    assert code == 0
    assert "maintenance_fraction = 8% (overridden in the design)" in out
    assert re.search(r"\n    maintenance_fraction +8%\n", out)


def test_an_unknown_or_out_of_range_assumption_is_an_error(tmp_path: Path) -> None:
    path = with_assumptions(tmp_path, "  assumptions {\n    maintenance_fractoin = 8%\n  }\n")
    code, out, _ = run("validate", str(path))
    assert code == 1 and "E208" in out and "maintenance_fraction" in out
    path = with_assumptions(tmp_path, "  assumptions {\n    maintenance_fraction = 90%\n  }\n")
    code, out, _ = run("validate", str(path))
    assert code == 1 and "maintenance_fraction" in out
