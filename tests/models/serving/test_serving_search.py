"""The curve, the Pareto front, the operating point and time to first token."""

from __future__ import annotations

import dataclasses
import itertools
import math

import pytest
from serving_parts import BARE, bare_assumptions
from test_serving_step import FULL, ONE_DOMAIN, TOY, TOY_GPU

from aiflang.models.serving import (
    Disaggregation,
    ReplicaShape,
    Request,
    Setup,
    Target,
    batch_limit,
    evaluate,
    pareto,
    search,
    shape_curve,
)


def toy_setup(disaggregation: Disaggregation | None = None, **overrides: float) -> Setup:
    return Setup(
        arch=TOY,
        precision="bf16",
        kv_precision="bf16",
        gpu=TOY_GPU,
        efficiency=FULL,
        engine=BARE,
        network=ONE_DOMAIN,
        request=Request(1000, 100),
        assumptions=bare_assumptions(request_length_scv=0.0, **overrides),
        disaggregation=disaggregation,
        workload_gpus=8,
    )


def test_a_point_by_hand() -> None:
    setup = toy_setup()
    point = evaluate(setup, ReplicaShape(), 10)
    # each step carries 10 decodes and 10 x 1000 / 100 = 100 prompt tokens: weights (20 ms)
    # against 2 x 10e9 x 110 = 2.2e12 FLOPs (2.2 ms); KV of 10 sequences at 1050 tokens
    kv = 10 * 1050 * 5120
    step = 0.020 + kv / 1e12
    assert point.step.total_s == pytest.approx(step, rel=1e-3)
    assert point.user_tokens_per_s == pytest.approx(1 / step, rel=1e-3)
    assert point.tokens_per_s_per_gpu == pytest.approx(10 / step, rel=1e-3)
    assert point.request_rate == pytest.approx(10 / step / 100, rel=1e-3)


def test_an_engine_that_prefills_apart_pauses_decoding_for_prompt_steps() -> None:
    setup = toy_setup()
    apart = dataclasses.replace(setup, engine=dataclasses.replace(BARE, separate_prefill=True))
    point = evaluate(apart, ReplicaShape(), 10)
    # the decode step alone: 10 decodes, weights 20 ms (0.2 ms of FLOPs under them) and the
    # KV of 10 sequences at 1,050 tokens
    decode = 0.020 + 10 * 1050 * 5120 / 1e12
    # a step carries 100 prompt tokens on average, a tenth of a 1,000-token prompt: one prompt
    # step (weights 20 ms against 2 x 10e9 x 1,000 = 2e13 FLOPs, 20 ms, plus its causal
    # attention, 8 heads x 1000^2 x 256 x 10 layers = 2e10 FLOPs) in ten decode steps
    prompt_step = 2e13 / 1e15 + 8 * 1000**2 * 256 * 10 / 1e15
    assert point.step.total_s == pytest.approx(decode + prompt_step / 10, rel=1e-3)
    # mixed, the same prompt tokens hide under the decode step's weight reads
    assert evaluate(setup, ReplicaShape(), 10).step.total_s < point.step.total_s
    # the token budget no longer limits the batch (decodes and prompts take separate steps)
    spec = apart.spec
    mixed_limits = batch_limit(setup.replica(ReplicaShape()), setup.request, spec, aggregated=True)
    apart_limits = batch_limit(apart.replica(ReplicaShape()), apart.request, spec, aggregated=True)
    assert "token_budget" in mixed_limits.limits and "token_budget" not in apart_limits.limits
    first = point.first_token
    # its own prefill is a prompt step alone, with no decodes in it
    assert first.prefill_s == pytest.approx(prompt_step, rel=1e-3)


def test_prompts_admitted_every_k_steps_come_in_one_chunk_per_admission() -> None:
    # whole-graph decode steps make the share of steps that carry prompts visible in the floor
    engine = dataclasses.replace(
        BARE, kernel_overhead_s=5e-6, layer_overhead_s=200e-6, decode_graphs=True
    )
    setup = dataclasses.replace(
        toy_setup(small_kernels_per_layer=8.0, graph_kernel_overhead_s=1e-6), engine=engine
    )
    launched, graphed = 10 * (8 * 5e-6 + 200e-6), 10 * 8 * 1e-6  # per step, 10 layers
    # 20 decodes bring 20 x 1000 / 100 = 200 prompt tokens a step: a 1,000-token prompt
    # every fifth step, so one step in five pays the launches
    point = evaluate(setup, ReplicaShape(), 20)
    assert point.step.floor_s == pytest.approx(0.2 * launched + 0.8 * graphed)
    # admitted every 10 steps, the window's 2,000 tokens go in together: one step in ten
    every_ten = dataclasses.replace(engine, admission_interval_steps=10)
    held = dataclasses.replace(setup, engine=every_ten)
    point = evaluate(held, ReplicaShape(), 20)
    assert point.step.floor_s == pytest.approx(0.1 * launched + 0.9 * graphed)


def test_the_curve_trades_users_for_throughput() -> None:
    limit, curve = shape_curve(toy_setup(), ReplicaShape())
    assert curve[0].batch == 1 and curve[-1].batch == limit.batch
    rates = [p.user_tokens_per_s for p in curve]
    throughput = [p.tokens_per_s_per_gpu for p in curve]
    assert rates == sorted(rates, reverse=True)
    # throughput grows with the batch until compute binds, then stays flat
    assert all(b >= a * (1 - 1e-9) for a, b in itertools.pairwise(throughput))


def test_pareto_keeps_only_undominated_points() -> None:
    setup = toy_setup()
    one = shape_curve(setup, ReplicaShape())[1]
    two = shape_curve(setup, ReplicaShape(tp=2))[1]
    front = pareto(one + two)
    for point in one + two:
        if point in front:
            continue
        assert any(
            f.user_tokens_per_s >= point.user_tokens_per_s
            and f.tokens_per_s_per_gpu >= point.tokens_per_s_per_gpu
            for f in front
        )
    rates = [p.user_tokens_per_s for p in front]
    assert rates == sorted(rates, reverse=True)


def test_user_rate_picks_the_largest_batch_that_keeps_it() -> None:
    setup = toy_setup()
    estimate = search(setup, [ReplicaShape()], Target(user_rate=40.0))
    point = estimate.point
    assert point is not None and point.user_tokens_per_s >= 40.0
    # no batch that keeps the rate makes more than 0.1% more per GPU
    for batch in range(1, 200):
        other = evaluate(setup, ReplicaShape(), batch)
        if other.user_tokens_per_s >= 40.0:
            assert other.tokens_per_s_per_gpu <= point.tokens_per_s_per_gpu * 1.001


def test_a_memory_bound_curve_runs_up_to_the_rate() -> None:
    # short prompts keep the toy memory-bound: throughput grows with the batch, so the
    # point is the largest batch that keeps the rate
    setup = toy_setup()
    estimate = search(setup, [ReplicaShape()], Target(user_rate=48.0))
    point = estimate.point
    assert point is not None and point.user_tokens_per_s >= 48.0
    assert evaluate(setup, ReplicaShape(), point.batch + 1).user_tokens_per_s < 48.0
    assert estimate.binding == "user_rate"


def test_a_rate_above_the_reach_has_no_point_and_states_the_reach() -> None:
    setup = toy_setup()
    estimate = search(setup, [ReplicaShape()], Target(user_rate=1000.0))
    assert estimate.point is None
    batch_one = evaluate(setup, ReplicaShape(), 1).user_tokens_per_s
    assert estimate.reachable_user_rate == pytest.approx(batch_one)
    assert estimate.fastest is not None and estimate.fastest.batch == 1


def test_offline_runs_the_largest_batch() -> None:
    setup = toy_setup()
    estimate = search(setup, [ReplicaShape()], Target())
    assert estimate.point is not None
    top = max(p.tokens_per_s_per_gpu for p in estimate.shapes[0].curve)
    assert estimate.point.tokens_per_s_per_gpu >= top * (1 - 1e-3)


def test_latency_limits_pick_the_point() -> None:
    setup = toy_setup()
    estimate = search(setup, [ReplicaShape()], Target(tpot_limit_s=0.0205))
    assert estimate.point is not None and estimate.point.tpot_s <= 0.0205
    assert evaluate(setup, ReplicaShape(), estimate.point.batch + 1).tpot_s > 0.0205
    assert estimate.binding == "tpot"


def test_aggregated_ttft_by_hand() -> None:
    setup = toy_setup()
    point = evaluate(setup, ReplicaShape(), 10)
    first = point.first_token
    # the prompt fits one chunk: its own step (decodes plus 1000 prompt tokens), half a
    # step of arrival, and the waits; a light load waits little for prefill capacity
    own = first.prefill_s
    assert own == pytest.approx(
        setup.replica(ReplicaShape())
        .decode_step(
            10,
            1050,
            prefill_tokens=1000,
            prefill_attention_flops=TOY.prefill_attention_flops(1000),
        )
        .total_s
    )
    assert first.fixed_s == pytest.approx(point.step.total_s / 2)
    assert first.mean_s == pytest.approx(
        first.admission.mean_s + first.wait.mean_s + own + first.fixed_s
    )
    assert first.p90_s >= first.mean_s - first.wait.mean_s - first.admission.mean_s


def test_disaggregated_pool_share_and_transfer() -> None:
    pool = Disaggregation(shape=ReplicaShape(), prefill_gpus=2, total_gpus=8)
    setup = toy_setup(pool)
    point = evaluate(setup, ReplicaShape(), 10)
    # 6 decode GPUs = 6 replicas of 1 GPU; 2 prefill GPUs spread over them: 1/3 each
    assert point.prefill_gpus_per_replica == pytest.approx(2 / 6)
    assert point.tokens_per_s_per_gpu == pytest.approx(point.replica_tokens_per_s / (1 + 2 / 6))
    # the KV of 1000 tokens (5.12 MB) crosses NVLink (both in one 8-GPU domain)
    first = point.first_token
    assert first.transfer_s == pytest.approx(5.12e6 / 100e9)
    # no prefill tokens share the decode step
    decode_only = evaluate(setup, ReplicaShape(), 400).step.total_s
    assert decode_only < evaluate(toy_setup(), ReplicaShape(), 400).step.total_s


def test_an_overloaded_prefill_pool_is_infeasible() -> None:
    pool = Disaggregation(shape=ReplicaShape(), prefill_gpus=1, total_gpus=100)
    setup = toy_setup(pool)
    point = evaluate(setup, ReplicaShape(), 400)
    assert not point.feasible
    assert math.isinf(point.first_token.mean_s)


def test_a_point_at_the_batch_limit_never_drains_its_admission_queue() -> None:
    setup = toy_setup()
    limit = sv_batch_limit(setup)
    at_limit = evaluate(setup, ReplicaShape(), limit)
    # Little's law: a replica at its limit is offered exactly what its slots serve
    assert not at_limit.feasible
    assert math.isinf(at_limit.first_token.admission.mean_s)
    below = evaluate(setup, ReplicaShape(), limit - 1)
    assert below.feasible and math.isfinite(below.first_token.admission.mean_s)


def sv_batch_limit(setup: Setup) -> int:
    from aiflang.models.serving import batch_limit

    shape = ReplicaShape()
    return batch_limit(setup.replica(shape), setup.request, setup.spec, aggregated=True).batch


def test_a_copy_with_a_prefill_pool_computes_its_own_batch_limit() -> None:
    """`replace` must not carry the cached figures over: the batch limit of a replica whose
    prompts a pool prefills is not that of one that prefills them itself."""
    shape = ReplicaShape()
    pool = Disaggregation(shape=ReplicaShape(), prefill_gpus=2, total_gpus=8)
    setup = toy_setup()
    point = evaluate(setup, shape, 10)  # fills the setup's cache with its aggregated figures
    pooled = dataclasses.replace(setup, disaggregation=pool)
    fresh = toy_setup(disaggregation=pool)
    assert evaluate(pooled, shape, 10).slots == evaluate(fresh, shape, 10).slots
    assert evaluate(fresh, shape, 10).slots != point.slots  # the two limits differ here
