"""From design IR to the serving model's inputs: GPU, achieved fractions, engine, architecture.

The design stores bytes and bytes/s, the catalog's scale-up bandwidth both
directions added; the serving model takes per-direction bandwidth and its
own frozen dataclasses. A GPU's achieved fractions come from its catalog
entry where it gives them and from the registered defaults otherwise; an
engine's limits likewise. The default engine is TensorRT-LLM on NVIDIA GPUs
and vLLM elsewhere (TensorRT-LLM runs on NVIDIA GPUs only).
"""

from __future__ import annotations

from aiflang.frontend import design as dm
from aiflang.frontend.components import NVIDIA_ENGINE, OTHER_ENGINE
from aiflang.models import serving as sv
from aiflang.models.assumptions import Assumptions


def default_engine(gpu: dm.Gpu) -> str:
    """The engine a workload runs when it names none: TensorRT-LLM on NVIDIA, else vLLM."""
    return NVIDIA_ENGINE if (gpu.vendor or "").upper() == "NVIDIA" else OTHER_ENGINE


def accelerator(gpu: dm.Gpu) -> sv.Accelerator:
    """The serving model's view of a GPU (per-direction scale-up bandwidth)."""
    return sv.Accelerator(
        name=gpu.name,
        memory_bytes=gpu.memory_bytes,
        memory_bandwidth=gpu.memory_bandwidth_bytes_per_s,
        dense_flops=dict(gpu.flops),
        scale_up_bandwidth=(gpu.scale_up_bandwidth_bytes_per_s or 0.0) / 2.0,
        vendor=gpu.vendor or "",
    )


def efficiency(gpu: dm.Gpu, assumptions: Assumptions) -> sv.Efficiency:
    """The GPU's achieved fractions, the registered defaults where its entry gives none."""
    return sv.default_efficiency(
        assumptions,
        memory=gpu.memory_efficiency,
        compute=gpu.compute_efficiency,
        weight_memory=gpu.weight_memory_efficiency,
        attention=gpu.attention_efficiency,
        mla_decode=gpu.mla_decode_efficiency,
        block_fp8=gpu.block_fp8_efficiency,
        comm=gpu.comm_efficiency,
    )


def engine_profile(engine: dm.Engine, assumptions: Assumptions) -> sv.Engine:
    """An engine block as the serving model takes it, defaults filled in."""
    return sv.Engine(
        name=engine.name,
        step_overhead_s=engine.step_overhead_s,
        kernel_overhead_s=engine.kernel_overhead_s,
        layer_overhead_s=engine.layer_overhead_s,
        sequence_overhead_s=engine.sequence_overhead_s,
        request_overhead_s=engine.request_overhead_s,
        collective_latency_s=engine.collective_latency_s
        if engine.collective_latency_s is not None
        else assumptions.value("engine_default_collective_latency_s"),
        max_batch=engine.max_batch or int(assumptions.value("engine_default_max_batch")),
        token_budget=engine.token_budget or int(assumptions.value("engine_default_token_budget")),
        memory_fraction=engine.memory_fraction
        if engine.memory_fraction is not None
        else assumptions.value("hbm_usable_fraction"),
        comm_overlap=engine.comm_overlap,
        kv_reserve_full=engine.kv_reserve == "full",
        balance_timeout_steps=engine.balance_timeout,
        balance_batching_steps=engine.balance_batching,
        admission_interval_steps=engine.admission_interval,
        separate_prefill=engine.prefill == "separate",
        decode_graphs=engine.full_graphs == "decode",
        overlap_scheduler=engine.scheduler == "overlap",
    )


def architecture(model: dm.Model) -> sv.Architecture:
    """A `model` definition as the serving model takes it."""
    return sv.Architecture(
        name=model.name,
        total_params=model.params,
        active_params=model.active_params,
        layers=model.layers,
        hidden=model.hidden,
        heads=model.heads,
        kv_heads=model.kv_heads,
        head_dim=model.head_dim,
        attention=model.attention,
        kv_lora_rank=model.kv_lora_rank,
        rope_head_dim=model.rope_head_dim,
        v_head_dim=model.v_head_dim,
        experts=model.experts,
        experts_per_token=model.experts_per_token,
        shared_experts=model.shared_experts,
        dense_layers=model.dense_layers,
        vocab=model.vocab,
        sliding_window=model.sliding_window,
        sliding_layers=model.sliding_layers,
        ffn=model.ffn or 0,
        expert_ffn=model.expert_ffn or 0,
        fp8_block_scaled=model.fp8_scales == "block",
    )


def served_architecture(
    serve: dm.Serve, model: dm.Model | None, assumptions: Assumptions
) -> sv.Architecture:
    """The architecture a serve block describes: its model, with the block's own figures on top.

    Without a model, the block's params, layers, kv_heads and head_dim are
    completed by `serving.approximate` (which names what it assumed).
    """
    if model is None:
        return sv.approximate(
            serve.name,
            serve.params,
            serve.active_params,
            assumptions,
            layers=serve.layers,
            kv_heads=serve.kv_heads,
            head_dim=serve.head_dim,
        )
    base = architecture(model)
    changes: dict[str, float | int] = {}
    if serve.params and serve.params != model.params:
        changes["total_params"] = serve.params
    if serve.active_params and serve.active_params != model.active_params:
        changes["active_params"] = serve.active_params
    for field in ("layers", "kv_heads", "head_dim"):
        value = getattr(serve, field)
        if value is not None:
            changes[field] = value
    if not changes:
        return base
    from aiflang.records import replace

    return replace(base, **changes)
