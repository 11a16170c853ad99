"""Sweep throughput: variants per second per core on the process pool and on local Ray.

    python benchmarks/bench_sweep.py [--sizes 1000 10000] [--design PATH]

The sweep varies four inputs of a reference design (the rack generation,
the compute fabric's oversubscription, the PUE and the power price: a 2 x 2
grid times Latin-hypercube samples of the two continuous ones), so each
size is exactly the number of variants asked for. Each backend runs the
same plan from scratch (no results file). Up to `--serial-up-to` variants
the plan also runs in this one process, twice: as `aifc sweep --serial`
does, and with the fabric topology analyses recomputed for every variant
(their memo disabled), which shows what the memo saves. Ray runs on a
local instance started here with one CPU per core, its start-up timed
apart (a cluster is started once and serves many sweeps); at 1,000
variants a second Ray run on the same instance shows the warm case
(workers that already imported aiflang and parsed the design). Every
run's rows are compared with the pool's: they must be identical.

Reported: wall time, variants per second, variants per second per core
(a serial run is on one core), Ray's overhead against the pool (1 - ray
rate / pool rate; target under 15%), and the load average before and after
(the machine may be shared).
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

from aiflang.models import topology  # noqa: E402
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


class _Forgetful(dict[str, object]):
    """A memo that never keeps anything: every variant redoes its topology analyses."""

    def __setitem__(self, key: str, value: object) -> None:
        pass


def _timed_serial(sweep: Plan, memo: bool) -> tuple[list[object], float]:
    saved = topology._ANALYSED
    topology._ANALYSED = saved if memo else _Forgetful()  # type: ignore[assignment]
    try:
        saved.clear()
        started = time.perf_counter()
        rows = run(sweep, backend="serial")
        return list(rows), time.perf_counter() - started
    finally:
        topology._ANALYSED = saved


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--design", type=Path, default=DESIGN)
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument(
        "--warm-up-to", type=int, default=1000, help="also time a warm Ray run up to this size"
    )
    parser.add_argument(
        "--serial-up-to",
        type=int,
        default=1000,
        help="also time one process, with and without the topology memo, up to this size",
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
        if size <= args.serial_up_to:
            runs += ["serial", "no-memo"]
        if ray:
            # A cluster's workers are fresh processes the first time (they import aiflang
            # and parse the design); a second sweep on the same cluster finds them warm.
            runs += ["ray", "ray-warm"] if size <= args.warm_up_to else ["ray"]
        for label in runs:
            backend = "ray" if label.startswith("ray") else label
            load = os.getloadavg()[0]
            if label in ("serial", "no-memo"):
                found, wall = _timed_serial(sweep, memo=label == "serial")
                used = 1
            else:
                started = time.perf_counter()
                found = list(run(sweep, backend=backend, workers=cores))
                wall = time.perf_counter() - started
                used = cores
            rows[label] = found
            rates[label] = len(found) / wall
            note = f"load {load:.2f}"
            if label != "pool":
                note += f", rows identical to the pool's: {found == rows['pool']}"
            if label == "no-memo":
                note += f", the memo saves {1 - rates['no-memo'] / rates['serial']:.0%}"
            if backend == "ray":
                overhead = 1 - rates[label] / rates["pool"]
                note += f", overhead {overhead:+.1%} vs pool"
            print(
                f"{len(found):>9,}  {label:<8} {wall:>7.1f}s {rates[label]:>8.1f} "
                f"{rates[label] / used:>10.1f}  {note}"
            )
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    if ray is not None:
        ray.shutdown()


if __name__ == "__main__":
    main()
