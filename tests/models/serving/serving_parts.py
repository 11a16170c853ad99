"""Toy serving parts the step tests share: an engine without overheads, and assumptions that
leave the GEMM and attention terms alone."""

from __future__ import annotations

from aiflang.models.assumptions import Assumptions
from aiflang.models.serving import Engine

BARE = Engine(
    "bare",
    step_overhead_s=0.0,
    kernel_overhead_s=0.0,
    collective_latency_s=0.0,
    max_batch=1_000_000,
    token_budget=100_000,
    memory_fraction=1.0,
)


def bare_assumptions(**overrides: float) -> Assumptions:
    """No small-M penalty and no elementwise traffic, with `overrides` on top."""
    base = {
        "gemm_half_efficiency_tokens": 0.0,
        "activation_width_passes": 0.0,
        "activation_ffn_passes": 0.0,
        "activation_route_passes": 0.0,
        "serving_activation_vectors": 0.0,
    }
    return Assumptions(overrides={**base, **overrides})
