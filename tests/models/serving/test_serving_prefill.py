"""Chunked prefill at the engine's token budget, per attention rank, and attention-DP balancing."""

from __future__ import annotations

import dataclasses

import pytest
from serving_parts import BARE
from test_serving_step import TOY, replica

from aiflang.models.serving import ReplicaShape
from aiflang.models.serving.prefill import aggregated_first_token, balance_cycle_steps
from aiflang.models.serving.queueing import Wait, wait

NO_WAIT = Wait(0.0, 0.0, 0.0)
TWO_RANKS = ReplicaShape(dp=2)


def _first(engine_changes: dict[str, int], *, batch: float, rate: float, step: float = 0.020):
    engine = dataclasses.replace(BARE, **engine_changes)
    return aggregated_first_token(
        replica(TWO_RANKS, engine=engine),
        batch,
        0.0,
        1000,
        query_tokens=1.0,
        draft_passes=0,
        request_rate=rate,
        prompt_scv=0.0,
        step_s=step,
        request_overhead_s=0.0,
        admission=NO_WAIT,
    )


def test_a_prompt_takes_the_steps_its_rank_has_room_for() -> None:
    # budget 600 per rank, 200 decodes over 2 ranks: 500 prompt tokens per step on one rank,
    # so a 1000-token prompt takes 2 steps; each step streams the 20 GB of weights (20 ms at
    # 1 TB/s) and computes 2 x 700 x 10e9 / 2 GPUs = 7 ms under it, plus microseconds of
    # prompt attention
    first = _first({"token_budget": 600}, batch=200, rate=1e-9)
    assert first.prefill_s == pytest.approx(2 * 0.020, rel=1e-3)
    # pooling the two ranks' budgets (1,200 - 200 = 1,000) would have taken one step
    assert first.prefill_s > 1.5 * 0.020
    # no load: the request waits half a step for the current one to end
    assert first.fixed_s == pytest.approx(0.010)
    assert first.mean_s == pytest.approx(first.prefill_s + 0.010, rel=1e-3)


def test_an_overlap_scheduler_delivers_the_first_token_a_step_late() -> None:
    sync = _first({"token_budget": 600}, batch=200, rate=10.0)
    overlap = _first({"token_budget": 600, "overlap_scheduler": True}, batch=200, rate=10.0)
    # the token its last prefill step makes leaves after the next step: one 20 ms step more
    assert overlap.fixed_s == pytest.approx(sync.fixed_s + 0.020)
    assert overlap.mean_s == pytest.approx(sync.mean_s + 0.020)
    assert overlap.p90_s == pytest.approx(sync.p90_s + 0.020)
    # with an admission cycle the step's own wait gives way to the cycle, the late token stays
    held = {"token_budget": 100_000, "admission_interval_steps": 8}
    late = _first({**held, "overlap_scheduler": True}, batch=200, rate=10.0)
    assert late.fixed_s == pytest.approx(_first(held, batch=200, rate=10.0).fixed_s + 0.020)


def test_the_ranks_are_the_servers_of_the_prefill_queue() -> None:
    first = _first({"token_budget": 600}, batch=200, rate=10.0)
    # a rank serves a prompt in 1000 / 500 full steps; a full step (both ranks' chunks,
    # 1,000 prompt tokens and 200 decodes: 12 ms of compute) is still 20 ms of weights, plus
    # microseconds of prompt attention
    service = 1000 / 500 * 0.020
    expected = wait(10.0, service, 2, 0.0)
    assert first.wait.mean_s == pytest.approx(expected.mean_s, rel=5e-3)
    assert first.wait.utilisation == pytest.approx(10.0 * service / 2, rel=5e-3)


def test_balancing_waits_for_every_rank_or_the_timeout() -> None:
    # 0.2 prompts per step: 2 ranks fill after 10 steps, past the timeout of 9
    assert balance_cycle_steps(9, 3, 2, 0.2) == 9
    # 2 prompts per step: both ranks have one after a step, then 3 batching steps
    assert balance_cycle_steps(9, 3, 2, 2.0) == pytest.approx(1 + 3)
    # off, one rank, or nothing arriving
    assert balance_cycle_steps(0, 3, 8, 1.0) == 0
    assert balance_cycle_steps(9, 3, 1, 1.0) == 0
    assert balance_cycle_steps(9, 3, 8, 0.0) == 9


def test_balancing_replaces_the_wait_for_the_step_with_a_uniform_wait_for_release() -> None:
    plain = _first({"token_budget": 100_000}, batch=200, rate=10.0)
    held = _first({"token_budget": 100_000, "balance_timeout_steps": 9}, batch=200, rate=10.0)
    # 10 prompts/s x 20 ms = 0.2 per step: the 9-step timeout, 180 ms; uniform: mean 90 ms,
    # 90th percentile 162 ms, in place of half a step
    cycle = 9 * 0.020
    assert held.balance_cycle_s == pytest.approx(cycle)
    assert held.fixed_s == 0.0
    assert held.mean_s - plain.mean_s == pytest.approx(cycle / 2 - 0.010, rel=1e-6)
    # the 90th percentile: the cycle's 162 ms convolved with the prefill queue's wait (a 1.8%
    # chance of 5.6 ms on average), which adds a tenth of a millisecond; alone, the queue's
    # 90th percentile is 0
    assert plain.wait.quantile(0.9) == 0.0
    extra = held.p90_s - plain.p90_s - (0.9 * cycle - 0.010)
    assert 0.0 < extra < 2e-4


def test_an_admission_interval_waits_for_the_next_admission_and_prefills_the_window() -> None:
    plain = _first({"token_budget": 100_000}, batch=200, rate=10.0)
    assert (
        _first({"token_budget": 100_000, "admission_interval_steps": 1}, batch=200, rate=10.0)
        == plain
    )
    held = _first({"token_budget": 100_000, "admission_interval_steps": 8}, batch=200, rate=10.0)
    # admissions every 8 steps of 20 ms: a prompt waits uniformly over 160 ms (mean 80 ms)
    # in place of half a step
    assert held.balance_cycle_s == pytest.approx(8 * 0.020)
    assert held.fixed_s == 0.0
    # 10 prompts/s x 160 ms = 1.6 others admitted with it: 2,600 prompt tokens and 200
    # decodes in one step (room: 2 x (100,000 - 100)); 2 x 10e9 x 2,800 / (2 GPUs x 1e15) =
    # 28 ms of compute over 20 ms of weights, plus microseconds of prompt attention
    assert held.prefill_s == pytest.approx(0.028, rel=5e-3)
    # alone it would share its step with the other rank's mean chunk (100 tokens): 20 ms
    assert plain.prefill_s == pytest.approx(0.020, rel=5e-3)
    assert held.mean_s - plain.mean_s == pytest.approx(
        (0.080 - 0.010) + (held.prefill_s - plain.prefill_s), rel=1e-6
    )


def test_a_budget_the_decodes_fill_leaves_no_room_for_prompts() -> None:
    first = _first({"token_budget": 100}, batch=200, rate=1.0)
    assert first.mean_s == float("inf")
    assert TOY.layers == 10  # the toy the hand figures above assume


def test_the_ttft_derivation_names_the_release_cycle_only_when_balancing() -> None:
    from test_serving_search import toy_setup

    from aiflang.models.serving import evaluate, ttft_derivation

    plain = toy_setup()
    point = evaluate(plain, ReplicaShape(dp=2), 10)
    assert "ttft_release_cycle_s" not in ttft_derivation(point, plain).inputs
    engine = dataclasses.replace(BARE, balance_timeout_steps=9)
    held = dataclasses.replace(toy_setup(), engine=engine)
    point = evaluate(held, ReplicaShape(dp=2), 10)
    inputs = ttft_derivation(point, held).inputs
    assert inputs["ttft_release_cycle_s"] == pytest.approx(point.first_token.balance_cycle_s)
    assert point.first_token.balance_cycle_s > 0


def test_a_prefill_replica_chunks_each_prompt_at_one_ranks_budget() -> None:
    from aiflang.models.serving.prefill import prefill

    engine = dataclasses.replace(BARE, token_budget=600)
    figures = prefill(replica(TWO_RANKS, engine=engine), 1000)
    # alone: chunks of 600 and 400 on one rank, each forward streaming the 20 GB of weights
    assert figures.latency_s == pytest.approx(2 * 0.020, rel=5e-3)
    # saturated: both ranks carry a chunk each forward, two forwards per prompt per rank:
    # 2 x 20 ms / 2 ranks
    assert figures.service_s == pytest.approx(0.020, rel=5e-3)
