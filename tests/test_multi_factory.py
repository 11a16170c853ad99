"""A file of several factories: each report counts its own findings and lists every factory;
report, compare and graph reach any factory with --factory."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiflang.cli import main
from aiflang.driver import build_reports, compile_source

SITE = """\
  site {
    utility     = 2 MW
    pue         = 1.3
    power_price = 0.08 USD/kWh
    build_cost  = 12 million USD/MW
  }
"""

# alpha's UPS plant has N+1; beta's has none, so only beta draws W401. The
# stale suppression above the factories belongs to neither: it counts for both.
MULTI = f"""\
rack h100_rack {{
  nodes   = 4 x DGX_H100
  power   = 40.8 kW
  cooling = air  # aifc: ignore[W402]
}}

factory "alpha" {{
{SITE}
  hall main {{
    it_power   = 1 MW
    ups        = 3 x 500 kW
    redundancy = N+1
    cooling    = {{ air = 1.1 MW }}
    positions  = 32
    racks      = 16 x h100_rack
  }}
}}

factory "beta" {{
{SITE}
  hall main {{
    it_power  = 1 MW
    ups       = 2 x 500 kW
    cooling   = {{ air = 1.1 MW }}
    positions = 32
    racks     = 8 x h100_rack
  }}
  fabric compute {{
    connects = compute
    topology = fat_tree
    leaf     = QM9700
    spine    = QM9700
  }}
}}
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def multi(tmp_path: Path) -> Path:
    path = tmp_path / "multi.aif"
    path.write_text(MULTI, encoding="utf-8")
    return path


def test_each_report_counts_only_its_own_findings() -> None:
    compilation = compile_source(MULTI)
    assert [d.code for d in compilation.diagnostics] == ["W101", "W401"]
    alpha, beta = build_reports(compilation)
    assert (alpha.factory, beta.factory) == ("alpha", "beta")
    # The stale suppression is in a shared definition: both factories see it.
    assert [d.code for d in alpha.diagnostics] == ["W101"]
    assert [d.code for d in beta.diagnostics] == ["W101", "W401"]
    assert (alpha.warning_count, beta.warning_count) == (1, 2)
    assert alpha.factories == beta.factories == ["alpha", "beta"]
    assert alpha.capacity is not None and alpha.capacity.gpus == 16 * 4 * 8
    assert beta.capacity is not None and beta.capacity.gpus == 8 * 4 * 8


def test_report_picks_a_factory_by_name(multi: Path) -> None:
    code, out, _ = run("report", str(multi), "--format", "json")
    first = json.loads(out)
    assert code == 0 and first["factory"] == "alpha" and first["warning_count"] == 1
    assert first["factories"] == ["alpha", "beta"]
    code, out, _ = run("report", str(multi), "--format", "json", "--factory", "beta")
    second = json.loads(out)
    assert code == 0 and second["factory"] == "beta" and second["warning_count"] == 2
    assert second["capacity"]["gpus"] == 256


def test_an_unknown_factory_suggests_the_close_one(multi: Path) -> None:
    for command in (["report"], ["graph"], ["compare", str(multi)]):
        code, _, err = run(*command, str(multi), "--factory", "bet")
        assert code == 2, (command, err)
        assert "did you mean `beta`?" in err and "`alpha`, `beta`" in err
        assert err.strip().count("\n") == 0


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_report_lists_every_factory_of_its_file(multi: Path, fmt: str) -> None:
    code, out, _ = run("report", str(multi), "--format", fmt)
    assert code == 0
    assert "defines 2 factories: alpha, beta" in out
    assert "This report covers alpha" in out and "--factory NAME" in out


def test_a_single_factory_report_says_nothing_of_others(multi: Path, tmp_path: Path) -> None:
    single = tmp_path / "single.aif"
    single.write_text(MULTI.split('factory "beta"')[0], encoding="utf-8")
    code, out, _ = run("report", str(single), "--format", "md")
    assert code == 0 and "factories" not in out


def test_compare_reaches_both_factories_of_one_file(multi: Path) -> None:
    code, out, _ = run(
        "compare",
        str(multi),
        str(multi),
        "--factory",
        "alpha",
        "--factory",
        "beta",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert code == 0 and (data["a"], data["b"]) == ("alpha", "beta")
    gpus = next(row for row in data["rows"] if row["key"] == "gpus")
    assert (gpus["a"], gpus["b"], gpus["ratio"]) == (512, 256, 0.5)
    assert (data["a_warning_count"], data["b_warning_count"]) == (1, 2)


def test_graph_draws_one_factory_or_all(multi: Path) -> None:
    code, everything, _ = run("graph", str(multi))
    assert code == 0 and 'graph "beta/compute"' in everything
    code, only, _ = run("graph", str(multi), "--factory", "beta")
    assert code == 0 and 'graph "compute"' in only and "beta/" not in only
    code, _, err = run("graph", str(multi), "--factory", "alpha")
    assert code == 2 and "no fabric with endpoints" in err
