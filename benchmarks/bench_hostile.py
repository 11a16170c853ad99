"""Time `aifc validate` on every family of hostile input, at the file-size limit.

Each family of tests/fuzz/hostile.py is written at full size (just under
1 MiB per file) and validated in a child process; the table shows its exit
code, wall time, CPU time and the child's own peak resident memory (GNU time). The
targets (docs/limits.md): every family answered in at most 5 s and 300 MB,
exit 0, 1 or 2, never 3 (an internal error).

    python benchmarks/bench_hostile.py [--runs 3] [--size BYTES] [--only dots,halls]

Rounds are interleaved (every family once, then the next round) and the
table shows each family's median time and largest peak memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "fuzz"))

from hostile import FAMILIES, FULL, write  # noqa: E402

from bench_scale import ChildRun, command, compile_bytecode, run_child  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_MIB = 300 * 1e6 / 2**20  # 300 MB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", type=int, default=FULL, help="bytes per file (default: full)")
    parser.add_argument("--only", default="", help="comma-separated families (default: all)")
    parser.add_argument("--runs", type=int, default=3, help="rounds over every family (median)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a kill")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(FAMILIES)
    compile_bytecode()
    argv_, env = command()
    print(f"load average before: {_load()}")
    results: dict[str, list[ChildRun]] = {name: [] for name in names}
    sizes: dict[str, int] = {}
    with tempfile.TemporaryDirectory() as folder:
        files = {name: write(name, Path(folder) / name, args.size) for name in names}
        for name, main_file in files.items():
            sizes[name] = sum(p.stat().st_size for p in main_file.parent.iterdir())
        for _ in range(args.runs):  # interleaved: one run of every family per round
            for name, main_file in files.items():
                results[name].append(run_child([*argv_, str(main_file)], env, args.timeout))
    print(
        f"{'family':<24} {'bytes':>10} {'exit':>4} {'time s':>7} {'cpu s':>6} {'peak MiB':>8}  "
        "status"
    )
    missed = 0
    for name in names:
        runs = results[name]
        seconds = statistics.median(r.seconds for r in runs)
        cpu = statistics.median(r.cpu_seconds for r in runs)
        memory = max(r.peak_mib for r in runs)
        killed = any(r.timed_out for r in runs)
        codes = {r.code for r in runs}
        ok = (
            not killed and codes <= {0, 1, 2} and seconds <= TARGET_SECONDS and memory <= TARGET_MIB
        )
        missed += not ok
        shown = "kill" if killed else ",".join(str(c) for c in sorted(codes))
        print(
            f"{name:<24} {sizes[name]:>10,} {shown:>4} {seconds:>7.2f} {cpu:>6.2f} {memory:>8.0f}  "
            f"{'ok' if ok else 'MISSED'}"
        )
    print(f"load average after: {_load()}")
    print(
        f"targets: <= {TARGET_SECONDS:g} s (median of {args.runs}), <= 300 MB, "
        f"exit 0/1/2; {missed} missed"
    )
    return 1 if missed else 0


def _load() -> str:
    try:
        return " ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:  # pragma: no cover - not on every platform
        return "unknown"


if __name__ == "__main__":
    raise SystemExit(main())
