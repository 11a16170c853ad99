"""The pruned plan search picks what the exhaustive search picks, and remembers its results."""

from __future__ import annotations

import itertools

import pytest
from training_parts import DEEPSEEK_V3, LLAMA_8B, LLAMA_70B, blackwells, h100s

from aiflang.models.assumptions import Assumptions
from aiflang.models.training import Cluster, Job, ModelShape, shape_from_params
from aiflang.models.training.search import clear_cache, exhaustive_search, search_plan

MODELS = {
    "8b": LLAMA_8B,
    "70b": LLAMA_70B,
    "405b": ModelShape(
        params=405.9e9, active_params=405.9e9, layers=126, hidden=16384, heads=128, kv_heads=8
    ),
    "deepseek-v3": DEEPSEEK_V3,
    "derived-30b": shape_from_params(30e9, 30e9, Assumptions()),
}


def _cluster(kind: str, gpus: int) -> Cluster:
    if kind == "h100":
        return h100s(gpus, memory_bandwidth_bps=3.35e12 * 8)
    if kind == "h100-4to1":
        return h100s(gpus, oversubscription=4.0, leaf_domains=4, memory_bandwidth_bps=3.35e12 * 8)
    return blackwells(gpus, 5e15, 186, 72, nic_bps=800e9, memory_bandwidth_bps=8e12 * 8)


GRID = list(
    itertools.product(
        MODELS,
        [("h100", 64), ("h100", 1024), ("h100-4to1", 512), ("gb200", 288), ("gb200", 2304)],
        [{}, {"tp": 2}, {"zero": 3}, {"recompute": "full"}],
    )
)


@pytest.mark.parametrize(("model", "where", "fixed"), GRID)
def test_pruned_search_picks_the_exhaustive_plan(
    model: str, where: tuple[str, int], fixed: dict[str, int | str]
) -> None:
    shape = MODELS[model]
    cluster = _cluster(*where)
    job = Job(tokens=1e12, sequence_length=8192, global_batch=1024)
    precision = "fp8" if where[0] == "gb200" else "bf16"
    clear_cache()
    pruned = search_plan(shape, job, cluster, precision, Assumptions(), fixed)
    full = exhaustive_search(shape, job, cluster, precision, Assumptions(), fixed)
    if full.step is None:
        assert pruned.step is None
        assert pruned.issue == full.issue
        return
    assert pruned.step is not None
    assert pruned.step.plan == full.step.plan
    assert pruned.step.total_s == full.step.total_s
    assert pruned.memory == full.memory
    assert pruned.candidates <= full.candidates


def test_the_bound_leaves_most_candidates_untimed() -> None:
    # 70B on 1,024 H100: the exhaustive search times every plan that fits, the pruned one
    # stops once the compute floor of the next candidate passes the best step found
    job = Job(tokens=1e12, sequence_length=8192, global_batch=1024)
    cluster = _cluster("h100", 1024)
    clear_cache()
    pruned = search_plan(MODELS["70b"], job, cluster, "bf16", Assumptions())
    full = exhaustive_search(MODELS["70b"], job, cluster, "bf16", Assumptions())
    assert full.candidates > 100
    assert pruned.candidates * 4 < full.candidates  # 74 of 341


def test_a_remembered_search_marks_its_assumptions_used_again() -> None:
    job = Job(tokens=1e12, sequence_length=8192, global_batch=1024)
    cluster = _cluster("h100", 64)
    clear_cache()
    first_a, second_a = Assumptions(), Assumptions()
    first = search_plan(MODELS["8b"], job, cluster, "bf16", first_a)
    second = search_plan(MODELS["8b"], job, cluster, "bf16", second_a)
    assert second is first
    assert "train_compute_fraction_hopper_bf16" in second_a.used
    assert second_a.used == first_a.used
    # an override is part of what is remembered: a slower GPU gets its own search
    slower = Assumptions(overrides={"train_compute_fraction_hopper_bf16": 0.3})
    third = search_plan(MODELS["8b"], job, cluster, "bf16", slower)
    assert third is not first
    assert third.step is not None and first.step is not None
    assert third.step.compute_s > first.step.compute_s
