"""The benchmark script's choices that its figures depend on."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def load_run() -> ModuleType:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        spec = importlib.util.spec_from_file_location("bench_run", ROOT / "benchmarks" / "run.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules["bench_run"] = module  # its dataclasses look their module up
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))


def test_quick_keeps_the_rounds_asked_for() -> None:
    # `--quick --runs 9` once ran a single round.
    run = load_run()
    assert run.rounds(9, quick=True) == 9
    assert run.rounds(None, quick=True) == 1
    assert run.rounds(None, quick=False) == 5
