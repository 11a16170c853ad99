"""Time `aifc validate` on every family of hostile input, at the file-size limit.

Each family of tests/fuzz/hostile.py is written at full size (just under
1 MiB per file) and validated in a child process; the table shows its exit
code, wall time and the child's own peak resident memory (wait4). The
targets (docs/limits.md): every family answered in at most 5 s and 300 MB,
exit 0, 1 or 2, never 3 (an internal error).

    python benchmarks/bench_hostile.py [--size BYTES] [--only dots,halls] [--timeout 60]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests" / "fuzz"))

from hostile import FAMILIES, FULL, write  # noqa: E402

from bench_scale import command, compile_bytecode, run_child  # noqa: E402

TARGET_SECONDS = 5.0
TARGET_MIB = 300 * 1e6 / 2**20  # 300 MB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=FULL, help="bytes per file (default: full)")
    parser.add_argument("--only", default="", help="comma-separated families (default: all)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before a kill")
    args = parser.parse_args(argv)
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(FAMILIES)
    compile_bytecode()
    argv_, env = command()
    print(f"{'family':<24} {'bytes':>9} {'exit':>4} {'time s':>7} {'peak MiB':>8}  status")
    missed = 0
    with tempfile.TemporaryDirectory() as folder:
        for name in names:
            main_file = write(name, Path(folder) / name, args.size)
            total = sum(p.stat().st_size for p in main_file.parent.iterdir())
            result = run_child([*argv_, str(main_file)], env, timeout=args.timeout)
            ok = (
                not result.timed_out
                and result.code in (0, 1, 2)
                and result.seconds <= TARGET_SECONDS
                and result.peak_mib <= TARGET_MIB
            )
            missed += not ok
            shown = "kill" if result.timed_out else str(result.code)
            print(
                f"{name:<24} {total:>9,} {shown:>4} {result.seconds:>7.2f} "
                f"{result.peak_mib:>8.0f}  {'ok' if ok else 'MISSED'}",
                flush=True,
            )
    print(f"targets: <= {TARGET_SECONDS:g} s, <= 300 MB, exit 0/1/2; {missed} missed")
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
