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
  the GEMM and attention work is spread over the steps, while a mixture of
  experts reads its experts as the prompts arrive, in whole chunks of at
  most what an attention rank's budget leaves (`prefill_chunk`);
- TPOT = step / a, the per-user rate a / step (tokens/s each user sees,
  the x axis), replica output = B x a / step, per GPU over the replica's
  GPUs plus its share of a disaggregated prefill pool (the y axis);
- the offered load is the point's own request rate, lambda = output rate /
  output tokens (a closed loop of B users, as a load generator at
  concurrency B produces); TTFT is computed at that load (`prefill`).
"""

from __future__ import annotations

import functools
import math

from aiflang.models.assumptions import Assumptions
from aiflang.models.serving.architecture import Architecture
from aiflang.models.serving.capacity import BatchLimit, batch_limit
from aiflang.models.serving.hardware import Accelerator, Efficiency, Engine, Network
from aiflang.models.serving.prefill import (
    FirstToken,
    Prefill,
    aggregated_first_token,
    disaggregated_first_token,
    prefill,
)
from aiflang.models.serving.queueing import Wait, wait
from aiflang.models.serving.shape import ReplicaShape
from aiflang.models.serving.step import Bound, Replica, StepTime
from aiflang.models.serving.tpot import TpotSpread
from aiflang.models.serving.workload import Disaggregation, Request, Speculation
from aiflang.records import field, record


@record
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
    # Figures computed once per setup (batch limits, prefill service); not part of equality.
    # Each setup has its own: a copy made with `replace` (another engine, a prefill pool)
    # starts empty, since what is cached depends on the fields changed.
    cache: dict[tuple[object, ...], object] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cache", {})

    def replica(self, shape: ReplicaShape) -> Replica:
        """The replica of `shape` (made once per shape and setup)."""
        key = ("replica", shape)
        replica = self.cache.get(key)
        if not isinstance(replica, Replica):
            replica = Replica(
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
            self.cache[key] = replica
        return replica

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


@record(with_dict=True)
class CurvePoint:
    """One operating point of one replica shape. Rates are output tokens per second.

    `first_token` is computed when first read: a sweep needs it only at
    the points a latency target or the report looks at.
    """

    setup: Setup = field(repr=False, compare=False)
    shape: ReplicaShape
    batch: int
    user_tokens_per_s: float
    tokens_per_s_per_gpu: float
    replica_tokens_per_s: float
    request_rate: float  # requests/s into one decode replica
    tpot_s: float
    step: StepTime
    prefill_gpus_per_replica: float
    slots: int  # the replica's batch limit
    feasible: bool  # the slot and prefill queues are stable at this load

    @property
    def gpus(self) -> float:
        """GPUs this point's throughput is spread over: the replica and its prefill share."""
        return self.shape.gpus + self.prefill_gpus_per_replica

    @property
    def bound(self) -> Bound:
        return self.step.bound

    @functools.cached_property
    def tpot_spread(self) -> TpotSpread:
        """The terms of TPOT's spread across requests at this point (see `tpot`)."""
        setup = self.setup
        bare = _step(setup, self.shape, self.batch, prefill=False).total_s
        alone = _step(setup, self.shape, 1, prefill=False).total_s
        return TpotSpread(
            step_s=self.step.total_s,
            decode_s=max(bare - alone, 0.0),
            prefill_s=max(self.step.total_s - bare, 0.0),
            batch=float(self.batch),
            output_steps=setup.request.output_tokens / setup.spec.acceptance_length,
            scv=setup.assumptions.value("request_length_scv"),
        )

    def tpot_quantile(self, q: float) -> float:
        """The q-quantile of TPOT over requests, seconds (the mean TPOT at q <= 0.5)."""
        return self.tpot_s * self.tpot_spread.quantile_factor(q)

    @functools.cached_property
    def first_token(self) -> FirstToken:
        """Time to first token at this point's request rate (see `prefill`)."""
        setup, request, spec = self.setup, self.setup.request, self.setup.spec
        admission = _admission(setup, self.slots, self.request_rate, self.step.total_s)
        if setup.disaggregation is None:
            return aggregated_first_token(
                setup.replica(self.shape),
                self.batch,
                setup.mean_context,
                request.input_tokens,
                query_tokens=spec.query_tokens,
                draft_passes=spec.draft_tokens,
                request_rate=self.request_rate,
                prompt_scv=setup.assumptions.value("request_length_scv"),
                step_s=self.step.total_s,
                request_overhead_s=setup.request_overhead_s,
                admission=admission,
            )
        return _disaggregated_first_token(setup, self.shape, self.request_rate, admission)


def _prefill_tokens(setup: Setup, batch: float) -> float:
    """Prompt tokens a step of aggregated serving carries on average (0 when disaggregated)."""
    request, spec = setup.request, setup.spec
    if not setup.aggregated or not request.input_tokens:
        return 0.0
    return batch * spec.acceptance_length * request.input_tokens / request.output_tokens


def _step(setup: Setup, shape: ReplicaShape, batch: float, *, prefill: bool = True) -> StepTime:
    """The decode step at `batch`, with the mean prompt tokens of aggregated serving or not."""
    replica = setup.replica(shape)
    request, spec = setup.request, setup.spec
    prefill_tokens = _prefill_tokens(setup, batch) if prefill else 0.0
    prefill_flops = 0.0
    if prefill_tokens:
        prefill_flops = (
            setup.arch.prefill_attention_flops(request.input_tokens)
            * prefill_tokens
            / request.input_tokens
        )
    if setup.engine.separate_prefill and prefill_tokens:
        return _separate_step(setup, shape, batch, prefill_tokens)
    # a prompt goes in as one chunk of what an attention rank's budget leaves, not spread; an
    # engine that admits prompts every k steps prefills a rank's k steps of arrivals together
    window = 0.0
    if setup.engine.admission_interval_steps > 1:
        window = prefill_tokens * setup.engine.admission_interval_steps / shape.dp
    chunk = min(
        max(float(request.input_tokens), window),
        setup.engine.token_budget - batch * spec.query_tokens / shape.dp,
    )
    return replica.decode_step(
        batch,
        setup.mean_context,
        query_tokens=spec.query_tokens,
        draft_passes=spec.draft_tokens,
        prefill_tokens=prefill_tokens,
        prefill_attention_flops=prefill_flops,
        prefill_chunk=max(chunk, 0.0),
    )


def _separate_step(
    setup: Setup, shape: ReplicaShape, batch: float, prefill_tokens: float
) -> StepTime:
    """A decode step plus its share of the prompt steps of an engine that prefills apart.

    Prompts admitted together (the arrivals of one admission interval, at
    least one prompt, at most every rank's budget) run in a step of their
    own; a decode step carries prefill_tokens / chunk of such steps.
    """
    replica, request, spec, engine = setup.replica(shape), setup.request, setup.spec, setup.engine
    decode = replica.decode_step(
        batch, setup.mean_context, query_tokens=spec.query_tokens, draft_passes=spec.draft_tokens
    )
    window = prefill_tokens * engine.admission_interval_steps
    chunk = min(max(float(request.input_tokens), window), float(engine.token_budget * shape.dp))
    key = ("prompt step", shape, chunk)  # one prompt for small batches, the cap for large
    alone = setup.cache.get(key)
    if not isinstance(alone, StepTime):
        per_token = setup.arch.prefill_attention_flops(request.input_tokens) / request.input_tokens
        alone = replica.decode_step(
            0.0, 0.0, prefill_tokens=chunk, prefill_attention_flops=per_token * chunk
        )
        setup.cache[key] = alone
    share = prefill_tokens / chunk
    return StepTime(
        total_s=decode.total_s + alone.total_s * share,
        compute_s=decode.compute_s + alone.compute_s * share,
        memory_s=decode.memory_s + alone.memory_s * share,
        communication_s=decode.communication_s + alone.communication_s * share,
        floor_s=decode.floor_s + alone.floor_s * share,
        weight_bytes_per_gpu=decode.weight_bytes_per_gpu,
        kv_bytes_per_gpu=decode.kv_bytes_per_gpu,
    )


def evaluate(setup: Setup, shape: ReplicaShape, batch: int) -> CurvePoint:
    """The point at `batch` sequences on a replica of `shape` (see the module docstring)."""
    request, spec = setup.request, setup.spec
    step = _step(setup, shape, batch)
    prefill_tokens = _prefill_tokens(setup, batch)
    replica_rate = batch * spec.acceptance_length / step.total_s
    request_rate = replica_rate / request.output_tokens
    slots = _slots(setup, shape)
    # Little's law: the slots busy are the batch itself; a point at the batch limit is offered
    # exactly what its slots serve, so its admission queue never drains
    feasible = slots >= 1 and batch < slots
    prefill_share = 0.0
    if setup.disaggregation is None:
        capacity = setup.engine.token_budget * shape.dp - batch * spec.query_tokens
        if not setup.engine.separate_prefill:  # apart, prompts take steps of their own
            feasible = feasible and (not request.input_tokens or prefill_tokens < capacity)
    else:
        prefill_share, pool_load = _pool(setup, shape, request_rate)
        feasible = feasible and pool_load < 1.0
    return CurvePoint(
        setup=setup,
        shape=shape,
        batch=batch,
        user_tokens_per_s=spec.acceptance_length / step.total_s,
        tokens_per_s_per_gpu=replica_rate / (shape.gpus + prefill_share),
        replica_tokens_per_s=replica_rate,
        request_rate=request_rate,
        tpot_s=step.total_s / spec.acceptance_length,
        step=step,
        prefill_gpus_per_replica=prefill_share,
        slots=slots,
        feasible=feasible,
    )


def _slots(setup: Setup, shape: ReplicaShape) -> int:
    key = ("slots", shape)
    if key not in setup.cache:
        limit = batch_limit(
            setup.replica(shape), setup.request, setup.spec, aggregated=setup.aggregated
        )
        setup.cache[key] = limit.batch
    value = setup.cache[key]
    assert isinstance(value, int)
    return value


def _prefill_service(setup: Setup) -> Prefill:
    """The prefill pool's figures for the workload's prompt (computed once per setup)."""
    pool = setup.disaggregation
    assert pool is not None
    key = ("prefill", pool.shape)
    if key not in setup.cache:
        setup.cache[key] = prefill(setup.replica(pool.shape), setup.request.input_tokens)
    value = setup.cache[key]
    assert isinstance(value, Prefill)
    return value


def _admission(setup: Setup, slots: int, request_rate: float, step_s: float) -> Wait:
    """The wait for a free sequence slot: M/G/c, c = the batch limit, service = output steps."""
    if slots < 1:
        return Wait(math.inf, 1.0, math.inf)
    service = setup.request.output_tokens / setup.spec.acceptance_length * step_s
    scv = setup.assumptions.value("request_length_scv")
    return wait(request_rate, service, slots, scv)


@record
class _Pool:
    share: float  # prefill GPUs per decode replica
    decode_replicas: float
    prefill_replicas: float


def _pool_layout(setup: Setup, shape: ReplicaShape, request_rate: float) -> _Pool:
    pool = setup.disaggregation
    assert pool is not None
    total = pool.total_gpus or setup.workload_gpus
    given = pool.prefill_gpus
    if given is None and pool.prefill_share is not None and total:
        given = round(pool.prefill_share * total)
    if given is not None and total > given:
        decode_replicas = (total - given) / shape.gpus
        return _Pool(given / decode_replicas, decode_replicas, given / pool.shape.gpus)
    service = _prefill_service(setup).service_s
    utilisation = setup.assumptions.value("prefill_pool_utilization")
    per_decode = request_rate * service / utilisation
    share = per_decode * pool.shape.gpus
    decode_replicas = max(1.0, (total or shape.gpus) / (shape.gpus + share))
    return _Pool(share, decode_replicas, per_decode * decode_replicas)


def _pool(setup: Setup, shape: ReplicaShape, request_rate: float) -> tuple[float, float]:
    """Prefill GPUs per decode replica, and the prefill pool's utilisation."""
    layout = _pool_layout(setup, shape, request_rate)
    service = _prefill_service(setup).service_s
    servers = max(1, math.floor(layout.prefill_replicas + 1e-9))
    load = request_rate * layout.decode_replicas * service / servers
    return layout.share, load


def _disaggregated_first_token(
    setup: Setup, shape: ReplicaShape, request_rate: float, admission: Wait
) -> FirstToken:
    """TTFT with a separate prefill pool (see `prefill.disaggregated_first_token`)."""
    pool = setup.disaggregation
    assert pool is not None
    layout = _pool_layout(setup, shape, request_rate)
    same_domain = shape.gpus + pool.shape.gpus <= setup.network.scale_up_domain
    return disaggregated_first_token(
        setup.replica(pool.shape),
        setup.request.input_tokens,
        request_rate=request_rate * layout.decode_replicas,
        prefill_replicas=layout.prefill_replicas,
        prompt_scv=setup.assumptions.value("request_length_scv"),
        same_domain=same_domain,
        request_overhead_s=setup.request_overhead_s,
        admission=admission,
        figures=_prefill_service(setup),
    )


def batch_sweep(limit: int, ratio: float = 1.5) -> list[int]:
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
