"""How a serve workload's figures were obtained: the derivations of its operating point.

`point_derivation` shows the work behind the operating point (the step
time term by term, the rates and the curve); `ttft_derivation` the work
behind the time to first token (fixed delays, the waits for a slot and for
prefill, the request's own prefill and its KV transfer). Both name the
registered assumptions the step and queueing models read. Pure: plain
inputs, a frozen `Derivation` out.
"""

from __future__ import annotations

import math

from aiflang.models.derivation import Derivation
from aiflang.models.serving.curve import CurvePoint, Setup
from aiflang.models.serving.search import ServingEstimate

# The constants the step, capacity and queueing models read for every point.
_ASSUMPTIONS = (
    "gemm_half_efficiency_tokens",
    "small_kernels_per_layer",
    "activation_width_passes",
    "activation_ffn_passes",
    "expert_load_imbalance",
    "request_length_scv",
    "serving_activation_vectors",
)

_STEP_FORMULA = (
    "step = per stage, GEMMs max(weight bytes / (HBM x weight_memory_efficiency), 2 x tokens x "
    "active params / (GPUs x peak x gemm_efficiency x M/(M+64))) + attention max(KV bytes "
    "/ (HBM x memory_efficiency), attention FLOPs / (GPUs x BF16 peak x "
    "attention_efficiency)) + elementwise bytes / HBM + exposed collectives + kernel and "
    "layer floors, x pp stages, at least the engine's host time; expert weights as the "
    "busiest expert-parallel GPU reads them"
)
_TTFT_FORMULA = (
    "ttft = fixed + wait for a slot (M/G/c) + wait for a release (attention-DP balancing or "
    "an admission interval: uniform over the release cycle) + wait for prefill (M/G/c over "
    "the attention ranks or the prefill pool) + own prefill chunks (with the prompts admitted "
    "alongside) + KV transfer; quantiles from an exponential tail, convolved with the cycle"
)


def _used(setup: Setup, point: CurvePoint) -> tuple[str, ...]:
    # Expert load imbalance only counts where experts are spread over GPUs.
    return tuple(
        name
        for name in _ASSUMPTIONS
        if name != "expert_load_imbalance" or (setup.arch.is_moe and point.shape.ep > 1)
    )


def _seconds(value: float) -> float | str:
    """A wait for a derivation: "unbounded" for an unstable queue, 0 below a nanosecond."""
    if not math.isfinite(value):
        return "unbounded"
    return value if value >= 1e-9 else 0.0


def _ttft_inputs(point: CurvePoint) -> dict[str, float | str]:
    first = point.first_token
    return {
        "request_rate_per_replica": point.request_rate,
        "ttft_wait_for_slot_s": _seconds(first.admission.mean_s),
        "ttft_wait_for_prefill_s": _seconds(first.wait.mean_s),
        "ttft_prefill_s": first.prefill_s,
        "ttft_kv_transfer_s": first.transfer_s,
        "ttft_fixed_s": first.fixed_s,
        **({"ttft_release_cycle_s": first.balance_cycle_s} if first.balance_cycle_s else {}),
    }


def point_derivation(point: CurvePoint, setup: Setup, estimate: ServingEstimate) -> Derivation:
    """How the operating point's figures were obtained (`--explain serve.NAME.*`)."""
    step = point.step
    inputs: dict[str, float | str] = {
        "model": setup.arch.name,
        "gpu": setup.gpu.name,
        "engine": setup.engine.name,
        "precision": setup.precision,
        "kv_precision": setup.kv_precision,
        "parallelism": point.shape.label(),
        "batch": point.batch,
        "input_tokens": setup.request.input_tokens,
        "output_tokens": setup.request.output_tokens,
        "acceptance_length": setup.spec.acceptance_length,
        "step_s": step.total_s,
        "step_compute_s": step.compute_s,
        "step_memory_s": step.memory_s,
        "step_communication_s": step.communication_s,
        "step_floor_s": step.floor_s,
        "weight_bytes_read_per_gpu": step.weight_bytes_per_gpu,
        "kv_bytes_read_per_gpu": step.kv_bytes_per_gpu,
        "memory_efficiency": setup.efficiency.memory,
        "weight_memory_efficiency": setup.efficiency.weight_stream(setup.precision),
        "gemm_efficiency": setup.efficiency.gemm(setup.precision, setup.assumptions),
        "attention_efficiency": setup.efficiency.attention,
        "scale_up_domain": setup.network.scale_up_domain,
        "scale_out_bytes_per_s_per_gpu": setup.network.scale_out_bandwidth,
        **_ttft_inputs(point),
        "binding_limit": estimate.binding,
        "shapes_considered": len(estimate.shapes),
    }
    formula = (
        _STEP_FORMULA + "; tpot = step / acceptance_length; user rate = 1 / tpot; tokens/s per "
        "GPU = batch / tpot / (replica GPUs + prefill share); " + _TTFT_FORMULA
    )
    return Derivation(formula, inputs, _used(setup, point))


def ttft_derivation(point: CurvePoint, setup: Setup) -> Derivation:
    """How the time to first token at the operating point was obtained: its parts, with
    queueing at the point's request rate (`--explain serve.NAME.time_to_first_token_s`)."""
    pool = setup.disaggregation
    inputs: dict[str, float | str] = {
        "model": setup.arch.name,
        "gpu": setup.gpu.name,
        "engine": setup.engine.name,
        "input_tokens": setup.request.input_tokens,
        "parallelism": point.shape.label(),
        "prefill": f"disaggregated on {pool.shape.label()}" if pool is not None else "chunked",
        "precision": setup.precision,
        "kv_precision": setup.kv_precision,
        "batch": point.batch,
        "slots": point.slots,
        "memory_efficiency": setup.efficiency.memory,
        "weight_memory_efficiency": setup.efficiency.weight_stream(setup.precision),
        "gemm_efficiency": setup.efficiency.gemm(setup.precision, setup.assumptions),
        "attention_efficiency": setup.efficiency.attention,
        "scale_up_domain": setup.network.scale_up_domain,
        "scale_out_bytes_per_s_per_gpu": setup.network.scale_out_bandwidth,
        **_ttft_inputs(point),
        "ttft_mean_s": _seconds(point.first_token.mean_s),
        "ttft_p90_s": _seconds(point.first_token.p90_s),
    }
    return Derivation(
        _TTFT_FORMULA + "; prefill steps as in " + _STEP_FORMULA, inputs, _used(setup, point)
    )
