"""Size one `train` workload on the design: plan, step time, goodput, wall time.

The design reaches the training model (`aiflang.models.training`) here:

- the model's shape from the `model` block the workload names (layers,
  width, heads, experts), else one derived from its parameter counts;
- the job: tokens, `sequence_length` and `global_batch` (sequences), each
  with a registered default;
- the cluster: the GPUs the run gets, their dense peak at its precision and
  HBM; the scale-up domain of the racks that hold them (a rack's NVLink
  domain, else a node) and the GPU's scale-up bandwidth per direction; the
  scale-out bandwidth per GPU of the compute fabric the run names (or the
  design's only `compute` fabric): its endpoint speed x endpoints per GPU;
  the fabric's oversubscription for traffic that crosses the spines, and
  how many scale-up domains share one leaf on a rail (the sized fabric's
  leaf downlinks);
- the storage the workload names (or the design's only storage): its
  bandwidth writes and reads back the checkpoints that goodput charges.

With one spine of the fabric lost (the fabric pass's N-1 analysis: the
share of the bisection that failure takes), the same plan is timed again;
the report gives that step time beside the whole fabric's.

Needs: the design, the fleet, the fabric pass's reports, plans and
topology analyses in `facts`. Emits: E502 (precision the GPU lacks), E503
(training longer than the horizon), E504 (more GPUs than the factory has,
or none), E509 (no parallelism plan fits, or the declared one does not),
E510 (a run across scale-up domains without a scale-out network), W501
(slow checkpoint).
"""

from __future__ import annotations

from aiflang import report as rp
from aiflang import units
from aiflang.analyses import serving_inputs as si
from aiflang.analyses.facts import Facts, Fleet
from aiflang.diagnostics import Sink, Span, codes
from aiflang.frontend.design import Design, Fabric, Gpu, Storage, Train
from aiflang.models import training as trn
from aiflang.models.assumptions import Assumptions
from aiflang.models.derivation import Derivation
from aiflang.records import record, replace

SECONDS_PER_DAY = 86400.0


@record
class _Network:
    """What the design gives a run between its scale-up domains."""

    fabric: str  # "" without a fabric
    scale_out_bps: float  # per GPU, per direction
    oversubscription: float
    leaf_domains: int
    spine_share_after_loss: float | None  # what one lost spine leaves; None without spines


def model_shape(design: Design, train: Train, facts: Facts) -> trn.ModelShape:
    """The shape of the trained model: its `model` block, else one from its parameters."""
    model = design.components.models.get(train.model or "")
    if model is None:
        return trn.shape_from_params(train.params, train.active_params, facts.assumptions)
    moe = model.experts > 1
    shape = trn.ModelShape(
        params=model.params,
        active_params=model.active_params,
        layers=model.layers,
        hidden=model.hidden,
        heads=model.heads,
        kv_heads=model.kv_heads,
        experts=model.experts if moe else 1,
        experts_per_token=max(model.experts_per_token, 1) if moe else 1,
        moe_layers=model.layers - model.dense_layers if moe else 0,
        # MLA's query/key heads carry the decoupled RoPE part besides head_dim (DeepSeek-V3:
        # 128 + 64), its value heads head_dim alone
        qk_head_dim=model.head_dim + (model.rope_head_dim if model.attention == "mla" else 0),
        v_head_dim=model.v_head_dim or model.head_dim,
    )
    # a model without a stated vocabulary keeps the shape's default (Llama 3's)
    return replace(shape, vocab=model.vocab) if model.vocab else shape


def _fabric_for(design: Design, train: Train) -> Fabric | None:
    if train.fabric is not None:
        return next((f for f in design.fabrics if f.name == train.fabric), None)
    compute = [f for f in design.fabrics if f.connects == "compute" or f.training]
    return compute[0] if len(compute) >= 1 else None


def _network(
    design: Design, facts: Facts, train: Train, fleet: Fleet, gpu_model: str, domain: int
) -> _Network:
    fabric = _fabric_for(design, train)
    report = next((r for r in facts.fabrics if fabric and r.name == fabric.name), None)
    if fabric is None or report is None or not fleet.gpus:
        return _Network("", _node_nics_per_gpu(design, gpu_model), 1.0, 1_000_000, None)
    per_gpu_endpoints = report.endpoints / fleet.gpus
    scale_out = report.endpoint_speed_bps * per_gpu_endpoints
    plan = facts.fabric_plans.get(fabric.name)
    leaf_domains = 1_000_000
    if plan is not None and report.tiers > 1 and per_gpu_endpoints > 0:
        per_domain_per_rail = domain * per_gpu_endpoints / max(plan.rails, 1)
        leaf_domains = max(1, int(plan.leaf_downlinks // max(per_domain_per_rail, 1e-9)))
    share = None
    topology = facts.topologies.get(fabric.name)
    if topology is not None:
        for impact in topology.failures:
            if impact.switch_class == "spine":
                share = 1.0 - impact.bisection_lost_share
    return _Network(fabric.name, scale_out, report.oversubscription, leaf_domains, share)


def _node_nics_per_gpu(design: Design, gpu_model: str) -> float:
    """Compute-NIC bandwidth per GPU of the nodes holding `gpu_model`, bits/s.

    Without a designed compute fabric the run is charged the nodes' own
    compute NICs on a non-blocking network (the best a fabric could give).
    """
    nics = design.components.nics
    for placed in design.placed_nodes():
        node = placed.node
        gpus = sum(p.count for p in node.gpus if p.name == gpu_model)
        if not gpus:
            continue
        bps = sum(
            p.count * nics[p.name].ports * nics[p.name].port_speed_bps
            for p in node.nics
            if p.name in nics and p.role in (None, "compute")
        )
        return bps / gpus
    return 0.0


def _storage_for(design: Design, train: Train) -> Storage | None:
    if train.storage is not None:
        return next((s for s in design.storage if s.name == train.storage), None)
    return design.storage[0] if len(design.storage) == 1 else None


def _declared_span(train: Train) -> Span | None:
    return train.attr_spans.get("parallelism", train.span)


def train_workload(
    design: Design, facts: Facts, sink: Sink, fleet: Fleet, gpu_model: str, train: Train
) -> None:
    """Plan and time one training workload on the GPUs of `gpu_model`; add its report."""
    gpu = design.components.gpus[gpu_model]
    available = fleet.by_model[gpu_model]
    gpus = train.gpus if train.gpus is not None else available
    if gpus > available:
        sink.error(
            codes.E504,
            f"train `{train.name}` asks for {gpus:,} GPUs; the factory has {available:,} "
            f"{gpu_model}",
            train.span,
            help=f"set gpus to at most {available:,}, or add racks",
        )
    peak = si.accelerator(gpu).flops(train.precision)
    if peak is None or peak <= 0:
        return  # the caller reported E502
    a = facts.assumptions
    domain = max(1, fleet.domain_by_model.get(gpu_model, 1))
    network = _network(design, facts, train, fleet, gpu_model, domain)
    no_link = not gpu.scale_up_bandwidth_bytes_per_s
    if network.scale_out_bps <= 0 and (gpus > domain or (gpus > 1 and no_link)):
        sink.error(
            codes.E510,
            f"train `{train.name}` spans {gpus:,} GPUs, beyond one scale-up domain of "
            f"{domain if not no_link else 1}, and no compute fabric or NIC joins the domains",
            train.span,
            help="add a fabric with `connects = compute` (or compute NICs in the nodes), or "
            f"set gpus to at most {domain if not no_link else 1}",
        )
        return
    shape = model_shape(design, train, facts)
    batch_tokens = (
        train.global_batch * (train.sequence_length or int(a.value("train_sequence_length")))
        if train.global_batch is not None
        else None
    )
    job = trn.job_for(
        train.tokens, a, sequence_length=train.sequence_length, global_batch_tokens=batch_tokens
    )
    cluster = _cluster(gpu, gpus, domain, peak, network, 1.0)
    storage = _storage_for(design, train)
    storage_bps = (
        storage.bandwidth_bytes_per_s * 8.0 if storage and storage.bandwidth_bytes_per_s else None
    )
    declared = dict(train.parallelism) or None
    try:
        run = trn.estimate_run(
            shape,
            job,
            cluster,
            train.precision,
            a,
            plan=declared,
            mfu=train.mfu,
            storage_bps=storage_bps,
        )
    except ValueError as exc:
        sink.error(
            codes.E502,
            f"train `{train.name}` cannot be estimated at {train.precision}: {exc}",
            train.span,
            help="give the run an mfu above 0%, or GPUs with a scale-up link or a NIC",
        )
        return
    if isinstance(run, trn.NoPlan):
        sink.error(
            codes.E509,
            f"train `{train.name}`: {run.issue}",
            _declared_span(train) if declared else train.span,
            notes=(
                f"{shape.params:.3g} params, {job.sequence_length:,}-token sequences, "
                f"{job.global_batch:,} per step, on {gpus:,} {gpu_model} "
                f"({gpu.memory_bytes / 1e9:,.0f} GB each, scale-up domain {domain})",
            ),
            help=run.help,
        )
        return
    if not run.goodput.finishes:
        goodput = run.goodput
        sink.error(
            codes.E503,
            f"train `{train.name}` never finishes: on {gpus:,} GPUs an interruption comes every "
            f"{units.format_quantity(goodput.mtbf_s, units.TIME)}, and a restart with a "
            f"checkpoint read back takes {units.format_quantity(goodput.restart_s, units.TIME)}",
            train.span,
            notes=(
                "the job's MTBF is train_mtbf_per_gpu / GPUs (Llama 3: one interruption per "
                "50,680 GPU-hours)",
            ),
            help="use fewer GPUs, faster storage for checkpoints, or a lower train_restart_s",
        )
        return
    spine_lost_s = _spine_lost(shape, job, gpu, gpus, domain, peak, network, train, run, a)
    _horizon(design, facts, sink, train, run, gpus, gpu_model)
    if storage is not None and storage_bps:
        _checkpoint(facts, sink, train, storage, shape.params, storage_bps)
    it_energy = gpus * run.wall_time_s * fleet.it_power_per_gpu_w
    _record(facts, train, run, fleet, gpu_model, gpus, network, spine_lost_s, it_energy)
    step = run.step
    plan = run.plan
    facts.train.append(
        rp.TrainReport(
            name=train.name,
            gpus=gpus,
            gpu_model=gpu_model,
            precision=train.precision,
            mfu=run.mfu,
            flops=run.flops,
            time_s=run.wall_time_s,
            gpu_hours=run.gpu_hours,
            energy_j=it_energy * design.site.pue,
            it_energy_j=it_energy,
            checkpoint_s=run.goodput.checkpoint_s if storage_bps else None,
            model=train.model,
            mfu_declared=run.mfu_declared,
            plan=rp.TrainPlanReport(
                tp=plan.tp,
                pp=plan.pp,
                vp=plan.vp,
                cp=plan.cp,
                ep=plan.ep,
                dp=plan.dp,
                zero=plan.zero,
                micro_batch=plan.micro_batch,
                microbatches=step.microbatches,
                recompute=plan.recompute,
                label=plan.describe(),
                gpus=plan.gpus,
                memory_per_gpu_bytes=run.memory.total,
            ),
            sequence_length=job.sequence_length,
            global_batch=job.global_batch,
            tokens=job.tokens,
            step_s=step.total_s,
            # a stage waiting on its host (to issue expert kernels, and once a step for the
            # optimizer and the next step) is busy computing as far as the step's split goes:
            # compute here is compute plus those waits (`host_s` and `step_host_s` in the
            # derivation)
            compute_s=step.compute_s + step.host_s + step.step_host_s,
            bubble_s=step.bubble_s,
            exposed_s={k: v for k, v in step.exposed_s.items() if v > 0},
            failures_per_step_s=step.total_s * (1.0 / run.goodput.ettr - 1.0)
            if run.goodput.ettr > 0
            else 0.0,
            tokens_per_s=run.tokens_per_s,
            solve_time_s=run.solve_time_s,
            ettr=run.goodput.ettr,
            checkpoint_interval_s=run.goodput.interval_s,
            interruptions=run.goodput.interruptions,
            step_s_spine_lost=spine_lost_s,
            fabric=network.fabric or None,
            storage=storage.name if storage is not None else None,
        )
    )


def _cluster(
    gpu: Gpu, gpus: int, domain: int, peak: float, network: _Network, spine_share: float
) -> trn.Cluster:
    return trn.Cluster(
        gpus=max(gpus, 1),
        family=gpu.generation or gpu.name,
        peak_flops=peak,
        memory_bits=gpu.memory_bytes * 8.0,
        scale_up_domain=domain,
        # the catalog adds both directions; collectives run at one direction's rate
        scale_up_bps=(gpu.scale_up_bandwidth_bytes_per_s or 0.0) * 8.0 / 2.0,
        scale_out_bps=network.scale_out_bps,
        oversubscription=network.oversubscription,
        leaf_domains=network.leaf_domains,
        spine_bandwidth_share=spine_share,
        fabric=network.fabric,
        memory_bandwidth_bps=gpu.memory_bandwidth_bytes_per_s * 8.0,
        # what an FP8 or FP4 run keeps in BF16 (attention, the output layer) runs at BF16's peak
        bf16_peak_flops=si.accelerator(gpu).flops("bf16") or 0.0,
    )


def _spine_lost(
    shape: trn.ModelShape,
    job: trn.Job,
    gpu: Gpu,
    gpus: int,
    domain: int,
    peak: float,
    network: _Network,
    train: Train,
    run: trn.TrainingRun,
    a: Assumptions,
) -> float | None:
    """The chosen plan's step time with one spine of the fabric lost (None without spines)."""
    share = network.spine_share_after_loss
    if share is None or train.mfu is not None:
        return None
    cluster = _cluster(gpu, gpus, domain, peak, network, max(share, 1e-6))
    plan = run.plan
    return trn.step_time(shape, job, cluster, plan, train.precision, a).total_s


def _horizon(
    design: Design,
    facts: Facts,
    sink: Sink,
    train: Train,
    run: trn.TrainingRun,
    gpus: int,
    gpu_model: str,
) -> None:
    horizon_s = design.finance.horizon_s or facts.assumptions.value("finance_horizon")
    if run.wall_time_s <= horizon_s:
        return
    sink.error(
        codes.E503,
        f"train `{train.name}` takes {run.wall_time_s / SECONDS_PER_DAY:,.0f} days on "
        f"{gpus:,} {gpu_model}, longer than the {horizon_s / SECONDS_PER_DAY:,.0f}-day horizon",
        train.span,
        notes=(
            f"{run.steps:,.0f} steps of {run.step.total_s:,.2f} s ({run.plan.describe()}), "
            f"{run.goodput.ettr:.0%} of the wall time training",
        ),
        help=f"use at least {gpus * run.wall_time_s / horizon_s:,.0f} GPUs, a lower "
        "precision, or fewer tokens",
    )


def _checkpoint(
    facts: Facts, sink: Sink, train: Train, storage: Storage, params: float, storage_bps: float
) -> None:
    estimate = trn.estimate_checkpoint(params, storage_bps, facts.assumptions)
    facts.record_derivation(f"train.{train.name}.checkpoint_s", estimate.derivation)
    if not estimate.slow:
        return
    needed_bps = estimate.size_bits / facts.assumptions.value("checkpoint_warn_s")
    per_param = facts.assumptions.value("checkpoint_size_per_param") / 8.0
    sink.warning(
        codes.W501,
        f"a checkpoint of train `{train.name}` takes {estimate.time_s:,.0f} s to storage "
        f"`{storage.name}`",
        train.span,
        notes=(
            f"{params:.3g} params x {per_param:g} bytes = {estimate.size_bits / 8e12:,.1f} TB "
            f"at {storage_bps / 8e9:,.0f} GB/s",
        ),
        help=f"raise the bandwidth of `{storage.name}` to {needed_bps / 8e9:,.0f} GB/s, or "
        "checkpoint asynchronously",
    )


def _record(
    facts: Facts,
    train: Train,
    run: trn.TrainingRun,
    fleet: Fleet,
    gpu_model: str,
    gpus: int,
    network: _Network,
    spine_lost_s: float | None,
    it_energy: float,
) -> None:
    key = f"train.{train.name}"
    facts.record_derivation(
        f"{key}.gpus",
        Derivation(
            "gpus = the workload's gpus, else every GPU of its model (a separate scenario)",
            {
                "gpu_model": gpu_model,
                "gpus_of_model": fleet.by_model.get(gpu_model, 0),
                "factory_gpus": fleet.gpus,
                "gpus": gpus,
            },
        ),
    )
    base = run.derivation.with_inputs(
        fabric=network.fabric or "none",
        scale_out_bps_per_gpu=network.scale_out_bps,
        oversubscription=network.oversubscription,
        domains_per_leaf=network.leaf_domains,
    )
    for figure in (
        "time_s",
        "gpu_hours",
        "mfu",
        "flops",
        "step_s",
        "compute_s",
        "bubble_s",
        "tokens_per_s",
        "solve_time_s",
        "plan",
    ):
        facts.record_derivation(f"{key}.{figure}", base)
    for name in run.step.exposed_s:
        facts.record_derivation(f"{key}.exposed_s.{name}", base)
    goodput = run.goodput.derivation
    for figure in ("ettr", "checkpoint_interval_s", "interruptions", "failures_per_step_s"):
        facts.record_derivation(f"{key}.{figure}", goodput)
    energy = Derivation(
        "it_energy = gpus x wall time x IT power per GPU; energy = it_energy x PUE",
        {
            "gpus": gpus,
            "wall_time_s": run.wall_time_s,
            "it_power_per_gpu_w": fleet.it_power_per_gpu_w,
            "it_power_basis": fleet.it_basis,
        },
    )
    facts.record_derivation(f"{key}.it_energy_j", energy)
    facts.record_derivation(f"{key}.energy_j", energy)
    if spine_lost_s is not None:
        facts.record_derivation(
            f"{key}.step_s_spine_lost",
            Derivation(
                "the chosen plan's step time with the fabric's leaf-spine bandwidth cut by the "
                "share of the bisection one lost spine takes (fabrics.<name>.failures)",
                {
                    "fabric": network.fabric,
                    "spine_bandwidth_share": network.spine_share_after_loss or 0.0,
                    "step_s": run.step.total_s,
                    "step_s_spine_lost": spine_lost_s,
                },
            ),
        )
