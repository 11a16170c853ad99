"""How many sequences a replica can hold: KV capacity, the engine's caps, the token budget.

Per GPU, the engine fills `memory_fraction` of the HBM left after the
weights, less a workspace for the step's activations (`token_budget` x
hidden x 2 bytes x `serving_activation_vectors`); the KV cache gets the
rest. A sequence holds input + output / 2 tokens of KV on average over its
life, or input + output from admission for engines that reserve the whole
sequence; a batch samples requests by length (a long one stays longer),
so the mean held is input + output x (1 + scv) / 2 for outputs of squared
coefficient of variation `request_length_scv`. The largest batch of a
replica is the least of:

- KV capacity: dp x floor(KV budget per GPU / KV per sequence per GPU);
- the engine: `max_batch` per attention group, x dp;
- the token budget (aggregated serving only): each step carries the
  batch's decode tokens (q per sequence) and, in steady state, the prompts
  of the requests that replace finished ones, a x input / output per
  sequence; dp x `token_budget` caps their sum. An engine that prefills
  apart (`Engine.separate_prefill`) runs prompts in steps of their own, so
  the budget caps those steps, not the batch.
"""

from __future__ import annotations

import math
from typing import Literal

from aiflang.models.serving.hardware import ACTIVATION_BYTES
from aiflang.models.serving.step import Replica
from aiflang.models.serving.workload import Request, Speculation
from aiflang.records import record

BatchLimitName = Literal["kv_capacity", "engine", "token_budget", "weights"]


@record
class BatchLimit:
    """The largest batch of one replica and what binds it."""

    batch: int
    binding: BatchLimitName
    limits: dict[str, int]
    weights_per_gpu: float
    kv_budget_per_gpu: float
    kv_per_sequence_per_gpu: float
    held_context: float


def held_context(replica: Replica, request: Request) -> float:
    """Tokens of KV one sequence holds for capacity purposes (see the module docstring)."""
    if replica.engine.kv_reserve_full:
        return float(request.input_tokens + request.output_tokens)
    scv = replica.assumptions.value("request_length_scv")
    return request.input_tokens + request.output_tokens * (1.0 + scv) / 2.0


def batch_limit(
    replica: Replica, request: Request, spec: Speculation, *, aggregated: bool
) -> BatchLimit:
    """The largest batch a replica holds (0 when its weights do not fit), and why."""
    shape, engine = replica.shape, replica.engine
    a = replica.assumptions
    weights = replica.weights_per_gpu()
    workspace = (engine.token_budget * replica.arch.hidden * ACTIVATION_BYTES) * a.value(
        "serving_activation_vectors"
    )
    budget = engine.memory_fraction * (replica.gpu.memory_bytes - weights) - workspace
    context = held_context(replica, request)
    per_sequence = replica.kv_per_sequence_per_gpu(context)
    if budget < per_sequence:
        return BatchLimit(0, "weights", {}, weights, budget, per_sequence, context)
    limits: dict[str, int] = {
        "kv_capacity": shape.dp * int(budget // per_sequence),
        "engine": shape.dp * engine.max_batch,
    }
    if aggregated and not engine.separate_prefill:
        per_sequence_tokens = spec.query_tokens + (
            spec.acceptance_length * request.input_tokens / request.output_tokens
        )
        limits["token_budget"] = max(
            1, math.floor(shape.dp * engine.token_budget / per_sequence_tokens)
        )
    binding = min(limits, key=lambda name: (limits[name], name))
    return BatchLimit(
        batch=limits[binding],
        binding=binding,  # type: ignore[arg-type]
        limits=limits,
        weights_per_gpu=weights,
        kv_budget_per_gpu=budget,
        kv_per_sequence_per_gpu=per_sequence,
        held_context=context,
    )
