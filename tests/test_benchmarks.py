"""The benchmark script's choices that its figures depend on."""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

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


def test_a_childs_peak_memory_is_its_own_not_the_benchmarks() -> None:
    # On Linux a child's wait4 ru_maxrss starts at its parent's size: a benchmark
    # holding 200 MiB reported every child at 200 MiB or more.
    load_run()  # imports bench_scale
    from bench_scale import _GNU_TIME, run_child  # type: ignore[import-not-found]

    if _GNU_TIME is None:
        pytest.skip("GNU time is not installed; the benchmark falls back to wait4")
    ballast = bytearray(200 * 1024 * 1024)
    for index in range(0, len(ballast), 4096):
        ballast[index] = 1
    done = run_child([sys.executable, "-c", "pass"], dict(os.environ))
    assert done.code == 0 and done.peak_mib < 100, done
    del ballast
