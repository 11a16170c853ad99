"""Every did-you-mean carries its fix as data, and applying the fix clears the finding."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiflang.diagnostics import Diagnostic, Fix
from aiflang.driver import compile_source

CASES = Path(__file__).resolve().parents[1] / "cases"

CLEAN = """\
gpu big extends H100 { memory = 80 GB }

factory f {
  site { utility = 2 MW, pue = 1.2, power_price = 0.08 USD/kWh }
  hall A {
    it_power  = 1 MW
    positions = 20
    racks     = 4 x DGX_H100_rack
  }
  storage fast { capacity = 1 PB, bandwidth = 1 TB/s, power = 20 kW, hall = A }
  fabric compute {
    technology = infiniband
    connects   = compute
    leaf       = QM9700
    spine      = QM9700
  }
  train "t" { params = 8 billion, tokens = 1 trillion, precision = bf16, storage = fast }
  assumptions { hbm_usable_fraction = 0.9 }
  require capacity.gpus == 128
}
"""

# (what the designer wrote instead, the finding, the fixes it must offer first)
TYPOS = [
    ("memory = 80", "memry = 80", "a gpu has no attribute `memry`", ["memory"]),
    ("USD/kWh", "USD/kWhh", "unknown unit `kWhh` in `power_price`", ["USD/kWh"]),
    ("DGX_H100_rack", "DGX_H100_rackK", "unknown rack `DGX_H100_rackK`", ["DGX_H100_rack"]),
    ("  storage fast", "  storag fast", "unknown block kind `storag`", ["storage"]),
    (
        "= infiniband",
        "= infinibandd",
        "`technology` = infinibandd is not a technology aifc knows",
        ["infiniband"],
    ),
    (
        "hbm_usable_fraction",
        "hbm_usable_fractoin",
        "unknown assumption `hbm_usable_fractoin`",
        ["hbm_usable_fraction"],
    ),
    ("hall = A", "hall = AA", "unknown hall `AA`", ["hall = A"]),
    ("storage = fast", "storage = fsat", "unknown storage `fsat`", ["storage = fast"]),
    ("capacity.gpus", "capacity.gpuss", "requirement path capacity.gpuss", ["gpus"]),
    ("connects   = compute", "connects   = compte", "fabric 'compute' connects", None),
]


def _apply(text: str, fix: Fix) -> str:
    return text[: fix.span.offset] + fix.replacement + text[fix.span.end_offset :]


def _errors(text: str, root: Path) -> list[str]:
    return [d.message for d in compile_source(text, root=root).diagnostics if d.is_error]


def test_the_clean_design_is_valid(tmp_path: Path) -> None:
    assert _errors(CLEAN, tmp_path) == []


@pytest.mark.parametrize(("right", "wrong", "message", "expected"), TYPOS)
def test_each_kind_of_typo_offers_the_exact_replacement(
    tmp_path: Path, right: str, wrong: str, message: str, expected: list[str] | None
) -> None:
    assert CLEAN.count(right) == 1
    text = CLEAN.replace(right, wrong)
    found = [d for d in compile_source(text, root=tmp_path).diagnostics if message in d.message]
    assert len(found) == 1, [d.message for d in compile_source(text, root=tmp_path).diagnostics]
    diagnostic = found[0]
    replacements = [f.replacement for f in diagnostic.fixes]
    if expected is not None:
        assert replacements[: len(expected)] == expected
    # Applying the first fix gives back a valid design.
    assert _errors(_apply(text, diagnostic.fixes[0]), tmp_path) == []


def _did_you_mean(path: Path) -> list[tuple[Path, Diagnostic]]:
    compilation = compile_source(path.read_text(encoding="utf-8"), root=path.parent, name=path.name)
    return [
        (path, d)
        for d in compilation.diagnostics
        if d.help and "did you mean" in d.help and d.span and d.span.file.endswith(path.name)
    ]


CASE_FINDINGS = [
    pytest.param(path, d, id=f"{path.relative_to(CASES)}:{d.span.line if d.span else 0}:{d.code}")
    for path in sorted(CASES.rglob("*.aif"))
    for path, d in _did_you_mean(path)
]


@pytest.mark.parametrize(("path", "diagnostic"), CASE_FINDINGS)
def test_every_did_you_mean_in_the_cases_has_a_fix_that_works(
    path: Path, diagnostic: Diagnostic
) -> None:
    assert diagnostic.fixes, f"{diagnostic.message}: help offers a name but no fix"
    text = path.read_text(encoding="utf-8")
    fixed = _apply(text, diagnostic.fixes[0])
    after = compile_source(fixed, root=path.parent, name=path.name).diagnostics
    assert (diagnostic.code, diagnostic.message) not in {(d.code, d.message) for d in after}


def test_the_cases_hold_did_you_means() -> None:
    # Guards the parametrised test above from passing on an empty list.
    assert len(CASE_FINDINGS) >= 3
