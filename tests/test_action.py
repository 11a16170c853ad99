"""The composite GitHub Action (action.yml) and the step it runs (`python -m aiflang.action`).

The step runs here as the runner would run it: in a git checkout with a
pull request's base branch, with the action's inputs as INPUT_* variables,
and GITHUB_STEP_SUMMARY and GITHUB_OUTPUT pointing at files.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
DESIGN = ROOT / "reference_designs" / "gb200_two_su.aif"


def test_action_yml_is_a_composite_action_whose_inputs_reach_the_step_as_environment() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    inputs = set(action["inputs"])
    assert {"paths", "base", "root", "strict", "exit-zero", "aifc"} <= inputs
    steps = action["runs"]["steps"]
    for step in steps:
        if "run" in step:
            assert step["shell"] == "bash"
            # Inputs are passed through env, never spliced into the script (injection).
            assert "${{" not in step["run"], step["run"]
            for value in step.get("env", {}).values():
                (name,) = re.findall(r"\$\{\{ inputs\.([\w-]+) \}\}", value)
                assert name in inputs
    (validate,) = [s for s in steps if s.get("id") == "aifc"]
    assert validate["run"] == "python -m aiflang.action"
    env = validate["env"]
    assert env["INPUT_PATHS"] == "${{ inputs.paths }}"
    assert env["INPUT_EXIT_ZERO"] == "${{ inputs.exit-zero }}"
    for output in action["outputs"].values():
        assert output["value"].startswith("${{ steps.aifc.outputs.")


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
def pull_request(tmp_path: Path) -> Path:
    """A repository whose branch `change` adds two racks to one design and adds another."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    (repo / "designs").mkdir(parents=True)
    text = DESIGN.read_text(encoding="utf-8")
    (repo / "designs" / "pod.aif").write_text(text, encoding="utf-8")
    (repo / "designs" / "same.aif").write_text(text, encoding="utf-8")
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "base")
    _git(repo, "checkout", "-q", "-b", "change")
    bigger = text.replace("racks      = 16 x GB200_NVL72", "racks      = 18 x GB200_NVL72")
    (repo / "designs" / "pod.aif").write_text(bigger, encoding="utf-8")
    (repo / "designs" / "new.aif").write_text(text, encoding="utf-8")
    _git(repo, "add", ".")
    _git(repo, "commit", "-q", "-m", "two more racks, and a new design")
    return repo


def run_step(repo: Path, **inputs: str) -> tuple[int, str, str, str]:
    summary, outputs = repo.parent / "summary.md", repo.parent / "outputs.txt"
    summary.write_text("", encoding="utf-8")
    outputs.write_text("", encoding="utf-8")
    env = {
        key: value for key, value in os.environ.items() if not key.startswith(("INPUT_", "GITHUB_"))
    }
    env.update(
        GITHUB_STEP_SUMMARY=str(summary),
        GITHUB_OUTPUT=str(outputs),
        GITHUB_BASE_REF="",
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
    )
    completed = subprocess.run(
        [sys.executable, "-m", "aiflang.action"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    return (
        completed.returncode,
        completed.stdout,
        summary.read_text(encoding="utf-8"),
        outputs.read_text(encoding="utf-8"),
    )


def test_step_annotates_summarises_and_fails_on_errors(pull_request: Path) -> None:
    code, stdout, summary, outputs = run_step(pull_request, paths="designs", base="main", root=".")
    assert code == 1
    # One annotation: the changed design breaks its own `require capacity.gpus == 1152`.
    (annotation,) = [line for line in stdout.splitlines() if line.startswith("::")]
    assert annotation.startswith("::error file=designs/pod.aif,line=")
    assert "E601" in annotation
    assert summary.startswith("## aifc\n")
    assert "**❌ invalid**: 1 error(s), 0 warning(s)" in summary
    assert "### `designs/pod.aif`" in summary
    assert "`main:designs/pod.aif`" in summary and "capex +$8,352,000." in summary
    assert "### `designs/new.aif`" in summary and "does not exist at main" in summary
    assert "designs/same.aif" not in summary  # unchanged: not compared
    assert outputs == "errors=1\nwarnings=0\n"


def test_step_exit_zero_and_a_push_without_base(pull_request: Path) -> None:
    code, _, summary, _ = run_step(pull_request, paths="designs", exit_zero="true")
    assert code == 0
    assert "### `" not in summary  # no base: nothing compared


def test_step_on_a_valid_change(pull_request: Path) -> None:
    (pull_request / "designs" / "pod.aif").write_text(DESIGN.read_text(encoding="utf-8"))
    _git(pull_request, "commit", "-qam", "back to 16 racks")
    code, stdout, summary, outputs = run_step(pull_request, paths="designs", base="main")
    assert code == 0 and "::" not in stdout
    assert "**✅ valid**: 0 error(s), 0 warning(s)" in summary
    assert "designs/pod.aif" not in summary  # the same as at main again
    assert outputs == "errors=0\nwarnings=0\n"


def test_step_says_when_the_base_is_missing(pull_request: Path) -> None:
    code, _, summary, _ = run_step(pull_request, paths="designs", base="origin/main")
    assert code == 1
    assert "fetch-depth: 0" in summary


def test_step_notes_the_annotation_cap(pull_request: Path) -> None:
    broken = "".join(f'factory "f{i}" {{\n  hall A {{ it_power = 1 MW }}\n}}\n' for i in range(12))
    (pull_request / "designs" / "broken.aif").write_text(broken, encoding="utf-8")
    code, stdout, summary, _ = run_step(pull_request, paths="designs/broken.aif")
    assert code == 1
    assert len([line for line in stdout.splitlines() if line.startswith("::error")]) >= 12
    assert "GitHub shows 10 error and 10 warning annotations per step" in summary
