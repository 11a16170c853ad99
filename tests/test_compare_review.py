"""`aifc compare` for a pull request: --base REF, saved reports, and the review sections.

The change under review adds two GB200 NVL72 racks to gb200_two_su (16 -> 18),
which also breaks its `require capacity.gpus == 1152` rule.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiflang.cli import main
from aiflang.driver import build_reports, compile_file
from aiflang.render.compare import compare_reports, render_comparison
from aiflang.report import Report

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "reference_designs" / "gb200_two_su.aif"
BEFORE = "racks      = 16 x GB200_NVL72"
AFTER = "racks      = 18 x GB200_NVL72"


def _report(path: Path) -> Report:
    (built,) = build_reports(compile_file(path))
    return built


@pytest.fixture
def changed(tmp_path: Path) -> Path:
    text = DESIGN.read_text(encoding="utf-8")
    assert BEFORE in text
    path = tmp_path / "gb200_two_su.aif"
    path.write_text(text.replace(BEFORE, AFTER), encoding="utf-8")
    return path


def test_review_of_two_more_racks(changed: Path) -> None:
    a, b = _report(DESIGN), _report(changed)
    comparison = compare_reports(a, b)
    assert [d.code for d in comparison.new_diagnostics] == ["E601"]
    assert comparison.fixed_diagnostics == []
    (rule,) = comparison.requirement_changes
    assert (rule.path, rule.a_passed, rule.b_passed) == ("capacity.gpus", True, False)
    assert (rule.a_actual, rule.b_actual) == (1152, 1296)
    changes = {(c.part, c.hall): c for c in comparison.bom_changes}
    rack = changes[("rack GB200_NVL72", "A")]
    assert (rack.a_count, rack.b_count, rack.delta_usd) == (16, 18, 2 * 3.4e6)
    assert changes[("gpu GB200, in node GB200_tray", "A")].b_count == 18 * 72
    # The capex lines that changed add up to the change in capex, to the dollar.
    assert a.cost is not None and b.cost is not None
    moved = sum(c.delta_usd or 0 for c in comparison.bom_changes if c.in_capex)
    assert round(moved) == round(b.cost.capex_usd["total"] - a.cost.capex_usd["total"])
    assert round(moved) == 8_352_000
    md = render_comparison(comparison, "md")
    assert "| GPUs | 1,152 | 1,296 | **+144 (+12.5%)** |" in md
    assert "### Findings: 1 new, 0 fixed" in md
    assert "| `capacity.gpus` == 1,152 | ✅ passes | ❌ fails |" in md
    assert "capex +$8,352,000." in md
    assert "| A | rack GB200\\_NVL72 | 16 → 18 | \\$54,400,000 → \\$61,200,000 |" in md


def test_the_reverse_change_fixes_the_finding(changed: Path) -> None:
    comparison = compare_reports(_report(changed), _report(DESIGN))
    assert [d.code for d in comparison.fixed_diagnostics] == ["E601"]
    assert comparison.new_diagnostics == []
    assert "### Findings: 0 new, 1 fixed" in render_comparison(comparison, "md")


def test_a_finding_that_only_moved_is_neither_new_nor_fixed(changed: Path) -> None:
    moved = changed.with_name("moved.aif")
    moved.write_text("# one line more\n" + changed.read_text(encoding="utf-8"), encoding="utf-8")
    comparison = compare_reports(_report(changed), _report(moved))
    assert comparison.new_diagnostics == [] and comparison.fixed_diagnostics == []


def test_no_change_says_so() -> None:
    report = _report(DESIGN)
    comparison = compare_reports(report, report)
    md = render_comparison(comparison, "md")
    assert comparison.bom_changes == [] and "No part changed." in md
    assert "| Capex | \\$112 M | \\$112 M | no change |" in md


def test_json_comparison_carries_the_review(changed: Path) -> None:
    data = json.loads(render_comparison(compare_reports(_report(DESIGN), _report(changed)), "json"))
    assert [d["code"] for d in data["new_diagnostics"]] == ["E601"]
    assert data["requirement_changes"][0]["b_passed"] is False
    assert any(c["part"] == "rack GB200_NVL72" for c in data["bom_changes"])


# --base REF ------------------------------------------------------------------------


def _git(folder: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True, env=env)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "designs" / "lib").mkdir(parents=True)
    text = DESIGN.read_text(encoding="utf-8")
    # The rack count comes from an imported library, so the base must read the import at REF.
    (repo / "designs" / "lib" / "racks.aif").write_text(
        "rack su_rack extends GB200_NVL72 {}\n", encoding="utf-8"
    )
    design = 'import "lib/racks.aif"\n' + text.replace(BEFORE, "racks      = 16 x su_rack")
    (repo / "designs" / "pod.aif").write_text(design, encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    return repo


def _run(cwd: Path, *args: str) -> tuple[int, str, str]:
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args))
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def test_base_reads_the_design_and_its_imports_at_the_revision(repo: Path) -> None:
    pod = repo / "designs" / "pod.aif"
    pod.write_text(pod.read_text(encoding="utf-8").replace("16 x su_rack", "18 x su_rack"))
    library = repo / "designs" / "lib" / "racks.aif"
    library.write_text("rack su_rack extends GB200_NVL72 { price = 3.5 million USD }\n")
    code, out, _ = _run(repo, "compare", "designs/pod.aif", "--base", "main", "--format", "json")
    assert code == 1  # the change breaks the design's gpus rule
    data = json.loads(out)
    assert data["a_file"] == "main:designs/pod.aif" and data["b_file"] == "designs/pod.aif"
    rack = next(c for c in data["bom_changes"] if c["part"] == "rack su_rack")
    # The base reads the library as committed ($3.4 M racks), the change as edited ($3.5 M).
    assert rack["a_extended_usd"] == 16 * 3.4e6 and rack["b_extended_usd"] == 18 * 3.5e6
    code, md, _ = _run(repo, "compare", "designs/pod.aif", "--base", "HEAD", "--format", "md")
    assert "## Comparison" in md and "`HEAD:designs/pod.aif`" in md


def test_base_problems_are_one_line_and_exit_2(repo: Path, tmp_path: Path) -> None:
    code, _, err = _run(repo, "compare", "designs/pod.aif", "--base", "nosuch")
    assert code == 2 and "--base nosuch: no such revision" in err
    (repo / "designs" / "new.aif").write_text(DESIGN.read_text(encoding="utf-8"))
    code, _, err = _run(repo, "compare", "designs/new.aif", "--base", "HEAD")
    assert code == 2 and "does not exist at HEAD" in err
    outside = tmp_path / "loose.aif"
    outside.write_text(DESIGN.read_text(encoding="utf-8"))
    code, _, err = _run(tmp_path, "compare", "loose.aif", "--base", "HEAD")
    assert code == 2 and "is not in a git repository" in err
    code, _, err = _run(repo, "compare", "designs/pod.aif", "designs/pod.aif", "--base", "HEAD")
    assert code == 2 and "give one file" in err
    code, _, err = _run(repo, "compare", "designs/pod.aif", "--base", "--upload-pack=x")
    assert code == 2 and "not a revision" in err
    code, _, err = _run(repo, "compare", "designs/pod.aif")
    assert code == 2 and "--base REF" in err


def test_a_saved_report_is_the_base_side(tmp_path: Path, changed: Path) -> None:
    saved = tmp_path / "base.json"
    code, _, _ = _run(ROOT, "report", str(DESIGN), "-o", str(saved))
    assert code == 0
    code, out, _ = _run(ROOT, "compare", str(saved), str(changed), "--format", "md")
    assert code == 1
    assert "capex +$8,352,000." in out and "### Findings: 1 new, 0 fixed" in out


def test_base_matches_findings_of_the_same_file(repo: Path) -> None:
    """An unchanged finding of the design is neither new nor fixed under --base."""
    pod = repo / "designs" / "pod.aif"
    pod.write_text(pod.read_text(encoding="utf-8").replace("16 x su_rack", "18 x su_rack"))
    _git(repo, "commit", "-qam", "two more racks")
    pod.write_text("# a comment\n" + pod.read_text(encoding="utf-8"))
    code, out, _ = _run(repo, "compare", "designs/pod.aif", "--base", "HEAD", "--format", "json")
    data = json.loads(out)
    assert code == 1
    assert [d["code"] for d in data["a_diagnostics"]] == ["E601"]
    assert data["new_diagnostics"] == [] and data["fixed_diagnostics"] == []
    assert data["a_file"] == "HEAD:designs/pod.aif"
