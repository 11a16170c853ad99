"""A parallelism plan and the memory it needs on each GPU.

A `Plan` splits a model over tensor (tp), pipeline (pp, with vp virtual
stages per GPU when interleaved), context (cp), expert (ep) and data (dp)
parallel ranks; `zero` is the optimizer-state sharding over the data-parallel
ranks (ZeRO stage 0 to 3; FSDP is stage 3); `recompute` is "selective" or
full activation recomputation of a share of the layers (`recompute_share`:
0 keeps only the selective recomputation FlashAttention does anyway, 1
recomputes every layer; Megatron's recompute_num_layers sets it between).

Memory per GPU (`plan_memory`), in bytes as the formulas are written:

- model states, ZeRO (Rajbhandari et al., SC 2020) with Megatron-LM's
  distributed optimizer accounting (docs/source/api-guide/dist_optimizer.md:
  BF16 weights 2 B (FP8 runs: 1 B, Megatron-Core's fp8_param_gather, on in
  Megatron-Bridge's FP8 recipes), FP32 gradients 4 B (2 B when a plan
  reduces them in BF16, as Megatron-Bridge's performance recipes do:
  grad_reduce_in_fp32 = False), FP32 master weights, momentum and
  variance 12 B per parameter). Psi = the parameters this GPU holds:
  dense / (tp x pp) + experts / (tp x ep x pp). Stage 1 shards the 12 B of
  optimizer state over the data-parallel group (dp x cp ranks hold the same
  weights; dp x cp / ep for experts), stage 2 the gradients too, stage 3
  everything;
- activations, Korthikanti et al., "Reducing Activation Recomputation in
  Large Transformer Models" (MLSys 2023), with sequence parallelism, per
  layer per micro-batch of b sequences of s / cp tokens: selective
  recomputation 34 x s x b x h / tp bytes, full recomputation 2 x s x b x h
  / tp, mixed in proportion to the share recomputed in full, plus one
  layer's full activations (s x b x h x (34 + 5 a s / h) / tp) to recompute
  into when any layer is; the first pipeline stage holds min(pp, micro-batches)
  micro-batches of L / pp layers, x (1 + (pp - 1) / (pp x vp)) when
  interleaved (same paper, section 4.2.3);
- logits of the last stage: b x s x vocab x 4 bytes / (tp x cp) (FP32).

A plan fits when the sum stays under HBM x `train_hbm_usable_fraction`.

`order` is the order ranks are numbered in, innermost first (Megatron-Core's
`initialize_model_parallel(order=...)`): memory does not depend on it; where
each collective's ranks sit does (`aiflang.models.training.step`).
"""

from __future__ import annotations

import math

from aiflang.models.assumptions import Assumptions
from aiflang.models.training.calibration import precision_key
from aiflang.models.training.shapes import Job, ModelShape
from aiflang.records import record

WEIGHT_BYTES = 2.0  # BF16 working weights
FP8_WEIGHT_BYTES = 1.0  # FP8 working weights (Megatron fp8_param_gather, on in its FP8 recipes)
GRAD_BYTES = 4.0  # FP32 main gradients (Megatron-LM default, Llama 3's FP32 reduce-scatter)
OPTIMIZER_BYTES = 12.0  # FP32 master weights, Adam momentum and variance
ACTIVATION_BYTES = 2.0  # BF16 activations, as exchanged between ranks
# rank orders, innermost first: Megatron-Core's default (megatron/core/parallel_state.py,
# initialize_model_parallel), and the one Megatron-Bridge sets when use_tp_pp_dp_mapping is on
# (src/megatron/bridge/training/initialize.py; MLPerf Training's TP_PP_DP_MAPPING=True)
DEFAULT_ORDER = "tp-cp-ep-dp-pp"
PP_INNER_ORDER = "tp-cp-ep-pp-dp"
ORDERS = (DEFAULT_ORDER, PP_INNER_ORDER)
# Korthikanti's 34 bytes per hidden-state element per layer keep the inputs of the four linear
# layers in BF16: QKV 2, output projection 2, first MLP 2, second MLP 8 (4h wide). Under FP8 or
# FP4 Transformer Engine keeps the quantised copy it made for the GEMM instead (1 byte an
# element, for the weight gradient): 34 - (1 + 1 + 1 + 4) = 27
SELECTIVE_BYTES = 34.0
SELECTIVE_BYTES_QUANTISED = 27.0


def weight_bytes(precision: str) -> float:
    """Bytes of each working weight a GPU holds: FP8 runs keep them in FP8 (Megatron-Core's
    fp8_param_gather, which the FP8 recipes of Megatron-Bridge turn on), others in BF16."""
    return FP8_WEIGHT_BYTES if precision_key(precision) == "fp8" else WEIGHT_BYTES


def selective_bytes(precision: str) -> float:
    """Activation bytes per hidden-state element per layer with selective recomputation."""
    return SELECTIVE_BYTES if precision_key(precision) == "bf16" else SELECTIVE_BYTES_QUANTISED


@record
class Plan:
    """How a run is split over its GPUs."""

    tp: int = 1
    pp: int = 1
    cp: int = 1
    ep: int = 1
    dp: int = 1
    vp: int = 1  # virtual pipeline stages per GPU (interleaved 1F1B)
    zero: int = 1
    micro_batch: int = 1  # sequences per micro-batch
    recompute_share: float = 0.0  # layers recomputed in full (0: selective only, 1: all)
    grad_bytes: float = GRAD_BYTES  # 4: FP32 main gradients; 2: reduced in BF16
    # MoE software stack: the dispatcher reads the token counts back to the host every MoE
    # layer (Megatron-Core's all-to-all dispatcher), and the expert GEMMs run in CUDA graphs
    moe_sync: bool = False
    moe_graphs: bool = False
    # FP8 with per-tensor current scaling (Transformer Engine's Float8CurrentScaling: an amax
    # kernel and a scale kernel before each cast) rather than delayed or MXFP8 block scaling
    fp8_cs: bool = False
    # expert tensor parallel size: 0 splits each expert over the plan's tp ranks; 1 keeps
    # experts whole and spreads them over tp x ep ranks (Megatron-Core's MoE parallel folding,
    # expert_tensor_parallel_size 1). Memory and traffic are the same 1 / (tp x ep) of the
    # experts either way; the host issues tp / etp times fewer, wider experts
    etp: int = 0
    # parameters in a data-parallel gradient bucket; 0: Megatron-Core's default,
    # max(40M, 1M x data-parallel ranks) (`train_dp_bucket_params`)
    bucket: float = 0.0
    # the order ranks are numbered in, innermost first (`ORDERS`): with pipeline stages
    # numbered inside the data-parallel ranks, a stage's neighbours sit tp x cp ranks apart and
    # the ranks that hold the same weights spread over more scale-up domains
    order: str = DEFAULT_ORDER

    @property
    def pp_inner(self) -> bool:
        """Whether pipeline ranks are numbered inside the data-parallel ranks (and matter:
        with one stage the two orders give the same groups)."""
        return self.order == PP_INNER_ORDER and self.pp > 1

    @property
    def expert_tp(self) -> int:
        """The ranks each expert is split over (the plan's tp unless `etp` divides it)."""
        if 0 < self.etp < self.tp and self.tp % self.etp == 0:
            return self.etp
        return self.tp

    @property
    def recompute(self) -> str:
        if self.recompute_share <= 0:
            return "selective"
        if self.recompute_share >= 1:
            return "full"
        return f"full on {self.recompute_share:.0%} of layers"

    @property
    def model_parallel(self) -> int:
        return self.tp * self.pp * self.cp

    @property
    def gpus(self) -> int:
        return self.model_parallel * self.dp

    def microbatches(self, job: Job) -> int:
        """Micro-batches per data-parallel rank per step (the batch rounded up to fill them)."""
        return max(1, math.ceil(job.global_batch / (self.dp * self.micro_batch)))

    def describe(self) -> str:
        parts = [f"TP{self.tp}", f"PP{self.pp}"]
        if self.vp > 1:
            parts.append(f"VP{self.vp}")
        if self.cp > 1:
            parts.append(f"CP{self.cp}")
        if self.ep > 1:
            parts.append(f"EP{self.ep}")
        parts.append(f"DP{self.dp}")
        parts.append("FSDP" if self.zero == 3 else f"ZeRO-{self.zero}")
        if self.grad_bytes < GRAD_BYTES:
            parts.append("BF16 grads")
        if self.expert_tp < self.tp:
            parts.append(f"ETP{self.expert_tp}")
        return " ".join(parts)


@record
class Memory:
    """Bytes one GPU needs under a plan, by part."""

    weights: float
    gradients: float
    optimizer: float
    activations: float
    logits: float

    @property
    def total(self) -> float:
        return self.weights + self.gradients + self.optimizer + self.activations + self.logits


def params_per_gpu(model: ModelShape, plan: Plan) -> tuple[float, float]:
    """(dense, expert) parameters one GPU holds."""
    dense = model.dense_params / (plan.tp * plan.pp)
    expert = model.expert_params / (plan.tp * plan.ep * plan.pp)
    return dense, expert


def dp_groups(plan: Plan) -> tuple[int, int]:
    """Ranks that hold the same (dense, expert) weights: dp x cp, and dp x cp / ep."""
    dense = plan.dp * plan.cp
    return dense, max(1, dense // plan.ep)


def layers_per_stage(model: ModelShape, plan: Plan) -> int:
    """Layers on the busiest pipeline stage (stages may be uneven, as Megatron allows)."""
    return math.ceil(model.layers / plan.pp)


def activation_bytes_per_layer(
    model: ModelShape, job: Job, plan: Plan, recompute: str, precision: str = "bf16"
) -> float:
    """Korthikanti's per-layer activation memory for one micro-batch, with sequence parallelism."""
    s = job.sequence_length / plan.cp
    sbh = s * plan.micro_batch * model.hidden
    kept = selective_bytes(precision)
    if recompute == "full":
        return 2.0 * sbh / plan.tp
    if recompute == "selective":
        return kept * sbh / plan.tp
    return sbh * (kept + 5.0 * model.heads * s / model.hidden) / plan.tp


def plan_memory(model: ModelShape, job: Job, plan: Plan, precision: str = "bf16") -> Memory:
    """Memory per GPU of `plan` (the busiest pipeline stage) for a run at `precision`."""
    dense, expert = params_per_gpu(model, plan)
    group_dense, group_expert = dp_groups(plan)

    def sharded(per_param: float, stage_needed: int) -> float:
        if plan.zero >= stage_needed:
            return per_param * (dense / group_dense + expert / group_expert)
        return per_param * (dense + expert)

    weights = sharded(weight_bytes(precision), 3)
    gradients = sharded(plan.grad_bytes, 2)
    optimizer = sharded(OPTIMIZER_BYTES, 1)
    stage_layers = layers_per_stage(model, plan)
    in_flight = min(plan.pp, plan.microbatches(job))
    interleave = 1.0 + (plan.pp - 1) / (plan.pp * plan.vp) if plan.vp > 1 else 1.0
    share = plan.recompute_share
    per_layer = (1.0 - share) * activation_bytes_per_layer(
        model, job, plan, "selective", precision
    ) + share * activation_bytes_per_layer(model, job, plan, "full", precision)
    activations = per_layer * stage_layers * in_flight * interleave
    if share > 0:
        activations += activation_bytes_per_layer(model, job, plan, "none", precision)
    logits = plan.micro_batch * job.sequence_length * model.vocab * 4.0 / (plan.tp * plan.cp)
    return Memory(weights, gradients, optimizer, activations, logits)


def usable_bytes(memory_bits: float, assumptions: Assumptions) -> float:
    """HBM a plan may fill, in bytes."""
    return memory_bits / 8.0 * assumptions.value("train_hbm_usable_fraction")
