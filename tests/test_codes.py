"""The registry of diagnostic codes is complete and alive.

Every code the compiler emits is registered (a typed constant; checked here
on the source too), every case file expects only registered codes, and
every registered code is expected by some case in tests/cases or, where a
case file cannot hold the input (bytes that are not UTF-8, a file over the
size limit), by a trigger compiled here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from aiflang.diagnostics import MAX_DIAGNOSTICS_PER_FAMILY
from aiflang.diagnostics.codes import CODES
from aiflang.driver import compile_file
from aiflang.syntax.parser import MAX_FILE_BYTES
from test_cases import case_files, expectations

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "compiler" / "aiflang"

# Inputs a case file cannot hold (or could hold only as a wall of expected
# comments), with the code each must draw.
TRIGGERS: dict[str, bytes] = {
    "E101": b'factory "f" {\n  site { pue = 1.2 \xff }\n}\n',
    "E108": b"# " + b"x" * (MAX_FILE_BYTES + 1),
    # More W1 warnings than the per-family cap: a stale suppression
    # (W101) on MAX_DIAGNOSTICS_PER_FAMILY + 10 lines.
    "W103": b"# aifc: ignore[W401]\n" * (MAX_DIAGNOSTICS_PER_FAMILY + 10) + b'factory "f" {\n}\n',
}


def _cased() -> set[str]:
    return {
        code for path in case_files() for items in expectations(path).values() for code, _ in items
    }


def _emitted_in_source() -> set[str]:
    """Codes the package reports, read from its source: `codes.E402`, or a quoted
    "E301" where a model (which may not import the registry) names its finding."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        if path.name == "codes.py":
            continue
        text = path.read_text(encoding="utf-8")
        for constant, quoted in re.findall(r"\bcodes\.([EW]\d{3})\b|\"([EW]\d{3})\"", text):
            found.add(constant or quoted)
    return found


def test_every_code_the_source_emits_is_registered() -> None:
    assert _emitted_in_source() - set(CODES) == set()


def test_every_registered_code_is_emitted_by_the_source() -> None:
    assert set(CODES) - _emitted_in_source() == set()


def test_cases_expect_only_registered_codes() -> None:
    assert _cased() - set(CODES) == set()


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_triggers_draw_their_code(code: str, tmp_path: Path) -> None:
    path = tmp_path / "t.aif"
    path.write_bytes(TRIGGERS[code])
    assert code in {d.code for d in compile_file(path).diagnostics}


def test_every_registered_code_has_a_case_or_a_trigger() -> None:
    missing = set(CODES) - _cased() - set(TRIGGERS)
    assert missing == set(), f"codes no test case draws: {sorted(missing)}"
