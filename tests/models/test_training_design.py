"""The design reaches the training time: fabric, scale-up domain, storage and failures.

Each test changes one thing a designer chooses and asserts the direction and
rough size of what it does to the step time, the plan or the ETTR.
"""

from __future__ import annotations

import math
from dataclasses import replace

import pytest
from training_parts import LLAMA_8B, LLAMA_70B, h100s

from aiflang.models.assumptions import Assumptions
from aiflang.models.training import (
    Cluster,
    Job,
    ModelShape,
    NoPlan,
    TrainingRun,
    daly_interval,
    estimate_goodput,
    estimate_run,
)


def gb200s(gpus: int, domain: int) -> Cluster:
    return Cluster(
        gpus=gpus,
        family="Blackwell",
        peak_flops=2500e12,
        memory_bits=186e9 * 8,
        scale_up_domain=domain,
        scale_up_bps=900e9 * 8,
        scale_out_bps=400e9,
        leaf_domains=32 if domain == 8 else 4,
    )


def run(model: ModelShape, job: Job, cluster: Cluster, **kw: object) -> TrainingRun:
    result = estimate_run(model, job, cluster, "bf16", Assumptions(), **kw)  # type: ignore[arg-type]
    assert not isinstance(result, NoPlan), result
    return result


# A DP-heavy job: 8B on 1,024 GPUs, a batch of one sequence per GPU, every rank data-parallel.
DP_JOB = Job(tokens=1e12, sequence_length=4096, global_batch=1024)
DP_PLAN = {"tp": 1, "pp": 1, "cp": 1, "zero": 1}


def test_dp_heavy_job_is_slower_on_a_four_to_one_fabric() -> None:
    # 128 servers, 32 per leaf: three quarters of the DP peers sit beyond the leaf
    flat = run(LLAMA_8B, DP_JOB, h100s(1024, leaf_domains=32, oversubscription=1.0), plan=DP_PLAN)
    tapered = run(
        LLAMA_8B, DP_JOB, h100s(1024, leaf_domains=32, oversubscription=4.0), plan=DP_PLAN
    )
    assert flat.plan == tapered.plan
    assert tapered.step.exposed_s["dp"] > 2.0 * flat.step.exposed_s["dp"]
    slowdown = tapered.step.total_s / flat.step.total_s
    # the cross-leaf share (3/4) of the NIC stage runs 4x slower: (1/4 + 3/4 x 4) = 3.25x
    # on that stage; the whole step, compute and NVLink stage included, 1.5x to 3x slower
    assert 1.5 < slowdown < 3.0
    assert tapered.gpu_hours > flat.gpu_hours * 1.5


def test_the_fabric_does_not_matter_inside_one_leaf() -> None:
    small = Job(tokens=1e11, sequence_length=4096, global_batch=64)
    flat = run(LLAMA_8B, small, h100s(64, leaf_domains=32, oversubscription=1.0), plan=DP_PLAN)
    tapered = run(LLAMA_8B, small, h100s(64, leaf_domains=32, oversubscription=4.0), plan=DP_PLAN)
    assert tapered.step.total_s == pytest.approx(flat.step.total_s)


def test_70b_on_nvl72_gets_another_plan_and_a_shorter_step_than_on_8_gpu_nodes() -> None:
    # 128 sequences of 8K on 576 GPUs: model parallelism must cover at least 4.5 GPUs
    job = Job(tokens=1e12, sequence_length=8192, global_batch=128)
    nvl72 = run(LLAMA_70B, job, gb200s(576, 72))
    hgx = run(LLAMA_70B, job, gb200s(576, 8))
    assert nvl72.plan != hgx.plan
    assert hgx.plan.tp <= 8
    assert nvl72.step.total_s < hgx.step.total_s
    # the same GPUs: the larger domain keeps TP, CP and DP traffic on NVLink (about 1.16x)
    assert 1.05 < hgx.step.total_s / nvl72.step.total_s < 1.5


def test_a_tenth_of_the_storage_bandwidth_lowers_ettr() -> None:
    job = Job(tokens=15e12, sequence_length=8192, global_batch=2048)
    model = ModelShape(
        params=405e9, active_params=405e9, layers=126, hidden=16384, heads=128, kv_heads=8
    )
    fast = run(model, job, h100s(16384), plan={"tp": 8, "pp": 16}, storage_bps=2e12 * 8)
    slow = run(model, job, h100s(16384), plan={"tp": 8, "pp": 16}, storage_bps=0.2e12 * 8)
    # 405e9 x 14 B = 5.67 TB: 2.8 s at 2 TB/s, 28 s at 200 GB/s
    assert fast.goodput.checkpoint_s == pytest.approx(405e9 * 14 / 2e12)
    assert slow.goodput.checkpoint_s == pytest.approx(10 * fast.goodput.checkpoint_s)
    assert slow.goodput.ettr < fast.goodput.ettr
    # Young: overhead ~ sqrt(2C/M) grows by sqrt(10); at M = 3.1 h it costs a few points
    assert 0.005 < fast.goodput.ettr - slow.goodput.ettr < 0.06
    assert slow.wall_time_s > fast.wall_time_s


def test_losing_a_spine_slows_the_job() -> None:
    # one of 16 spines lost: cross-leaf traffic gets 15/16 of the bandwidth
    whole = h100s(1024, leaf_domains=32, oversubscription=2.0)
    degraded = replace(whole, spine_bandwidth_share=15 / 16)
    before = run(LLAMA_8B, DP_JOB, whole, plan=DP_PLAN)
    after = run(LLAMA_8B, DP_JOB, degraded, plan=DP_PLAN)
    assert after.step.total_s > before.step.total_s
    # only the cross-leaf part of the DP stage slows, by at most 16/15
    assert after.step.total_s / before.step.total_s < 16 / 15
    # on a 1:1 fabric the same loss slows the traffic, which this job still hides
    flat = h100s(1024, leaf_domains=32)
    hidden = run(LLAMA_8B, DP_JOB, replace(flat, spine_bandwidth_share=15 / 16), plan=DP_PLAN)
    baseline = run(LLAMA_8B, DP_JOB, flat, plan=DP_PLAN)
    assert hidden.step.traffic_s["dp"] > baseline.step.traffic_s["dp"]


def test_goodput_by_hand_with_dalys_formula() -> None:
    # 16,384 GPUs: M = 54 x 24 h x 16384 / 419 / 16384 = 3.093 h
    a = Assumptions()
    goodput = estimate_goodput(
        gpus=16384, solve_time_s=30 * 86400, total_params=405e9, storage_bps=2e12 * 8, assumptions=a
    )
    mtbf = 54 * 24 * 3600 / 419
    assert goodput.mtbf_s == pytest.approx(mtbf)
    c = 405e9 * 14 / 2e12
    assert goodput.checkpoint_s == pytest.approx(c)
    t = math.sqrt(2 * c * mtbf) * (1 + math.sqrt(c / (2 * mtbf)) / 3 + c / (2 * mtbf) / 9) - c
    assert goodput.interval_s == pytest.approx(t)
    r = 600 + c
    wall = mtbf * math.exp(r / mtbf) * math.expm1((t + c) / mtbf) * 30 * 86400 / t
    assert goodput.wall_time_s == pytest.approx(wall)
    # Llama 3 reports more than 90% effective training time at this scale
    assert 0.90 < goodput.ettr < 0.97


def test_daly_interval_limits() -> None:
    # a checkpoint longer than twice the MTBF: checkpoint every MTBF
    assert daly_interval(10_000.0, 1_000.0) == 1_000.0
    # small C: Young's sqrt(2CM) to first order
    assert daly_interval(1.0, 1e6) == pytest.approx(math.sqrt(2e6), rel=0.01)


def test_declared_mfu_overrides_the_step_model() -> None:
    job = Job(tokens=1e12, sequence_length=8192, global_batch=512)
    modelled = run(LLAMA_70B, job, h100s(512))
    declared = run(LLAMA_70B, job, h100s(512), mfu=0.5)
    assert declared.mfu == 0.5
    assert declared.mfu_declared and not modelled.mfu_declared
    per_token = 6 * 70.6e9 + 6 * 80 * 8192 * 8192
    expected = declared.step.tokens_per_step * per_token / (declared.plan.gpus * 989.4e12 * 0.5)
    assert declared.step.total_s == pytest.approx(expected)
