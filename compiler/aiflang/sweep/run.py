"""Run a sweep: variants in batches, on a local process pool or on Ray, resumable.

The variants are generated lazily in their fixed order; each gets a key
(`engine.variant_key`: the base design's digest and its settings, hashed).
A results file (JSON lines, one finished variant a line, appended and
flushed per batch) is read first, and a variant whose key it holds is not
computed again: an interrupted sweep resumes where it stopped, and a
truncated last line (a write cut off) is ignored. The rows come back
sorted by variant index, so the table does not depend on which worker
finished first.

Backends: `serial` (in this process), `pool` (a process pool of every
core, the default) and `ray` (`ray.init(address=...)`: `auto` for a
running cluster, or an address). Work is sent in batches of variants, and
only a few batches per worker are in flight, so memory stays bounded for a
million variants and scheduling costs little per variant. Each worker
rebuilds the parsed base design once (`engine.evaluate_batch`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from aiflang.sweep.engine import BaseSpec, Row, evaluate_batch, variant_key
from aiflang.sweep.space import Axis, Variant, space_size, variants

BACKENDS = ("pool", "serial", "ray")
Batch = list[tuple[int, tuple[tuple[str, str], ...]]]
Progress = Callable[[int, int], None]  # (done, total)


class RunError(RuntimeError):
    """A sweep that cannot run (Ray missing or unreachable), said in one line."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What to sweep: the base design, the axes and how to sample them, what to read."""

    spec: BaseSpec
    axes: tuple[Axis, ...]
    samples: int | None = None
    seed: int = 0
    method: str = "lhs"
    objectives: tuple[str, ...] = ()

    @property
    def size(self) -> int:
        return space_size(self.axes, self.samples)

    def variants(self) -> Iterator[Variant]:
        return variants(self.axes, samples=self.samples, seed=self.seed, method=self.method)


def cpu_count() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def load_results(path: Path) -> dict[str, Row]:
    """The rows a results file holds, by key; a damaged line (a cut-off write) is skipped."""
    rows: dict[str, Row] = {}
    try:
        handle = path.open(encoding="utf-8")
    except FileNotFoundError:
        return rows
    with handle:
        for line in handle:
            try:
                row = Row.from_json(json.loads(line))
            except (ValueError, KeyError, TypeError):
                continue
            rows[row.key] = row
    return rows


def _ends_mid_line(path: Path) -> bool:
    with path.open("rb") as handle:
        if handle.seek(0, os.SEEK_END) == 0:
            return False
        handle.seek(-1, os.SEEK_END)
        return handle.read(1) != b"\n"


def _pending(plan: Plan, done: dict[str, Row], found: dict[int, Row]) -> Iterator[Variant]:
    digest = plan.spec.digest
    for variant in plan.variants():
        stored = done.get(variant_key(digest, variant.values))
        # A row stored by a sweep with other objectives lacks this one's values (an
        # objective may be any report path): it is computed again, and the new line wins.
        if stored is not None and all(path in stored.objectives for path in plan.objectives):
            # A stored row keeps its figures; its index is this run's (the order may differ).
            found[variant.index] = _reindexed(stored, variant.index)
        else:
            yield variant


def _reindexed(row: Row, index: int) -> Row:
    if row.index == index:
        return row
    data = row.as_json()
    data["index"] = index
    return Row.from_json(data)


def _batches(pending: Iterable[Variant], size: int) -> Iterator[Batch]:
    batch: Batch = []
    for variant in pending:
        batch.append((variant.index, variant.values))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def batch_size(total: int, workers: int) -> int:
    """Enough variants per batch that a batch costs far more than its scheduling
    (about 0.3 s at 10 ms a variant), and enough batches to keep every worker busy."""
    return max(1, min(32, total // max(1, workers * 4)))


def run(
    plan: Plan,
    *,
    results: Path | None = None,
    backend: str = "pool",
    workers: int | None = None,
    ray_address: str = "auto",
    size: int | None = None,
    progress: Progress | None = None,
) -> list[Row]:
    """Evaluate every variant of `plan` not already in `results`; all rows, by index."""
    done = load_results(results) if results is not None else {}
    found: dict[int, Row] = {}
    total = plan.size
    workers = workers or cpu_count()
    pending = _pending(plan, done, found)
    batches = _batches(pending, size or batch_size(total, workers))
    sink: IO[str] | None = None
    if results is not None:
        results.parent.mkdir(parents=True, exist_ok=True)
        sink = results.open("a", encoding="utf-8")
        if _ends_mid_line(results):
            sink.write("\n")  # a write cut off: start a fresh line, so the next row stays whole
    finished = 0

    def collect(rows: list[dict[str, Any]]) -> None:
        nonlocal finished
        for data in rows:
            row = Row.from_json(data)
            found[row.index] = row
            if sink is not None:
                sink.write(json.dumps(data, separators=(",", ":")) + "\n")
        if sink is not None:
            sink.flush()
        finished = len(found)
        if progress is not None:
            progress(finished, total)

    try:
        if backend == "serial":
            for batch in batches:
                collect(evaluate_batch(plan.spec, batch, plan.objectives))
        elif backend == "pool":
            _run_pool(plan, batches, workers, collect)
        elif backend == "ray":
            _run_ray(plan, batches, ray_address, collect)
        else:
            raise RunError(f"unknown backend {backend!r}; one of {', '.join(BACKENDS)}")
    finally:
        if sink is not None:
            sink.close()
    if progress is not None:
        progress(len(found), total)
    return [found[i] for i in sorted(found)]


def _run_pool(
    plan: Plan,
    batches: Iterator[Batch],
    workers: int,
    collect: Callable[[list[dict[str, Any]]], None],
) -> None:
    _warm()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        in_flight: set[Future[list[dict[str, Any]]]] = set()
        for batch in batches:
            in_flight.add(pool.submit(evaluate_batch, plan.spec, batch, plan.objectives))
            if len(in_flight) >= workers * 2:
                finished, in_flight = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in sorted(finished, key=id):
                    collect(future.result())
        for future in _as_done(in_flight):
            collect(future.result())


def _warm() -> None:
    """Import the analyses here, so workers forked from this process start with them."""
    from aiflang.driver import pipeline

    pipeline()
    import networkx  # noqa: F401  (the fabric analyses' graphs)


def _as_done(
    futures: set[Future[list[dict[str, Any]]]],
) -> Iterator[Future[list[dict[str, Any]]]]:
    while futures:
        finished, futures = wait(futures, return_when=FIRST_COMPLETED)
        yield from finished


def _run_ray(
    plan: Plan,
    batches: Iterator[Batch],
    address: str,
    collect: Callable[[list[dict[str, Any]]], None],
) -> None:
    try:
        import ray
    except ImportError:
        raise RunError("--ray needs Ray: pip install 'aiflang[ray]'") from None
    if not ray.is_initialized():
        try:
            ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
        except (ConnectionError, RuntimeError, ValueError) as error:
            raise RunError(f"--ray {address}: cannot reach a Ray cluster ({error})") from None
    remote = ray.remote(evaluate_batch)
    spec = ray.put(plan.spec)
    workers = max(1, int(ray.cluster_resources().get("CPU", 1)))
    in_flight: list[Any] = []
    for batch in batches:
        in_flight.append(remote.remote(spec, batch, plan.objectives))
        if len(in_flight) >= workers * 2:
            ready, in_flight = ray.wait(in_flight, num_returns=1)
            for ref in ready:
                collect(ray.get(ref))
    while in_flight:
        ready, in_flight = ray.wait(in_flight, num_returns=1)
        for ref in ready:
            collect(ray.get(ref))


def evaluate_all(
    spec: BaseSpec, variants: Sequence[Variant], objectives: Sequence[str]
) -> list[Row]:
    """Evaluate variants in this process (the uncertainty engine's small runs)."""
    return [
        Row.from_json(data)
        for data in evaluate_batch(spec, [(v.index, v.values) for v in variants], objectives)
    ]
