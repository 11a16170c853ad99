"""Time `aifc validate` on GB200 NVL72 factories from 1k to 1M GPUs.

Runs the installed `aifc` when it is on PATH, else `python -m aiflang`,
as a subprocess: the median wall time of several runs and the peak
resident memory of the children (GNU time's, see `run_child`). Prints a table and checks the
scaling target: 500k GPUs within 3x of 1k and under 3 s.

    python benchmarks/bench_scale.py [--runs 5] [--sizes 1k,500k]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gen_factory import SIZES, generate  # noqa: E402

TARGET_RATIO = 3.0
TARGET_SECONDS = 3.0


def command() -> tuple[list[str], dict[str, str]]:
    """The validate command and its environment."""
    env = dict(os.environ)
    installed = shutil.which("aifc")
    if installed:
        return [installed, "validate"], env
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(HERE.parent / "compiler"), env.get("PYTHONPATH", "")) if p
    )
    return [sys.executable, "-m", "aiflang", "validate"], env


@dataclass(frozen=True, slots=True)
class ChildRun:
    """One finished (or killed) child: exit code, wall seconds, its own peak memory and CPU."""

    code: int
    seconds: float
    peak_mib: float
    timed_out: bool = False
    cpu_seconds: float = 0.0  # user + system, the child's own


def run_child(argv: list[str], env: dict[str, str], timeout: float = 600.0) -> ChildRun:
    """Run `argv` with output discarded; wall time, CPU time and the child's own peak RSS.

    The peak comes from GNU time (`%M`) when it is installed: on Linux a
    child's ru_maxrss, from wait4 or getrusage alike, starts at the resident
    size of the process that forked it (the high-water mark survives exec),
    so a child of this script never reported less than the script's own
    memory. GNU time is a small process; what it reports is the child's.
    Without it, wait4's figure is used, an upper bound. CPU time is wait4's
    (it includes the children the process waited for). A child still running
    after `timeout` seconds is killed with its process group and reported as
    timed out.
    """
    report = None
    if _GNU_TIME is not None:
        descriptor, report = tempfile.mkstemp(prefix="aifc-peak-")
        os.close(descriptor)
        argv = [_GNU_TIME, "-f", "%M", "-o", report, *argv]
    start = time.perf_counter()
    child = subprocess.Popen(
        argv,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    timed_out = False
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > timeout:
            os.killpg(child.pid, 9)
            timed_out = True
            _, status, usage = os.wait4(child.pid, 0)
            break
        time.sleep(0.002)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    cpu = usage.ru_utime + usage.ru_stime
    peak = usage.ru_maxrss / 1024
    if report is not None:
        peak = _reported_peak(report, peak)
    return ChildRun(child.returncode, seconds, peak, timed_out, cpu)


def _gnu_time() -> str | None:
    """The path of GNU time, when it is installed and takes `-f` and `-o`."""
    found = shutil.which("time")
    if found is None:
        return None
    try:
        done = subprocess.run(
            [found, "-f", "%M", "-o", os.devnull, "true"], capture_output=True, check=False
        )
    except OSError:
        return None
    return found if done.returncode == 0 else None


def _reported_peak(report: str, fallback: float) -> float:
    """GNU time's `%M` (KiB) in MiB, from its output file; `fallback` when unreadable."""
    try:
        lines = Path(report).read_text(encoding="utf-8").split()
        return int(lines[-1]) / 1024 if lines else fallback
    except (OSError, ValueError):
        return fallback
    finally:
        Path(report).unlink(missing_ok=True)


_GNU_TIME = _gnu_time()


def compile_bytecode() -> None:
    """Compile aifc's bytecode once, before any timing, with the interpreter aifc runs on.

    A checkout run with PYTHONDONTWRITEBYTECODE set would otherwise compile
    every module on every run, which is not what an installed aifc pays.
    """
    argv, env = command()
    python = argv[0]
    if argv[1:2] != ["-m"]:  # an installed script: its interpreter is on the #! line
        first = Path(argv[0]).read_bytes().split(b"\n", 1)[0]
        if first.startswith(b"#!"):
            python = first[2:].decode().strip()
    script = (
        "import compileall, pathlib, aiflang; "
        "compileall.compile_dir(pathlib.Path(aiflang.__file__).parent, quiet=1)"
    )
    subprocess.run([python, "-c", script], env=env, check=False, capture_output=True)


def measure(path: Path, runs: int) -> tuple[float, float, int]:
    """Median seconds, peak resident memory of one run in MiB, exit code of the last run."""
    argv, env = command()
    results = [run_child([*argv, str(path)], env) for _ in range(runs)]
    return (
        statistics.median(r.seconds for r in results),
        max(r.peak_mib for r in results),
        results[-1].code,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default=",".join(SIZES))
    args = parser.parse_args(argv)
    labels = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    results: dict[str, float] = {}
    print(f"{'GPUs':>10}  {'median s':>9}  {'x 1k':>6}  {'peak MiB':>9}  exit")
    with tempfile.TemporaryDirectory() as folder:
        for label in labels:
            path = Path(folder) / f"gb200-{label}.aif"
            path.write_text(generate(SIZES[label]), encoding="utf-8")
            seconds, peak, code = measure(path, args.runs)
            results[label] = seconds
            ratio = seconds / results["1k"] if "1k" in results else float("nan")
            print(f"{SIZES[label]:>10,}  {seconds:>9.3f}  {ratio:>6.2f}  {peak:>9.1f}  {code}")
    if "1k" in results and "500k" in results:
        ratio = results["500k"] / results["1k"]
        ok = ratio <= TARGET_RATIO and results["500k"] < TARGET_SECONDS
        print(
            f"500k / 1k = {ratio:.2f} (target <= {TARGET_RATIO:g}), "
            f"500k in {results['500k']:.2f} s (target < {TARGET_SECONDS:g} s): "
            + ("met" if ok else "MISSED")
        )
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
