"""Sweep throughput: variants per second per core on the process pool and on local Ray.

    python benchmarks/bench_sweep.py [--sizes 1000 10000] [--design PATH]

The sweep varies four inputs of a reference design (the rack generation,
the compute fabric's oversubscription, the PUE and the power price: a 2 x 2
grid times Latin-hypercube samples of the two continuous ones), so each
size is exactly the number of variants asked for. Each backend runs the
same plan from scratch (no results file); Ray runs on a local instance
started here with one CPU per core, its start-up timed apart (a cluster is
started once and serves many sweeps). The rows of the two backends are
compared: they must be identical.

Reported: wall time, variants per second, variants per second per core,
Ray's overhead against the pool (1 - ray rate / pool rate; target under
15%), and the load average before and after (the machine may be shared).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "compiler"))

from aiflang.sweep.engine import read_base  # noqa: E402
from aiflang.sweep.run import Plan, cpu_count, run  # noqa: E402
from aiflang.sweep.space import parse_axis  # noqa: E402

DESIGN = HERE.parent / "reference_designs" / "gb200_two_su.aif"


def plan(size: int, design: Path) -> Plan:
    axes = (
        parse_axis("halls.A.racks=[16 x GB200_NVL72, 16 x GB300_NVL72]"),
        parse_axis("fabrics.compute.oversubscription=[1:1, 2:1]"),
        parse_axis("site.pue=1.1..1.4"),
        parse_axis("site.power_price=0.06..0.09 USD/kWh"),
    )
    return Plan(
        read_base(design),
        axes,
        samples=size // 4,
        seed=1,
        objectives=("tokens_per_s_per_mw", "cost_per_million_tokens_usd"),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--design", type=Path, default=DESIGN)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    cores = cpu_count()
    print(f"{cores} cores, load average {os.getloadavg()[0]:.2f} at start")
    ray = None
    if not args.no_ray:
        import ray as ray_module

        started = time.perf_counter()
        ray_module.init(
            num_cpus=cores,
            logging_level=logging.ERROR,
            log_to_driver=False,
            include_dashboard=False,
        )
        print(f"ray.init (local instance): {time.perf_counter() - started:.1f} s")
        ray = ray_module
    header = f"{'variants':>9}  {'backend':<6} {'wall':>8} {'var/s':>8} {'var/s/core':>10}  note"
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        sweep = plan(size, args.design)
        rates: dict[str, float] = {}
        rows = {}
        for backend in ("pool", "ray") if ray else ("pool",):
            load = os.getloadavg()[0]
            started = time.perf_counter()
            rows[backend] = run(sweep, backend=backend, workers=cores)
            wall = time.perf_counter() - started
            rates[backend] = len(rows[backend]) / wall
            note = f"load {load:.2f}"
            if backend == "ray":
                same = rows["ray"] == rows["pool"]
                overhead = 1 - rates["ray"] / rates["pool"]
                note += f", overhead {overhead:+.1%} vs pool, rows identical: {same}"
            print(
                f"{len(rows[backend]):>9,}  {backend:<6} {wall:>7.1f}s {rates[backend]:>8.1f} "
                f"{rates[backend] / cores:>10.1f}  {note}"
            )
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    if ray is not None:
        ray.shutdown()


if __name__ == "__main__":
    main()
