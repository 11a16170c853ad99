"""GitLab Code Quality and JUnit XML output of `aifc validate`, and `--exit-zero`.

GitLab publishes no JSON Schema for Code Quality reports; the checks follow
its documented format: an array of objects with `description`,
`check_name`, `fingerprint` (unique), `severity` (info, minor, major,
critical, blocker) and `location.path` with `location.lines.begin`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from click.testing import CliRunner

from aiflang.cli import main

ROOT = Path(__file__).resolve().parents[1]
BROKEN = """\
factory "x" {
  hall A {
    it_power = 1 MW
    positions = 4
    racks = 2 x NOPE
  }
  hall B {
    it_power = 1 MW
    positions = 4
    racks = 2 x NOPE
  }
}
"""
# A warning and no error: UPS modules without redundancy (W401).
WARNED = """\
factory "w" {
  site { utility = 2 MW, pue = 1.2, power_price = 0.08 USD/kWh, build_cost = 10 million USD/MW }
  hall A {
    it_power   = 1 MW
    ups        = 2 x 1 MW
    redundancy = N
    positions  = 10
    racks      = 2 x DGX_H100_rack
  }
}
"""
SEVERITIES = {"info", "minor", "major", "critical", "blocker"}


def run(*args: str, cwd: Path) -> tuple[int, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout


@pytest.fixture
def designs(tmp_path: Path) -> Path:
    (tmp_path / "designs").mkdir()
    (tmp_path / "designs" / "broken.aif").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "designs" / "warned.aif").write_text(WARNED, encoding="utf-8")
    return tmp_path


def test_gitlab_code_quality_has_every_required_field(designs: Path) -> None:
    code, out = run("validate", "--format", "gitlab", "designs", cwd=designs)
    assert code == 1
    issues = json.loads(out)
    assert isinstance(issues, list) and issues
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["severity"] in SEVERITIES
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["location"]["lines"]["begin"] >= 1
        assert not Path(issue["location"]["path"]).is_absolute()
    by_code = {i["check_name"]: i for i in reversed(issues)}  # the first of each code
    assert by_code["E201"]["severity"] == "major"
    assert by_code["E201"]["location"] == {
        "path": "designs/broken.aif",
        "lines": {"begin": 5, "end": 5},
    }
    assert by_code["W401"]["severity"] == "minor"
    assert by_code["W401"]["location"]["path"] == "designs/warned.aif"
    # Two findings on identical lines still have distinct fingerprints (GitLab would merge them).
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    assert sum(1 for i in issues if i["check_name"] == "E201") == 2


def test_gitlab_fingerprint_survives_moved_lines(designs: Path) -> None:
    _, before = run("validate", "--format", "gitlab", "designs/broken.aif", cwd=designs)
    path = designs / "designs" / "broken.aif"
    path.write_text("# a comment that moves every line down\n\n" + BROKEN, encoding="utf-8")
    _, after = run("validate", "--format", "gitlab", "designs/broken.aif", cwd=designs)
    old, new = json.loads(before), json.loads(after)
    assert [i["fingerprint"] for i in old] == [i["fingerprint"] for i in new]
    assert [i["location"]["lines"]["begin"] for i in new] == [
        i["location"]["lines"]["begin"] + 2 for i in old
    ]


def test_gitlab_output_of_a_clean_design_is_an_empty_array() -> None:
    code, out = run(
        "validate", "--format", "gitlab", "reference_designs/gb200_two_su.aif", cwd=ROOT
    )
    assert (code, json.loads(out)) == (0, [])


def _cases(xml: str) -> dict[str, ET.Element]:
    root = ET.fromstring(xml)
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    return {case.get("name", ""): case for case in suite.findall("testcase")}


def test_junit_has_one_case_per_file_and_fails_those_with_errors(designs: Path) -> None:
    code, out = run("validate", "--format", "junit", "designs", cwd=designs)
    assert code == 1
    root = ET.fromstring(out)
    suite = root.find("testsuite")
    assert suite is not None
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "0")
    cases = _cases(out)
    assert set(cases) == {"designs/broken.aif", "designs/warned.aif"}
    failure = cases["designs/broken.aif"].find("failure")
    assert failure is not None and failure.text is not None
    # Two unknown racks and the missing site block, reported in the same run.
    assert "3 error(s)" in failure.get("message", "")
    assert "designs/broken.aif:5:" in failure.text and "[E201]" in failure.text
    # A warning does not fail the case; it shows in the case's output.
    warned = cases["designs/warned.aif"]
    assert warned.find("failure") is None
    out_text = warned.findtext("system-out") or ""
    assert "[W401]" in out_text


def test_junit_strict_fails_warnings_too(designs: Path) -> None:
    code, out = run("validate", "--format", "junit", "--strict", "designs/warned.aif", cwd=designs)
    assert code == 1
    failure = _cases(out)["designs/warned.aif"].find("failure")
    assert failure is not None and "[W401]" in (failure.text or "")


def test_junit_of_clean_designs_is_all_passing() -> None:
    code, out = run("validate", "--format", "junit", "reference_designs", cwd=ROOT)
    assert code == 0
    cases = _cases(out)
    assert len(cases) == len(list((ROOT / "reference_designs").glob("*.aif")))
    assert all(case.find("failure") is None for case in cases.values())


@pytest.mark.parametrize("fmt", ["text", "json", "gitlab", "junit", "github"])
def test_exit_zero_reports_the_errors_and_exits_zero(designs: Path, fmt: str) -> None:
    code, out = run("validate", "--format", fmt, "designs/broken.aif", cwd=designs)
    assert code == 1 and "E201" in out
    code, out = run("validate", "--exit-zero", "--format", fmt, "designs/broken.aif", cwd=designs)
    assert code == 0 and "E201" in out


def test_exit_zero_keeps_usage_errors(designs: Path) -> None:
    result = CliRunner().invoke(main, ["validate", "--exit-zero", str(designs / "missing.aif")])
    assert result.exit_code == 2
