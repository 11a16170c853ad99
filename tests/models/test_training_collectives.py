"""Where a training collective's ranks sit, and what its traffic costs: each by hand."""

from __future__ import annotations

import pytest
from training_parts import LLAMA_8B, blackwells

from aiflang.models.assumptions import Assumptions
from aiflang.models.training import Job, Plan, plan_issues, step_time

NVLINK = 900e9 * 0.8  # bytes/s a collective reaches on NVLink (scale_up_efficiency)
NIC = 400e9 / 8 * 0.8  # and on a 400 Gb/s NIC (scale_out_efficiency)


def test_the_ranks_holding_the_same_weights_sit_tp_apart() -> None:
    # Llama 3 8B at TP2 CP4 DP64 on 512 GPUs in 72-GPU NVLink domains (MLPerf Training
    # v5.1's 512-GPU GB200 layout). Megatron-Core orders ranks tp-cp-ep-dp-pp, so the 256
    # ranks that reduce the same gradients (data and context parallel together) are every
    # second rank: 36 of them share each domain, and 256 / 36 domains' worth cross the NICs
    a = Assumptions(overrides={"train_dp_overlap": 0.0})
    job = Job(tokens=1e12, sequence_length=8192, global_batch=64)
    cluster = blackwells(512, 2.5e15, 186, 72)
    step = step_time(LLAMA_8B, job, cluster, Plan(tp=2, cp=4, dp=64), "bf16", a)
    local, outer = 36, 256 / 36

    def collective(nbytes: float) -> float:
        volume = nbytes * 8.03e9 / 2  # each TP rank's half of the weights
        inside = volume * (local - 1) / local / NVLINK
        across = volume / local * (outer - 1) / outer / NIC
        return inside + across

    # FP32 gradients reduce-scattered, BF16 weights all-gathered
    assert step.traffic_s["dp"] == pytest.approx(collective(4.0) + collective(2.0), rel=1e-9)
    # half the 0.094 s charged when the group's ranks were taken to sit tp x cp apart (9 to a
    # domain), which sent 4x the bytes over the NICs
    assert step.traffic_s["dp"] == pytest.approx(0.04691, rel=1e-3)


def test_a_recipe_s_gradient_bucket_sets_what_cannot_hide() -> None:
    # 8 GB200s in one NVLink domain, one micro-batch of 8,192 tokens: the gradient and weight
    # traffic hides under the compute but for the last gradient bucket's reduce-scatter and the
    # first weight bucket's all-gather (`_bucket_share`)
    job = Job(tokens=1e12, sequence_length=8192, global_batch=8)
    cluster = blackwells(8, 2.5e15, 186, 72)
    a = Assumptions()
    default = step_time(LLAMA_8B, job, cluster, Plan(dp=8, grad_bytes=2.0), "bf16", a)
    recipe = step_time(LLAMA_8B, job, cluster, Plan(dp=8, grad_bytes=2.0, bucket=768e6), "bf16", a)
    # BF16 gradients reduce-scattered and BF16 weights gathered: 4 bytes a parameter
    traffic = 4 * 8.03e9 * 7 / 8 / NVLINK
    assert default.traffic_s["dp"] == pytest.approx(traffic, rel=1e-9)
    assert recipe.traffic_s["dp"] == pytest.approx(traffic, rel=1e-9)
    # Megatron-Core's default bucket, max(40M, 1M x 8 ranks), against MLPerf Training v5.1's
    # 768M (BUCKET_SIZE in NVIDIA's Llama 3.1 8B config): 0.5% and 9.6% of the weights
    assert default.exposed_s["dp"] == pytest.approx(traffic * 40e6 / 8.03e9, rel=1e-9)
    assert recipe.exposed_s["dp"] == pytest.approx(traffic * 768e6 / 8.03e9, rel=1e-9)
    assert recipe.exposed_s["dp"] == pytest.approx(3.73e-3, rel=1e-2)


def test_a_declared_bucket_must_be_a_parameter_count() -> None:
    job = Job(tokens=1e12, sequence_length=8192, global_batch=8)
    cluster = blackwells(8, 2.5e15, 186, 72)
    issue, fix = plan_issues(LLAMA_8B, job, cluster, {"bucket": -1})
    assert "bucket -1 is not a parameter count" in issue and "leave it out" in fix
    assert plan_issues(LLAMA_8B, job, cluster, {"bucket": 768e6}) == ("", "")
