"""The throughput-versus-interactivity curve of one replica shape, point by point.

A point is a decode batch B on a replica of a given shape. In steady state
(continuous batching, every finished request replaced at once):

- each active sequence holds input + output x (1 + scv) / 2 tokens on
  average, the context its attention reads: a long request stays in the
  batch longer, so the batch samples requests by length (for outputs of
  squared coefficient of variation `request_length_scv`, E[o^2] / (2 E[o])
  = o (1 + scv) / 2);
- aggregated serving: each step also prefills the prompts of the requests
  that replace finished ones, B x a x input / output tokens on average, so
  prefill slows every decode (`Replica.decode_step` with prefill tokens);
- TPOT = step / a, the per-user rate a / step (tokens/s each user sees,
  the x axis), replica output = B x a / step, per GPU over the replica's
  GPUs plus its share of a disaggregated prefill pool (the y axis);
- the offered load is the point's own request rate, lambda = output rate /
  output tokens (a closed loop of B users, as a load generator at
  concurrency B produces); TTFT is computed at that load (`prefill`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from aiflang.models.assumptions import Assumptions, register
from aiflang.models.serving.architecture import Architecture
from aiflang.models.serving.capacity import BatchLimit, batch_limit
from aiflang.models.serving.hardware import Accelerator, Efficiency, Engine, Network
from aiflang.models.serving.prefill import (
    FirstToken,
    aggregated_first_token,
    disaggregated_first_token,
    prefill,
)
from aiflang.models.serving.queueing import Wait, wait
from aiflang.models.serving.shape import ReplicaShape
from aiflang.models.serving.step import Bound, Replica, StepTime
from aiflang.models.serving.workload import Disaggregation, Request, Speculation

register(
    "request_length_scv",
    1.0,
    "",
    "squared coefficient of variation of request lengths (prompt and output tokens), for the "
    "queues in front of prefill and of a batch slot",
    "estimate: 1 is an exponential spread; the MLPerf Inference datasets span 2x to 10x "
    "between short and long requests (mlcommons/inference, language/ READMEs), fixed-length "
    "benchmarks are nearer 0",
    minimum=0.0,
    maximum=100.0,
)


@dataclass(frozen=True, slots=True)
class Setup:
    """Everything a curve needs besides the replica shape."""

    arch: Architecture
    precision: str
    kv_precision: str
    gpu: Accelerator
    efficiency: Efficiency
    engine: Engine
    network: Network
    request: Request
    assumptions: Assumptions
    spec: Speculation = field(default_factory=Speculation)
    disaggregation: Disaggregation | None = None
    workload_gpus: int = 0  # the GPUs the workload has, for pooled prefill queues
    api_server: bool = True  # requests pass the engine's API server (its request_overhead)

    def replica(self, shape: ReplicaShape) -> Replica:
        return Replica(
            arch=self.arch,
            precision=self.precision,
            kv_precision=self.kv_precision,
            gpu=self.gpu,
            efficiency=self.efficiency,
            engine=self.engine,
            network=self.network,
            shape=shape,
            assumptions=self.assumptions,
        )

    @property
    def aggregated(self) -> bool:
        return self.disaggregation is None

    @property
    def request_overhead_s(self) -> float:
        return self.engine.request_overhead_s if self.api_server else 0.0

    @property
    def mean_context(self) -> float:
        """Context an active sequence holds on average (see `capacity.held_context`)."""
        scv = self.assumptions.value("request_length_scv")
        return self.request.input_tokens + self.request.output_tokens * (1.0 + scv) / 2.0


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """One operating point of one replica shape. Rates are output tokens per second."""

    shape: ReplicaShape
    batch: int
    user_tokens_per_s: float
    tokens_per_s_per_gpu: float
    replica_tokens_per_s: float
    request_rate: float  # requests/s into one decode replica
    tpot_s: float
    first_token: FirstToken
    step: StepTime
    prefill_gpus_per_replica: float

    @property
    def gpus(self) -> float:
        """GPUs this point's throughput is spread over: the replica and its prefill share."""
        return self.shape.gpus + self.prefill_gpus_per_replica

    @property
    def bound(self) -> Bound:
        return self.step.bound

    @property
    def feasible(self) -> bool:
        return math.isfinite(self.first_token.mean_s)


def evaluate(setup: Setup, shape: ReplicaShape, batch: int) -> CurvePoint:
    """The point at `batch` sequences on a replica of `shape` (see the module docstring)."""
    replica = setup.replica(shape)
    request, spec = setup.request, setup.spec
    context = setup.mean_context
    prefill_tokens = 0.0
    prefill_flops = 0.0
    if setup.aggregated and request.input_tokens:
        prefill_tokens = batch * spec.acceptance_length * request.input_tokens
        prefill_tokens /= request.output_tokens
        prefill_flops = (
            setup.arch.prefill_attention_flops(request.input_tokens)
            * prefill_tokens
            / request.input_tokens
        )
    step = replica.decode_step(
        batch,
        context,
        query_tokens=spec.query_tokens,
        draft_passes=spec.draft_tokens,
        prefill_tokens=prefill_tokens,
        prefill_attention_flops=prefill_flops,
    )
    replica_rate = batch * spec.acceptance_length / step.total_s
    request_rate = replica_rate / request.output_tokens
    prefill_share = 0.0
    admission = _admission(setup, shape, request_rate, step.total_s)
    if setup.disaggregation is None:
        first = aggregated_first_token(
            replica,
            batch,
            context,
            request.input_tokens,
            query_tokens=spec.query_tokens,
            draft_passes=spec.draft_tokens,
            request_rate=request_rate,
            prompt_scv=setup.assumptions.value("request_length_scv"),
            step_s=step.total_s,
            request_overhead_s=setup.request_overhead_s,
            admission=admission,
        )
    else:
        first, prefill_share = _disaggregated(setup, shape, request_rate, admission)
    return CurvePoint(
        shape=shape,
        batch=batch,
        user_tokens_per_s=spec.acceptance_length / step.total_s,
        tokens_per_s_per_gpu=replica_rate / (shape.gpus + prefill_share),
        replica_tokens_per_s=replica_rate,
        request_rate=request_rate,
        tpot_s=step.total_s / spec.acceptance_length,
        first_token=first,
        step=step,
        prefill_gpus_per_replica=prefill_share,
    )


def _admission(setup: Setup, shape: ReplicaShape, request_rate: float, step_s: float) -> Wait:
    """The wait for a free sequence slot: M/G/c, c = the batch limit, service = output steps."""
    limit = batch_limit(
        setup.replica(shape), setup.request, setup.spec, aggregated=setup.aggregated
    )
    if limit.batch < 1:
        return Wait(math.inf, 1.0, math.inf)
    service = setup.request.output_tokens / setup.spec.acceptance_length * step_s
    scv = setup.assumptions.value("request_length_scv")
    return wait(request_rate, service, limit.batch, scv)


def _disaggregated(
    setup: Setup, shape: ReplicaShape, request_rate: float, admission: Wait
) -> tuple[FirstToken, float]:
    """TTFT and prefill GPUs per decode replica for a separate prefill pool."""
    pool = setup.disaggregation
    assert pool is not None
    prefill_replica = setup.replica(pool.shape)
    prompt = setup.request.input_tokens
    same_domain = shape.gpus + pool.shape.gpus <= setup.network.scale_up_domain
    total = pool.total_gpus or setup.workload_gpus
    given = pool.prefill_gpus
    if given is None and pool.prefill_share is not None and total:
        given = round(pool.prefill_share * total)
    if given is not None and total > given:
        decode_replicas = (total - given) / shape.gpus
        prefill_replicas = given / pool.shape.gpus
        share = given / decode_replicas
    else:
        service = prefill(prefill_replica, prompt).service_s
        utilisation = setup.assumptions.value("prefill_pool_utilization")
        per_decode = request_rate * service / utilisation
        share = per_decode * pool.shape.gpus
        decode_replicas = max(1.0, (total or shape.gpus) / (shape.gpus + share))
        prefill_replicas = per_decode * decode_replicas
    first = disaggregated_first_token(
        prefill_replica,
        prompt,
        request_rate=request_rate * decode_replicas,
        prefill_replicas=prefill_replicas,
        prompt_scv=setup.assumptions.value("request_length_scv"),
        same_domain=same_domain,
        request_overhead_s=setup.request_overhead_s,
        admission=admission,
    )
    return first, share


def batch_sweep(limit: int, ratio: float = 1.25) -> list[int]:
    """Batches from 1 to `limit`, about `ratio` apart (every one up to 8), `limit` included."""
    batches: list[int] = []
    value = 1.0
    while value < limit:
        batch = int(value)
        if not batches or batch > batches[-1]:
            batches.append(batch)
        value = max(value * ratio, value + 1)
    batches.append(limit)
    return batches


def shape_curve(setup: Setup, shape: ReplicaShape) -> tuple[BatchLimit, list[CurvePoint]]:
    """Every swept point of one shape up to its batch limit ([] when the model does not fit)."""
    limit = batch_limit(
        setup.replica(shape), setup.request, setup.spec, aggregated=setup.aggregated
    )
    if limit.batch < 1:
        return limit, []
    points = [evaluate(setup, shape, batch) for batch in batch_sweep(limit.batch)]
    return limit, points


def pareto(points: list[CurvePoint]) -> list[CurvePoint]:
    """The points no other point beats on both axes, fastest per user first."""
    ordered = sorted(points, key=lambda p: (-p.user_tokens_per_s, -p.tokens_per_s_per_gpu))
    front: list[CurvePoint] = []
    best = -1.0
    for point in ordered:
        if point.tokens_per_s_per_gpu > best * (1 + 1e-12):
            front.append(point)
            best = point.tokens_per_s_per_gpu
    return front
