"""Inference model: a roofline per replica, and what a fleet of replicas produces.

A replica is the group of GPUs that holds one copy of the model (tensor and
expert parallel inside one scale-up domain). Per replica of p GPUs:

- memory: weights (all experts resident) + batch x KV cache per sequence
  must fit p x HBM x `hbm_usable_fraction`; the KV cache of one sequence is
  2 x layers x kv_heads x head_dim x (input + output tokens) x KV bytes,
  sized for the full context.
- decode step: max(bytes read / (p x HBM bandwidth x `decode_memory_efficiency`),
  2 x active params x batch / (p x compute x `decode_compute_efficiency`)),
  where bytes read = weights touched by the batch + the KV cache of the batch
  at its mean context (input + output / 2). For a mixture of experts the
  weights touched are approximated as min(total, active x batch) params: one
  token reads the active experts, a large batch reads every expert.
- prefill of one request: 2 x active params x input tokens /
  (p x compute x `prefill_compute_efficiency`); it is also the time to first
  token (no queueing).
- prefill shares the GPUs with decode, so each user's rate is
  output / (output x decode step + batch x prefill time), and the replica
  produces batch x that rate in output tokens per second.
- batch: the largest that fits memory and keeps every user at the requested
  rate; with no rate (an offline batch) the largest that fits.
- replica size: the smallest power of two (or the domain size, when it is
  not one) up to the scale-up domain that fits the model and reaches the
  requested rate; `best_replica` instead picks the size with the most tokens
  per second per GPU.

Not modelled: attention FLOPs, communication between the GPUs of a replica,
per-step latency floors, speculative decoding, disaggregated prefill, and
KV-cache offload. High per-user rates are therefore optimistic.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from aiflang.models.assumptions import Assumptions
from aiflang.models.derivation import Derivation

# Bits per weight by precision; KV caches are kept at 16 bits for 16-bit
# models and at 8 bits (FP8 KV cache, as TensorRT-LLM and vLLM deploy it)
# for 8-bit and narrower weights, unless the model says otherwise.
PRECISION_BITS: dict[str, float] = {
    "fp32": 32.0,
    "bf16": 16.0,
    "fp16": 16.0,
    "fp8": 8.0,
    "fp6": 6.0,
    "fp4": 4.0,
}
_COMPUTE_KEY = {"fp16": "bf16"}  # the catalog lists one 16-bit figure, under bf16


@dataclass(frozen=True, slots=True)
class Accelerator:
    """The figures of one GPU the roofline needs (SI units: bits, bits/s, FLOP/s).

    `dense_flops` maps a precision (bf16, fp8, fp6, fp4, ...) to its dense
    peak; a precision that is missing or zero is not supported.
    """

    name: str
    memory_bits: float
    memory_bandwidth_bps: float
    dense_flops: Mapping[str, float] = field(default_factory=dict)


def supported_precisions(dense_flops: Mapping[str, float | None]) -> tuple[str, ...]:
    """The precisions with a compute figure (fp16 counts as supported with bf16), sorted."""
    supported = {name.lower() for name, flops in dense_flops.items() if flops}
    if "bf16" in supported:
        supported.add("fp16")
    return tuple(sorted(supported))


def compute_flops(gpu: Accelerator, precision: str) -> float | None:
    """The GPU's dense peak for `precision`, or None when it has no such figure."""
    key = precision.lower()
    flops = gpu.dense_flops.get(key) or gpu.dense_flops.get(_COMPUTE_KEY.get(key, key))
    return flops or None


@dataclass(frozen=True, slots=True)
class ServedModel:
    """A model as served: parameter counts, weight precision and (optionally) attention shape.

    `active_params` equals `total_params` for a dense model. `kv_bits` is the
    width of a KV-cache value (default: 16 for 16-bit and wider weights, 8 otherwise).
    Multi-head latent attention (DeepSeek) stores one latent of width w per
    layer: describe it as kv_heads = 1 and head_dim = w / 2.
    """

    total_params: float
    active_params: float
    precision: str
    layers: int | None = None
    kv_heads: int | None = None
    head_dim: int | None = None
    kv_bits: float | None = None

    @property
    def weight_bits(self) -> float:
        try:
            return PRECISION_BITS[self.precision.lower()]
        except KeyError:
            raise ValueError(f"unknown weight precision {self.precision!r}") from None

    @property
    def kv_value_bits(self) -> float:
        if self.kv_bits is not None:
            return self.kv_bits
        return 16.0 if self.weight_bits >= 16.0 else 8.0


@dataclass(frozen=True, slots=True)
class KvCacheSize:
    """KV-cache bits per token of context, exact or approximated."""

    bits_per_token: float
    approximated: bool
    derivation: Derivation


def kv_cache_per_token(model: ServedModel, assumptions: Assumptions) -> KvCacheSize:
    """KV-cache bits per token: 2 x layers x kv_heads x head_dim x KV bits.

    Without the attention shape, approximate it from the active parameters:
    a transformer has about 12 x layers x d_model^2 parameters, so with
    d_model = `kv_aspect_ratio` x layers, d_model = (ratio x params / 12)^(1/3),
    and the KV values per token are 2 x layers x d_model x `kv_gqa_fraction`.
    """
    kv_bits = model.kv_value_bits
    if model.layers and model.kv_heads and model.head_dim:
        values = 2.0 * model.layers * model.kv_heads * model.head_dim
        return KvCacheSize(
            bits_per_token=values * kv_bits,
            approximated=False,
            derivation=Derivation(
                "kv per token = 2 x layers x kv_heads x head_dim x kv_bits",
                {
                    "layers": model.layers,
                    "kv_heads": model.kv_heads,
                    "head_dim": model.head_dim,
                    "kv_bits": kv_bits,
                },
            ),
        )
    ratio = assumptions.value("kv_aspect_ratio")
    gqa = assumptions.value("kv_gqa_fraction")
    d_model = (ratio * model.active_params / 12.0) ** (1.0 / 3.0)
    layers = d_model / ratio
    values = 2.0 * layers * d_model * gqa
    return KvCacheSize(
        bits_per_token=values * kv_bits,
        approximated=True,
        derivation=Derivation(
            "d_model = (kv_aspect_ratio x active_params / 12)^(1/3); layers = d_model / "
            "kv_aspect_ratio; kv per token = 2 x layers x d_model x kv_gqa_fraction x kv_bits",
            {
                "active_params": model.active_params,
                "kv_aspect_ratio": ratio,
                "kv_gqa_fraction": gqa,
                "kv_bits": kv_bits,
            },
            ("kv_aspect_ratio", "kv_gqa_fraction"),
        ),
    )


def replica_sizes(scale_up_domain: int) -> tuple[int, ...]:
    """Candidate GPUs per replica: powers of two up to the domain, and the domain itself."""
    if scale_up_domain < 1:
        raise ValueError("a scale-up domain has at least one GPU")
    sizes = [1 << i for i in range(scale_up_domain.bit_length()) if 1 << i <= scale_up_domain]
    if sizes[-1] != scale_up_domain:
        sizes.append(scale_up_domain)
    return tuple(sizes)


Bound = Literal["memory", "compute", "none"]

_ASSUMPTIONS_USED = (
    "hbm_usable_fraction",
    "decode_memory_efficiency",
    "decode_compute_efficiency",
    "prefill_compute_efficiency",
)


@dataclass(frozen=True, slots=True)
class ReplicaEstimate:
    """What one replica produces. Rates are output tokens per second.

    `per_user_tokens_per_s` includes the stalls of prefills interleaved with
    decode; `decode_step_s` is one decode step of the whole batch.
    """

    fits: bool
    gpus_per_replica: int
    batch: int
    max_batch: int
    tokens_per_s: float
    per_user_tokens_per_s: float
    meets_user_rate: bool
    decode_step_s: float
    prefill_s: float
    ttft_s: float
    bound: Bound
    weights_bits: float
    kv_bits_per_sequence: float
    derivation: Derivation


@dataclass(frozen=True, slots=True)
class _Roofline:
    """The per-size constants of the roofline, so the batch search is cheap."""

    gpus: int
    weights_bits: float
    kv_bits_per_token: float
    kv_bits_per_sequence: float
    usable_bits: float
    bandwidth_bps: float
    decode_flops: float
    prefill_s: float
    total_params: float
    active_params: float
    weight_bits: float
    mean_context: float
    output_tokens: int

    def max_batch(self) -> int:
        free = self.usable_bits - self.weights_bits
        if free < self.kv_bits_per_sequence:
            return 0
        return int(free // self.kv_bits_per_sequence)

    def memory_time(self, batch: int) -> float:
        weights_read = min(self.total_params, self.active_params * batch) * self.weight_bits
        kv_read = batch * self.kv_bits_per_token * self.mean_context
        return (weights_read + kv_read) / self.bandwidth_bps

    def compute_time(self, batch: int) -> float:
        return 2.0 * self.active_params * batch / self.decode_flops

    def step(self, batch: int) -> float:
        return max(self.memory_time(batch), self.compute_time(batch))

    def user_rate(self, batch: int) -> float:
        cycle = self.output_tokens * self.step(batch) + batch * self.prefill_s
        return self.output_tokens / cycle


def _roofline(
    gpu: Accelerator,
    gpus: int,
    model: ServedModel,
    input_tokens: int,
    output_tokens: int,
    kv: KvCacheSize,
    assumptions: Assumptions,
) -> _Roofline:
    flops = compute_flops(gpu, model.precision)
    if flops is None:
        raise ValueError(f"{gpu.name} has no {model.precision} compute figure")
    usable = assumptions.value("hbm_usable_fraction")
    mem_eff = assumptions.value("decode_memory_efficiency")
    decode_eff = assumptions.value("decode_compute_efficiency")
    prefill_eff = assumptions.value("prefill_compute_efficiency")
    return _Roofline(
        gpus=gpus,
        weights_bits=model.total_params * model.weight_bits,
        kv_bits_per_token=kv.bits_per_token,
        kv_bits_per_sequence=kv.bits_per_token * (input_tokens + output_tokens),
        usable_bits=gpus * gpu.memory_bits * usable,
        bandwidth_bps=gpus * gpu.memory_bandwidth_bps * mem_eff,
        decode_flops=gpus * flops * decode_eff,
        prefill_s=2.0 * model.active_params * input_tokens / (gpus * flops * prefill_eff),
        total_params=model.total_params,
        active_params=model.active_params,
        weight_bits=model.weight_bits,
        mean_context=input_tokens + output_tokens / 2.0,
        output_tokens=output_tokens,
    )


def _largest_batch(roof: _Roofline, max_batch: int, user_rate: float) -> int:
    """The largest batch in [1, max_batch] whose per-user rate is at least `user_rate`, or 0."""
    if roof.user_rate(1) < user_rate:
        return 0
    low, high = 1, max_batch  # user_rate(low) >= target; the rate falls as the batch grows
    while low < high:
        middle = (low + high + 1) // 2
        if roof.user_rate(middle) >= user_rate:
            low = middle
        else:
            high = middle - 1
    return low


def _estimate(
    roof: _Roofline, user_rate: float | None, inputs: dict[str, float | str]
) -> ReplicaEstimate:
    max_batch = roof.max_batch()
    formula = (
        "step = max((min(total, active x batch) x weight_bits + batch x kv_per_token x "
        "(in + out/2)) / (gpus x bandwidth x decode_memory_efficiency), 2 x active x batch / "
        "(gpus x flops x decode_compute_efficiency)); prefill = 2 x active x in / (gpus x flops "
        "x prefill_compute_efficiency); per_user = out / (out x step + batch x prefill); "
        "tokens_per_s = batch x per_user"
    )
    inputs = {**inputs, "gpus_per_replica": roof.gpus, "max_batch": max_batch}
    derivation = Derivation(formula, inputs, _ASSUMPTIONS_USED)
    if max_batch < 1:
        return ReplicaEstimate(
            fits=False,
            gpus_per_replica=roof.gpus,
            batch=0,
            max_batch=0,
            tokens_per_s=0.0,
            per_user_tokens_per_s=0.0,
            meets_user_rate=False,
            decode_step_s=0.0,
            prefill_s=roof.prefill_s,
            ttft_s=roof.prefill_s,
            bound="none",
            weights_bits=roof.weights_bits,
            kv_bits_per_sequence=roof.kv_bits_per_sequence,
            derivation=derivation,
        )
    if user_rate is None:
        batch, meets = max_batch, True
    else:
        batch = _largest_batch(roof, max_batch, user_rate)
        meets = batch >= 1
        batch = max(batch, 1)
    per_user = roof.user_rate(batch)
    bound: Bound = "memory" if roof.memory_time(batch) >= roof.compute_time(batch) else "compute"
    return ReplicaEstimate(
        fits=True,
        gpus_per_replica=roof.gpus,
        batch=batch,
        max_batch=max_batch,
        tokens_per_s=batch * per_user,
        per_user_tokens_per_s=per_user,
        meets_user_rate=meets,
        decode_step_s=roof.step(batch),
        prefill_s=roof.prefill_s,
        ttft_s=roof.prefill_s,
        bound=bound,
        weights_bits=roof.weights_bits,
        kv_bits_per_sequence=roof.kv_bits_per_sequence,
        derivation=derivation,
    )


def _inputs(
    gpu: Accelerator,
    model: ServedModel,
    input_tokens: int,
    output_tokens: int,
    user_rate: float | None,
) -> dict[str, float | str]:
    return {
        "gpu": gpu.name,
        "memory_bits": gpu.memory_bits,
        "memory_bandwidth_bps": gpu.memory_bandwidth_bps,
        "peak_flops_per_gpu": compute_flops(gpu, model.precision) or 0.0,
        "total_params": model.total_params,
        "active_params": model.active_params,
        "precision": model.precision,
        "weight_bits": model.weight_bits,
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "user_rate": "offline" if user_rate is None else user_rate,
    }


def _check(input_tokens: int, output_tokens: int, user_rate: float | None) -> None:
    if input_tokens < 0 or output_tokens < 1:
        raise ValueError("a request needs input_tokens >= 0 and output_tokens >= 1")
    if user_rate is not None and user_rate <= 0:
        raise ValueError("user_rate must be positive (None means an offline batch)")


def _prepare(
    gpu: Accelerator,
    model: ServedModel,
    input_tokens: int,
    output_tokens: int,
    user_rate: float | None,
    assumptions: Assumptions,
) -> tuple[KvCacheSize, dict[str, float | str]]:
    """Check the request and gather what every replica estimate shows as its inputs."""
    _check(input_tokens, output_tokens, user_rate)
    kv = kv_cache_per_token(model, assumptions)
    inputs = _inputs(gpu, model, input_tokens, output_tokens, user_rate)
    if kv.approximated:
        inputs["kv_bits_per_token"] = kv.bits_per_token
    return kv, inputs


def estimate_replica(
    gpu: Accelerator,
    model: ServedModel,
    *,
    input_tokens: int,
    output_tokens: int,
    scale_up_domain: int,
    assumptions: Assumptions,
    user_rate: float | None = None,
    gpus_per_replica: int | None = None,
) -> ReplicaEstimate:
    """Size one replica and estimate what it produces.

    With `gpus_per_replica` unset, take the smallest candidate size (see
    `replica_sizes`) that fits the model and one sequence and reaches
    `user_rate` at a batch of one; if none reaches the rate, the largest that
    fits (with `meets_user_rate` False); if none fits, the domain size with
    `fits` False. Raises ValueError when the GPU lacks the model's precision
    (check `supported_precisions` first).
    """
    kv, inputs = _prepare(gpu, model, input_tokens, output_tokens, user_rate, assumptions)
    if gpus_per_replica is not None:
        if not 1 <= gpus_per_replica <= scale_up_domain:
            raise ValueError(
                f"{gpus_per_replica} GPUs per replica is outside the scale-up domain of "
                f"{scale_up_domain}"
            )
        roof = _roofline(gpu, gpus_per_replica, model, input_tokens, output_tokens, kv, assumptions)
        return _with_kv(_estimate(roof, user_rate, inputs), kv)
    candidates: list[ReplicaEstimate] = []
    for size in replica_sizes(scale_up_domain):
        roof = _roofline(gpu, size, model, input_tokens, output_tokens, kv, assumptions)
        estimate = _estimate(roof, user_rate, inputs)
        if estimate.fits and estimate.meets_user_rate:
            return _with_kv(estimate, kv)
        candidates.append(estimate)
    fitting = [c for c in candidates if c.fits]
    return _with_kv(fitting[-1] if fitting else candidates[-1], kv)


def best_replica(
    gpu: Accelerator,
    model: ServedModel,
    *,
    input_tokens: int,
    output_tokens: int,
    scale_up_domain: int,
    assumptions: Assumptions,
    user_rate: float | None = None,
) -> ReplicaEstimate:
    """The candidate replica size with the most output tokens/s per GPU at `user_rate`.

    Sizes that miss the rate count only if none reaches it; ties go to the smaller size.
    """
    kv, inputs = _prepare(gpu, model, input_tokens, output_tokens, user_rate, assumptions)
    candidates = [
        _estimate(
            _roofline(gpu, size, model, input_tokens, output_tokens, kv, assumptions),
            user_rate,
            inputs,
        )
        for size in replica_sizes(scale_up_domain)
    ]
    if model.active_params >= model.total_params:
        # A dense model spans more than `max_tensor_parallel_dense` GPUs only when it
        # does not fit in fewer (then pipeline stages inside the domain are implied).
        widest = int(assumptions.value("max_tensor_parallel_dense"))
        narrow = [c for c in candidates if c.gpus_per_replica <= widest]
        if any(c.fits for c in narrow):
            candidates = narrow
    fitting = [c for c in candidates if c.fits]
    if not fitting:
        return _with_kv(candidates[-1], kv)
    meeting = [c for c in fitting if c.meets_user_rate] or fitting
    top = max(c.tokens_per_s / c.gpus_per_replica for c in meeting)
    # the smallest size within a rounding error of the best: equal rooflines favour more replicas
    best = next(c for c in meeting if c.tokens_per_s / c.gpus_per_replica >= top * (1 - 1e-9))
    return _with_kv(best, kv)


def _with_kv(estimate: ReplicaEstimate, kv: KvCacheSize) -> ReplicaEstimate:
    """Add the KV-cache approximation's assumptions to the estimate's derivation."""
    if not kv.derivation.assumptions:
        return estimate
    derivation = Derivation(
        estimate.derivation.formula + "; " + kv.derivation.formula,
        estimate.derivation.inputs,
        estimate.derivation.assumptions + kv.derivation.assumptions,
    )
    return replace(estimate, derivation=derivation)


def ttft_derivation(
    active_params: float, input_tokens: int, gpus_per_replica: int, peak_flops_per_gpu: float
) -> Derivation:
    """How the time to first token is obtained: the prefill of one request, no queueing."""
    return Derivation(
        "ttft = prefill of one request = 2 x active x input_tokens / (gpus_per_replica x "
        "peak_flops_per_gpu x prefill_compute_efficiency); no queueing",
        {
            "active_params": active_params,
            "input_tokens": input_tokens,
            "gpus_per_replica": gpus_per_replica,
            "peak_flops_per_gpu": peak_flops_per_gpu,
        },
        ("prefill_compute_efficiency",),
    )


@dataclass(frozen=True, slots=True)
class FleetServe:
    """What a serve workload produces across its GPUs."""

    replicas: int
    gpus_used: int
    tokens_per_s: float
    tokens_per_s_per_mw: float
    joules_per_token: float | None  # None when the fleet produces nothing
    derivation: Derivation


def serve_fleet(replica: ReplicaEstimate, gpus: int, facility_power_w: float) -> FleetServe:
    """Replicas = floor(GPUs / GPUs per replica); tokens/s, tokens/s per facility MW, J/token.

    `facility_power_w` is the facility power attributed to the workload's
    GPUs (IT share x PUE), including GPUs left over by the rounding.
    """
    if gpus < 0 or facility_power_w <= 0:
        raise ValueError("a fleet needs a GPU count >= 0 and positive facility power")
    replicas = gpus // replica.gpus_per_replica if replica.fits else 0
    tokens_per_s = replicas * replica.tokens_per_s
    return FleetServe(
        replicas=replicas,
        gpus_used=replicas * replica.gpus_per_replica,
        tokens_per_s=tokens_per_s,
        tokens_per_s_per_mw=tokens_per_s / (facility_power_w / 1e6),
        joules_per_token=facility_power_w / tokens_per_s if tokens_per_s > 0 else None,
        derivation=Derivation(
            "replicas = floor(gpus / gpus_per_replica); tokens_per_s = replicas x replica rate; "
            "per MW = tokens_per_s / facility MW; J/token = facility W / tokens_per_s",
            {
                "gpus": gpus,
                "gpus_per_replica": replica.gpus_per_replica,
                "replica_tokens_per_s": replica.tokens_per_s,
                "facility_power_w": facility_power_w,
            },
        ),
    )
