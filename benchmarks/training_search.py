"""Time the training plan search on the reference designs.

    python benchmarks/training_search.py [--repeat N] [--exhaustive]

Compiles each reference design once to capture the arguments of every plan
search it makes (one per train workload), then reruns each search N times
(default 20) and prints the median CPU time per search and the plans and
step times it evaluated. `--exhaustive` times the unpruned search instead.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "compiler"))

from aiflang import driver  # noqa: E402
from aiflang.models.training import search  # noqa: E402


def captured_searches() -> list[tuple[str, tuple[Any, ...], dict[str, Any]]]:
    """(design, args, kwargs) of every plan search the reference designs make."""
    calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []
    original = search.search_plan
    current = [""]

    def spy(*args: Any, **kwargs: Any) -> Any:
        calls.append((current[0], args, kwargs))
        return original(*args, **kwargs)

    search.search_plan = spy  # type: ignore[assignment]
    try:
        for path in sorted((ROOT / "reference_designs").glob("*.aif")):
            current[0] = path.stem
            driver.compile_file(path)
    finally:
        search.search_plan = original  # type: ignore[assignment]
    return calls


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--exhaustive", action="store_true")
    args = parser.parse_args()
    function = getattr(search, "exhaustive_search", None) if args.exhaustive else None
    function = function or search.search_plan
    for design, call_args, call_kwargs in captured_searches():
        times = []
        for _ in range(args.repeat):
            clear = getattr(search, "clear_cache", None)
            if clear is not None:
                clear()
            start = time.process_time()
            choice = function(*call_args, **call_kwargs)
            times.append(time.process_time() - start)
        label = choice.step.plan.describe() if choice.step is not None else choice.issue[:40]
        print(
            f"{design:24s} {statistics.median(times) * 1e3:7.2f} ms  "
            f"timed {choice.candidates:4d}  {label}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
