"""Sweep throughput: variants per second per core on the process pool and on local Ray.

    python benchmarks/bench_sweep.py [--sizes 1000 10000] [--design PATH]

The sweep varies four inputs of a reference design (the rack generation,
the compute fabric's oversubscription, the PUE and the power price: a 2 x 2
grid times Latin-hypercube samples of the two continuous ones), so each
size is exactly the number of variants asked for. Each backend runs the
same plan from scratch (no results file); Ray runs on a local instance
started here with one CPU per core, its start-up timed apart (a cluster is
started once and serves many sweeps); at 1,000 variants a second Ray run on
the same instance shows the warm case (workers that already imported
aiflang and parsed the design). The rows of the two backends are
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
    parser.add_argument(
        "--warm-up-to", type=int, default=1000, help="also time a warm Ray run up to this size"
    )
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
    header = f"{'variants':>9}  {'backend':<8} {'wall':>8} {'var/s':>8} {'var/s/core':>10}  note"
    print(header)
    print("-" * len(header))
    for size in args.sizes:
        sweep = plan(size, args.design)
        rates: dict[str, float] = {}
        rows = {}
        runs = ["pool"]
        if ray:
            # A cluster's workers are fresh processes the first time (they import aiflang
            # and parse the design); a second sweep on the same cluster finds them warm.
            runs += ["ray", "ray-warm"] if size <= args.warm_up_to else ["ray"]
        for label in runs:
            backend = "ray" if label.startswith("ray") else label
            load = os.getloadavg()[0]
            started = time.perf_counter()
            rows[label] = run(sweep, backend=backend, workers=cores)
            wall = time.perf_counter() - started
            rates[label] = len(rows[label]) / wall
            note = f"load {load:.2f}"
            if backend == "ray":
                same = rows[label] == rows["pool"]
                overhead = 1 - rates[label] / rates["pool"]
                note += f", overhead {overhead:+.1%} vs pool, rows identical: {same}"
            print(
                f"{len(rows[label]):>9,}  {label:<8} {wall:>7.1f}s {rates[label]:>8.1f} "
                f"{rates[label] / cores:>10.1f}  {note}"
            )
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    if ray is not None:
        ray.shutdown()


if __name__ == "__main__":
    main()
