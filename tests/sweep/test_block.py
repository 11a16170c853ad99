"""The `sweep` block: read from the design file, checked by validate, run by aifc sweep."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiflang.cli import main
from aiflang.diagnostics import Sink
from aiflang.frontend.uncertain import check_sweep
from aiflang.sweep.block import BlockError, read_block, sweep_blocks
from aiflang.sweep.space import Distribution
from aiflang.syntax.parser import parse_source

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "docs" / "examples" / "ai_factory_100mw.aif"


def block_of(text: str):  # type: ignore[no-untyped-def]
    (block,) = sweep_blocks(text, "s.aif")
    return read_block(block, "s.aif")


def test_each_inner_attribute_is_one_axis_named_as_set_names_it() -> None:
    found = block_of(
        """
sweep "s" {
  samples  = 4
  seed     = 9
  method   = random
  maximize = [tokens_per_s_per_mw, "serve.\\"llama3-70b\\".tokens_per_s"]
  minimize = tco_usd
  hall A { racks = [16 x GB200_NVL72, 16 x GB300_NVL72], cooling = { liquid = [2 MW, 3 MW] } }
  serve "llama3-70b" { user_rate = steps(20 tokens/s, 40 tokens/s, 10 tokens/s) }
  fabric compute { oversubscription = [1:1, 2:1] }
  site { pue = normal(1.2, 0.05), power_price = 0.07 USD/kWh }
  require capacity.facility_power_w <= 5 MW
}
"""
    )
    assert [a.path for a in found.axes] == [
        "halls.A.racks",
        "halls.A.cooling.liquid",
        'serve."llama3-70b".user_rate',
        "fabrics.compute.oversubscription",
        "site.pue",
        "site.power_price",
    ]
    axes = {a.path: a for a in found.axes}
    assert axes["halls.A.racks"].values == ("16 x GB200_NVL72", "16 x GB300_NVL72")
    assert axes['serve."llama3-70b".user_rate'].values == (
        "20 tokens/s",
        "30 tokens/s",
        "40 tokens/s",
    )
    assert axes["fabrics.compute.oversubscription"].values == ("1:1", "2:1")
    assert axes["site.pue"].distribution == Distribution("normal", (1.2, 0.05), None)
    assert axes["site.power_price"].values == ("0.07 USD/kWh",)  # one value: set everywhere
    assert (found.samples, found.seed, found.method) == (4, 9, "random")
    assert found.maximize == ("tokens_per_s_per_mw", 'serve."llama3-70b".tokens_per_s')
    assert found.minimize == ("tco_usd",)
    assert found.constraints == ("capacity.facility_power_w <= 5 MW",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('sweep "s" { }', "varies nothing"),
        ('sweep "s" { hall { racks = [1 x A] } }', "name the hall"),
        ('sweep "s" { method = grid\n site { pue = [1.2] } }', "lhs or random"),
        ('sweep "s" { samples = 2.5\n site { pue = [1.2] } }', "whole number"),
        ('sweep "s" { site { pue = 1.3..1.1 } }', "low end is above"),
        ('sweep "s" { site { pue = steps(1.1, 1.3) } }', r"steps\(LOW, HIGH, STEP\)"),
    ],
)
def test_a_bad_block_is_one_line_with_its_place(text: str, message: str) -> None:
    with pytest.raises(BlockError, match=message) as error:
        block_of(text)
    assert str(error.value).startswith("s.aif:1")


def test_validate_checks_the_names_in_a_sweep_block() -> None:
    module = parse_source('sweep "s" {\n  sample = 3\n  hal A { racks = [1 x B] }\n}\n', "s.aif")
    sink = Sink()
    check_sweep(module.module.entries[0], sink)  # type: ignore[arg-type]
    found = [(d.code, d.message) for d in sink.diagnostics]
    assert ("E208", "unknown attribute `sample` in a sweep block") in found
    assert ("E209", "a `hal` block cannot stand in a sweep block") in found


def test_the_worked_example_runs_from_its_sweep_block(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["sweep", str(EXAMPLE), "--serial", "-o", str(tmp_path)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    with (tmp_path / "results.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    # 6 rack choices (2 generations x 3 counts) x 2 hall coolings x 2 fabrics.
    assert len(rows) == 24
    for row in rows:
        air = row["halls.compute.cooling"] == "{ air = 102 MW }"
        # A hall without liquid cooling cannot take NVL72 racks (85% of their heat is liquid).
        assert (row["valid"] == "true") == (not air)
        if not air:
            facility = float(row["facility_power_w"])
            assert (row["feasible"] == "true") == (facility <= 100e6)
    feasible = {
        (r["halls.compute.racks"], r["fabrics.compute.oversubscription"])
        for r in rows
        if r["feasible"] == "true"
    }
    assert ("600 x GB300_NVL72", "2:1") not in feasible  # 103 MW
    assert ("600 x GB200_NVL72", "2:1") in feasible and ("600 x GB200_NVL72", "1:1") not in feasible
    assert "| 24 | 12 | 9 |" in (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "extra",
    [(), ("--maximize", "tokens_per_s", "--minimize", "capex_usd")],
    ids=["default", "capex"],
)
def test_docs_show_the_worked_examples_real_output(tmp_path: Path, extra: tuple[str, ...]) -> None:
    result = CliRunner().invoke(
        main,
        ["sweep", str(EXAMPLE), "--serial", "-o", str(tmp_path), *extra],
        catch_exceptions=False,
    )
    docs = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    for line in result.stdout.splitlines()[:3]:
        assert line in docs, line


def _doc_row(row: dict[str, str]) -> str:
    """A results.csv row as docs/sweeps.md's table of the worked example writes it."""
    cooling = row["halls.compute.cooling"].strip("{} ").replace(" = ", " ").replace(", ", " + ")
    head = [
        row["index"],
        row["halls.compute.racks"],
        cooling,
        row["fabrics.compute.oversubscription"],
    ]
    if row["valid"] != "true":
        code = row["first_error"].split()[0]
        return "| " + " | ".join([*head, f"no ({code})", "no"]) + " |" + " |" * 5
    per_mw = float(row["tokens_per_s_per_mw"])
    figures = [
        "yes",
        "yes" if row["feasible"] == "true" else "no",
        f"{float(row['facility_power_w']) / 1e6:.1f} MW",
        f"${float(row['capex_usd']) / 1e9:.2f} B",
        f"{float(row['tokens_per_s']) / 1e6:.1f} M",
        f"{per_mw / 1e6:.3f} M" if per_mw >= 1e6 else f"{per_mw / 1e3:.1f} k",
        f"${float(row['cost_per_million_tokens_usd']):.4f}",
    ]
    return "| " + " | ".join([*head, *figures]) + " |"


def test_docs_table_of_the_worked_example_is_its_real_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main, ["sweep", str(EXAMPLE), "--serial", "-o", str(tmp_path)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    with (tmp_path / "results.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    docs = (ROOT / "docs" / "sweeps.md").read_text(encoding="utf-8")
    missing = [_doc_row(row) for row in rows if _doc_row(row) not in docs]
    assert not missing, "docs/sweeps.md lacks these rows of the real output:\n" + "\n".join(missing)
