"""A process keeps the serving sweeps it has run (an editor compiles a design again at
every edit): a warm compile must report exactly what a cold one does, the assumptions it
used included."""

from __future__ import annotations

from pathlib import Path

from aiflang.analyses import serving
from aiflang.driver import build_reports, compile_file
from aiflang.render.json_report import dumps

ROOT = Path(__file__).resolve().parents[2]
SERVING = [
    p
    for p in sorted((ROOT / "reference_designs").glob("*.aif"))
    if "serve " in p.read_text(encoding="utf-8")
]


def _json(path: Path) -> list[str]:
    return [dumps(report) for report in build_reports(compile_file(path))]


def test_a_warm_compile_reports_what_a_cold_one_does() -> None:
    assert len(SERVING) >= 8
    cold: dict[Path, list[str]] = {}
    for path in SERVING:
        serving.clear_recent_sweeps()
        cold[path] = _json(path)
    for path in SERVING:  # every design's sweeps are now in the process, and others' too
        _json(path)
    for path in reversed(SERVING):
        assert _json(path) == cold[path], path.name


def test_the_process_keeps_a_bounded_number_of_sweeps() -> None:
    for path in SERVING:
        _json(path)
    assert len(serving._RECENT) <= serving.RECENT_SWEEPS
