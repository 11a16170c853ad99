"""Size one serve workload with the serving model: replica search, operating point, fleet.

Given the GPUs a serve workload gets (`throughput._serve_allocation`),
this pass builds the serving model's inputs from the design (the GPU's
catalog entry and achieved fractions, the workload's `model` or its inline
figures, its engine, the rack's scale-up domain and the compute fabric's
bandwidth per GPU from the fabric pass), searches the replica shapes, picks
the operating point and reports it with its curve.

Choices (each stated in docs/models.md):
- engine: the workload's, else TensorRT-LLM on NVIDIA GPUs and vLLM on
  others; an engine that names its vendors runs only on their GPUs (E506);
- shapes: the workload's `tp`/`dp`/`ep`/`pp` (or `parallelism`, or
  `gpus_per_replica`) pin them; otherwise every candidate up to the
  workload's GPUs (`serving.candidate_shapes`), with pipeline stages only as
  many as the model needs to fit, and replicas beyond the scale-up domain
  only when a compute fabric joins the domains;
- disaggregated serving: prefill runs on the smallest candidate shape that
  holds the model; its pool is `prefill_gpus`, `prefill_share` of the
  workload's GPUs, or sized to the load;
- the operating point: the most output tokens/s per GPU meeting
  `user_rate`, `ttft_limit` (90th percentile) and `tpot_limit`; none of
  them is an offline batch (the largest batch that runs).

Emits E501 (no shape holds the model), E505 (user_rate above the curve's
reach, with the highest reachable rate), E506 (engine and GPU vendor),
E507 (latency limits no point meets), E508 (a pinned shape that cannot be
built).
"""

from __future__ import annotations

import math
from collections import OrderedDict

from aiflang import report as rp
from aiflang.analyses import serving_inputs as si
from aiflang.analyses.facts import Facts
from aiflang.diagnostics import Sink, codes
from aiflang.frontend import design as dm
from aiflang.frontend.builtin import builtin_components
from aiflang.models import serving as sv
from aiflang.models.assumptions import Assumptions
from aiflang.records import record, replace

MAX_PIPELINE = 8
CURVE_POINTS = 24  # sweep points kept per shape in the JSON curve


@record
class ServeInputs:
    """What the serving model needs for one workload, gathered from the design."""

    setup: sv.Setup
    engine_name: str
    shapes: list[sv.ReplicaShape]
    target: sv.Target
    facility_w_per_gpu: float


def _kv_precision(serve: dm.Serve) -> str:
    if serve.kv_precision is not None:
        return serve.kv_precision
    return "bf16" if sv.PRECISION_BITS[serve.precision] >= 16 else "fp8"


def scale_out_per_gpu(design: dm.Design, facts: Facts, gpus: int) -> float:
    """The compute fabric's bandwidth per GPU, bytes/s (0 without a compute fabric).

    The fabric that connects the `compute` role; its bandwidth per endpoint
    (bisection-limited, so oversubscription counts) times its endpoints per GPU.
    """
    compute = {f.name for f in design.fabrics if f.connects == "compute"}
    for fabric in facts.fabrics:
        if fabric.name in compute and gpus:
            per_gpu = fabric.bandwidth_per_endpoint_bps * fabric.endpoints / gpus
            return per_gpu / 8.0
    return 0.0


def _pinned(serve: dm.Serve, arch: sv.Architecture) -> sv.ReplicaShape | None:
    sizes = serve.parallelism
    if not sizes and serve.gpus_per_replica is None:
        return None
    dp = sizes.get("dp", 1)
    pp = sizes.get("pp", 1)
    tp = sizes.get("tp")
    if tp is None:
        stage = (serve.gpus_per_replica or 1) // pp if serve.gpus_per_replica else 1
        tp = max(1, stage // dp)
    ep = sizes.get("ep", tp * dp if arch.is_moe else 1)
    return sv.ReplicaShape(tp=tp, dp=dp, ep=ep, pp=pp)


def _fits(setup: sv.Setup, shape: sv.ReplicaShape) -> bool:
    limit = sv.batch_limit(setup.replica(shape), setup.request, setup.spec, aggregated=True)
    return limit.batch >= 1


def tried_shapes(setup: sv.Setup, gpus: int, assumptions: Assumptions) -> list[sv.ReplicaShape]:
    """Every replica shape the search considers for `gpus` GPUs, fitting or not."""
    network = setup.network
    raw = sv.candidate_shapes(
        moe=setup.arch.is_moe,
        domain=network.scale_up_domain,
        scale_out=network.scale_out_bandwidth > 0,
        max_gpus=max(gpus, 1),
        max_tp=int(assumptions.value("max_tensor_parallel")),
        max_pp=MAX_PIPELINE,
        experts=setup.arch.experts if setup.arch.is_moe else 0,
    )
    if network.scale_out_bandwidth > 0:
        return raw
    return [s for s in raw if s.gpus <= network.scale_up_domain]


def candidate_shapes(setup: sv.Setup, gpus: int, assumptions: Assumptions) -> list[sv.ReplicaShape]:
    """Shapes worth sweeping: each layout with the fewest pipeline stages that holds the model."""
    chosen: dict[tuple[int, int, int], sv.ReplicaShape] = {}
    for shape in tried_shapes(setup, gpus, assumptions):
        key = (shape.tp, shape.dp, shape.ep)
        if key in chosen:
            continue
        if _fits(setup, shape):
            chosen[key] = shape
    return sorted(chosen.values(), key=lambda s: (s.gpus, s.pp, s.tp, s.dp))


def prefill_shape(setup: sv.Setup, gpus: int, assumptions: Assumptions) -> sv.ReplicaShape | None:
    """The smallest candidate shape that holds the model (data-parallel attention for MoE)."""
    shapes = candidate_shapes(setup, max(gpus, setup.network.scale_up_domain), assumptions)
    if not shapes:
        return None
    smallest = min(s.gpus for s in shapes)
    same = [s for s in shapes if s.gpus == smallest]
    return min(same, key=lambda s: (s.tp, s.pp))


@record
class ServedFleet:
    """How a workload's GPUs divide into decode replicas and a prefill pool."""

    replicas: int
    prefill_gpus: int
    tokens_per_s: float


def served_fleet(point: sv.CurvePoint, gpus: int, setup: sv.Setup) -> ServedFleet:
    """Replicas, prefill GPUs and output tokens/s for `gpus` GPUs at `point`."""
    pool = setup.disaggregation
    if pool is None:
        replicas = gpus // point.shape.gpus
        return ServedFleet(replicas, 0, replicas * point.replica_tokens_per_s)
    if pool.prefill_gpus is not None or pool.prefill_share is not None:
        prefill = pool.prefill_gpus
        if prefill is None:
            prefill = round((pool.prefill_share or 0.0) * gpus)
        replicas = max(gpus - prefill, 0) // point.shape.gpus
        return ServedFleet(replicas, prefill, replicas * point.replica_tokens_per_s)
    replicas = math.floor(gpus / point.gpus + 1e-9)
    prefill = math.ceil(replicas * point.prefill_gpus_per_replica - 1e-9)
    while replicas > 0 and replicas * point.shape.gpus + prefill > gpus:
        replicas -= 1
        prefill = math.ceil(replicas * point.prefill_gpus_per_replica - 1e-9)
    return ServedFleet(replicas, prefill, replicas * point.replica_tokens_per_s)


def curve_report(
    estimate: sv.ServingEstimate, facility_w_per_gpu: float
) -> list[rp.CurvePointReport]:
    """The JSON curve: the Pareto front across shapes and the chosen shape's sweep."""
    front = {id(p) for p in estimate.front}
    chosen = estimate.shape_result
    keep: list[sv.CurvePoint] = list(estimate.front)
    if chosen is not None:
        keep += [p for p in _thin(chosen.curve) if id(p) not in front]
    per_mw = 1e6 / facility_w_per_gpu if facility_w_per_gpu > 0 else 0.0
    points = sorted(keep, key=lambda p: (p.shape.gpus, p.shape.label(), p.batch))
    return [
        rp.CurvePointReport(
            parallelism=p.shape.label(),
            gpus_per_replica=p.gpus,
            batch=p.batch,
            user_rate_tokens_per_s=p.user_tokens_per_s,
            tokens_per_s_per_gpu=p.tokens_per_s_per_gpu,
            tokens_per_s_per_mw=p.tokens_per_s_per_gpu * per_mw,
            tpot_s=p.tpot_s,
            time_to_first_token_s=finite(p.first_token.mean_s),
            bound=p.bound,
            pareto=id(p) in front,
        )
        for p in points
    ]


def _thin(points: list[sv.CurvePoint]) -> list[sv.CurvePoint]:
    if len(points) <= CURVE_POINTS:
        return points
    step = (len(points) - 1) / (CURVE_POINTS - 1)
    return [points[round(i * step)] for i in range(CURVE_POINTS)]


def finite(value: float) -> float | None:
    """`value`, or None when it is infinite (an unbounded queue)."""
    return value if math.isfinite(value) else None


def _engine(design: dm.Design, serve: dm.Serve, gpu: dm.Gpu) -> dm.Engine:
    name = serve.engine or si.default_engine(gpu)
    engine = design.components.engines.get(name)  # the elaborator builds the defaults
    return engine if engine is not None else builtin_components().engines[name]


def _model(design: dm.Design, serve: dm.Serve) -> dm.Model | None:
    if serve.model is None:
        return None
    model = design.components.models.get(serve.model)
    return model if model is not None else builtin_components().models.get(serve.model)


def build_setup(
    design: dm.Design,
    facts: Facts,
    serve: dm.Serve,
    gpu: dm.Gpu,
    *,
    gpus: int,
    domain: int,
    factory_gpus: int,
) -> tuple[sv.Setup, dm.Engine]:
    """The serving model's inputs for one workload (no disaggregation yet)."""
    assumptions = facts.assumptions
    engine = _engine(design, serve, gpu)
    accelerator = si.accelerator(gpu)
    network = sv.Network(
        # without scale-up bandwidth no collective runs inside the domain: one GPU per stage
        scale_up_domain=max(domain, 1) if accelerator.scale_up_bandwidth > 0 else 1,
        scale_up_bandwidth=accelerator.scale_up_bandwidth,
        scale_out_bandwidth=scale_out_per_gpu(design, facts, factory_gpus),
        scale_out_latency_s=assumptions.value("network_latency_s"),
    )
    setup = sv.Setup(
        arch=si.served_architecture(serve, _model(design, serve), assumptions),
        precision=serve.precision,
        kv_precision=_kv_precision(serve),
        gpu=accelerator,
        efficiency=si.efficiency(gpu, assumptions),
        engine=si.engine_profile(engine, assumptions),
        network=network,
        request=sv.Request(serve.input_tokens, serve.output_tokens),
        assumptions=assumptions,
        spec=sv.speculation(serve.draft_tokens, serve.acceptance_length, assumptions),
        workload_gpus=gpus,
    )
    return setup, engine


def estimate_serve(
    design: dm.Design,
    facts: Facts,
    sink: Sink,
    serve: dm.Serve,
    gpu: dm.Gpu,
    *,
    gpus: int,
    domain: int,
    factory_gpus: int,
    sweeps: Sweeps | None = None,
) -> tuple[sv.Setup, sv.ServingEstimate, ServedFleet | None] | None:
    """Search the replica shapes of one workload and pick its operating point.

    `sweeps` carries the curves of earlier workloads of the same design.
    Returns None after reporting an error when no estimate can be made.
    """
    setup, engine = build_setup(
        design, facts, serve, gpu, gpus=gpus, domain=domain, factory_gpus=factory_gpus
    )
    if engine.vendors and (gpu.vendor or "") not in engine.vendors:
        sink.error(
            codes.E506,
            f"serve `{serve.name}`: engine `{engine.name}` runs on {', '.join(engine.vendors)} "
            f"GPUs, not on {gpu.name} ({gpu.vendor or 'unknown vendor'})",
            serve.span_of("engine"),
            help="name an engine that runs on this GPU: vllm or sglang",
        )
        return None
    assumptions = facts.assumptions
    try:
        pinned = _pinned(serve, setup.arch)
    except ValueError as exc:
        sink.error(
            codes.E508,
            f"serve `{serve.name}`: {exc}",
            serve.span_of("parallelism") if "parallelism" in serve.attr_spans else serve.span,
            help="experts spread over ep GPUs of a stage of tp x dp GPUs: ep divides tp x dp",
        )
        return None
    available = max(gpus - (serve.prefill_gpus or 0), 1)
    if pinned is not None:
        problem = _pinned_problem(pinned, setup, serve)
        if problem is not None:
            sink.error(
                codes.E508, f"serve `{serve.name}`: {problem[0]}", serve.span, help=problem[1]
            )
            return None
        shapes = [pinned] if _fits(setup, pinned) else []
    else:
        # Up to the scale-up domain even when the workload has fewer GPUs: a model that fits
        # the domain but not the workload's GPUs gets no replica (W502), not "does not fit".
        reach = max(available, setup.network.scale_up_domain)
        shapes = candidate_shapes(setup, reach, assumptions)
    if serve.disaggregated:
        pool = prefill_shape(setup, available, assumptions)
        if pool is not None:
            setup = _with_pool(setup, serve, pool, gpus)
    target = sv.Target(
        user_rate=serve.requested_user_rate_tokens_per_s,
        ttft_limit_s=serve.ttft_limit_s,
        tpot_limit_s=serve.tpot_limit_s,
    )
    # Workloads that differ only in their target share one setup and its sweeps, and so do
    # the compiles of one process (an editor compiles the design again at every edit).
    key = _fingerprint(setup)
    if sweeps is None:
        sweeps = {}
    if key not in sweeps:
        sweeps[key] = _recent(key, setup)
    setup, curves = sweeps[key]
    estimate = sv.search(setup, shapes, target, curves)
    if not estimate.fits:
        return setup, estimate, None
    if estimate.point is None:
        return setup, estimate, None
    return setup, estimate, served_fleet(estimate.point, gpus, setup)


Sweeps = dict[str, tuple[sv.Setup, sv.search_curves]]

_RECENT: OrderedDict[str, tuple[sv.Setup, sv.search_curves]] = OrderedDict()
RECENT_SWEEPS = 32  # setups whose sweeps a process keeps, least recently used dropped first


def _recent(key: str, setup: sv.Setup) -> tuple[sv.Setup, sv.search_curves]:
    """The process's sweeps of `key`, new if none. A new entry's setup gets an assumptions
    object of its own, so what its sweeps use can be told to every compile that reuses it
    (`record_used`)."""
    entry = _RECENT.get(key)
    if entry is not None:
        _RECENT.move_to_end(key)
        return entry
    own = Assumptions(overrides=dict(setup.assumptions.overrides))
    entry = (replace(setup, assumptions=own), {})
    _RECENT[key] = entry
    while len(_RECENT) > RECENT_SWEEPS:
        _RECENT.popitem(last=False)
    return entry


def clear_recent_sweeps() -> None:
    """Forget the process's sweeps (tests compare a cold compile with a warm one)."""
    _RECENT.clear()


def record_used(sweeps: Sweeps, assumptions: Assumptions) -> None:
    """Mark the assumptions the sweeps' setups used as used by this compile's design."""
    for setup, _ in sweeps.values():
        assumptions.used |= setup.assumptions.used


def _fingerprint(setup: sv.Setup) -> str:
    """Equal for setups that sweep alike: everything but the cache and the assumptions object,
    whose overrides are part of the key."""
    parts = (
        setup.arch,
        setup.precision,
        setup.kv_precision,
        setup.gpu,
        setup.efficiency,
        setup.engine,
        setup.network,
        setup.request,
        setup.spec,
        setup.disaggregation,
        setup.workload_gpus,
        setup.api_server,
        sorted(setup.assumptions.overrides.items()),
    )
    return repr(parts)


def _with_pool(setup: sv.Setup, serve: dm.Serve, shape: sv.ReplicaShape, gpus: int) -> sv.Setup:
    pool = sv.Disaggregation(
        shape=shape,
        prefill_gpus=serve.prefill_gpus,
        prefill_share=serve.prefill_share,
        total_gpus=gpus,
    )
    return replace(setup, disaggregation=pool)


def _pinned_problem(
    shape: sv.ReplicaShape, setup: sv.Setup, serve: dm.Serve
) -> tuple[str, str] | None:
    """Why a pinned shape cannot be built: (message, help), or None."""
    network = setup.network
    if shape.gpus > network.scale_up_domain and network.scale_out_bandwidth <= 0:
        return (
            f"a replica of {shape.gpus} GPUs ({shape.label()}) spans more than the scale-up "
            f"domain of {network.scale_up_domain} and the design has no compute fabric",
            "add a `fabric` that connects the compute NICs, or keep the replica within "
            f"{network.scale_up_domain} GPUs",
        )
    if serve.gpus_per_replica is not None and serve.gpus_per_replica != shape.gpus:
        return (
            f"gpus_per_replica = {serve.gpus_per_replica} disagrees with {shape.label()} "
            f"({shape.gpus} GPUs)",
            "give gpus_per_replica or the parallel sizes, not both",
        )
    if shape.gpus > setup.workload_gpus:
        return (
            f"a replica of {shape.gpus} GPUs ({shape.label()}) is larger than the "
            f"workload's {setup.workload_gpus} GPUs",
            "give the workload more GPUs, or a smaller replica",
        )
    return None
