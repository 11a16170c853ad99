"""Replica search and the operating point: which shape, which batch, and what binds it.

Every candidate shape that holds the model gets its curve
(`curve.shape_curve`); the workload's curve is their Pareto front. The
operating point is the point of highest output tokens/s per GPU that meets
the target:

- `user_rate`: each user sees at least this many tokens/s (a / step);
- `ttft_limit`, `tpot_limit`: latency limits, TTFT at `ttft_quantile`
  (0.9 unless stated; MLPerf's limits are at 0.99) and TPOT at
  `tpot_quantile` over requests (the mean unless stated; MLPerf's limit is
  at 0.99: `tpot` gives the spread);
- none of them: the largest batch that runs (an offline batch).

A faster user rate needs a smaller batch, so per shape the largest batch
that meets the target is found by bisection between swept points, and the
best of the points up to it is kept: among those within 0.1% of the most
tokens/s per GPU, the smallest batch (on a flat, compute-bound stretch a
larger batch only slows every user). The binding limit is what stops the
batch from growing: the batch limit (KV capacity, the engine's cap, the
token budget) when the point sits at it, the target it would miss, or the
step's largest term (compute, memory, communication, floor) when more
batch would not add throughput.
"""

from __future__ import annotations

import math

from aiflang.models.serving.capacity import BatchLimit
from aiflang.models.serving.curve import CurvePoint, Setup, evaluate, pareto, shape_curve
from aiflang.models.serving.shape import ReplicaShape
from aiflang.records import record

_RATE_TOLERANCE = 1e-9
_FLAT = 1e-3  # throughputs this close count as equal


@record
class Target:
    """What the operating point must meet; all None is an offline batch."""

    user_rate: float | None = None
    ttft_limit_s: float | None = None
    tpot_limit_s: float | None = None
    ttft_quantile: float = 0.9
    tpot_quantile: float | None = None  # None: the mean TPOT

    @property
    def offline(self) -> bool:
        return self.user_rate is None and self.ttft_limit_s is None and self.tpot_limit_s is None

    def ttft(self, point: CurvePoint) -> float:
        return point.first_token.quantile(self.ttft_quantile)

    def tpot(self, point: CurvePoint) -> float:
        """The TPOT the limit applies to: the mean, or the stated quantile over requests."""
        if self.tpot_quantile is None or point.tpot_s > (self.tpot_limit_s or math.inf):
            return point.tpot_s  # over the limit already: any quantile above the median is too
        return point.tpot_quantile(self.tpot_quantile)

    def violation(self, point: CurvePoint) -> str | None:
        """The first target the point misses (`user_rate`, `tpot`, `ttft`), or None.

        An offline batch has no latency target, so an unbounded prefill or
        slot queue does not rule a point out; any other target needs a
        finite TTFT.
        """
        if self.offline:
            return None
        if not point.feasible:
            return "ttft"
        if self.user_rate is not None and point.user_tokens_per_s < self.user_rate * (
            1 - _RATE_TOLERANCE
        ):
            return "user_rate"
        if self.tpot_limit_s is not None and self.tpot(point) > self.tpot_limit_s:
            return "tpot"
        if self.ttft_limit_s is not None and self.ttft(point) > self.ttft_limit_s:
            return "ttft"
        return None


@record
class ShapeResult:
    """One shape's batch limit, swept curve and best point meeting the target."""

    shape: ReplicaShape
    limit: BatchLimit
    curve: list[CurvePoint]
    best: CurvePoint | None
    missed: str | None  # the target the next larger batch misses; None at the batch limit


@record
class ServingEstimate:
    """The result of a replica search for one workload."""

    shapes: list[ShapeResult]
    front: list[CurvePoint]
    point: CurvePoint | None
    # what stops the batch growing: kv_capacity | engine | token_budget | user_rate | ttft |
    # tpot, or the step's largest term when a larger batch would make less per GPU
    binding: str
    reachable_user_rate: float  # the fastest per-user rate any fitting shape reaches
    fastest: CurvePoint | None = None  # the point that reaches it (batch 1 of some shape)

    @property
    def fits(self) -> bool:
        return bool(self.shapes)

    @property
    def shape_result(self) -> ShapeResult | None:
        if self.point is None:
            return None
        return next(r for r in self.shapes if r.shape == self.point.shape)


def _best_for_shape(
    setup: Setup, shape: ReplicaShape, limit: BatchLimit, curve: list[CurvePoint], target: Target
) -> tuple[CurvePoint | None, str | None]:
    meeting = [p for p in curve if target.violation(p) is None]
    if not meeting:
        first = evaluate(setup, shape, 1)
        return (first, None) if target.violation(first) is None else (None, None)
    largest = max(meeting, key=lambda p: p.batch)
    above = [p for p in curve if p.batch > largest.batch]
    missed: str | None = None
    if above:
        low, high = largest.batch, above[0].batch
        missed = target.violation(above[0])
        while high - low > 1:
            middle = (low + high) // 2
            point = evaluate(setup, shape, middle)
            reason = target.violation(point)
            if reason is None:
                low, largest = middle, point
                meeting.append(point)
            else:
                high, missed = middle, reason
    # Within 0.1% of the most tokens/s per GPU, the fastest per user: a compute-bound
    # curve is flat, and a larger batch there only makes each user wait longer.
    top = max(p.tokens_per_s_per_gpu for p in meeting)
    near = [p for p in meeting if p.tokens_per_s_per_gpu >= top * (1 - _FLAT)]
    best = min(near, key=lambda p: p.batch)
    if best.batch < largest.batch:
        missed = None  # the batch stopped where throughput stopped growing, not at a target
    return best, missed


Curves = dict[ReplicaShape, tuple[BatchLimit, list[CurvePoint]]]


def search(
    setup: Setup, shapes: list[ReplicaShape], target: Target, curves: Curves | None = None
) -> ServingEstimate:
    """Sweep every shape, keep the Pareto front and pick the operating point (see above).

    `curves` holds sweeps already made for this setup (workloads that differ
    only in their target share them); new sweeps are added to it.
    """
    results: list[ShapeResult] = []
    reach = 0.0
    fastest: CurvePoint | None = None
    curves = {} if curves is None else curves
    for shape in shapes:
        if shape not in curves:
            curves[shape] = shape_curve(setup, shape)
        limit, curve = curves[shape]
        if not curve:
            continue
        quickest = max(curve, key=lambda p: p.user_tokens_per_s)
        if quickest.user_tokens_per_s > reach:
            reach, fastest = quickest.user_tokens_per_s, quickest
        best, missed = _best_for_shape(setup, shape, limit, curve, target)
        results.append(ShapeResult(shape, limit, curve, best, missed))
    front = pareto([p for r in results for p in r.curve])
    chosen = [r for r in results if r.best is not None]
    if not chosen:
        return ServingEstimate(results, front, None, "none", reach, fastest)
    winner = max(
        chosen,
        key=lambda r: (
            _rounded(r.best.tokens_per_s_per_gpu if r.best else 0.0),
            -r.shape.gpus,
        ),
    )
    point = winner.best
    assert point is not None
    binding = winner.missed or (
        winner.limit.binding if point.batch >= winner.limit.batch else point.bound
    )
    return ServingEstimate(results, front, point, binding, reach, fastest)


def _rounded(value: float) -> float:
    """Compare throughputs to nine significant figures, so ties go to the smaller replica."""
    if value <= 0 or not math.isfinite(value):
        return value
    return round(value, 8 - math.floor(math.log10(value)))
