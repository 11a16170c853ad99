"""What a training step is made of: the model's shape, the job, the cluster.

Three plain inputs feed the step-time model (`aiflang.models.training.step`):

- `ModelShape`: parameters (total and active), layers, width, attention
  heads and KV heads, vocabulary and, for a mixture of experts, experts and
  experts per token. `shape_from_params` fills the shape of a model known
  only by its parameter count, with the aspect ratio the inference model
  uses (`kv_aspect_ratio`, d_model = ratio x layers);
- `Job`: tokens to train on, sequence length and global batch (sequences);
- `Cluster`: the GPUs a run gets and what joins them: dense peak at the
  run's precision, HBM, the scale-up domain and its bandwidth, the
  scale-out bandwidth per GPU and what the designed fabric does to traffic
  that leaves a leaf (oversubscription, links lost to a failure), and the
  HBM bandwidth the element-wise kernels are bound by.

Memory and bandwidth are in bits and bits/s, as in every model module;
FLOPs per second for compute.
"""

from __future__ import annotations

import math

from aiflang.models.assumptions import Assumptions
from aiflang.records import record


@record
class ModelShape:
    """The architecture a training step runs: a dense or mixture-of-experts transformer."""

    params: float
    active_params: float
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    vocab: int = 128_256
    experts: int = 1  # routed experts per MoE layer; 1 for a dense model
    experts_per_token: int = 1
    moe_layers: int = 0  # layers with experts (DeepSeek-V3: 58 of 61)
    derived: bool = False  # layers and width were approximated from the parameter count
    qk_head_dim: int = 0  # width of a query/key head (0: hidden / heads; MLA: 128 + 64 RoPE)
    v_head_dim: int = 0  # width of a value head (0: as a query/key head without its RoPE part)

    @property
    def moe(self) -> bool:
        return self.experts > 1 and self.moe_layers > 0

    @property
    def head_dim(self) -> int:
        return max(self.hidden // max(self.heads, 1), 1)

    @property
    def attention_width(self) -> float:
        """Heads x the mean of the query/key and value head widths: what the attention
        scores (QK^T) and the weighted sum (PV) cost per token per key, 2 x this width FLOPs
        (DeepSeek-V3's MLA: 128 x (192 + 128) / 2 = 20,480, not its 7,168 width)."""
        qk = self.qk_head_dim or self.head_dim
        v = self.v_head_dim or self.head_dim
        return self.heads * (qk + v) / 2.0

    @property
    def expert_params(self) -> float:
        """Parameters held in routed experts, which EP shards.

        With E experts of which k are active, active = shared + experts x k / E
        and total = shared + experts, so experts = (total - active) / (1 - k / E).
        """
        if not self.moe:
            return 0.0
        share = self.experts_per_token / self.experts
        return min((self.params - self.active_params) / (1.0 - share), self.params)

    @property
    def expert_ffn(self) -> float:
        """Width of one routed expert's FFN: its 3 x width x ffn parameters (SwiGLU's gate, up
        and down) from the experts' parameters (DeepSeek-V3: 2,048)."""
        if not self.moe:
            return 0.0
        return self.expert_params / (self.experts * self.moe_layers * 3.0 * self.hidden)

    @property
    def dense_params(self) -> float:
        return self.params - self.expert_params


def shape_from_params(
    params: float,
    active_params: float,
    assumptions: Assumptions,
    *,
    experts: int = 1,
    experts_per_token: int = 1,
) -> ModelShape:
    """A shape for a model known only by its parameter counts.

    With about 12 x layers x d^2 parameters per dense transformer and
    d = `kv_aspect_ratio` x layers (Llama 3: 102 and 130; DeepSeek-V3: 118),
    d = (ratio x active / 12)^(1/3). Heads of 128 dimensions and 8 KV heads
    (Llama 3's grouped-query attention). A mixture of experts (total above
    active) without a stated expert count is treated as one whose experts
    hold everything but the active share.
    """
    ratio = assumptions.value("kv_aspect_ratio")
    d_model = (ratio * active_params / 12.0) ** (1.0 / 3.0)
    layers = max(1, round(d_model / ratio))
    hidden = max(128, 128 * round(d_model / 128))
    heads = max(1, hidden // 128)
    moe = params > active_params * 1.0001
    if moe and experts <= 1:
        experts, experts_per_token = 256, 8  # DeepSeek-V3's routing; only EP sharding reads it
    return ModelShape(
        params=params,
        active_params=active_params,
        layers=layers,
        hidden=hidden,
        heads=heads,
        kv_heads=min(8, heads),
        experts=experts if moe else 1,
        experts_per_token=experts_per_token if moe else 1,
        moe_layers=layers if moe else 0,
        derived=True,
    )


@record
class Job:
    """What is trained: tokens, sequence length, global batch in sequences."""

    tokens: float
    sequence_length: int
    global_batch: int  # sequences per optimizer step

    @property
    def tokens_per_step(self) -> float:
        return float(self.global_batch * self.sequence_length)


def job_for(
    tokens: float,
    assumptions: Assumptions,
    *,
    sequence_length: int | None = None,
    global_batch_tokens: float | None = None,
) -> Job:
    """A job with the stated or the registered sequence length and batch."""
    seq = sequence_length or int(assumptions.value("train_sequence_length"))
    batch_tokens = global_batch_tokens or assumptions.value("train_global_batch_tokens")
    return Job(
        tokens=tokens,
        sequence_length=seq,
        global_batch=max(1, math.ceil(batch_tokens / seq)),
    )


@record
class Cluster:
    """The GPUs of one run and the networks between them.

    `scale_up_bps` and `scale_out_bps` are per GPU and per direction.
    `leaf_domains` is how many scale-up domains reach one another under a
    single leaf (on one rail); traffic to domains beyond it crosses the
    spines, where `oversubscription` (o for o:1) and `spine_bandwidth_share`
    (what a failure leaves of the leaf-spine bandwidth, 1 when whole) slow it.
    """

    gpus: int
    family: str  # GPU generation: Ampere, Hopper, Blackwell, ...
    peak_flops: float  # dense, at the run's precision
    memory_bits: float
    scale_up_domain: int
    scale_up_bps: float
    scale_out_bps: float
    oversubscription: float = 1.0
    leaf_domains: int = 1_000_000
    spine_bandwidth_share: float = 1.0
    fabric: str = ""  # the fabric's name, for explanations
    memory_bandwidth_bps: float = 0.0  # HBM per GPU; 0 leaves element-wise traffic uncharged
    bf16_peak_flops: float = 0.0  # dense BF16, for what an FP8 or FP4 run keeps in BF16; 0: peak
