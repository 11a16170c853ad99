"""Inline-expectation cases: tests/cases/**/*.aif.

A comment on a line states what the compiler must report there:
`# E: <message fragment> [E203]` for an error, `# W: ... [W401]` for a
warning; several may share a line. Every expected diagnostic must be
reported on that line with that code and a message containing the fragment,
and nothing else may be reported. Set AIFC_UPDATE_CASES=1 to rewrite the
expectations from what the compiler reports (then review the diff).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from aiflang.driver import compile_file

CASES = Path(__file__).parent / "cases"
EXPECTATION = re.compile(r"([EW]): (.*?) \[([EW]\d{3})\]")
MARKER = re.compile(r"\s*# [EW]: .*$")


def case_files() -> list[Path]:
    return sorted(CASES.rglob("*.aif"))


def expectations(path: Path) -> dict[int, list[tuple[str, str]]]:
    found: dict[int, list[tuple[str, str]]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        if "# E:" not in line and "# W:" not in line:
            continue
        marker = line[line.index("# E:" if "# E:" in line else "# W:") :]
        for _kind, fragment, code in EXPECTATION.findall(marker):
            found.setdefault(number, []).append((code, fragment))
    return found


def reported(path: Path) -> list[tuple[int, str, str]]:
    compilation = compile_file(path, root=CASES)
    result = []
    for diagnostic in compilation.diagnostics:
        span = diagnostic.span
        if span is None or Path(span.file).resolve() != path.resolve():
            continue
        result.append((span.line, diagnostic.code, diagnostic.message))
    return result


def _update(path: Path, found: list[tuple[int, str, str]]) -> None:
    lines = [MARKER.sub("", line) for line in path.read_text(encoding="utf-8").split("\n")]
    for line, code, message in found:
        kind = "W" if code.startswith("W") else "E"
        lines[line - 1] += f"  # {kind}: {message} [{code}]"
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("path", case_files(), ids=lambda p: str(p.relative_to(CASES)))
def test_case(path: Path) -> None:
    found = reported(path)
    if os.environ.get("AIFC_UPDATE_CASES") == "1":
        _update(path, found)
        return
    expected = expectations(path)
    problems = []
    for line, items in expected.items():
        for code, fragment in items:
            if not any(at == line and c == code and fragment in m for at, c, m in found):
                got = [f"{c}: {m}" for at, c, m in found if at == line] or ["nothing"]
                problems.append(f"line {line}: expected {code} {fragment!r}, got {got}")
    for line, code, message in found:
        if not any(c == code for c, _ in expected.get(line, [])):
            problems.append(f"line {line}: unexpected {code}: {message}")
    assert not problems, "\n".join(problems)


def test_every_front_end_code_has_a_case() -> None:
    covered = {
        code for path in case_files() for items in expectations(path).values() for code, _ in items
    }
    front_end = {
        "E102",
        "E103",
        "E104",
        "E105",
        "E107",
        "E201",
        "E202",
        "E203",
        "E204",
        "E205",
        "E206",
        "E207",
        "E208",
        "E209",
        "E210",
        "E211",
        "E212",
        "E213",
        "E214",
        "E216",
        "E106",
    }
    assert front_end <= covered, f"codes without a case: {sorted(front_end - covered)}"
