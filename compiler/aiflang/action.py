"""The GitHub Action's step (`python -m aiflang.action`, run by action.yml).

It reads the action's inputs from the environment (`INPUT_PATHS`,
`INPUT_BASE`, `INPUT_STRICT`, `INPUT_ROOT`, `INPUT_EXIT_ZERO`; action.yml
passes them as environment variables, never inside the script text), then:

1. validates the paths with `aifc validate --format github`, so each finding
   is an annotation on the pull request; GitHub shows at most 10 error and
   10 warning annotations per step (and 50 per job), so the summary says
   when findings were left out of the annotations;
2. writes a job summary (`GITHUB_STEP_SUMMARY`): the findings' counts, then
   for every design the change touches (`git diff BASE...HEAD`) the Markdown
   of `aifc compare FILE --base BASE`; a design new since BASE or a library
   with no factory is listed, not compared;
3. sets the step's outputs `errors` and `warnings` (`GITHUB_OUTPUT`) and
   exits as `aifc validate` did (0 valid, 1 invalid), or 0 with `exit-zero`.

The base defaults to the pull request's base branch (`origin/$GITHUB_BASE_REF`);
without one (a push), nothing is compared. Every aifc command runs as a
subprocess, exactly as a user would type it.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

ANNOTATIONS_PER_STEP = 10  # of each of error and warning (GitHub Actions, per step)
SUMMARY_LIMIT_BYTES = 1024 * 1024  # GitHub's limit on one step's summary
GIT_TIMEOUT_S = 60


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes")


def _aifc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiflang", *args], capture_output=True, text=True, check=False
    )


def _base() -> str:
    given = os.environ.get("INPUT_BASE", "").strip()
    if given:
        return given
    branch = os.environ.get("GITHUB_BASE_REF", "").strip()
    return f"origin/{branch}" if branch else ""


def changed_designs(base: str, paths: list[str]) -> tuple[list[str], str | None]:
    """The .aif files under `paths` that differ from `base`, or a problem to report."""
    completed = subprocess.run(
        ["git", "diff", "--name-only", "--diff-filter=AMR", f"{base}...HEAD", "--", *paths],
        capture_output=True,
        text=True,
        check=False,
        timeout=GIT_TIMEOUT_S,
    )
    if completed.returncode != 0:
        problem = completed.stderr.strip().splitlines()[-1:] or ["git diff failed"]
        return [], (
            f"cannot list the files changed since `{base}` ({problem[0]}); check out with "
            "`fetch-depth: 0` so the base branch is there"
        )
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"], capture_output=True, text=True, check=False
    ).stdout.strip()
    files = []
    for name in completed.stdout.splitlines():
        if name.endswith(".aif"):
            path = Path(top, name) if top else Path(name)
            files.append(os.path.relpath(path))
    return sorted(files), None


def _summary_of_findings(report: dict[str, object]) -> list[str]:
    errors, warnings = int(str(report["error_count"])), int(str(report["warning_count"]))
    verdict = "✅ valid" if report["valid"] else "❌ invalid"
    lines = [f"**{verdict}**: {errors} error(s), {warnings} warning(s)", ""]
    if errors > ANNOTATIONS_PER_STEP or warnings > ANNOTATIONS_PER_STEP:
        lines += [
            f"> GitHub shows {ANNOTATIONS_PER_STEP} error and {ANNOTATIONS_PER_STEP} warning "
            "annotations per step; the others are in this step's log "
            "(`aifc validate --format text` lists them all).",
            "",
        ]
    return lines


def main() -> int:
    paths = shlex.split(os.environ.get("INPUT_PATHS", ".")) or ["."]
    root = os.environ.get("INPUT_ROOT", "").strip()
    options = ["--root", root] if root else []
    strict = ["--strict"] if _flag("INPUT_STRICT") else []
    annotations = _aifc("validate", "--format", "github", *strict, *options, *paths)
    sys.stdout.write(annotations.stdout)
    sys.stderr.write(annotations.stderr)
    if annotations.returncode not in (0, 1):
        return annotations.returncode  # a usage problem or a bug: its message is above
    counted = _aifc("validate", "--format", "json", *options, *paths)
    report = json.loads(counted.stdout)
    summary = ["## aifc", "", *_summary_of_findings(report)]
    base = _base()
    if base:
        files, problem = changed_designs(base, paths)
        if problem:
            summary += [f"> {problem}", ""]
        elif not files:
            summary += [f"No design changed since `{base}`.", ""]
        for file in files:
            compared = _aifc("compare", file, "--base", base, "--format", "md", *options)
            if compared.returncode in (0, 1):
                summary += [f"### `{file}`", "", compared.stdout]
            else:
                reason = (compared.stderr.strip().splitlines() or ["not compared"])[-1]
                summary += [
                    f"### `{file}`",
                    "",
                    f"Not compared: {reason.removeprefix('aifc: ')}",
                    "",
                ]
    _write_summary("\n".join(summary) + "\n")
    _set_outputs(errors=report["error_count"], warnings=report["warning_count"])
    return 0 if _flag("INPUT_EXIT_ZERO") else annotations.returncode


def _write_summary(text: str) -> None:
    target = os.environ.get("GITHUB_STEP_SUMMARY")
    data = text.encode("utf-8")
    if len(data) > SUMMARY_LIMIT_BYTES:
        note = (
            "\n\n> The summary was cut at GitHub's 1 MiB limit; run aifc locally for all of it.\n"
        )
        keep = SUMMARY_LIMIT_BYTES - len(note.encode("utf-8"))
        text = data[:keep].decode("utf-8", errors="ignore") + note
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)


def _set_outputs(**values: object) -> None:
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        return
    with open(target, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            handle.write(f"{name}={value}\n")


if __name__ == "__main__":
    sys.exit(main())
