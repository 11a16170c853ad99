"""The time of one forward step of a replica, term by term.

For one pipeline stage (layers / pp of them) processing T tokens (decodes
of n sequences x q query tokens each, plus prefill chunk tokens), per GPU:

- GEMMs: max(weight bytes / (HBM x eta_w), 2 x T x active params / (g x
  peak x eta_gemm)), eta_w the GPU's HBM fraction for weights of the
  model's precision (`Efficiency.weight_stream`). Weight bytes: the dense
  (always-read) parameters / tp, plus the routed experts the busiest GPU
  holds that the step touches: (E / ep) x (1 - (1 - k/E)^T) experts per
  MoE layer on average, and more on the GPU that reads the most when a
  small batch touches them unevenly
  (`Architecture.busiest_experts_touched`), each split over the
  expert-parallel group's tensor ranks. The input embedding is gathered, not
  streamed. Prompt tokens given as a mean over steps that arrive as whole
  chunks (`prefill_chunk`) touch experts as chunks do: a share f = mean /
  chunk of the steps reads the experts of its decodes plus a chunk, the
  rest those of the decodes alone (an 8K prompt touches every expert once,
  not half of them at every step).
- attention: max(KV bytes / (HBM x eta_mem), attention FLOPs / (g x BF16
  peak x eta_attn)); a sequence's KV is split over min(tp, KV heads) ranks
  (GQA; the MLA latent is whole on every rank). For MLA, eta_attn is the
  GPU's published MLA decode rate for the KV precision where it has one
  (`Efficiency.latent_attention`).
- communication: tensor-parallel all-reduces (two per dense layer, one per
  MoE layer), ring volume 2(tp-1)/tp x T/dp x hidden x 2 bytes; per MoE
  layer an expert-parallel dispatch (FP8, 1 byte) and combine (BF16) of
  each token to the GPUs holding its experts, (ep-1)(1-(1-1/ep)^k) remote
  copies per token; each collective pays the engine's latency, plus the
  network's beyond the scale-up domain, and moves its bytes at eta_comm x
  the link (NVLink inside the domain, the scale-out NIC share beyond, the
  slower of the two for an all-to-all that spans both). Only 1 -
  `comm_overlap` of it is exposed.
- floor: the engine's overhead per small kernel x the layer's small
  kernels, plus its overhead per layer, x layers of the stage.

The terms add: GEMMs, attention and exposed collectives run one after the
other (the measured H200 layer time is GEMM time + attention time + a
small remainder). A decode step of the replica is pp stage times (each at
the microbatch B / pp), the pipeline hand-offs, and the engine's per-step
overhead, and for multi-token prediction one pass per draft of one layer,
the draft module's projection and the shared output head (`draft_head`).
`StepTime.bound` names the largest term.
"""

from __future__ import annotations

import math
from typing import Literal

from aiflang.models.assumptions import Assumptions
from aiflang.models.serving.architecture import Architecture
from aiflang.models.serving.hardware import (
    ACTIVATION_BYTES,
    PRECISION_BITS,
    Accelerator,
    Efficiency,
    Engine,
    Network,
)
from aiflang.models.serving.shape import ReplicaShape
from aiflang.records import field, record

Bound = Literal["compute", "memory", "communication", "floor"]
_DISPATCH_BYTES = 1.0  # FP8 dispatch (DeepSeek-V3 report, section 3.3; DeepEP)


@record
class StepTime:
    """One step, split into what a performance engineer would look at (seconds)."""

    total_s: float
    compute_s: float  # GEMM and attention time where FLOPs bind
    memory_s: float  # GEMM and attention time where bytes bind
    communication_s: float  # exposed collectives and pipeline hand-offs
    floor_s: float  # per-step and per-layer engine overheads
    weight_bytes_per_gpu: float
    kv_bytes_per_gpu: float

    @property
    def bound(self) -> Bound:
        terms: dict[Bound, float] = {
            "compute": self.compute_s,
            "memory": self.memory_s,
            "communication": self.communication_s,
            "floor": self.floor_s,
        }
        return max(terms, key=lambda name: terms[name])

    def scaled(self, stages: float, extra: StepTime | None = None) -> StepTime:
        """`stages` of this stage time, plus another step's terms (hand-offs, drafts)."""
        other = extra or _NO_TIME
        return StepTime(
            total_s=self.total_s * stages + other.total_s,
            compute_s=self.compute_s * stages + other.compute_s,
            memory_s=self.memory_s * stages + other.memory_s,
            communication_s=self.communication_s * stages + other.communication_s,
            floor_s=self.floor_s * stages + other.floor_s,
            weight_bytes_per_gpu=self.weight_bytes_per_gpu,
            kv_bytes_per_gpu=self.kv_bytes_per_gpu,
        )


@record
class Replica:
    """One replica's fixed inputs: model, precision, GPU, fractions, engine, network, shape."""

    arch: Architecture
    precision: str
    kv_precision: str
    gpu: Accelerator
    efficiency: Efficiency
    engine: Engine
    network: Network
    shape: ReplicaShape
    assumptions: Assumptions
    # Constants read once from the assumptions (a sweep evaluates thousands of steps).
    _half_rows: float = field(init=False, repr=False, compare=False)
    _gemm_eta: float = field(init=False, repr=False, compare=False)
    _activation: tuple[float, float, float] = field(init=False, repr=False, compare=False)
    _kernels: float = field(init=False, repr=False, compare=False)
    _graphed: float = field(init=False, repr=False, compare=False)
    _imbalance: float = field(init=False, repr=False, compare=False)
    _expert_factor: float = field(init=False, repr=False, compare=False)
    _attention_eta: float = field(init=False, repr=False, compare=False)
    _weight_bandwidth: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        a = self.assumptions
        imbalance = 1.0
        if self.shape.ep > 1 and self.arch.is_moe:
            imbalance = a.value("expert_load_imbalance")
        object.__setattr__(self, "_half_rows", a.value("gemm_half_efficiency_tokens"))
        gemm = self.efficiency.gemm(self.precision, a, block=self.arch.fp8_block_scaled)
        object.__setattr__(self, "_gemm_eta", gemm)
        object.__setattr__(self, "_activation", self.arch.activation_bytes(a))
        object.__setattr__(self, "_kernels", self.arch.small_kernels(a))
        graphed = 0.0  # a whole-graph step's launches per layer (read only where they apply)
        if self.engine.decode_graphs:
            graphed = a.value("graph_kernel_overhead_s") * self._kernels
        object.__setattr__(self, "_graphed", graphed)
        object.__setattr__(self, "_imbalance", imbalance)
        expert = a.value("expert_kernel_efficiency") if self.arch.is_moe else 1.0
        object.__setattr__(self, "_expert_factor", expert)
        attention = self.efficiency.attention
        if self.arch.attention == "mla":
            attention = self.efficiency.latent_attention(self.kv_precision, a)
        object.__setattr__(self, "_attention_eta", attention)
        weight_share = self.efficiency.weight_stream(self.precision)
        object.__setattr__(self, "_weight_bandwidth", self.gpu.memory_bandwidth * weight_share)

    # Bytes ----------------------------------------------------------------
    @property
    def weight_bytes_per_param(self) -> float:
        return PRECISION_BITS[self.precision] / 8.0

    @property
    def kv_bytes_per_value(self) -> float:
        return PRECISION_BITS[self.kv_precision] / 8.0

    @property
    def kv_split(self) -> int:
        """Tensor ranks one sequence's KV is split over: min(tp, KV heads) (1 for MLA)."""
        return max(1, min(self.shape.tp, self.arch.kv_replicated_beyond))

    def weights_per_gpu(self) -> float:
        """Resident weight bytes on one GPU: dense / tp + every routed expert / stage GPUs."""
        arch, shape = self.arch, self.shape
        routed_total = arch.total_params - arch.dense_params
        params = arch.dense_params / shape.tp + routed_total / shape.stage_gpus
        return params * self.weight_bytes_per_param / shape.pp

    def kv_per_sequence_per_gpu(self, context: float) -> float:
        """KV bytes one sequence at `context` keeps on each GPU that holds it."""
        values = self.arch.kv_values(context) / self.kv_split / self.shape.pp
        return values * self.kv_bytes_per_value

    # Time -------------------------------------------------------------------
    def _flops(self, precision: str) -> float:
        flops = self.gpu.flops(precision)
        if flops is None:
            raise ValueError(f"{self.gpu.name} has no {precision} compute figure")
        return flops

    def attention_flops_peak(self) -> float:
        """Attention kernels compute in BF16 (FlashAttention, FlashInfer, FlashMLA): an FP8 KV
        cache halves the bytes read, not the FLOP time."""
        return self._flops("bf16")

    def _gemm_time(
        self, flops: float, rows: float, weight_bytes: float, factor: float = 1.0
    ) -> tuple[float, float]:
        """(memory, compute) seconds of one class of GEMMs with `rows` tokens per GEMM,
        at `factor` of the GPU's fractions (routed experts: `expert_kernel_efficiency`); the
        weights stream at the GPU's fraction for their precision (`Efficiency.weight_stream`)."""
        bandwidth = self._weight_bandwidth * factor
        if flops <= 0:
            return weight_bytes / bandwidth, 0.0
        eta = self._gemm_eta * factor * rows / (rows + self._half_rows)
        compute = flops / (self._flops(self.precision) * eta)
        return weight_bytes / bandwidth, compute

    def stage(
        self,
        sequences: float,
        context: float,
        *,
        query_tokens: float = 1.0,
        prefill_tokens: float = 0.0,
        prefill_attention_flops: float = 0.0,
        layers: float | None = None,
        prefill_chunk: float = 0.0,
    ) -> StepTime:
        """One pipeline stage's GPU time for a microbatch (see the module docstring).

        `sequences` decode `query_tokens` each against `context` held tokens;
        `prefill_tokens` more tokens are prefilled in the same step at
        `prefill_attention_flops` of attention. `layers` overrides the
        stage's layer count (a draft pass runs one layer). `prefill_chunk`,
        when larger than `prefill_tokens`, says those are a mean over steps:
        prompts arrive as chunks of that size in a share prefill_tokens /
        prefill_chunk of the steps, and a mixture of experts reads the
        experts of each kind of step (`_routed_time`).
        """
        arch, shape, eff = self.arch, self.shape, self.efficiency
        stage_layers = layers if layers is not None else arch.layers / shape.pp
        share = stage_layers / arch.layers
        tokens = sequences * query_tokens + prefill_tokens
        g = shape.stage_gpus
        per_param = self.weight_bytes_per_param
        # Dense (always-read) GEMMs: tensor-parallel over tp, each rank's GEMM has T / dp rows.
        dense = max(arch.dense_params - arch.embedding_params, 0.0)
        dense_bytes = dense / shape.tp * per_param * share
        dense_flops = 2.0 * tokens * dense * share / g
        operators = [self._gemm_time(dense_flops, tokens / shape.dp, dense_bytes)]
        # Routed experts: the experts this GPU holds that the step touches.
        routed_bytes = 0.0
        routed: tuple[float, float] = (0.0, 0.0)  # (memory, compute) seconds, already split
        if arch.is_moe:
            decode = sequences * query_tokens
            if 0.0 < prefill_tokens < prefill_chunk:
                # a share f of the steps carries a whole chunk, the rest decode alone
                f = prefill_tokens / prefill_chunk
                with_chunk = self._routed_time(decode + prefill_chunk, share)
                alone = self._routed_time(decode, share)
                routed_bytes = f * with_chunk[2] + (1.0 - f) * alone[2]
                routed = (
                    f * with_chunk[0] + (1.0 - f) * alone[0],
                    f * with_chunk[1] + (1.0 - f) * alone[1],
                )
            else:
                memory_s, compute_s, routed_bytes = self._routed_time(tokens, share)
                routed = (memory_s, compute_s)
        # Attention
        kv_bytes = sequences / shape.dp * self.kv_per_sequence_per_gpu(context)
        kv_bytes *= shape.pp * share  # kv_per_sequence_per_gpu is per stage already
        attention_flops = sequences * query_tokens * arch.decode_attention_flops(context)
        attention_flops = (attention_flops + prefill_attention_flops) * share / g
        operators.append(
            (
                kv_bytes / (self.gpu.memory_bandwidth * eff.memory),
                attention_flops / (self.attention_flops_peak() * self._attention_eta),
            )
        )
        # Elementwise kernels: memory-bound traffic that grows with the tokens.
        width_bytes, ffn_bytes, route_bytes = self._activation
        per_token = width_bytes / shape.dp + ffn_bytes / g + route_bytes / shape.ep
        elementwise = tokens * stage_layers * per_token
        operators.append((elementwise / (self.gpu.memory_bandwidth * eff.memory), 0.0))
        memory, compute = routed
        for mem_s, comp_s in operators:
            if mem_s >= comp_s:
                memory += mem_s
            else:
                compute += comp_s
        communication = self._collectives(tokens, stage_layers) * (1.0 - self.engine.comm_overlap)
        floor = self._floor(prefill_tokens, prefill_chunk) * stage_layers
        return StepTime(
            total_s=compute + memory + communication + floor,
            compute_s=compute,
            memory_s=memory,
            communication_s=communication,
            floor_s=floor,
            weight_bytes_per_gpu=dense_bytes + routed_bytes,
            kv_bytes_per_gpu=kv_bytes,
        )

    def _floor(self, prefill_tokens: float, prefill_chunk: float) -> float:
        """The engine's fixed time per layer of a step (seconds): each small kernel's launch and
        the per-layer overhead. An engine with whole-graph decode steps (`decode_graphs`) pays
        them only in the share of its steps that carry prompt tokens (all of them when the mean
        prompt tokens fill a chunk a step, prefill_tokens / prefill_chunk when chunks come in
        some steps only); its other steps replay one graph at the in-graph kernel cost."""
        engine = self.engine
        launched = engine.kernel_overhead_s * self._kernels + engine.layer_overhead_s
        if not engine.decode_graphs:
            return launched
        mixed = 0.0
        if prefill_tokens > 0.0:
            mixed = min(prefill_tokens / prefill_chunk, 1.0) if prefill_chunk > 0.0 else 1.0
        return mixed * launched + (1.0 - mixed) * self._graphed

    def _routed_time(self, tokens: float, share: float) -> tuple[float, float, float]:
        """(memory, compute, bytes) of the routed experts' GEMMs for `tokens` on the busiest GPU
        of a stage holding `share` of the layers; the time is the larger of the first two, the
        other 0."""
        arch, shape = self.arch, self.shape
        touched = arch.busiest_experts_touched(tokens, shape.ep)
        routed_bytes = touched * arch.expert_params * arch.moe_layers / shape.expert_tp
        routed_bytes *= self.weight_bytes_per_param * share
        routed_flops = 2.0 * tokens * arch.routed_active_params * share / shape.stage_gpus
        routed_flops *= self.imbalance
        # rows of one touched expert's GEMM: the routed tokens over the experts they touch
        rows = tokens * arch.experts_per_token / max(arch.experts_touched(tokens), 1.0)
        memory_s, compute_s = self._gemm_time(routed_flops, rows, routed_bytes, self._expert_factor)
        if memory_s >= compute_s:
            return memory_s, 0.0, routed_bytes
        return 0.0, compute_s, routed_bytes

    def _collectives(self, tokens: float, stage_layers: float) -> float:
        """Collective time of one stage (before overlap), seconds."""
        arch, shape, net = self.arch, self.shape, self.network
        eta = self.efficiency.comm
        moe_share = arch.moe_layers / arch.layers
        moe_layers = stage_layers * moe_share
        dense_layers = stage_layers - moe_layers
        total = 0.0
        if shape.tp > 1:
            message = tokens / shape.dp * arch.hidden * ACTIVATION_BYTES
            ring = 2.0 * (shape.tp - 1) / shape.tp * message
            latency = self._latency(shape.tp)
            bandwidth = net.bandwidth_between(shape.tp) * eta
            one = latency + (ring / bandwidth if bandwidth > 0 else math.inf)
            per_layer = 2.0 * dense_layers + moe_layers * (1.0 if shape.ep > 1 else 2.0)
            total += per_layer * one
        if shape.ep > 1 and moe_layers:
            total += moe_layers * self._all_to_all(tokens)
        return total

    def _latency(self, gpus: int) -> float:
        """Fixed cost of one collective among `gpus` GPUs (engine latency, network beyond)."""
        latency = self.engine.collective_latency_s
        if gpus > self.network.scale_up_domain:
            latency += self.network.scale_out_latency_s
        return latency

    def _all_to_all(self, tokens: float) -> float:
        """Dispatch plus combine of one MoE layer, seconds."""
        arch, shape, net = self.arch, self.shape, self.network
        ep = shape.ep
        k = arch.experts_per_token
        remote = (ep - 1) * (1.0 - (1.0 - 1.0 / ep) ** k)
        per_gpu_tokens = tokens / shape.stage_gpus * self.imbalance
        volume = per_gpu_tokens * remote * arch.hidden * (_DISPATCH_BYTES + ACTIVATION_BYTES)
        eta = self.efficiency.comm
        latency = 2.0 * self._latency(ep)
        domain = net.scale_up_domain
        if ep <= domain:
            return latency + _transfer(volume, net.scale_up_bandwidth * eta)
        leaving = (ep - domain) / (ep - 1)
        inside = _transfer(volume * (1.0 - leaving), net.scale_up_bandwidth * eta)
        outside = _transfer(volume * leaving, net.scale_out_bandwidth * eta)
        return latency + max(inside, outside)

    def handoff(self, tokens: float) -> float:
        """One pipeline hand-off of a microbatch's activations between stages, seconds."""
        if self.shape.pp == 1:
            return 0.0
        net = self.network
        crosses = self.shape.gpus > net.scale_up_domain
        bandwidth = (net.scale_out_bandwidth if crosses else net.scale_up_bandwidth) * (
            self.efficiency.comm
        )
        per_gpu = tokens * self.arch.hidden * ACTIVATION_BYTES / self.shape.stage_gpus
        latency = self.engine.collective_latency_s + (net.scale_out_latency_s if crosses else 0.0)
        return latency + (per_gpu / bandwidth if bandwidth > 0 else math.inf)

    def draft_head(self, batch: float) -> StepTime:
        """The GEMMs of one draft pass besides its transformer block, seconds (one GPU).

        A multi-token-prediction module projects the concatenated embedding
        and hidden state back to the width (a hidden x 2 hidden matrix) and
        draws its token through the output head it shares with the main
        model (DeepSeek-V3 report, section 2.2: "shared output head", the
        projection matrix M_k of d x 2d). Each draft reads both and runs
        them for every sequence of the batch; like the other always-read
        weights they are split over the tensor-parallel ranks, each rank's
        GEMM holding batch / dp rows. 0 for a model without a vocabulary.
        """
        arch, shape = self.arch, self.shape
        if not arch.vocab or batch <= 0:
            return _NO_TIME
        params = 2.0 * arch.hidden * arch.hidden + float(arch.vocab * arch.hidden)
        weight_bytes = params / shape.tp * self.weight_bytes_per_param
        flops = 2.0 * batch * params / shape.stage_gpus
        memory_s, compute_s = self._gemm_time(flops, batch / shape.dp, weight_bytes)
        if memory_s >= compute_s:
            return StepTime(memory_s, 0.0, memory_s, 0.0, 0.0, weight_bytes, 0.0)
        return StepTime(compute_s, compute_s, 0.0, 0.0, 0.0, weight_bytes, 0.0)

    @property
    def imbalance(self) -> float:
        """The busiest GPU's share of routed tokens over the mean (1 without expert parallelism)."""
        return self._imbalance

    def host_time(self, batch: float) -> float:
        """Host work per step: the step overhead plus per-sequence work of one scheduler.

        Each attention group (a data-parallel rank) runs its own scheduler,
        so the per-sequence part scales with batch / dp.
        """
        engine = self.engine
        return engine.step_overhead_s + engine.sequence_overhead_s * batch / self.shape.dp

    def decode_step(
        self,
        batch: float,
        context: float,
        *,
        query_tokens: float = 1.0,
        draft_passes: int = 0,
        prefill_tokens: float = 0.0,
        prefill_attention_flops: float = 0.0,
        prefill_chunk: float = 0.0,
    ) -> StepTime:
        """One decode step of the whole replica for `batch` sequences (see the module docstring).

        The batch moves through the pipeline in pp microbatches of batch / pp;
        `draft_passes` one-layer passes (multi-token prediction) follow the
        verification pass; prefill chunk tokens share the step (a mean over
        steps when `prefill_chunk` is larger: see `stage`).
        """
        pp = self.shape.pp
        micro = batch / pp
        verify = self.stage(
            micro,
            context,
            query_tokens=query_tokens,
            prefill_tokens=prefill_tokens / pp,
            prefill_attention_flops=prefill_attention_flops / pp,
            prefill_chunk=prefill_chunk / pp,
        )
        extra_time = (pp - 1) * self.handoff(micro * query_tokens + prefill_tokens / pp)
        draft = _NO_TIME
        if draft_passes:
            one = self.stage(batch, context, layers=1.0)
            draft = one.scaled(draft_passes, self.draft_head(batch).scaled(draft_passes))
        gpu = (verify.total_s * pp + 0.0) + extra_time + draft.total_s
        host = self.host_time(batch)
        waiting = max(host - gpu, 0.0)  # the GPU waits for the host when the host is slower
        extra = StepTime(
            total_s=extra_time + draft.total_s + waiting,
            compute_s=draft.compute_s,
            memory_s=draft.memory_s,
            communication_s=extra_time + draft.communication_s,
            floor_s=draft.floor_s + waiting,
            weight_bytes_per_gpu=0.0,
            kv_bytes_per_gpu=0.0,
        )
        return verify.scaled(pp, extra)


_NO_TIME = StepTime(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  # records are immutable: one serves all


def _transfer(size: float, bandwidth: float) -> float:
    """Seconds to move `size` bytes at `bandwidth`: nothing to move takes no time, and a link
    with no bandwidth never finishes."""
    if size <= 0:
        return 0.0
    return size / bandwidth if bandwidth > 0 else math.inf
