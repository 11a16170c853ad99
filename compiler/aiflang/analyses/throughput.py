"""Estimate throughput: time to train and tokens per second of each workload.

Afterwards `facts.train` holds one `TrainReport` per `train` workload and
`facts.serve` one `ServeReport` per `serve` workload that could be sized,
each figure with an derivation under `train.<name>.*` or `serve.<name>.*`.

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
- GPUs per replica come from the rack's scale-up domain for that GPU model
  (the largest one when several rack types hold it), capped by the GPUs the
  workload has.

Needs: the design and `facts.fleet` (`aiflang.analyses.fleet`: GPUs by
model, scale-up domains, IT and facility power). Emits: E501 (model does not
fit the largest scale-up domain), E502 (precision the GPU lacks), E503
(training longer than the horizon), E504 (more GPUs asked than the factory
has), E505 (user rate unreachable), E210 (a pinned replica size outside the
scale-up domain), W501 (slow checkpoint), W502 (a workload gets no replica).
"""

from __future__ import annotations

from dataclasses import dataclass

from aiflang import report as rp
from aiflang.analyses.facts import Facts, Fleet
from aiflang.analyses.fleet import fleet_of
from aiflang.diagnostics import Sink, Span, codes
from aiflang.frontend.design import Design, Gpu, Serve, Train
from aiflang.models import inference as inf
from aiflang.models import training as trn
from aiflang.models.derivation import Derivation

_EXTRA_KV_BITS = {"fp64": 64.0, "tf32": 32.0}  # KV precisions the inference table lacks


def accelerator(gpu: Gpu) -> inf.Accelerator:
    """The roofline's view of a GPU: the design stores bytes, the models take bits."""
    return inf.Accelerator(
        name=gpu.name,
        memory_bits=gpu.memory_bytes * 8.0,
        memory_bandwidth_bps=gpu.memory_bandwidth_bytes_per_s * 8.0,
        dense_flops=dict(gpu.flops),
    )


def _precision_error(
    sink: Sink, kind: str, name: str, gpu: Gpu, precision: str, span: Span | None
) -> None:
    supported = inf.supported_precisions(gpu.flops)
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
        for serve in design.serve:
            _serve(design, facts, sink, fleet, model, serve, allocation[serve.name])


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
    available = fleet.by_model[model]
    gpus = train.gpus if train.gpus is not None else available
    if gpus > available:
        sink.error(
            codes.E504,
            f"train `{train.name}` asks for {gpus:,} GPUs; the factory has {available:,} {model}",
            train.span,
            help=f"set gpus to at most {available:,}, or add racks",
        )
    peak = inf.compute_flops(accelerator(gpu), train.precision)
    if peak is None:
        _precision_error(sink, "train", train.name, gpu, train.precision, train.span)
        return
    assumptions = facts.assumptions
    try:
        estimate = trn.estimate_training(
            active_params=train.active_params,
            tokens=train.tokens,
            gpus=gpus,
            peak_flops_per_gpu=peak,
            precision=train.precision,
            assumptions=assumptions,
            mfu=train.mfu,
            it_power_per_gpu_w=fleet.it_power_per_gpu_w,
            pue=design.site.pue,
        )
    except ValueError as exc:
        sink.error(
            codes.E502,
            f"train `{train.name}` cannot be estimated at {train.precision}: {exc}",
            train.span,
            help="give the run an mfu, or train at bf16, fp8 or fp4",
        )
        return
    horizon_s = design.finance.horizon_s or assumptions.value("finance_horizon")
    if estimate.time_s > horizon_s:
        days = estimate.time_s / 86400.0
        sink.error(
            codes.E503,
            f"train `{train.name}` takes {days:,.0f} days on {gpus:,} {model}, longer than the "
            f"{horizon_s / 86400.0:,.0f}-day horizon",
            train.span,
            notes=(
                f"6 x {train.active_params:.3g} params x {train.tokens:.3g} tokens / "
                f"({gpus:,} GPUs x {peak / 1e12:,.0f} TFLOPS x {estimate.mfu:.0%} MFU)",
            ),
            help=f"use at least {gpus * estimate.time_s / horizon_s:,.0f} GPUs, a lower "
            "precision, or fewer tokens",
        )
    checkpoint_s = _checkpoint(design, facts, sink, train)
    key = f"train.{train.name}"
    rule = "gpus = the workload's gpus, else every GPU of its model (a separate scenario)"
    facts.record_derivation(f"{key}.gpus", _allocation_derivation(fleet, model, gpus, rule))
    energy = estimate.derivation.with_inputs(it_power_basis=fleet.it_basis)
    for figure in ("time_s", "gpu_hours", "energy_j", "it_energy_j", "mfu", "flops"):
        facts.record_derivation(f"{key}.{figure}", energy)
    facts.train.append(
        rp.TrainReport(
            name=train.name,
            gpus=gpus,
            gpu_model=model,
            precision=train.precision,
            mfu=estimate.mfu,
            flops=estimate.flops,
            time_s=estimate.time_s,
            gpu_hours=estimate.gpu_hours,
            energy_j=estimate.facility_energy_j,
            it_energy_j=estimate.it_energy_j,
            checkpoint_s=checkpoint_s,
        )
    )


def _checkpoint(design: Design, facts: Facts, sink: Sink, train: Train) -> float | None:
    """Checkpoint time to the named storage, or to the factory's only storage."""
    storages = {s.name: s for s in design.storage}
    if train.storage is not None:
        storage = storages.get(train.storage)
    elif len(design.storage) == 1:
        storage = design.storage[0]
    else:
        return None
    if storage is None or not storage.bandwidth_bytes_per_s:
        return None
    estimate = trn.estimate_checkpoint(
        train.params, storage.bandwidth_bytes_per_s * 8.0, facts.assumptions
    )
    facts.record_derivation(f"train.{train.name}.checkpoint_s", estimate.derivation)
    if estimate.slow:
        needed_bps = estimate.size_bits / facts.assumptions.value("checkpoint_warn_s")
        sink.warning(
            codes.W501,
            f"a checkpoint of train `{train.name}` takes {estimate.time_s:,.0f} s to storage "
            f"`{storage.name}`",
            train.span,
            notes=(
                f"{train.params:.3g} params x 14 bytes = {estimate.size_bits / 8e12:,.1f} TB at "
                f"{storage.bandwidth_bytes_per_s / 1e9:,.0f} GB/s",
            ),
            help=f"raise the bandwidth of `{storage.name}` to {needed_bps / 8e9:,.0f} GB/s, or "
            "checkpoint asynchronously",
        )
    return estimate.time_s


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


@dataclass(frozen=True, slots=True)
class _Serving:
    """A serve workload ready to size: its GPU, the model as the roofline sees them."""

    model: str
    gpu: Gpu
    chip: inf.Accelerator
    served: inf.ServedModel
    domain: int


def _serve(
    design: Design,
    facts: Facts,
    sink: Sink,
    fleet: Fleet,
    model: str | None,
    serve: Serve,
    gpus: int,
) -> None:
    """Size one serve workload on its GPUs: replica, batch, rate, tokens/s, per MW, J/token."""
    serving = _serving(design, sink, fleet, model, serve)
    if serving is None:
        return
    smallest = _smallest_replica(serving, serve, facts, sink)
    if smallest is None:
        return
    key = f"serve.{serve.name}"
    rule = (
        "gpus = the workload's gpus, else share x GPUs of its model, else an even split of "
        "the GPUs the other workloads leave"
    )
    facts.record_derivation(f"{key}.gpus", _allocation_derivation(fleet, serving.model, gpus, rule))
    replica = _chosen_replica(serving, serve, gpus, facts, sink)
    if replica is None:
        return
    _check_user_rate(serving, serve, replica, sink)
    output = _fleet_output(serving, serve, gpus, fleet, replica, smallest, facts, sink)
    for figure in ("gpus_per_replica", "batch", "user_rate_tokens_per_s"):
        facts.record_derivation(f"{key}.{figure}", replica.derivation)
    peak = inf.compute_flops(serving.chip, serve.precision) or 0.0
    facts.record_derivation(
        f"{key}.time_to_first_token_s",
        inf.ttft_derivation(
            serve.active_params, serve.input_tokens, replica.gpus_per_replica, peak
        ),
    )
    facts.serve.append(
        rp.ServeReport(
            name=serve.name,
            gpus=gpus,
            gpu_model=serving.model,
            precision=serve.precision,
            gpus_per_replica=replica.gpus_per_replica,
            replicas=output.replicas,
            batch=replica.batch,
            tokens_per_s=output.tokens_per_s,
            tokens_per_s_per_mw=output.tokens_per_s_per_mw,
            joules_per_token=output.joules_per_token,
            requested_user_rate_tokens_per_s=serve.requested_user_rate_tokens_per_s,
            user_rate_tokens_per_s=replica.per_user_tokens_per_s if replica.fits else None,
            time_to_first_token_s=replica.ttft_s,
        )
    )


def _serving(
    design: Design, sink: Sink, fleet: Fleet, model: str | None, serve: Serve
) -> _Serving | None:
    """The workload's GPU and model, or None (E504, E502) when it cannot be served."""
    if model is None or model not in design.components.gpus:
        _no_gpus(sink, "serve", serve.name, serve.span)
        return None
    gpu = design.components.gpus[model]
    chip = accelerator(gpu)
    if serve.precision not in inf.PRECISION_BITS:
        sink.error(
            codes.E502,
            f"serve `{serve.name}`: serving at {serve.precision} is not modelled",
            serve.span,
            help="serve at bf16, fp16, fp8, fp6 or fp4",
        )
        return None
    if inf.compute_flops(chip, serve.precision) is None:
        _precision_error(sink, "serve", serve.name, gpu, serve.precision, serve.span)
        return None
    kv_bits: float | None = None
    if serve.kv_precision is not None:
        kv_bits = inf.PRECISION_BITS.get(serve.kv_precision, _EXTRA_KV_BITS.get(serve.kv_precision))
    served = inf.ServedModel(
        total_params=serve.params,
        active_params=serve.active_params,
        precision=serve.precision,
        layers=serve.layers,
        kv_heads=serve.kv_heads,
        head_dim=serve.head_dim,
        kv_bits=kv_bits,
    )
    return _Serving(model, gpu, chip, served, fleet.domain_by_model.get(model) or 1)


def _smallest_replica(
    serving: _Serving, serve: Serve, facts: Facts, sink: Sink
) -> inf.ReplicaEstimate | None:
    """The smallest replica that holds the model, or None (E210, E501) when none does."""
    assumptions = facts.assumptions
    try:
        smallest = inf.estimate_replica(
            serving.chip,
            serving.served,
            input_tokens=serve.input_tokens,
            output_tokens=serve.output_tokens,
            scale_up_domain=serving.domain,
            assumptions=assumptions,
        )
    except ValueError as exc:
        sink.error(codes.E210, f"serve `{serve.name}`: {exc}", serve.span)
        return None
    if smallest.fits:
        return smallest
    domain = serving.domain
    usable = domain * serving.gpu.memory_bytes * assumptions.value("hbm_usable_fraction")
    weights_gb = smallest.weights_bits / 8e9
    kv_gb = smallest.kv_bits_per_sequence / 8e9
    sink.error(
        codes.E501,
        f"serve `{serve.name}` does not fit: {weights_gb:,.0f} GB of weights and "
        f"{kv_gb:,.1f} GB of KV cache for one request, {usable / 1e9:,.0f} GB usable in a "
        f"scale-up domain of {domain} x {serving.model}",
        serve.span,
        notes=(
            f"{serve.params:.3g} params x {serving.served.weight_bits:g} bits = "
            f"{weights_gb:,.0f} GB",
        ),
        help="serve at a lower precision, or use GPUs with more memory or a rack with a "
        "larger scale-up domain (NVL72)",
    )
    return None


def _chosen_replica(
    serving: _Serving, serve: Serve, gpus: int, facts: Facts, sink: Sink
) -> inf.ReplicaEstimate | None:
    """The pinned replica size, or the one with the most tokens/s per GPU (None: E210)."""
    pinned, domain = serve.gpus_per_replica, serving.domain
    if pinned is not None and pinned > domain:
        sink.error(
            codes.E210,
            f"serve `{serve.name}` pins {pinned} GPUs per replica; the scale-up domain of "
            f"{serving.model} holds {domain}",
            serve.span,
            help=f"set gpus_per_replica to at most {domain}",
        )
        return None
    rate = serve.requested_user_rate_tokens_per_s
    if pinned is not None:
        return inf.estimate_replica(
            serving.chip,
            serving.served,
            scale_up_domain=domain,
            user_rate=rate,
            gpus_per_replica=pinned,
            input_tokens=serve.input_tokens,
            output_tokens=serve.output_tokens,
            assumptions=facts.assumptions,
        )
    # best_replica: the most tokens/s per GPU, which is what a throughput figure asks;
    # the smallest replica that fits often leaves no room for a useful batch.
    return inf.best_replica(
        serving.chip,
        serving.served,
        scale_up_domain=max(min(domain, gpus), 1),
        user_rate=rate,
        input_tokens=serve.input_tokens,
        output_tokens=serve.output_tokens,
        assumptions=facts.assumptions,
    )


def _check_user_rate(
    serving: _Serving, serve: Serve, replica: inf.ReplicaEstimate, sink: Sink
) -> None:
    """E505: the requested per-user rate is out of reach even at a batch of one."""
    rate = serve.requested_user_rate_tokens_per_s
    if rate is None or not replica.fits or replica.meets_user_rate:
        return
    sink.error(
        codes.E505,
        f"serve `{serve.name}` cannot reach {rate:,.0f} tokens/s per user: a replica of "
        f"{replica.gpus_per_replica} x {serving.model} decodes "
        f"{replica.per_user_tokens_per_s:,.1f} tokens/s at a batch of one",
        serve.span,
        help=f"lower user_rate to {replica.per_user_tokens_per_s:,.1f} tokens/s or less, "
        "serve at a lower precision, or use GPUs with more memory bandwidth",
    )


@dataclass(frozen=True, slots=True)
class _Output:
    replicas: int
    tokens_per_s: float = 0.0
    tokens_per_s_per_mw: float = 0.0
    joules_per_token: float = 0.0


def _fleet_output(
    serving: _Serving,
    serve: Serve,
    gpus: int,
    fleet: Fleet,
    replica: inf.ReplicaEstimate,
    smallest: inf.ReplicaEstimate,
    facts: Facts,
    sink: Sink,
) -> _Output:
    """Replicas on the workload's GPUs and what they make; W502 when not one fits."""
    power_w = fleet.facility_power_w * gpus / fleet.gpus if fleet.gpus else 0.0
    replicas = gpus // replica.gpus_per_replica if replica.fits else 0
    if replicas == 0:
        sink.warning(
            codes.W502,
            f"serve `{serve.name}` gets {gpus:,} GPUs, not enough for one replica of "
            f"{max(replica.gpus_per_replica, smallest.gpus_per_replica)} x {serving.model}",
            serve.span,
            help="give the workload gpus or a share of the fleet, or fewer workloads",
        )
    if power_w <= 0:
        return _Output(replicas)
    served_fleet = inf.serve_fleet(replica, gpus, power_w)
    fleet_derivation = served_fleet.derivation.with_inputs(
        facility_power_share="facility_power_w = factory facility power x gpus / factory GPUs",
        factory_facility_power_w=fleet.facility_power_w,
        factory_gpus=fleet.gpus,
    )
    for figure in ("replicas", "tokens_per_s", "tokens_per_s_per_mw", "joules_per_token"):
        facts.record_derivation(f"serve.{serve.name}.{figure}", fleet_derivation)
    return _Output(
        replicas,
        served_fleet.tokens_per_s,
        served_fleet.tokens_per_s_per_mw,
        served_fleet.joules_per_token or 0.0,
    )
