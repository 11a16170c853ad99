"""Estimate throughput: time to train and tokens per second of each workload.

Afterwards `facts.train` holds one `TrainReport` per `train` workload and
`facts.serve` one `ServeReport` per `serve` workload that could be sized,
each figure with a derivation under `train.<name>.*` or `serve.<name>.*`.

How workloads get GPUs (each one is a scenario sized against the GPUs it
is given, not a schedule):
- the fleet is every GPU of the factory (rack counts x nodes x GPUs); a
  workload runs on one GPU model, the factory's, or the most numerous one
  when the factory mixes models (the derivation says so), and only on the
  GPUs of that model;
- a training run uses its `gpus`, or the whole fleet: a run without `gpus`
  is a separate scenario from serving (how long training would take on the
  whole factory);
- serve workloads share the fleet: each takes its `gpus`, or its `share` of
  the fleet, and those with neither split evenly what training runs and
  serve workloads with stated GPUs leave;
- each serve workload is sized on its GPUs by the serving model
  (`aiflang.analyses.serving`): replica shapes within the rack's scale-up
  domain for that GPU model (the largest one when several rack types hold
  it), or across domains over the compute fabric, up to the GPUs the
  workload has; the operating point on their curve; the replicas that fit.

Needs: the design, `facts.fleet` (`aiflang.analyses.fleet`: GPUs by model,
scale-up domains, IT and facility power) and the compute fabric's report
from the fabric pass. Emits: E501 (no replica shape holds the model), E502
(precision the GPU lacks), E504 (more GPUs asked than the factory has), E505
(user rate unreachable), E507 (latency limits no point meets), W502 (a
workload gets no replica); through the serving pass E506 (engine and GPU
vendor) and E508 (a pinned shape that cannot be built); through the
training pass (`aiflang.analyses.training`: plan, step time, goodput) E503
(training longer than the horizon), E509 (no plan fits), E510 (no fabric
between scale-up domains) and W501 (slow checkpoint).
"""

from __future__ import annotations

import math

from aiflang import report as rp
from aiflang.analyses import serving, training
from aiflang.analyses import serving_inputs as si
from aiflang.analyses.facts import Facts, Fleet
from aiflang.analyses.fleet import fleet_of
from aiflang.diagnostics import Sink, Span, codes
from aiflang.frontend.design import Design, Gpu, Serve, Train
from aiflang.models import serving as sv
from aiflang.models.assumptions import Assumptions
from aiflang.models.derivation import Derivation
from aiflang.records import record


def _precision_error(
    sink: Sink, kind: str, name: str, gpu: Gpu, precision: str, span: Span | None
) -> None:
    supported = sv.supported_precisions(gpu.flops)
    sink.error(
        codes.E502,
        f"{gpu.name} has no {precision} compute: {kind} `{name}` cannot run at {precision}",
        span,
        notes=(f"{gpu.name} supports {', '.join(supported) or 'no listed precision'}",),
        help=f"use one of {', '.join(supported)}, or a GPU with {precision} compute",
    )


def _allocation_derivation(fleet: Fleet, model: str, gpus: int, rule: str) -> Derivation:
    inputs: dict[str, float | str] = {
        "gpu_model": model,
        "gpus_of_model": fleet.by_model.get(model, 0),
        "factory_gpus": fleet.gpus,
        "gpus": gpus,
    }
    if len(fleet.by_model) > 1:
        inputs["note"] = (
            f"the factory mixes GPU models; workloads run on the most numerous, {model}"
        )
    return Derivation(rule, inputs)


def estimate_throughput(design: Design, facts: Facts, sink: Sink) -> None:
    """Size every `train` and `serve` workload of the design against its GPUs."""
    fleet = fleet_of(design, facts)
    model = fleet.model_for()
    for train in design.train:
        _train(design, facts, sink, fleet, model, train)
    if design.serve:
        allocation = _serve_allocation(design, sink, fleet, model)
        sweeps: serving.Sweeps = {}
        for serve in design.serve:
            _serve(design, facts, sink, fleet, model, serve, allocation[serve.name], sweeps)
        serving.record_used(sweeps, facts.assumptions)


def _no_gpus(sink: Sink, kind: str, name: str, span: Span | None) -> None:
    sink.error(
        codes.E504,
        f"{kind} `{name}` needs GPUs, and the factory has none",
        span,
        help="place racks of GPU nodes in a hall",
    )


def _train(
    design: Design, facts: Facts, sink: Sink, fleet: Fleet, model: str | None, train: Train
) -> None:
    if model is None or model not in design.components.gpus:
        _no_gpus(sink, "train", train.name, train.span)
        return
    gpu = design.components.gpus[model]
    peak = si.accelerator(gpu).flops(train.precision)
    if peak is None:
        _precision_error(sink, "train", train.name, gpu, train.precision, train.span)
        return
    training.train_workload(design, facts, sink, fleet, model, train)


def _serve_allocation(
    design: Design, sink: Sink, fleet: Fleet, model: str | None
) -> dict[str, int]:
    """GPUs per serve workload: stated gpus or share, then an even split of what is left."""
    available = fleet.by_model.get(model, 0) if model else 0
    stated_train = sum(t.gpus for t in design.train if t.gpus is not None)
    allocation: dict[str, int] = {}
    stated = stated_train
    open_workloads: list[Serve] = []
    over = False
    for serve in design.serve:
        if serve.gpus is not None:
            gpus = serve.gpus
        elif serve.share is not None:
            gpus = int(serve.share * available)
        else:
            open_workloads.append(serve)
            continue
        allocation[serve.name] = gpus
        stated += gpus
        if stated > available and model is not None and not over:
            over = True
            sink.error(
                codes.E504,
                f"serve `{serve.name}` takes the GPUs stated by the workloads to {stated:,}; "
                f"the factory has {available:,} {model}",
                serve.span,
                help="lower gpus or share, or add racks",
            )
    left = max(available - stated, 0)
    for serve in open_workloads:
        allocation[serve.name] = left // len(open_workloads)
    return allocation


def _serve(
    design: Design,
    facts: Facts,
    sink: Sink,
    fleet: Fleet,
    model: str | None,
    serve: Serve,
    gpus: int,
    sweeps: serving.Sweeps,
) -> None:
    """Size one serve workload on its GPUs with the serving model: replica shape, operating
    point, replicas, tokens/s, per MW, J/token and the curve (`aiflang.analyses.serving`)."""
    gpu = _serve_gpu(design, sink, model, serve)
    if model is None or gpu is None:
        return
    key = f"serve.{serve.name}"
    rule = (
        "gpus = the workload's gpus, else share x GPUs of its model, else an even split of "
        "the GPUs the other workloads leave"
    )
    facts.record_derivation(f"{key}.gpus", _allocation_derivation(fleet, model, gpus, rule))
    domain = fleet.domain_by_model.get(model) or 1
    result = serving.estimate_serve(
        design,
        facts,
        sink,
        serve,
        gpu,
        gpus=gpus,
        domain=domain,
        factory_gpus=fleet.gpus,
        sweeps=sweeps,
    )
    if result is None:
        return
    setup, estimate, served = result
    if not estimate.fits:
        _does_not_fit(sink, serve, setup, gpu, model, domain, gpus, facts.assumptions)
        return
    point = estimate.point
    if point is None or served is None:
        _target_missed(sink, serve, estimate, model)
        return
    output = _fleet_output(serve, gpus, fleet, model, setup, point, served, facts, sink)
    point_derivation = sv.point_derivation(point, setup, estimate)
    for figure in (
        "gpus_per_replica",
        "parallelism",
        "batch",
        "user_rate_tokens_per_s",
        "tpot_s",
        "binding_limit",
        "curve",
    ):
        facts.record_derivation(f"{key}.{figure}", point_derivation)
    first_token = sv.ttft_derivation(point, setup)
    for figure in ("time_to_first_token_s", "time_to_first_token_p90_s"):
        facts.record_derivation(f"{key}.{figure}", first_token)
    per_gpu_w = fleet.facility_power_w / fleet.gpus if fleet.gpus else 0.0
    shape = point.shape
    facts.serve.append(
        rp.ServeReport(
            name=serve.name,
            gpus=gpus,
            gpu_model=model,
            model=serve.model,
            engine=setup.engine.name,
            precision=serve.precision,
            kv_precision=setup.kv_precision,
            gpus_per_replica=shape.gpus,
            parallelism=rp.ParallelismReport(
                tp=shape.tp, dp=shape.dp, ep=shape.ep, pp=shape.pp, label=shape.label()
            ),
            replicas=served.replicas,
            prefill_gpus=served.prefill_gpus,
            batch=point.batch,
            tokens_per_s=output.tokens_per_s,
            tokens_per_s_per_mw=output.tokens_per_s_per_mw,
            joules_per_token=output.joules_per_token,
            requested_user_rate_tokens_per_s=serve.requested_user_rate_tokens_per_s,
            user_rate_tokens_per_s=point.user_tokens_per_s,
            max_user_rate_tokens_per_s=estimate.reachable_user_rate,
            tpot_s=point.tpot_s,
            time_to_first_token_s=serving.finite(point.first_token.mean_s),
            time_to_first_token_p90_s=serving.finite(point.first_token.p90_s),
            binding_limit=estimate.binding,
            step_bound=point.bound,
            curve=serving.curve_report(estimate, per_gpu_w),
        )
    )


def _serve_gpu(design: Design, sink: Sink, model: str | None, serve: Serve) -> Gpu | None:
    """The workload's GPU, or None (E504, E502) when it cannot serve the workload's
    precisions: weights, KV cache, and the BF16 its attention kernels run in."""
    if model is None or model not in design.components.gpus:
        _no_gpus(sink, "serve", serve.name, serve.span)
        return None
    gpu = design.components.gpus[model]
    chip = si.accelerator(gpu)
    if serve.precision not in sv.WEIGHT_PRECISIONS:
        sink.error(
            codes.E502,
            f"serve `{serve.name}`: serving at {serve.precision} is not modelled",
            serve.span,
            help="serve at bf16, fp16, fp8, fp6 or fp4",
        )
        return None
    if chip.flops(serve.precision) is None:
        _precision_error(sink, "serve", serve.name, gpu, serve.precision, serve.span)
        return None
    if chip.flops("bf16") is None:
        sink.error(
            codes.E502,
            f"{gpu.name} has no bf16 compute: serve `{serve.name}` runs its attention in BF16",
            serve.span,
            notes=(
                "attention kernels (FlashAttention, FlashMLA) compute in BF16 at any "
                "weight or KV precision",
            ),
            help=f"give {gpu.name} a bf16 figure",
        )
        return None
    if serve.kv_precision is not None and serve.kv_precision not in sv.WEIGHT_PRECISIONS:
        sink.error(
            codes.E502,
            f"serve `{serve.name}`: a {serve.kv_precision} KV cache is not modelled",
            serve.span_of("kv_precision"),
            help="keep the KV cache at bf16, fp16, fp8 or fp4",
        )
        return None
    return gpu


@record
class _Output:
    tokens_per_s: float
    tokens_per_s_per_mw: float
    joules_per_token: float


def _fleet_output(
    serve: Serve,
    gpus: int,
    fleet: Fleet,
    model: str,
    setup: sv.Setup,
    point: sv.CurvePoint,
    served: serving.ServedFleet,
    facts: Facts,
    sink: Sink,
) -> _Output:
    """What the workload's replicas make, per MW of its share of the facility power, and
    J/token; W502 when not one replica fits its GPUs."""
    if served.replicas == 0:
        sink.warning(
            codes.W502,
            f"serve `{serve.name}` gets {gpus:,} GPUs, not enough for one replica of "
            f"{point.shape.gpus} x {model}"
            + (" and its prefill pool" if setup.disaggregation is not None else ""),
            serve.span,
            help="give the workload gpus or a share of the fleet, or fewer workloads",
        )
    power_w = fleet.facility_power_w * gpus / fleet.gpus if fleet.gpus else 0.0
    tokens_per_s = served.tokens_per_s
    derivation = Derivation(
        "replicas = decode replicas that fit the workload's GPUs (after its prefill pool); "
        "tokens_per_s = replicas x replica output rate; per MW = tokens_per_s / facility MW "
        "of the workload's GPUs; J/token = facility W / tokens_per_s",
        {
            "gpus": gpus,
            "gpus_per_replica": point.shape.gpus,
            "prefill_gpus": served.prefill_gpus,
            "replicas": served.replicas,
            "replica_tokens_per_s": point.replica_tokens_per_s,
            "facility_power_w": power_w,
            "facility_power_share": "factory facility power x gpus / factory GPUs",
            "factory_facility_power_w": fleet.facility_power_w,
            "factory_gpus": fleet.gpus,
        },
    )
    for figure in ("replicas", "tokens_per_s", "tokens_per_s_per_mw", "joules_per_token"):
        facts.record_derivation(f"serve.{serve.name}.{figure}", derivation)
    return _Output(
        tokens_per_s=tokens_per_s,
        tokens_per_s_per_mw=tokens_per_s / (power_w / 1e6) if power_w > 0 else 0.0,
        joules_per_token=power_w / tokens_per_s if tokens_per_s > 0 else 0.0,
    )


def _does_not_fit(
    sink: Sink,
    serve: Serve,
    setup: sv.Setup,
    gpu: Gpu,
    model: str,
    domain: int,
    gpus: int,
    assumptions: Assumptions,
) -> None:
    """E501: no replica shape the search tried holds the weights and one request's KV cache."""
    bits = sv.PRECISION_BITS[setup.precision]
    weights_gb = setup.arch.total_params * bits / 8e9
    context = setup.request.input_tokens + setup.request.output_tokens
    kv_bits = sv.PRECISION_BITS[setup.kv_precision]
    kv_gb = setup.arch.kv_values(context) * kv_bits / 8e9
    tried = serving.tried_shapes(setup, gpus, assumptions)
    largest = max(tried, key=lambda s: s.gpus, default=None)
    reach = largest.gpus if largest is not None else min(domain, gpus)
    usable_gb = reach * gpu.memory_bytes * setup.engine.memory_fraction / 1e9
    kv = f"{kv_gb:,.0f} GB" if kv_gb >= 1 else "under 1 GB"
    sink.error(
        codes.E501,
        f"serve `{serve.name}` does not fit: {weights_gb:,.0f} GB of weights and {kv} of KV "
        f"cache for one request, {usable_gb:,.0f} GB usable on the largest replica, "
        f"{reach:,} x {model}",
        serve.span,
        notes=(
            f"{setup.arch.total_params:.3g} params x {bits:g} bits = {weights_gb:,.0f} GB; "
            f"KV cache for {context:,} tokens at {setup.kv_precision}; largest replica "
            + (largest.label() if largest is not None else "none")
            + f"; scale-up domain {domain}"
            + (
                "" if setup.network.scale_out_bandwidth > 0 else ", no compute fabric joins domains"
            ),
        ),
        help="serve at a lower precision, give the workload more GPUs, use GPUs with more "
        "memory, a larger scale-up domain (NVL72), or a compute fabric so replicas can span nodes",
    )


def _target_missed(sink: Sink, serve: Serve, estimate: sv.ServingEstimate, model: str) -> None:
    """E505 when user_rate is above what any replica reaches, else E507: no point of the
    curve meets the workload's latency limits."""
    reach = estimate.reachable_user_rate
    rate = serve.requested_user_rate_tokens_per_s
    fastest = estimate.fastest
    replica = f"{fastest.shape.label()} on {fastest.shape.gpus} x {model}" if fastest else model
    if rate is not None and rate > reach:
        sink.error(
            codes.E505,
            f"serve `{serve.name}` cannot reach {rate:,.0f} tokens/s per user: the fastest "
            f"replica, {replica}, reaches {reach:,.1f} tokens/s at a batch of one",
            serve.span_of("user_rate"),
            help=f"lower user_rate to {math.floor(reach * 10) / 10:,.1f} tokens/s or less, "
            "serve at a lower precision, use speculative decoding (draft_tokens), or GPUs with "
            "more memory bandwidth",
        )
        return
    limits = []
    if serve.ttft_limit_s is not None:
        limits.append(f"ttft_limit {serve.ttft_limit_s * 1e3:,.0f} ms")
    if serve.tpot_limit_s is not None:
        limits.append(f"tpot_limit {serve.tpot_limit_s * 1e3:,.1f} ms")
    if rate is not None:
        limits.append(f"user_rate {rate:,.0f} tokens/s")
    sink.error(
        codes.E507,
        f"serve `{serve.name}`: no batch on any replica shape meets {' and '.join(limits)}",
        serve.span,
        notes=(f"the fastest replica reaches {reach:,.1f} tokens/s per user at a batch of one",),
        help="relax the limits, prefill on a separate pool (disaggregated = true), or use "
        "faster GPUs",
    )
