"""What a serving estimate runs on: the GPU, its achieved fractions, the engine, the network.

- `Accelerator`: the datasheet figures of one GPU (bytes, bytes/s, FLOP/s
  by precision, scale-up bandwidth per direction).
- `Efficiency`: the achieved fractions of that GPU's peaks, per GPU family
  and precision (HBM streaming, GEMMs, attention kernels, collectives).
  They are catalog data (attributes of the `gpu` entries) with sources; a
  GPU that gives none takes the defaults `serving_*_efficiency`
  (`aiflang.models.defaults`).
- `Engine`: what the serving software adds or limits (per-step and
  per-layer floors, collective latency, batch and token caps, the share of
  HBM it fills, how much communication it hides under compute): catalog
  `engine` entries (trtllm, vllm, sglang) with sources.
- `Network`: the scale-up domain and the scale-out fabric one replica sees.

All values are SI (bytes, seconds, bytes/s, FLOP/s); fractions are 0..1.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiflang.models.assumptions import Assumptions
from aiflang.records import field, record

# Bits per stored weight, scales included: NVFP4 keeps an FP8 scale per 16
# values (4.5 bits), MXFP4 an 8-bit scale per 32 (4.25); FP8 per-tensor or
# block scales are negligible (NVIDIA, "Introducing NVFP4", 2025; OCP
# Microscaling Formats (MX) v1.0, 2023).
PRECISION_BITS: dict[str, float] = {
    "fp32": 32.0,
    "tf32": 32.0,
    "bf16": 16.0,
    "fp16": 16.0,
    "fp8": 8.0,
    "fp6": 6.25,
    "fp4": 4.5,
}
WEIGHT_PRECISIONS = ("bf16", "fp16", "fp8", "fp6", "fp4")
_COMPUTE_KEY = {"fp16": "bf16"}  # the catalog lists one 16-bit figure, under bf16
ACTIVATION_BYTES = 2.0  # activations and collectives move BF16 values


@record
class Accelerator:
    """Datasheet figures of one GPU. `scale_up_bandwidth` is per direction (bytes/s)."""

    name: str
    memory_bytes: float
    memory_bandwidth: float
    dense_flops: Mapping[str, float] = field(default_factory=dict)
    scale_up_bandwidth: float = 0.0
    vendor: str = ""

    def flops(self, precision: str) -> float | None:
        """Dense peak FLOP/s at `precision` (fp16 reads bf16), or None when unsupported."""
        key = precision.lower()
        value = self.dense_flops.get(key) or self.dense_flops.get(_COMPUTE_KEY.get(key, key))
        return value or None


def supported_precisions(dense_flops: Mapping[str, float | None]) -> tuple[str, ...]:
    """The precisions with a compute figure (fp16 counts as supported with bf16), sorted."""
    supported = {name.lower() for name, flops in dense_flops.items() if flops}
    if "bf16" in supported:
        supported.add("fp16")
    return tuple(sorted(supported))


@record
class Efficiency:
    """Achieved fractions of one GPU's peaks. `compute` is by precision (large GEMMs).

    `weight_memory` is the share of HBM bandwidth that decode GEMMs reach
    when they stream weights stored at a precision, where it differs from
    `memory` (Hopper's FP8 GEMMs stream at 69% where BF16 reaches 81%);
    `mla_decode` the share of the 16-bit dense peak that latent-attention
    decode reaches with a KV cache of a precision, where the GPU's MLA
    kernel publishes one (FlashMLA on Hopper, BF16 cache only); elsewhere
    MLA decode runs at `attention` x `latent_attention_efficiency`.
    `block_fp8` is the share of the FP8 peak that GEMMs reach when their FP8
    weights carry a scale per 128 x 128 block (DeepSeek-V3's checkpoints),
    where the GPU gives one apart from per-tensor FP8.
    """

    memory: float
    compute: Mapping[str, float]
    attention: float
    comm: float
    weight_memory: Mapping[str, float] = field(default_factory=dict)
    mla_decode: Mapping[str, float] = field(default_factory=dict)
    block_fp8: float | None = None

    def gemm(self, precision: str, assumptions: Assumptions, *, block: bool = False) -> float:
        """Large-GEMM share of the peak at `precision`; `block`: block-scaled FP8 weights."""
        if block and precision.lower() == "fp8" and self.block_fp8:
            return self.block_fp8
        return _by_precision(self.compute, precision) or assumptions.value(
            "serving_compute_efficiency"
        )

    def weight_stream(self, precision: str) -> float:
        """Share of HBM bandwidth of GEMMs streaming weights stored at `precision`."""
        return _by_precision(self.weight_memory, precision) or self.memory

    def latent_attention(self, kv_precision: str, assumptions: Assumptions) -> float:
        """Share of the 16-bit dense peak of latent-attention (MLA) decode with a KV cache at
        `kv_precision`: the GPU's published MLA kernel rate, else the attention fraction times
        the registered latent-attention share."""
        return _by_precision(self.mla_decode, kv_precision) or self.attention * assumptions.value(
            "latent_attention_efficiency"
        )


def _by_precision(fractions: Mapping[str, float], precision: str) -> float | None:
    """The fraction given for `precision` (fp16 reads bf16), or None."""
    key = precision.lower()
    return fractions.get(key) or fractions.get(_COMPUTE_KEY.get(key, key)) or None


def default_efficiency(
    assumptions: Assumptions,
    *,
    memory: float | None = None,
    compute: Mapping[str, float] | None = None,
    attention: float | None = None,
    comm: float | None = None,
    weight_memory: Mapping[str, float] | None = None,
    mla_decode: Mapping[str, float] | None = None,
    block_fp8: float | None = None,
) -> Efficiency:
    """The fractions a GPU gives, the registered defaults for the ones it does not."""
    return Efficiency(
        memory=memory if memory is not None else assumptions.value("serving_memory_efficiency"),
        compute=dict(compute or {}),
        weight_memory=dict(weight_memory or {}),
        mla_decode=dict(mla_decode or {}),
        block_fp8=block_fp8,
        attention=attention
        if attention is not None
        else assumptions.value("serving_attention_efficiency"),
        comm=comm if comm is not None else assumptions.value("serving_comm_efficiency"),
    )


@record
class Engine:
    """A serving engine's overheads and limits (SI units).

    `max_batch` caps the sequences of one engine instance (one attention
    group: a tensor-parallel group, or one data-parallel attention rank);
    `token_budget` caps the tokens of one step (decodes plus prefill chunks).
    GPU side: every small kernel of a layer (norms, RoPE, routing, the KV
    append, activation: `Architecture.small_kernels`) costs at least
    `kernel_overhead`, each layer `layer_overhead` more (an engine whose
    CUDA graphs stop at every attention call, as vLLM's piecewise graphs
    do, launches each layer's pieces and its attention from the host), and
    each collective inside the scale-up domain `collective_latency`. Host
    side, overlapped with the GPU (every engine here schedules step n + 1
    while step n runs): `step_overhead` per step
    plus `sequence_overhead` per sequence of one scheduler (one attention
    group). `request_overhead` is paid once per request before its prefill
    (API server, tokenisation). `comm_overlap` is the share of
    communication hidden under compute. `kv_reserve_full` engines reserve
    KV for a whole sequence (input + output) when it is admitted
    (TensorRT-LLM's default GUARANTEED_NO_EVICT policy); others hold what the
    sequence has reached, input + output / 2 on average over its life.
    With attention data parallelism, an engine that balances prompts over
    its ranks (TensorRT-LLM's `attention_dp_config.enable_balance`) holds
    new prompts back until every rank has one, at most
    `balance_timeout_steps` steps, then `balance_batching_steps` more
    (its `timeout_iters` and `batching_wait_iters`); 0 turns it off.
    An engine that admits new prompts only every `admission_interval_steps`
    steps (vLLM's multi-step scheduling, `num_scheduler_steps`: one
    scheduler call per that many forward steps) makes a prompt wait for the
    next admission and prefills the window's arrivals together; 1 admits
    at every step. `separate_prefill` engines run prompts in steps of
    their own, with no decodes in them, and decoding pauses meanwhile
    (SGLang unless `--enable-mixed-chunk`); the others put prompt chunks in
    the decode steps. A `decode_graphs` engine runs a step that carries no
    prompt tokens as one whole CUDA graph (vLLM's FULL_AND_PIECEWISE: uniform
    decode batches replay a full graph, mixed ones the piecewise graphs): its
    small kernels cost the in-graph launch (`graph_kernel_overhead_s`) and
    no per-layer overhead; a step with prompt tokens pays both as above. An
    `overlap_scheduler` engine handles a step's outputs while the next step
    runs, so a token reaches the client a step after the one that made it.
    """

    name: str
    step_overhead_s: float
    kernel_overhead_s: float
    collective_latency_s: float
    max_batch: int
    token_budget: int
    memory_fraction: float
    comm_overlap: float = 0.0
    kv_reserve_full: bool = False
    sequence_overhead_s: float = 0.0
    request_overhead_s: float = 0.0
    balance_timeout_steps: int = 0
    balance_batching_steps: int = 0
    admission_interval_steps: int = 1
    layer_overhead_s: float = 0.0
    separate_prefill: bool = False
    decode_graphs: bool = False
    overlap_scheduler: bool = False


@record
class Network:
    """What one replica's GPUs talk over. Bandwidths are per GPU and per direction (bytes/s).

    `scale_out_bandwidth` is the scale-out fabric's bandwidth per GPU
    (its NICs' speed over the GPUs of the node, divided by the fabric's
    oversubscription for traffic that crosses the spine); 0 when the design
    has no compute fabric, so a replica cannot leave its scale-up domain.
    """

    scale_up_domain: int
    scale_up_bandwidth: float
    scale_out_bandwidth: float = 0.0
    scale_out_latency_s: float = 10e-6

    def bandwidth_between(self, gpus: int) -> float:
        """Per-GPU bandwidth of a group of `gpus`: NVLink inside the domain, the NIC beyond."""
        if gpus <= self.scale_up_domain:
            return self.scale_up_bandwidth
        return self.scale_out_bandwidth
