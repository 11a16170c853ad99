"""`require` rules compare in the unit every report field declares (report.FIELD_UNITS).

The walk test writes, for every numeric path of every reference design's
report, a rule in natural units on each side of the figure (and one that
must fail), and compiles the design with them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from aiflang import units
from aiflang.cli import main
from aiflang.diagnostics import MAX_DIAGNOSTICS_PER_FAMILY
from aiflang.driver import build_reports, compile_file
from aiflang.report import FIELD_UNITS, Report, field_unit, report_schema

ROOT = Path(__file__).resolve().parents[2]
DESIGNS = ROOT / "reference_designs"
GOLDEN = ROOT / "tests" / "golden"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

# The unit a designer writes a bound in, by dimension (money gets a scale word).
NATURAL: dict[units.Dimension, str] = {
    units.POWER: "MW",
    units.ENERGY: "MWh",
    units.TIME: "h",
    units.DATA: "GB",
    units.BANDWIDTH: "Gbps",
    units.COMPUTE: "EFLOP",
    units.COMPUTE_RATE: "PFLOPS",
    units.MONEY: "million USD",
    units.MONEY_PER_TIME: "USD/year",
    units.MONEY_PER_TOKEN: "USD/Mtok",
    units.MONEY_PER_GPU_TIME: "USD/GPU/h",
    units.TOKEN_RATE: "tokens/s",
    units.TOKEN_RATE_PER_POWER: "tokens/s/MW",
    units.ENERGY_PER_TOKEN: "J/token",
    units.GPU_COUNT: "GPUs",
    units.GPU_TIME: "GPU*h",
}


def _compile(tmp_path: Path, text: str) -> tuple[Report, list[tuple[str, str]]]:
    path = tmp_path / "design.aif"
    path.write_text(text, encoding="utf-8")
    (report,) = build_reports(compile_file(path))
    return report, [(d.code, d.summary) for d in report.diagnostics]


def _with_rules(design: str, rules: list[str]) -> str:
    """The design with `rules` added at the end of its (only) factory."""
    end = design.rstrip().rfind("}")
    return design[:end] + "\n".join(f"  {r}" for r in rules) + "\n}\n"


MONEY_DESIGN = (DESIGNS / "enterprise_h200_pod.aif").read_text(encoding="utf-8")


def test_money_paths_compare_as_money(tmp_path: Path) -> None:
    # enterprise_h200_pod: capex 7.27 million USD, opex and depreciation per year.
    rules = [
        "require cost.capex_usd.total <= 2.5 billion USD",
        "require cost.capex_usd.accelerated_systems >= 4 million USD",
        "require cost.opex_usd_per_year.total <= 10 million USD/year",
        "require cost.depreciation_usd_per_year.total >= 100 thousand USD/year",
        "require cost.cost_per_gpu_hour_usd <= 100 USD/GPU/h",
        "require cost.tco_usd <= 100 million USD",
        'require serve."llama3-70b".cost_per_million_tokens_usd <= 100 USD/Mtok',
        "require capacity.peak_flops.fp8 >= 100 PFLOPS",
        "require capacity.hbm_bytes >= 18 TB",
        "require capacity.gpus >= 128 GPUs",
        'require halls.A.failures."ups module".gpus_affected == 0',
    ]
    report, diagnostics = _compile(tmp_path, _with_rules(MONEY_DESIGN, rules))
    assert diagnostics == []
    assert all(r.passed for r in report.requirements)
    (capex,) = [r for r in report.requirements if r.path == "cost.capex_usd.total"]
    assert capex.actual == pytest.approx(7_270_000) and capex.expected == 2.5e9


def test_a_per_token_bound_on_a_per_million_figure_is_w601(tmp_path: Path) -> None:
    rules = ['require serve."llama3-70b".cost_per_million_tokens_usd <= 1 USD/token']
    report, diagnostics = _compile(tmp_path, _with_rules(MONEY_DESIGN, rules))
    assert diagnostics == [
        (
            "W601",
            "requirement bound 1,000,000 USD/Mtok is implausible for "
            "serve.llama3-70b.cost_per_million_tokens_usd (cost per million output tokens: "
            "0.00001 to 100,000 USD/Mtok)",
        )
    ]
    # The rule is still checked, in SI: a few USD per million tokens is below 1 USD/token.
    assert report.requirements[0].passed


def test_a_share_written_as_a_whole_number_is_w601(tmp_path: Path) -> None:
    _, diagnostics = _compile(
        tmp_path, _with_rules(MONEY_DESIGN, ["require halls.A.headroom.power >= 10"])
    )
    assert sorted(code for code, _ in diagnostics) == ["E601", "W601"]


def test_the_wrong_dimension_is_e602_naming_the_unit(tmp_path: Path) -> None:
    _, diagnostics = _compile(
        tmp_path, _with_rules(MONEY_DESIGN, ["require cost.capex_usd.total <= 2.5 MW"])
    )
    assert diagnostics == [
        ("E602", "requirement compares cost.capex_usd.total (money) with power (MW)")
    ]


def test_every_numeric_field_has_a_declared_unit() -> None:
    """`report_schema` raises on a numeric field the table does not cover."""
    schema = report_schema()
    definitions = schema["$defs"]
    assert "in USD/Mtok" in definitions["ServeReport"]["properties"][
        "cost_per_million_tokens_usd"
    ].get("description", "")
    assert definitions["CostReport"]["properties"]["capex_usd"]["description"].endswith("in USD")
    for pattern, unit in FIELD_UNITS.items():
        if unit.unit not in ("", "si"):
            units.parse_unit(unit.unit)  # every declared unit is in the unit table
        assert unit.meaning, pattern


def test_schema_command_describes_fields() -> None:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["$defs"]["HallReport"]["properties"]["it_load_w"]["description"] == (
        "IT load, in W"
    )


# Every numeric path of every reference report ---------------------------------

SKIPPED_SECTIONS = ("diagnostics", "explain", "requirements", "error_count", "warning_count")


def _numeric_paths(node: Any, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], float]]:
    found: list[tuple[tuple[str, ...], float]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.extend(_numeric_paths(value, (*path, key)))
    elif isinstance(node, list):
        names = [
            next((item[k] for k in ("name", "rack", "part") if k in item), "*")
            for item in node
            if isinstance(item, dict)
        ]
        for item, name in zip([i for i in node if isinstance(i, dict)], names, strict=True):
            # An item without a name (a point of a serve curve), or whose name another item
            # of the list shares (the bill's lines of one part in several halls or tiers),
            # cannot be chosen by a rule: "*" keeps its fields in the unit check and out of
            # the rules.
            key = name if name and names.count(name) == 1 else "*"
            found.extend(_numeric_paths(item, (*path, str(key))))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        found.append((path, float(node)))
    return found


def _segment(text: str) -> str:
    return text if NAME.fullmatch(text) else json.dumps(text)


def _bound(value_si: float, unit: str) -> str:
    """`value_si` written in `unit` ("" for a plain number, "%" for a share)."""
    if unit == "%":
        return f"{value_si * 100!r}%"
    if not unit:
        return repr(value_si)
    scale, expression = 1.0, unit
    if unit.startswith("million "):
        scale, expression = 1e6, unit.removeprefix("million ")
    number = units.parse_unit(expression).from_reference(value_si) / scale
    return f"{number!r} {unit}"


def _rules(data: dict[str, Any]) -> tuple[list[str], int]:
    """Rules bracketing every figure (both pass) and one past it (fails); the failing count."""
    units_of_assumptions = {a["name"]: a["unit"] for a in data["assumptions"]}
    rules, failing = [], 0
    for path, value in _numeric_paths({k: v for k, v in data.items() if k not in SKIPPED_SECTIONS}):
        declared = field_unit(path)
        assert declared is not None, f"no unit declared for {'.'.join(path)}"
        if "*" in path:
            continue
        if path[0] == "assumptions":
            natural, value_si = units_of_assumptions[path[1]], value  # its display unit
        elif declared.unit:
            parsed = units.parse_unit(declared.unit)
            value_si = parsed.to_reference(value)
            natural = NATURAL.get(parsed.dimension, declared.unit)
        else:
            value_si, natural = value, ""
        low, high = sorted((value_si * (1 - 1e-6), value_si * (1 + 1e-6)))
        where = ".".join(_segment(s) for s in path)
        rules.append(f"require {where} >= {_bound(low, natural)}")
        rules.append(f"require {where} <= {_bound(high, natural)}")
        rules.append(f"require {where} > {_bound(high, natural)}")
        failing += 1
    return rules, failing


REFERENCE_NAMES = sorted(p.stem for p in DESIGNS.glob("*.aif"))


@pytest.mark.parametrize("name", REFERENCE_NAMES)
def test_a_rule_on_every_numeric_path_of_a_reference_report(tmp_path: Path, name: str) -> None:
    data = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    rules, failing = _rules(data)
    design = (DESIGNS / f"{name}.aif").read_text(encoding="utf-8")
    report, diagnostics = _compile(tmp_path, _with_rules(design, rules))
    codes = [code for code, _ in diagnostics]
    assert [m for c, m in diagnostics if c in ("E602", "W601")] == []
    # A file shows at most MAX_DIAGNOSTICS_PER_FAMILY failures, then one E108 counting
    # the rest; the report's requirements carry every rule's outcome.
    shown = min(failing, MAX_DIAGNOSTICS_PER_FAMILY)
    assert codes.count("E601") == shown, [m for c, m in diagnostics if c != "E601"][:5]
    held_back = [m for c, m in diagnostics if c == "E108"]
    if failing > shown:
        assert held_back == [
            f"{failing - shown:,} more requirement failures in this file are not shown; "
            f"the first {MAX_DIAGNOSTICS_PER_FAMILY} are"
        ]
    assert len(report.requirements) == len(data["requirements"]) + len(rules)
    added = report.requirements[len(data["requirements"]) :]
    assert all(r.actual is not None for r in added)  # every rule compared (no E602)
    assert sum(not r.passed for r in added) == failing
