"""A MoE step waiting on its host to issue the experts' kernels, by hand, and what it does
to the published Megatron-Bridge rows it was fitted for and those it predicts."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from training_parts import DEEPSEEK_V3, LLAMA_8B, blackwells

from aiflang.models.assumptions import Assumptions
from aiflang.models.training import Cluster, Job, Plan, step_time
from aiflang.models.training.search import plan_issues, search_plan

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "benchmarks"))

import training_validation as tv  # noqa: E402

JOB = Job(tokens=1e12, sequence_length=4096, global_batch=16)
ROWS = {row["id"]: row for row in tv.load_rows()}


def b200s(gpus: int) -> Cluster:
    return blackwells(gpus, 2.25e15, 180, 8)  # dense BF16


def _expert_gpu_s(a: Assumptions) -> float:
    # per MoE layer per micro-batch: 4,096 tokens x 8 copies x 18 x 7,168 x 2,049.7 FLOPs
    # (gate, up and down, forward and backward) at 2.25 PFLOPS x the BF16 fraction
    eta = a.value("train_compute_fraction_blackwell_bf16")
    return 4096 * 8 * 18 * 7168 * DEEPSEEK_V3.expert_ffn / (2.25e15 * eta)


def test_a_synchronising_dispatcher_waits_on_the_host_in_every_moe_layer() -> None:
    a = Assumptions()
    plan = Plan(pp=8, ep=8, dp=8, moe_sync=True)
    step = step_time(DEEPSEEK_V3, JOB, b200s(64), plan, "bf16", a)
    per_expert = a.value("train_host_s_per_local_expert")
    # 256 / 8 = 32 local experts issued one after another, against the experts' GPU time;
    # 8 MoE layers on the busiest stage (ceil(58 / 8)), 16 / 8 = 2 micro-batches
    issue = 32 * per_expert
    gpu = _expert_gpu_s(a)
    assert gpu == pytest.approx(9.98e-3, rel=0.01)
    assert issue > gpu
    assert step.host_s == pytest.approx((issue - gpu) * 8 * 2, rel=1e-9)
    # the wait slows each micro-batch, and the pipeline's warm-up and flush with it
    assert step.bubble_s == pytest.approx((step.compute_s + step.host_s) / 2 * 7, rel=1e-9)
    # and once a step every GPU waits on its host for the optimizer (`train_step_host_s`)
    assert step.step_host_s == a.value("train_step_host_s")
    assert step.total_s == pytest.approx(
        step.compute_s + step.host_s + step.step_host_s + step.bubble_s + step.communication_s,
        rel=1e-12,
    )


def test_experts_in_cuda_graphs_or_a_dense_model_cost_the_host_nothing() -> None:
    a = Assumptions()
    graphed = Plan(pp=8, ep=8, dp=8, moe_sync=True, moe_graphs=True)
    assert step_time(DEEPSEEK_V3, JOB, b200s(64), graphed, "bf16", a).host_s == 0.0
    dense = Plan(dp=8, moe_sync=True)
    assert step_time(LLAMA_8B, JOB, b200s(8), dense, "bf16", a).host_s == 0.0


def test_a_host_that_runs_ahead_binds_only_when_its_issue_outlasts_the_step() -> None:
    a = Assumptions()
    # EP 64: 4 local experts, 4 x 0.6 ms a layer: far less than the layer's compute
    wide = Plan(pp=1, ep=64, dp=64)
    assert step_time(DEEPSEEK_V3, JOB, b200s(64), wide, "bf16", a).host_s == 0.0
    # EP 2 on 2 GPUs: 128 local experts, 58 layers x 8 micro-batches of issue
    narrow = Plan(pp=1, ep=2, dp=2)
    job = Job(tokens=1e12, sequence_length=4096, global_batch=16)
    step = step_time(DEEPSEEK_V3, job, b200s(2), narrow, "bf16", a)
    issue = 128 * a.value("train_host_s_per_local_expert") * 58 * 8
    assert issue > step.compute_s
    assert step.host_s == pytest.approx(issue - step.compute_s, rel=1e-9)


def test_the_dispatcher_default_is_registered_and_a_declared_plan_overrides_it() -> None:
    job = Job(tokens=1e12, sequence_length=4096, global_batch=64)
    fixed: dict[str, int | str] = {"tp": 1, "pp": 16, "ep": 8}
    default = search_plan(DEEPSEEK_V3, job, b200s(256), "bf16", Assumptions(), fixed)
    synced = search_plan(
        DEEPSEEK_V3, job, b200s(256), "bf16", Assumptions(), {**fixed, "moe_sync": 1}
    )
    told = search_plan(
        DEEPSEEK_V3,
        job,
        b200s(256),
        "bf16",
        Assumptions(overrides={"train_moe_sync_dispatch": 1.0}),
        fixed,
    )
    assert default.step is not None and synced.step is not None and told.step is not None
    assert not default.step.plan.moe_sync and default.step.host_s == 0.0
    assert synced.step.plan.moe_sync and synced.step.host_s > 0.0
    assert told.step.total_s == pytest.approx(synced.step.total_s, rel=1e-12)


def _tokens_per_gpu(row_id: str) -> float:
    row = ROWS[row_id]
    outcome = tv.evaluate(row, Assumptions())
    return row["global_batch"] * row["sequence_length"] / outcome.predicted / row["gpus"]


def test_deepseek_v3_fp8_is_slower_per_gpu_on_b200_than_on_gb200() -> None:
    # published: 4,018 against 2,139 tokens/s/GPU (1.88x); the eager all-to-all recipe on
    # B200 with 32 local experts waits on its host, the HybridEP recipe on GB200 does not
    ratio = _tokens_per_gpu("mbridge2511-dgx-gb200-deepseekv3-fp8-mx-256gpu") / _tokens_per_gpu(
        "mbridge2511-dgx-b200-deepseekv3-fp8-mx-256gpu"
    )
    assert 1.2 < ratio < 2.5


def test_qwen3_30b_is_slower_per_gpu_on_b200_than_on_gb200() -> None:
    # published: 23,766 against 9,299 tokens/s/GPU (2.56x) with EP 8 inside NVLink on both;
    # the model over-predicts the gap (about 4x: the B200 row's micro-batch of one sequence
    # leaves the GPU under 15% of each layer's host issue time)
    ratio = _tokens_per_gpu("mbridge2511-dgx-gb200-qwen3_30b_a3b-fp8-mx-8gpu") / _tokens_per_gpu(
        "mbridge2511-dgx-b200-qwen3_30b_a3b-fp8-mx-8gpu"
    )
    assert 2.0 < ratio < 5.0


def _expert_gpu_s_fp8(a: Assumptions) -> float:
    # the same experts' GEMMs at 4.5 PFLOPS dense FP8 x the Blackwell FP8 fraction
    eta = a.value("train_compute_fraction_blackwell_fp8")
    return 4096 * 8 * 18 * 7168 * DEEPSEEK_V3.expert_ffn / (4.5e15 * eta)


def b200s_fp8(gpus: int) -> Cluster:
    return blackwells(gpus, 4.5e15, 180, 8)  # dense FP8


def test_fp8_current_scaling_issues_each_expert_at_its_own_host_time() -> None:
    a = Assumptions()
    mx = Plan(pp=8, ep=8, dp=8, moe_sync=True)
    cs = Plan(pp=8, ep=8, dp=8, moe_sync=True, fp8_cs=True)
    gpu = _expert_gpu_s_fp8(a)
    per_cs = a.value("train_host_s_per_local_expert_fp8_cs")
    per_mx = a.value("train_host_s_per_local_expert")
    # an amax and a scale kernel before every cast: more host time per expert than MXFP8
    assert per_cs > 2.0 * per_mx
    step_cs = step_time(DEEPSEEK_V3, JOB, b200s_fp8(64), cs, "fp8", a)
    step_mx = step_time(DEEPSEEK_V3, JOB, b200s_fp8(64), mx, "fp8", a)
    # 32 local experts, 8 MoE layers on the busiest stage, 2 micro-batches
    assert step_cs.host_s == pytest.approx((32 * per_cs - gpu) * 8 * 2, rel=1e-9)
    assert step_mx.host_s == pytest.approx((32 * per_mx - gpu) * 8 * 2, rel=1e-9)
    # a BF16 run has no FP8 casts: the flag leaves it at the other recipes' host time
    bf16 = step_time(DEEPSEEK_V3, JOB, b200s(64), cs, "bf16", a)
    assert bf16.host_s == pytest.approx((32 * per_mx - _expert_gpu_s(a)) * 8 * 2, rel=1e-9)


def test_experts_folded_over_the_tp_ranks_are_fewer_and_whole_on_each_gpu() -> None:
    a = Assumptions()
    split = Plan(tp=2, pp=8, ep=4, dp=4, moe_sync=True)
    folded = Plan(tp=2, pp=8, ep=4, dp=4, moe_sync=True, etp=1)
    assert split.expert_tp == 2 and folded.expert_tp == 1
    assert "ETP1" in folded.describe() and "ETP" not in split.describe()
    per = a.value("train_host_s_per_local_expert")
    # the experts' GPU time per layer is the same either way: tokens / tp x k copies
    gpu = _expert_gpu_s(a) / 2
    # 256 / 4 = 64 half-width experts against 256 / (4 x 2) = 32 whole ones
    s_split = step_time(DEEPSEEK_V3, JOB, b200s(64), split, "bf16", a)
    s_folded = step_time(DEEPSEEK_V3, JOB, b200s(64), folded, "bf16", a)
    assert s_split.host_s == pytest.approx((64 * per - gpu) * 8 * 4, rel=1e-9)
    assert s_folded.host_s == pytest.approx((32 * per - gpu) * 8 * 4, rel=1e-9)
    assert s_folded.compute_s == pytest.approx(s_split.compute_s, rel=1e-12)
    assert s_folded.traffic_s == s_split.traffic_s


def test_current_scaling_is_declared_or_registered_and_an_etp_must_divide_tp() -> None:
    job = Job(tokens=1e12, sequence_length=4096, global_batch=64)
    fixed: dict[str, int | str] = {"tp": 1, "pp": 16, "ep": 8, "moe_sync": 1}
    cluster = b200s_fp8(256)
    default = search_plan(DEEPSEEK_V3, job, cluster, "fp8", Assumptions(), fixed)
    declared = search_plan(DEEPSEEK_V3, job, cluster, "fp8", Assumptions(), {**fixed, "fp8_cs": 1})
    told = search_plan(
        DEEPSEEK_V3,
        job,
        cluster,
        "fp8",
        Assumptions(overrides={"train_fp8_current_scaling": 1.0}),
        fixed,
    )
    assert default.step is not None and declared.step is not None and told.step is not None
    assert not default.step.plan.fp8_cs and declared.step.plan.fp8_cs
    assert declared.step.host_s > default.step.host_s
    assert told.step.total_s == pytest.approx(declared.step.total_s, rel=1e-12)
    issue, fix = plan_issues(DEEPSEEK_V3, job, cluster, {"tp": 4, "etp": 3})
    assert "etp 3 does not divide tp 4" in issue and "etp to 1" in fix


def test_the_h100_fp8_cs_qwen3_rows_wait_on_the_current_scaling_host_time() -> None:
    # Qwen3-30B-A3B on 16 H100 (published 24.85 s a step) is within 35% only with its
    # recipe's current scaling: without it the host waits as an MXFP8 recipe would
    row = ROWS["mbridge2511-dgx-h100-qwen3_30b_a3b-fp8-cs-16gpu"]
    assert row["plan"]["fp8_cs"] == 1
    a = Assumptions()
    assert abs(tv.evaluate(row, a).error) < 0.35
    block = {**row, "plan": {**row["plan"], "fp8_cs": 0}}
    assert tv.evaluate(block, a).error < -0.35
    # the 235B row's EP 32 over TP 2 keeps experts whole: 128 / 32 = 4 local experts
    big = ROWS["mbridge2511-dgx-h100-qwen3_235b_a22b-fp8-cs-256gpu"]
    assert big["plan"]["etp"] == 1 and big["plan"]["tp"] * big["plan"]["ep"] == 32
