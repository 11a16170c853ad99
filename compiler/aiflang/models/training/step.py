"""Step time of one training step under a plan: compute, bubble, exposed communication.

    step = compute + host waits + bubble + sum over collectives of their exposed part

A step trains the job's global batch. Each data-parallel rank runs
ceil(batch / (dp x micro-batch)) micro-batches; when the batch does not
divide, the last round leaves some ranks idle, and the step still takes it.

- FLOPs per token = 6 x active params + 6 x layers x sequence x width
  (causal attention, counted once; PaLM, Chowdhery et al. 2022, appendix B).
  Compute = FLOPs of the step x recompute factor (1 + share / 3: one more
  forward pass for the share of layers recomputed in full) x stage imbalance (the busiest
  stage's whole layers, and on the last stage the output layer, over the average stage:
  `stage_imbalance`) / (GPUs x peak x achieved fraction), plus
  the kernels between the GEMMs, bound by HBM bandwidth: `train_elementwise_bytes`
  (102) bytes per hidden-state element per layer at `train_hbm_efficiency` of
  the GPU's HBM bandwidth. Their share falls as the model widens (the GEMMs
  grow with width squared, the element-wise traffic with width), which a
  single achieved fraction cannot follow. The achieved fraction is per GPU
  generation and precision (`aiflang.models.training.calibration`).
- Host waits: the expert kernels' issue (`host_bound_s`), and once a step
  `train_step_host_s`, the time every GPU idles between one step's
  backward and the next step's forward while its host reads the gradient
  norm back (Megatron-Core's gradient clipping), issues the optimizer and
  the next step: an intercept per step, fitted on the published runs of
  one micro-batch a step, where it weighs most.
- Bubble of 1F1B: (pp - 1) / vp micro-batch times (Narayanan et al.,
  "Efficient Large-Scale Language Model Training on GPU Clusters Using
  Megatron-LM", SC 2021, section 2.2).
- Collectives, bus-bandwidth model of nccl-tests (doc/PERFORMANCE.md): a
  reduce-scatter or all-gather of S bytes over n ranks moves S x (n - 1) / n
  per GPU, an all-reduce twice that. Hierarchical over the scale-up domain
  first, then across domains on each GPU's own NIC (rails). Which ranks share
  a domain follows the plan's rank order (`Plan.order`): Megatron-Core's
  default tp-cp-ep-dp-pp, or tp-cp-ep-pp-dp (Megatron-Bridge's
  use_tp_pp_dp_mapping), where with pp > 1 the data-parallel ranks sit a
  whole pipeline apart and a stage's neighbours tp x cp apart.
  * TP (sequence parallel): 4 all-reduce equivalents of b x s x h x 2 bytes
    per layer per micro-batch (6 with full recomputation), on NVLink;
  * CP (ring attention): 3 x (cp - 1) transfers of a K and V chunk per layer
    per micro-batch;
  * PP: an activation and a gradient of b x s x h x 2 / tp bytes per
    micro-batch per virtual stage;
  * DP: gradients reduce-scattered in FP32 and BF16 weights all-gathered
    once a step (ZeRO-1/2; an all-reduce for ZeRO-0; ZeRO-3/FSDP gathers the
    weights for the forward and again for the backward);
  * EP: dispatch and combine all-to-alls of tokens x top-k x h x 2 bytes x
    (ep - 1) / ep, forward and backward, per MoE layer.
  Traffic that leaves a leaf runs at 1/o of the NIC on an o:1 fabric, and at
  the share of leaf-spine bandwidth a failure leaves.
- Overlap: DP traffic hides under one micro-batch's compute (the last
  backward and the first forward: Megatron's overlap_grad_reduce and
  overlap_param_gather) and under the pipeline bubble, when stages wait
  anyway, all but the last gradient bucket and the first weight bucket
  (max(40M, 1M x data-parallel ranks) parameters, Megatron-Core's default,
  or a recipe's own, `Plan.bucket`), which wait for the backward to end
  and hold up the forward; TP, CP, PP and EP hide a registered share.
"""

from __future__ import annotations

import math

from aiflang.models.assumptions import Assumptions
from aiflang.models.training.calibration import compute_fraction, precision_key
from aiflang.models.training.memory import (
    ACTIVATION_BYTES,
    WEIGHT_BYTES,
    Plan,
    dp_groups,
    layers_per_stage,
    params_per_gpu,
    weight_bytes,
)
from aiflang.models.training.shapes import Cluster, Job, ModelShape
from aiflang.records import field, record

COLLECTIVES = ("tp", "cp", "pp", "dp", "ep")


def training_flops(active_params: float, tokens: float) -> float:
    """The standard estimate of training compute, 6 x active params x tokens (Kaplan et al.
    2020), attention left out; `flops_per_token` adds it."""
    return 6.0 * active_params * tokens


def flops_per_token(model: ModelShape, job: Job) -> float:
    """Model FLOPs per trained token: 6 x active + 6 x layers x sequence x attention width
    (heads x the mean of the query/key and value head widths)."""
    width = model.attention_width
    return 6.0 * model.active_params + 6.0 * model.layers * job.sequence_length * width


@record
class StepTime:
    """One step under one plan, split into its parts (seconds)."""

    plan: Plan
    microbatches: int
    tokens_per_step: float
    compute_s: float
    bubble_s: float
    exposed_s: dict[str, float]  # by collective: tp, cp, pp, dp, ep
    traffic_s: dict[str, float] = field(default_factory=dict)  # before overlap
    compute_fraction: float = 0.0
    mfu: float = 0.0
    host_s: float = 0.0  # the GPU waiting on the host to issue the expert kernels
    step_host_s: float = 0.0  # the GPUs waiting on their host once a step (optimizer, next step)

    @property
    def communication_s(self) -> float:
        return sum(self.exposed_s.values())

    @property
    def total_s(self) -> float:
        return (
            self.compute_s + self.host_s + self.step_host_s + self.bubble_s + self.communication_s
        )

    @property
    def tokens_per_s(self) -> float:
        return self.tokens_per_step / self.total_s if self.total_s > 0 else 0.0


def _fabric_factor(cluster: Cluster, domains: float) -> float:
    """How much slower traffic among `domains` scale-up domains runs than the NIC alone.

    The share of peers beyond one leaf, x = 1 - leaf_domains / domains,
    crosses the spines at 1/o of the NIC (and at what a failure leaves).
    """
    if domains <= cluster.leaf_domains:
        return 1.0
    cross = 1.0 - cluster.leaf_domains / domains
    slow = cluster.oversubscription / max(cluster.spine_bandwidth_share, 1e-9)
    return (1.0 - cross) + cross * max(slow, 1.0)


def _bw_up(cluster: Cluster, a: Assumptions) -> float:
    """Bytes/s a collective reaches inside the scale-up domain."""
    if cluster.scale_up_bps <= 0:  # a GPU without a scale-up link talks over its NIC
        return _nic(cluster, a)
    return cluster.scale_up_bps / 8.0 * a.value("scale_up_efficiency")


def _bw_out(cluster: Cluster, a: Assumptions) -> float:
    """Bytes/s a collective reaches across scale-up domains, on each GPU's NIC."""
    if cluster.scale_out_bps <= 0:  # the run fits one domain: nothing leaves it
        return _bw_up(cluster, a)
    return _nic(cluster, a)


def _nic(cluster: Cluster, a: Assumptions) -> float:
    if cluster.scale_out_bps <= 0:
        raise ValueError("the GPUs have neither a scale-up link nor a NIC between them")
    return cluster.scale_out_bps / 8.0 * a.value("scale_out_efficiency")


def _local_ranks(cluster: Cluster, group: int, stride: int, run: int = 0, period: int = 0) -> int:
    """Ranks of a group that share one scale-up domain of D GPUs.

    The group's ranks come in runs of `run` ranks `stride` apart, one run every `period`
    ranks (`run` 0: the whole group is one run). A domain holds run x floor(D / period) of
    them when it spans a period, and otherwise what of one run falls inside it,
    min(run, floor(D / stride)); at least the rank itself.
    """
    domain = cluster.scale_up_domain
    if run <= 0 or run >= group or period <= 0:
        return max(1, min(group, domain // max(stride, 1)))
    if domain >= period:
        return max(1, min(group, run * (domain // period)))
    return max(1, min(run, domain // max(stride, 1)))


def _hierarchical(
    cluster: Cluster,
    a: Assumptions,
    volume: float,
    group: int,
    stride: int,
    factor: float,
    run: int = 0,
    period: int = 0,
) -> float:
    """Time of a collective over `group` ranks: NVLink stage, then the NICs of each domain.

    `factor` is 1 for reduce-scatter or all-gather, 2 for all-reduce; `run` and `period`
    place the ranks as `_local_ranks` reads them.
    """
    if group <= 1 or volume <= 0:
        return 0.0
    local = _local_ranks(cluster, group, stride, run, period)
    outer = group / local
    t = factor * volume * (local - 1) / local / _bw_up(cluster, a)
    if outer > 1:
        bw = _bw_out(cluster, a) / _fabric_factor(cluster, outer)
        t += factor * volume / local * (outer - 1) / outer / bw
    return t


def _point_to_point(cluster: Cluster, a: Assumptions, volume: float, across: bool) -> float:
    if volume <= 0:
        return 0.0
    if not across:
        return volume / _bw_up(cluster, a)
    return volume * _fabric_factor(cluster, 2.0) / _bw_out(cluster, a)


@record
class ComputeRates:
    """What a step's compute is made of on one GPU of a cluster, worked out once per run.

    `flops_per_token`: model FLOPs per token; `flops_per_s`: the peak the
    GEMMs run at x the achieved fraction `eta`; `element_bytes` and
    `hbm_bytes_per_s`: the HBM traffic per hidden-state element per layer of
    the kernels between the GEMMs and the bandwidth they reach (0: uncharged).
    """

    flops_per_token: float
    peak_flops: float  # the peak a token's FLOPs average at: the precision's, and BF16's for
    # what the precision leaves in BF16
    eta: float
    element_bytes: float
    hbm_bytes_per_s: float
    weight_bytes: float = WEIGHT_BYTES  # of each working weight the DP all-gathers move
    moe_copy_bytes: float = 0.0  # HBM bytes per token per MoE layer for its routed copies
    fp8: bool = False  # the linear layers' GEMMs run in FP8 (what `Plan.fp8_cs` scales)


def compute_rates(
    model: ModelShape, job: Job, cluster: Cluster, precision: str, a: Assumptions
) -> ComputeRates:
    """The per-token and per-element costs of `model` on `cluster` at `precision`."""
    eta = compute_fraction(cluster.family, precision, a)
    element_bytes, hbm = 0.0, 0.0
    if cluster.memory_bandwidth_bps > 0:
        element_bytes = a.value("train_elementwise_bytes")
        hbm = cluster.memory_bandwidth_bps / 8.0 * a.value("train_hbm_efficiency")
    per_token = flops_per_token(model, job)
    peak = cluster.peak_flops
    bf16 = cluster.bf16_peak_flops
    if precision_key(precision) != "bf16" and 0 < bf16 < peak:
        # FP8 and FP4 recipes quantise the layers' linear GEMMs only: attention's QK^T and PV
        # and the output layer's logits GEMM stay in BF16 at BF16's peak
        kept = bf16_flops_per_token(model, job)
        peak = per_token / ((per_token - kept) / peak + kept / bf16)
    moe_bytes = 0.0
    if model.moe and hbm > 0:
        # each of the k routed copies of a token is permuted, quantised for the grouped GEMM,
        # unpermuted and combined (per hidden-state element), and goes through the activation
        # between the expert GEMMs (per element of the expert's FFN width)
        moe_bytes = model.experts_per_token * (
            a.value("train_moe_copy_bytes") * model.hidden
            + a.value("train_moe_activation_bytes") * model.expert_ffn
        )
    return ComputeRates(
        per_token,
        peak,
        eta,
        element_bytes,
        hbm,
        weight_bytes(precision),
        moe_bytes,
        precision_key(precision) == "fp8",
    )


def bf16_flops_per_token(model: ModelShape, job: Job) -> float:
    """FLOPs per token an FP8 or FP4 run still computes in BF16: causal attention (6 x layers
    x sequence x attention width) and the output layer (6 x width x vocabulary)."""
    width = model.attention_width
    return 6.0 * model.layers * job.sequence_length * width + 6.0 * model.hidden * model.vocab


def stage_imbalance(model: ModelShape, flops_per_token: float, pp: int) -> float:
    """The busiest pipeline stage's work over the average stage's.

    The output layer (logits GEMM, 6 x width x vocabulary FLOPs per token) sits on the last
    stage and weighs r = its FLOPs / one layer's; layers are whole, so the last stage takes k
    layers and the output layer, the others share the rest, and the split with the least busy
    stage is taken (Megatron's pipeline layouts, and the Llama 3 run, which took one layer off
    the last stage for it: Llama 3 Herd of Models, section 3.3.2). With a small model on many
    stages the output layer outweighs a stage's share, and the pipeline runs at its pace.
    """
    if pp <= 1:
        return 1.0
    layers = model.layers
    output = 6.0 * model.hidden * model.vocab
    per_layer = max(flops_per_token - output, 0.0) / layers
    if per_layer <= 0:
        return float(-(-layers // pp) * pp) / layers
    r = output / per_layer

    def rest(k: int) -> float:  # layers on the busiest of the other stages
        return float(-(-(layers - k) // (pp - 1)))

    # the other stages' load falls with k and the last stage's rises: the least busy split is
    # at the first k where the last stage is the busier one, or just before it
    k = max(0, min(layers, math.floor((layers - (pp - 1) * r) / pp)))
    while k > 0 and k - 1 + r >= rest(k - 1):
        k -= 1
    while k < layers and k + r < rest(k):
        k += 1
    busiest = max(rest(k), k + r)
    if k > 0:
        busiest = min(busiest, max(rest(k - 1), k - 1 + r))
    return busiest * pp / (layers + r)


def compute_s(
    model: ModelShape,
    job: Job,
    rates: ComputeRates,
    tp: int,
    pp: int,
    cp: int,
    dp: int,
    micro_batch: int,
    m: int,
    recompute_share: float,
) -> float:
    """Compute seconds of one step on the busiest pipeline stage (GEMMs and element-wise).

    The FLOPs of m micro-batches of b sequences per data-parallel rank over the
    GPUs, x the stage imbalance (`stage_imbalance`),
    x (1 + recomputed share / 3), plus the element-wise kernels' HBM traffic.
    """
    seq = job.sequence_length
    tokens = float(m * dp * micro_batch * seq)
    stage_layers = -(-model.layers // pp)
    imbalance = stage_imbalance(model, rates.flops_per_token, pp)
    recompute = 1.0 + recompute_share / 3.0  # one more forward for each recomputed layer
    gpus = tp * pp * cp * dp
    gemm = (
        tokens
        * rates.flops_per_token
        * recompute
        * imbalance
        / (gpus * rates.peak_flops * rates.eta)
    )
    if rates.hbm_bytes_per_s <= 0:
        return gemm
    elements = micro_batch * seq / cp * model.hidden / tp
    volume = rates.element_bytes * elements * stage_layers * m
    if rates.moe_copy_bytes > 0:
        # routed copies, balanced over the experts: each GPU handles its own tokens' k copies
        moe_stage_layers = -(-model.moe_layers // pp)
        volume += rates.moe_copy_bytes * micro_batch * seq / cp / tp * moe_stage_layers * m
    return gemm + volume / rates.hbm_bytes_per_s * recompute


def step_time(
    model: ModelShape, job: Job, cluster: Cluster, plan: Plan, precision: str, a: Assumptions
) -> StepTime:
    """The time of one optimizer step of `job` on `cluster` under `plan`."""
    return step_time_at(
        model, job, cluster, plan, a, compute_rates(model, job, cluster, precision, a)
    )


def step_time_at(
    model: ModelShape,
    job: Job,
    cluster: Cluster,
    plan: Plan,
    a: Assumptions,
    rates: ComputeRates,
) -> StepTime:
    """`step_time` with the per-token costs already worked out (the plan search reuses them)."""
    m = plan.microbatches(job)
    seq = job.sequence_length
    # the step trains the declared batch; when it does not divide into dp x micro-batch, the
    # last round of micro-batches leaves some ranks idle, but the step still takes m rounds
    tokens = float(min(m * plan.dp * plan.micro_batch, job.global_batch) * seq)
    model_flops = tokens * flops_per_token(model, job)
    eta = rates.eta
    compute = compute_s(
        model,
        job,
        rates,
        plan.tp,
        plan.pp,
        plan.cp,
        plan.dp,
        plan.micro_batch,
        m,
        plan.recompute_share,
    )
    stage_layers = layers_per_stage(model, plan)
    host = host_bound_s(model, job, plan, a, rates, compute, m)
    # a stage that waits on its host runs each micro-batch that much slower, and so does the
    # pipeline's warm-up and flush
    t_mb = (compute + host) / m
    bubble = t_mb * (plan.pp - 1) / plan.vp
    # once a step, between the last backward and the next forward, every GPU waits on its
    # host (the gradient norm read back, the optimizer and the next step issued)
    step_host = a.value("train_step_host_s")

    s_local = seq / plan.cp
    act = plan.micro_batch * s_local * model.hidden * ACTIVATION_BYTES
    traffic: dict[str, float] = dict.fromkeys(COLLECTIVES, 0.0)
    exposed: dict[str, float] = dict.fromkeys(COLLECTIVES, 0.0)

    if plan.tp > 1:
        ops = 4.0 + 2.0 * plan.recompute_share
        volume = ops * act * stage_layers * m
        traffic["tp"] = _hierarchical(cluster, a, volume, plan.tp, 1, 2.0)
        exposed["tp"] = traffic["tp"] * (1.0 - a.value("train_tp_overlap"))
    if plan.cp > 1:
        kv_width = model.kv_heads * model.head_dim / min(plan.tp, model.kv_heads)
        chunk = 2.0 * plan.micro_batch * s_local * kv_width * ACTIVATION_BYTES
        volume = 3.0 * (plan.cp - 1) * chunk * stage_layers * m
        across = plan.tp * plan.cp > cluster.scale_up_domain
        traffic["cp"] = _point_to_point(cluster, a, volume, across)
        exposed["cp"] = traffic["cp"] * (1.0 - a.value("train_cp_overlap"))
    if plan.pp > 1:
        volume = 2.0 * act / plan.tp * m * plan.vp
        # a stage's neighbours sit tp x cp x dp ranks apart in Megatron-Core's default order,
        # tp x cp apart with pipeline ranks numbered inside the data-parallel ones, where the
        # whole pipeline spans tp x cp x pp ranks
        if plan.pp_inner:
            across = plan.tp * plan.cp * plan.pp > cluster.scale_up_domain
        else:
            across = plan.tp * plan.cp * plan.dp >= cluster.scale_up_domain
        traffic["pp"] = _point_to_point(cluster, a, volume, across)
        exposed["pp"] = traffic["pp"] * (1.0 - a.value("train_pp_overlap"))
    # the pipeline's warm-up and flush leave every stage idle for a bubble: DP traffic fills it
    traffic["dp"], exposed["dp"] = _data_parallel(
        model, cluster, plan, a, compute, t_mb + bubble, rates.weight_bytes
    )
    if model.moe and plan.ep > 1:
        moe_stage_layers = math.ceil(model.moe_layers / plan.pp)
        tokens_mb = plan.micro_batch * s_local / plan.tp
        volume = (
            4.0
            * tokens_mb
            * model.experts_per_token
            * model.hidden
            * ACTIVATION_BYTES
            * (plan.ep - 1)
            / plan.ep
            * moe_stage_layers
            * m
        )
        traffic["ep"] = _all_to_all(cluster, a, volume, plan.ep, plan.tp)
        exposed["ep"] = traffic["ep"] * (1.0 - a.value("train_ep_overlap"))

    total = compute + host + step_host + bubble + sum(exposed.values())
    mfu = model_flops / (plan.gpus * cluster.peak_flops * total) if total > 0 else 0.0
    return StepTime(
        plan=plan,
        microbatches=m,
        tokens_per_step=tokens,
        compute_s=compute,
        bubble_s=bubble,
        exposed_s=exposed,
        traffic_s=traffic,
        compute_fraction=eta,
        mfu=mfu,
        host_s=host,
        step_host_s=step_host,
    )


def host_bound_s(
    model: ModelShape,
    job: Job,
    plan: Plan,
    a: Assumptions,
    rates: ComputeRates,
    compute: float,
    m: int,
) -> float:
    """Seconds of one step the busiest stage's GPU waits on its host to issue expert kernels.

    Outside CUDA graphs, each local expert of a MoE layer costs the host
    `train_host_s_per_local_expert` seconds per micro-batch (forward and backward: its
    quantisation, GEMM and gradient kernels are issued one expert at a time), whatever the
    expert's share of tokens; `train_host_s_per_local_expert_fp8_cs` under FP8 with per-tensor
    current scaling (`plan.fp8_cs`), whose every cast is three kernels (Transformer Engine's
    nvte_compute_amax, nvte_compute_scale_from_amax, then the cast) where delayed and MXFP8
    block scaling cast in one. The local experts are experts x etp / (tp x ep): with the
    experts folded over the tp ranks (`plan.etp` 1) each GPU issues fewer, whole experts. A
    dispatcher that reads the token counts back to the host every
    layer (`plan.moe_sync`) drains the GPU's queue there, so in each layer the experts take
    the longer of their GPU time and the host's issue time; otherwise the host runs ahead
    and only binds when its issue time over the step outlasts the whole step's compute.
    """
    if not model.moe or plan.moe_graphs:
        return 0.0
    if plan.fp8_cs and rates.fp8:
        per_expert = a.value("train_host_s_per_local_expert_fp8_cs")
    else:
        per_expert = a.value("train_host_s_per_local_expert")
    if per_expert <= 0:
        return 0.0
    local = model.experts * plan.expert_tp / (max(plan.ep, 1) * plan.tp)
    moe_stage_layers = -(-model.moe_layers // plan.pp)
    issue = per_expert * local  # per MoE layer per micro-batch
    if plan.moe_sync:
        # the experts' GEMMs on this GPU per MoE layer per micro-batch: each token's k copies
        # through gate, up and down (6 x 3 x width x expert width FLOPs a copy, forward and
        # backward), balanced over the experts
        tokens = plan.micro_batch * job.sequence_length / plan.cp / plan.tp
        flops = tokens * model.experts_per_token * 18.0 * model.hidden * model.expert_ffn
        gpu = flops / (rates.peak_flops * rates.eta)
        return max(0.0, issue - gpu) * moe_stage_layers * m
    return max(0.0, issue * moe_stage_layers * m - compute)


def _data_parallel(
    model: ModelShape,
    cluster: Cluster,
    plan: Plan,
    a: Assumptions,
    compute: float,
    window: float,
    weight_bytes: float,
) -> tuple[float, float]:
    """(traffic, exposed) seconds of the data-parallel gradient and weight collectives.

    Whatever the window, the last gradient bucket's reduce-scatter and the first bucket's
    weight all-gather stay exposed: the last bucket fills only when the backward ends, and the
    forward cannot start before the first bucket's weights arrive. A bucket holds the plan's
    `bucket` parameters where a recipe sets it, else max(40M, 1M x data-parallel ranks)
    (Megatron-Core's default), so on thousands of ranks it outgrows a small model's shard and
    nothing hides at all.
    """
    dense, expert = params_per_gpu(model, plan)
    group_dense, group_expert = dp_groups(plan)
    # Megatron-Core orders ranks tp-cp-ep-dp-pp: the ranks that hold the same dense weights
    # (data- and context-parallel together) sit tp apart; those that hold the same experts sit
    # tp x ep apart (its expert grid folds ep over the ranks of the other dimensions). Ordered
    # tp-cp-ep-pp-dp, with more than one stage, the dense group is runs of cp ranks tp apart,
    # one every tp x cp x pp ranks, and the expert group one rank every tp x ep x pp (the
    # expert grid takes the same order: megatron/core/parallel_state.py)
    stride_dense = plan.tp
    run_dense, period_dense, run_expert, period_expert = 0, 0, 0, 0
    if plan.pp_inner:
        run_dense, period_dense = plan.cp, plan.tp * plan.cp * plan.pp
        run_expert, period_expert = 1, plan.tp * plan.ep * plan.pp
    overlap = a.value("train_dp_overlap")
    bucket = plan.bucket or max(
        a.value("train_dp_bucket_params"),
        a.value("train_dp_bucket_params_per_rank") * group_dense,
    )

    def both(nbytes: float, factor: float) -> tuple[float, float]:
        """(seconds, seconds of the buckets that cannot hide) of one collective on both
        buffers (dense and expert weights are bucketed apart)."""
        t_dense = _hierarchical(
            cluster, a, dense * nbytes, group_dense, stride_dense, factor, run_dense, period_dense
        )
        t_expert = _hierarchical(
            cluster,
            a,
            expert * nbytes,
            group_expert,
            plan.tp * plan.ep,
            factor,
            run_expert,
            period_expert,
        )
        edge = t_dense * _bucket_share(bucket, dense) + t_expert * _bucket_share(bucket, expert)
        return t_dense + t_expert, edge

    if plan.zero == 0:
        reduce, edge = both(plan.grad_bytes, 2.0)
        return reduce, max(edge, reduce - overlap * window)
    reduce, reduce_edge = both(plan.grad_bytes, 1.0)
    gather, gather_edge = both(weight_bytes, 1.0)
    edge = reduce_edge + gather_edge
    if plan.zero >= 3:
        # ZeRO-3 gathers the weights for the forward and again for the backward (1.5x the
        # traffic of ZeRO-1, Rajbhandari et al. section 7); prefetching hides the gathers under
        # the whole step, the gradient reduce-scatter only under the last micro-batch. Both
        # run on the same links: all of it must fit under the step's compute, and the
        # reduce-scatter under its window
        gathers = 2.0 * gather
        total = gathers + reduce
        exposed = max(edge, total - overlap * compute, reduce - overlap * window)
        return total, exposed
    return reduce + gather, max(edge, reduce + gather - overlap * window)


def _bucket_share(bucket: float, params: float) -> float:
    """The share of a buffer of `params` parameters in its last bucket of `bucket`."""
    if params <= 0:
        return 0.0
    return min(1.0, bucket / params)


def _all_to_all(cluster: Cluster, a: Assumptions, volume: float, ep: int, stride: int) -> float:
    """An all-to-all among `ep` ranks: the share inside the domain on NVLink, the rest on NICs."""
    local = _local_ranks(cluster, ep, stride)
    outside = 1.0 - local / ep
    inside_t = volume * (1.0 - outside) / _bw_up(cluster, a)
    if outside <= 0:
        return inside_t
    domains = ep / local
    outside_t = volume * outside * _fabric_factor(cluster, domains) / _bw_out(cluster, a)
    return max(inside_t, outside_t)
