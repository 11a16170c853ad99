"""A served network's architecture and what one token costs it: weights, KV cache, FLOPs.

`Architecture` holds what a model card or config.json gives (layers, width,
heads, KV heads, head dimension, attention kind, experts); everything else
is derived here:

- routed expert parameters from the totals: one expert of one MoE layer
  holds (total - active) / ((E - k) x MoE layers) parameters, because a
  token reads k of the E routed experts and every other parameter;
- the non-routed ("always read") parameters: active - k x expert x MoE layers
  (attention, dense layers, shared experts, embeddings, the LM head);
- KV-cache values per token: 2 x KV heads x head dim per layer for
  grouped-query attention, the latent plus the RoPE key (kv_lora_rank +
  rope_head_dim) per layer for multi-head latent attention (DeepSeek-V2/V3);
  a sliding-window layer holds at most its window;
- attention FLOPs: per decoded token, 4 x heads x head dim x context per
  layer (QK^T and PV; GQA shares keys, not FLOPs); MLA decodes in the
  absorbed form, 2 x heads x context x (2 x kv_lora_rank + rope_head_dim)
  per layer (DeepSeek-V2, arXiv:2405.04434, section 2.1); a causal prefill
  of s tokens costs heads x s^2 x (qk dim + v dim) per layer (half of the
  full square, as FlashAttention's benchmark counts it);
- expert coverage: a batch of b tokens routed top-k of E, uniformly and
  independently, touches E x (1 - (1 - k/E)^b) distinct experts per layer in
  expectation (each expert is missed by all b tokens with (1 - k/E)^b).

An architecture given only by its parameter counts (the inline `params`,
`layers`, `kv_heads`, `head_dim` of a serve block) is completed with
`approximate`, which states what it assumed.
"""

from __future__ import annotations

import functools
import math
from typing import Literal

from aiflang.models.assumptions import Assumptions
from aiflang.records import field, record, replace

AttentionKind = Literal["gqa", "mla"]
_APPROX_HEAD_DIM = 128  # Llama 2/3, Mixtral, Qwen3 and DeepSeek's no-RoPE part all use 128


@record
class Architecture:
    """The shape of a transformer as its config gives it. Counts are plain numbers.

    `head_dim` is the per-head query/key dimension (for MLA, the part
    without RoPE, `qk_nope_head_dim`); `v_head_dim` defaults to it.
    `dense_layers` are the leading layers of a mixture of experts that have
    a dense FFN instead (DeepSeek-V3: 3). `fp8_block_scaled`: its FP8
    weights carry a scale per 128 x 128 block (DeepSeek-V3's checkpoints),
    not one per tensor. `approximated` names what `approximate` had to
    assume, empty when the shape was given.
    """

    name: str
    total_params: float
    active_params: float
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    attention: AttentionKind = "gqa"
    kv_lora_rank: int = 0
    rope_head_dim: int = 0
    v_head_dim: int | None = None
    experts: int = 0
    experts_per_token: int = 0
    shared_experts: int = 0
    dense_layers: int = 0
    vocab: int = 0
    sliding_window: int = 0
    sliding_layers: int = 0
    ffn: int = 0
    expert_ffn: int = 0
    fp8_block_scaled: bool = False
    approximated: tuple[str, ...] = ()
    # Derived once (the step model reads them thousands of times per estimate).
    is_moe: bool = field(init=False, repr=False, compare=False)
    moe_layers: int = field(init=False, repr=False, compare=False)
    expert_params: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.active_params <= 0 or self.total_params < self.active_params * (1 - 1e-9):
            raise ValueError(f"{self.name}: need 0 < active params <= total params")
        if min(self.layers, self.hidden, self.heads, self.kv_heads, self.head_dim) < 1:
            raise ValueError(f"{self.name}: layers, hidden, heads, kv_heads, head_dim must be >= 1")
        if self.attention == "mla" and self.kv_lora_rank < 1:
            raise ValueError(f"{self.name}: multi-head latent attention needs kv_lora_rank")
        if self.experts and not 1 <= self.experts_per_token <= self.experts:
            raise ValueError(f"{self.name}: experts per token must be between 1 and experts")
        if not 0 <= self.dense_layers < self.layers or not 0 <= self.sliding_layers <= self.layers:
            raise ValueError(f"{self.name}: dense and sliding-window layers must fit the layers")
        # is_moe: routed experts and parameters a token does not read
        moe = self.experts > 0 and self.total_params > self.active_params
        moe_layers = self.layers - self.dense_layers if moe else 0
        # one routed expert of one MoE layer: (total - active) / ((E - k) x L_moe)
        expert = 0.0
        if moe and self.experts > self.experts_per_token:
            spare = self.experts - self.experts_per_token
            expert = (self.total_params - self.active_params) / (spare * moe_layers)
        object.__setattr__(self, "is_moe", moe)
        object.__setattr__(self, "moe_layers", moe_layers)
        object.__setattr__(self, "expert_params", expert)

    # Parameters ---------------------------------------------------------

    @property
    def routed_active_params(self) -> float:
        """The routed-expert parameters one token reads: k x expert x MoE layers."""
        return self.experts_per_token * self.expert_params * self.moe_layers

    @property
    def dense_params(self) -> float:
        """Parameters every token reads: attention, dense FFNs, shared experts, embeddings, head."""
        return self.active_params - self.routed_active_params

    @property
    def dense_ffn(self) -> float:
        """Intermediate width of a dense FFN: the config's, else 3.5 x hidden (Llama 2/3 70B)."""
        return float(self.ffn or 3.5 * self.hidden)

    @property
    def routed_ffn(self) -> float:
        """Intermediate width of one routed expert: the config's, else from its parameters
        (a SwiGLU expert holds 3 x hidden x width)."""
        if self.expert_ffn:
            return float(self.expert_ffn)
        return self.expert_params / (3.0 * self.hidden) if self.is_moe else 0.0

    def activation_bytes(self, assumptions: Assumptions) -> tuple[float, float, float]:
        """Elementwise traffic per token per layer, averaged over the layers (bytes):
        (width-sized part, which every tensor-parallel rank repeats; FFN-sized part, split;
        routed copies' part, spread over the expert-parallel ranks).

        Norms, residual adds, RoPE and quantisation read and write
        `activation_width_passes` x hidden values; the FFN activation
        `activation_ffn_passes` x its width (k routed experts' widths in a
        MoE layer); moving a token to its k experts and back reads and writes
        `activation_route_passes` x k x hidden values, on the GPUs that hold
        those experts: a GPU of an expert-parallel group of ep permutes the
        copies routed to its own experts, k / ep of them per token on average
        (tensor-parallel attention hands every rank every token, and each
        rank picks out its own experts' copies; with ep = 1 every rank holds
        a slice of every expert and permutes all k). Values are 2 bytes (BF16).
        """
        width = assumptions.value("activation_width_passes") * self.hidden
        ffn_passes = assumptions.value("activation_ffn_passes")
        dense_part = ffn_passes * self.dense_ffn
        moe_part = 0.0
        route = 0.0
        if self.is_moe:
            k = self.experts_per_token
            widths = (k + self.shared_experts) * self.routed_ffn
            moe_part = ffn_passes * widths
            route = (
                assumptions.value("activation_route_passes")
                * k
                * self.hidden
                * (self.moe_layers / self.layers)
            )
        moe_share = self.moe_layers / self.layers
        split = dense_part * (1.0 - moe_share) + moe_part * moe_share
        return 2.0 * width, 2.0 * split, 2.0 * route

    @property
    def embedding_params(self) -> float:
        """The input embedding table: gathered row by row, never streamed whole in decode."""
        return float(self.vocab * self.hidden)

    # KV cache -----------------------------------------------------------
    @property
    def kv_values_per_token_layer(self) -> int:
        """Values cached per token in one layer (keys and values, or the MLA latent)."""
        if self.attention == "mla":
            return self.kv_lora_rank + self.rope_head_dim
        return 2 * self.kv_heads * self.head_dim

    def kv_tokens_held(self, context: float) -> float:
        """Token-layers of KV held for one sequence at `context`, summed over layers."""
        full = self.layers - self.sliding_layers
        windowed = self.sliding_layers * min(context, float(self.sliding_window or context))
        return full * context + windowed

    def kv_values(self, context: float) -> float:
        """KV-cache values one sequence holds at `context` tokens (all layers)."""
        return self.kv_values_per_token_layer * self.kv_tokens_held(context)

    @property
    def kv_replicated_beyond(self) -> int:
        """Tensor-parallel ranks over which the KV cache splits; beyond it each rank holds a copy.

        GQA splits by KV head (up to kv_heads ranks); the MLA latent is shared
        by every head, so each tensor-parallel rank holds all of it.
        """
        return 1 if self.attention == "mla" else self.kv_heads

    # FLOPs -------------------------------------------------------------------
    @property
    def qk_dim(self) -> int:
        return self.head_dim + (self.rope_head_dim if self.attention == "mla" else 0)

    @property
    def v_dim(self) -> int:
        return self.v_head_dim or self.head_dim

    def decode_attention_flops(self, context: float) -> float:
        """Attention FLOPs of one decoded token against `context` cached tokens, all layers."""
        if self.attention == "mla":
            per_position = 2.0 * self.heads * (2 * self.kv_lora_rank + self.rope_head_dim)
        else:
            per_position = 2.0 * self.heads * (self.qk_dim + self.v_dim)
        return per_position * self.kv_tokens_held(context)

    def prefill_attention_flops(self, prompt: float, cached: float = 0.0) -> float:
        """Causal attention FLOPs of a prompt of `prompt` tokens after `cached` ones, all layers.

        Full layers: heads x (s^2 - s0^2) x (qk + v); sliding-window layers
        attend to at most the window: 2 x heads x new tokens x window x (qk + v) / 2.
        """
        per_square = self.heads * (self.qk_dim + self.v_dim)
        full = (self.layers - self.sliding_layers) * per_square * (prompt**2 - cached**2)
        new_tokens = prompt - cached
        window = float(self.sliding_window or prompt)
        windowed = self.sliding_layers * per_square * new_tokens * min(window, prompt)
        return full + windowed

    def small_kernels(self, assumptions: Assumptions) -> float:
        """Small kernels per layer per step, averaged over the layers (see the assumptions)."""
        kernels = assumptions.value("small_kernels_per_layer")
        if self.is_moe:
            kernels += assumptions.value("small_kernels_moe_extra") * self.moe_layers / self.layers
        if self.attention == "mla":
            kernels += assumptions.value("small_kernels_mla_extra")
        return kernels

    # Experts -------------------------------------------------------------------
    def experts_touched(self, tokens: float, experts: float | None = None) -> float:
        """Expected distinct routed experts (of `experts`, default all E) a batch touches per layer.

        E_touched = n x (1 - (1 - k/E)^b) for n of the E experts and b tokens.
        """
        if not self.is_moe or tokens <= 0:
            return 0.0
        pool = float(self.experts) if experts is None else experts
        miss = (1.0 - self.experts_per_token / self.experts) ** tokens
        return pool * (1.0 - miss)

    def busiest_experts_touched(self, tokens: float, groups: int) -> float:
        """Distinct routed experts the busiest of `groups` expert-parallel GPUs reads per layer.

        Each GPU holds n = E / groups experts, each touched with p = 1 - (1 -
        k/E)^b: a binomial count of mean n p and variance n p (1 - p). The
        step waits for the GPU that reads the most, the expected maximum of
        `groups` such counts, taken as normal: n p + z(groups) x sqrt(n p (1
        - p)), z the expected largest of `groups` standard normals, at most
        n. A small batch touches few experts and unevenly (one token's k
        experts land on a few GPUs); a large one touches all of them on every
        GPU, and the busiest reads what the mean does.
        """
        held = float(self.experts) / groups
        mean = self.experts_touched(tokens, held)
        if groups <= 1 or mean <= 0:
            return mean
        p = mean / held
        spread = math.sqrt(held * p * (1.0 - p))
        return min(held, mean + expected_max_normal(groups) * spread)


@functools.lru_cache(maxsize=256)
def expected_max_normal(count: int) -> float:
    """E[max of `count` independent standard normals] (0 for one), by the trapezoid rule on
    x count phi(x) Phi(x)^(count - 1) over [-8, 8]; 1.42 for 8, 2.04 for 32 (Harter 1961)."""
    if count <= 1:
        return 0.0
    steps = 1600
    width = 16.0 / steps
    total = 0.0
    for i in range(steps + 1):
        x = -8.0 + i * width
        density = math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
        cdf = 0.5 * math.erfc(-x / math.sqrt(2.0))
        value = x * count * density * cdf ** (count - 1)
        total += value * (0.5 if i in (0, steps) else 1.0)
    return total * width


def approximate(
    name: str,
    total_params: float,
    active_params: float,
    assumptions: Assumptions,
    *,
    layers: int | None = None,
    kv_heads: int | None = None,
    head_dim: int | None = None,
) -> Architecture:
    """An architecture from parameter counts and whatever shape was given.

    A transformer has about 12 x layers x d^2 active parameters; with d =
    `kv_aspect_ratio` x layers when the layers are not given, d =
    (ratio x active / 12)^(1/3). Heads are d / head dim (128 unless given);
    KV heads are heads x `kv_gqa_fraction` unless given. A model whose
    total exceeds its active parameters is treated as a mixture of experts
    with 8 of 256 experts per token (DeepSeek-V3's routing), every layer
    sparse. Latent attention cannot be inferred: give the model block.
    """
    assumed: list[str] = []
    ratio = assumptions.value("kv_aspect_ratio")
    if layers is None:
        hidden = (ratio * active_params / 12.0) ** (1.0 / 3.0)
        layers = max(1, round(hidden / ratio))
        assumed.append("layers")
    else:
        hidden = math.sqrt(active_params / (12.0 * layers))
    assumed.append("hidden")
    dim = head_dim or _APPROX_HEAD_DIM
    if head_dim is None:
        assumed.append("head_dim")
    heads = max(1, round(hidden / dim))
    if kv_heads is None:
        kv_heads = max(1, round(heads * assumptions.value("kv_gqa_fraction")))
        assumed.append("kv_heads")
    moe = total_params > active_params * (1 + 1e-9)
    if moe:
        assumed.append("experts")
    return Architecture(
        name=name,
        total_params=total_params,
        active_params=active_params,
        layers=layers,
        hidden=max(1, round(hidden)),
        heads=heads,
        kv_heads=min(kv_heads, heads) if kv_heads <= heads else kv_heads,
        head_dim=dim,
        experts=256 if moe else 0,
        experts_per_token=8 if moe else 0,
        approximated=tuple(assumed),
    )


def with_params(arch: Architecture, total: float, active: float) -> Architecture:
    """The same shape with other parameter counts (a design may restate them)."""
    return replace(arch, total_params=total, active_params=active)
