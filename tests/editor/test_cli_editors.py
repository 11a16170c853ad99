"""The command line for editors and teams: stdin, the concise format, project
configuration and `--set`."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiflang.cli import main

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference_designs" / "gb200_two_su.aif"

SMALL = """\
factory f {
  site { utility = 2 MW, pue = 1.2, power_price = 0.08 USD/kWh, build_cost = 12 million USD/MW }
  hall A {
    it_power  = 1 MW
    positions = 20
    racks     = 4 x DGX_H100_rack
  }
}
"""


def run(*args: str, cwd: Path | None = None, stdin: str | None = None) -> tuple[int, str, str]:
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), input=stdin, catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


# stdin ---------------------------------------------------------------------


def test_validate_reads_stdin_and_names_it_by_stdin_filename(tmp_path: Path) -> None:
    text = SMALL.replace("DGX_H100_rack", "DGX_H100_rak")
    code, out, _ = run(
        "validate", "-", "--format", "concise", "--stdin-filename", "designs/x.aif",
        cwd=tmp_path, stdin=text,
    )  # fmt: skip
    assert code == 1
    assert out == "designs/x.aif:6:21: E201 unknown rack `DGX_H100_rak`\n"


def test_validate_stdin_resolves_imports_beside_the_named_file(tmp_path: Path) -> None:
    (tmp_path / "lib.aif").write_text(
        "rack my_rack extends DGX_H100_rack { power = 41 kW }\n", encoding="utf-8"
    )
    text = 'import "lib.aif"\n' + SMALL.replace("DGX_H100_rack", "my_rack")
    code, out, err = run(
        "validate", "-", "--stdin-filename", str(tmp_path / "d.aif"), stdin=text
    )  # fmt: skip
    assert code == 0, out + err
    assert "valid" in out


def test_stdin_is_alone(tmp_path: Path) -> None:
    code, _, err = run("validate", "-", str(REFERENCE), stdin=SMALL)
    assert code == 2 and "cannot be combined" in err


def test_fmt_stdin_writes_the_formatted_text_to_stdout() -> None:
    code, out, _ = run("fmt", "-", stdin="factory f { site { pue = 1.2 } }\n")
    assert code == 0
    assert out == "factory f {\n  site {\n    pue = 1.2\n  }\n}\n"


def test_fmt_stdin_check_exits_1_when_it_would_change() -> None:
    assert run("fmt", "--check", "-", stdin="factory f { site { pue = 1.2 } }\n")[0] == 1
    assert run("fmt", "--check", "-", stdin=REFERENCE.read_text(encoding="utf-8"))[0] == 0


def test_fmt_stdin_with_syntax_errors_exits_1() -> None:
    code, out, err = run("fmt", "-", "--stdin-filename", "a.aif", stdin="factory f {\n  x = \n")
    assert code == 1 and out == "" and "a.aif: cannot format" in err


# concise -------------------------------------------------------------------


def test_concise_is_one_line_per_finding() -> None:
    code, out, _ = run("validate", "--format", "concise", str(REFERENCE))
    assert code == 0 and out == ""
    bad = "tests/cases/names/unknown_name.aif"
    code, out, _ = run("validate", "--format", "concise", bad, cwd=ROOT)
    assert code == 1
    assert out.splitlines() == [
        f"{bad}:2:14: E201 unknown gpu `H10`",
        f"{bad}:5:15: E201 unknown node `DGX_H10O`",
    ]


# project configuration ------------------------------------------------------


def _project(tmp_path: Path, config: str, *, pyproject: bool = False) -> Path:
    if pyproject:
        (tmp_path / "pyproject.toml").write_text(
            "[project]\nname = 'x'\n\n[tool.aifc]\n" + config, encoding="utf-8"
        )
    else:
        (tmp_path / "aifc.toml").write_text(config, encoding="utf-8")
    designs = tmp_path / "designs"
    designs.mkdir()
    design = designs / "d.aif"
    design.write_text(SMALL, encoding="utf-8")
    return design


def test_without_config_a_warning_is_reported(tmp_path: Path) -> None:
    design = tmp_path / "d.aif"
    design.write_text(SMALL, encoding="utf-8")
    code, out, _ = run("validate", "--format", "concise", str(design))
    assert code == 0 and " W401 " in out


@pytest.mark.parametrize("pyproject", [False, True])
def test_config_ignores_a_warning_and_sets_the_format(tmp_path: Path, pyproject: bool) -> None:
    config = 'format = "concise"\nignore = ["W401", "W402"]\n'
    design = _project(tmp_path, config, pyproject=pyproject)
    code, out, _ = run("validate", str(design))
    assert code == 0
    assert out == ""  # concise and nothing left to say: not even a summary line


def test_config_promotes_a_warning_to_an_error(tmp_path: Path) -> None:
    design = _project(tmp_path, 'error = ["W401"]\n')
    code, out, _ = run("validate", "--format", "concise", str(design))
    assert code == 1
    assert "W401[error]" in out
    code, out, _ = run("report", str(design), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["valid"] is False and data["error_count"] >= 1


def test_per_path_rules_apply_to_matching_files_only(tmp_path: Path) -> None:
    design = _project(tmp_path, '[per-path."designs/*.aif"]\nignore = ["W401"]\n')
    other = tmp_path / "other.aif"
    other.write_text(SMALL, encoding="utf-8")
    assert "W401" not in run("validate", "--format", "concise", str(design))[1]
    assert "W401" in run("validate", "--format", "concise", str(other))[1]


def test_a_project_catalog_adds_parts(tmp_path: Path) -> None:
    design = _project(tmp_path, 'catalog = ["parts"]\n')
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "racks.aif").write_text(
        "# Our standard H100 rack, with the PDU we buy.\n"
        "rack acme_h100 extends DGX_H100_rack { power = 42 kW }\n",
        encoding="utf-8",
    )
    design.write_text(SMALL.replace("DGX_H100_rack", "acme_h100"), encoding="utf-8")
    code, out, err = run("validate", "--format", "concise", str(design))
    assert code == 0 and "E201" not in out, out + err
    _, out, _ = run("report", str(design), "--format", "json")
    data = json.loads(out)
    # 4 racks at the declared 42 kW each, from the project's catalog part.
    assert data["halls"][0]["it_load_w"] == pytest.approx(4 * 42e3, rel=0.02)


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('ignore = ["E201"]\n', "only warnings can be ignored"),
        ('ignore = ["W999"]\n', "unknown code W999"),
        ('format = "xml"\n', "format `xml` is not one of"),
        ('catalogue = ["parts"]\n', "did you mean `catalog`?"),
        ('catalog = ["missing"]\n', "catalog path `missing` does not exist"),
        ("ignore = [\n", "not valid TOML"),
    ],
)
def test_a_broken_config_is_one_line_and_exit_2(tmp_path: Path, config: str, message: str) -> None:
    design = _project(tmp_path, config)
    code, out, err = run("validate", str(design))
    assert code == 2, out + err
    assert message in err and len(err.strip().splitlines()) == 1


def test_the_config_root_bounds_imports(tmp_path: Path) -> None:
    design = _project(tmp_path, 'root = "designs"\n')
    (tmp_path / "lib.aif").write_text("", encoding="utf-8")
    design.write_text('import "../lib.aif"\n' + SMALL, encoding="utf-8")
    code, out, _ = run("validate", "--format", "concise", str(design))
    assert code == 1 and "E212" in out


# --set --------------------------------------------------------------------


def _json(*args: str) -> dict[str, object]:
    code, out, err = run("report", str(REFERENCE), "--format", "json", *args)
    assert code in (0, 1), err
    data = json.loads(out)
    assert isinstance(data, dict)
    return data


def test_set_overrides_a_hall_attribute_in_the_report() -> None:
    before = _json()
    after = _json("--set", "halls.A.it_power=4 MW")
    assert before["halls"][0]["it_capacity_w"] == 3e6  # type: ignore[index]
    assert after["halls"][0]["it_capacity_w"] == 4e6  # type: ignore[index]


def test_set_overrides_an_assumption() -> None:
    data = _json("--set", "assumptions.hbm_usable_fraction=0.85")
    found = {a["name"]: a for a in data["assumptions"]}  # type: ignore[attr-defined]
    assert found["hbm_usable_fraction"]["value"] == 0.85
    assert found["hbm_usable_fraction"]["overridden"] is True


def test_set_extends_a_catalog_part() -> None:
    before = _json()
    after = _json("--set", "rack.GB200_NVL72.power=140 kW")
    # 16 racks in hall A at the new declared 140 kW each make up the rack load.
    assert after["halls"][0]["it_load_w"] > before["halls"][0]["it_load_w"]  # type: ignore[index]
    racks_before = before["halls"][0]["it_load_w"]  # type: ignore[index]
    assert after["halls"][0]["it_load_w"] - racks_before == pytest.approx(  # type: ignore[index]
        16 * 140e3 - 16 * 132e3, rel=1e-6
    )


def test_set_one_entry_of_a_map() -> None:
    data = _json("--set", "halls.A.cooling.liquid=3 MW")
    assert data["halls"][0]["liquid_capacity_w"] == 3e6  # type: ignore[index]
    assert data["halls"][0]["air_capacity_w"] == 0.8e6  # type: ignore[index]


def test_set_is_type_checked_like_the_file() -> None:
    code, out, _ = run(
        "validate", "--format", "concise", str(REFERENCE), "--set", "halls.A.it_power=4 MWh"
    )
    assert code == 1
    assert out.startswith("--set halls.A.it_power:1:") and "E203" in out


def test_set_names_an_unknown_hall_with_close_names() -> None:
    code, out, _ = run("validate", str(REFERENCE), "--set", "halls.B.it_power=4 MW")
    assert code == 1 and "no hall `B`" in out and "its halls: A" in out


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("halls.A.it_power", "write PATH=VALUE"),
        ("hals.A.it_power=4 MW", "did you mean `halls`?"),
        ("halls.A=4 MW", "halls.NAME.ATTRIBUTE"),
        ('serve."x.it_power=1', "unclosed quote"),
    ],
)
def test_a_malformed_setting_is_a_usage_error(setting: str, message: str) -> None:
    code, _, err = run("validate", str(REFERENCE), "--set", setting)
    assert code == 2 and message in err


def test_compare_sets_each_side() -> None:
    code, out, err = run(
        "compare", str(REFERENCE), str(REFERENCE), "--format", "json",
        "--set-b", "halls.A.racks=8 x GB200_NVL72",
    )  # fmt: skip
    assert code == 1, err  # B breaks the design's own `require capacity.gpus == 1152`
    data = json.loads(out)
    assert data["a_valid"] is True and data["b_valid"] is False
    assert "capacity.gpus is 576" in data["b_diagnostics"][-1]["summary"]


def test_catalog_lists_the_project_parts(tmp_path: Path) -> None:
    _project(tmp_path, 'catalog = ["parts"]\n')
    parts = tmp_path / "parts"
    parts.mkdir()
    (parts / "racks.aif").write_text(
        "rack acme_h100 extends DGX_H100_rack {\n  power = 42 kW  # our PDU's rating\n}\n",
        encoding="utf-8",
    )
    code, out, _ = run("catalog", cwd=tmp_path)
    assert code == 0
    assert "acme_h100 (project)" in out and "DGX_H100_rack" in out
    code, out, _ = run("catalog", "acme_h100", cwd=tmp_path)
    assert code == 0
    assert "rack acme_h100 extends DGX_H100_rack" in out
    assert "power                42 kW   # our PDU's rating" in out
    assert "nodes                4 x DGX_H100" in out  # inherited from the built-in rack


def test_set_takes_a_quoted_segment_and_a_file_definition(tmp_path: Path) -> None:
    design = tmp_path / "d.aif"
    design.write_text(
        "rack acme extends DGX_H100_rack { power = 41 kW }\n"
        + SMALL.replace("DGX_H100_rack", "acme").replace("hall A", 'hall "A.1"'),
        encoding="utf-8",
    )
    code, out, err = run(
        "report", str(design), "--format", "json",
        "--set", 'halls."A.1".it_power=2 MW', "--set", "rack.acme.power=45 kW",
    )  # fmt: skip
    assert code in (0, 1), err
    hall = json.loads(out)["halls"][0]
    assert hall["it_capacity_w"] == 2e6
    # Four racks at the 45 kW the setting gives the file's own rack definition.
    assert hall["it_load_w"] == pytest.approx(4 * 45e3)
