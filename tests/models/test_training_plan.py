"""Memory per GPU, step time by hand, plan search and declared plans of the training model."""

from __future__ import annotations

import pytest
from training_parts import h100s

from aiflang.models.assumptions import Assumptions
from aiflang.models.training import (
    Job,
    ModelShape,
    NoPlan,
    Plan,
    estimate_run,
    flops_per_token,
    plan_memory,
    shape_from_params,
    step_time,
)

LLAMA_405B = ModelShape(
    params=405e9, active_params=405e9, layers=126, hidden=16384, heads=128, kv_heads=8
)
JOB_8K = Job(tokens=1e12, sequence_length=8192, global_batch=2048)


def test_model_states_follow_zero_by_hand() -> None:
    # 405B over TP8 x PP16: 3.164e9 params per GPU; DP 64 shards the optimizer
    plan = Plan(tp=8, pp=16, dp=64, zero=1)
    memory = plan_memory(LLAMA_405B, JOB_8K, plan)
    psi = 405e9 / 128
    assert memory.weights == pytest.approx(2 * psi)
    assert memory.gradients == pytest.approx(4 * psi)
    assert memory.optimizer == pytest.approx(12 * psi / 64)
    zero3 = plan_memory(LLAMA_405B, JOB_8K, Plan(tp=8, pp=16, dp=64, zero=3))
    assert zero3.weights + zero3.gradients + zero3.optimizer == pytest.approx(18 * psi / 64)


def test_activations_follow_korthikanti_by_hand() -> None:
    # selective: 34 x s x b x h / tp per layer; 8 layers a stage, min(pp, m) = 16 in flight
    plan = Plan(tp=8, pp=16, dp=64)
    memory = plan_memory(LLAMA_405B, JOB_8K, plan)
    per_layer = 34 * 8192 * 1 * 16384 / 8
    assert memory.activations == pytest.approx(per_layer * 8 * 16)
    # full recomputation keeps 2 x s x b x h / tp per layer, plus one layer's full activations
    full = plan_memory(LLAMA_405B, JOB_8K, Plan(tp=8, pp=16, dp=64, recompute_share=1.0))
    one_layer = 8192 * 16384 * (34 + 5 * 128 * 8192 / 16384) / 8
    assert full.activations == pytest.approx(2 * 8192 * 16384 / 8 * 8 * 16 + one_layer)
    assert memory.logits == pytest.approx(8192 * 128_256 * 4 / 8)


def test_flops_per_token_counts_causal_attention() -> None:
    # 6 x 405e9 + 6 x 126 x 8192 x 16384 = 2.43e12 + 1.015e11
    assert flops_per_token(LLAMA_405B, JOB_8K) == pytest.approx(6 * 405e9 + 6 * 126 * 8192 * 16384)


def test_step_time_by_hand_for_pure_data_parallelism() -> None:
    # a 1B model, 16 GPUs in two 8-GPU domains, DP 16, 16 sequences of 2048: one micro-batch
    model = ModelShape(params=1e9, active_params=1e9, layers=16, hidden=2048, heads=16, kv_heads=16)
    job = Job(tokens=1e9, sequence_length=2048, global_batch=16)
    cluster = h100s(16)
    a = Assumptions(overrides={"train_dp_overlap": 0.0})
    step = step_time(model, job, cluster, Plan(dp=16), "bf16", a)
    per_token = 6e9 + 6 * 16 * 2048 * 2048
    compute = 16 * 2048 * per_token / (16 * 989.4e12 * 0.593)  # Hopper BF16 fraction
    assert step.compute_s == pytest.approx(compute)
    assert step.bubble_s == 0
    # reduce-scatter of 4-byte gradients and all-gather of 2-byte weights, 6 bytes x 1e9:
    # 8 ranks on NVLink (7/8 at 450 GB/s x 0.8), then 2 domains on 50 GB/s x 0.8 (1/2 of 1/8)
    nvlink = 6e9 * 7 / 8 / (450e9 * 0.8)
    nic = 6e9 / 8 * 1 / 2 / (50e9 * 0.8)
    assert step.exposed_s["dp"] == pytest.approx(nvlink + nic)
    # and the once-a-step wait on the host (`train_step_host_s`)
    host = a.value("train_step_host_s")
    assert step.step_host_s == host
    assert step.total_s == pytest.approx(compute + nvlink + nic + host)
    assert step.mfu == pytest.approx(16 * 2048 * per_token / (16 * 989.4e12 * step.total_s))


def test_elementwise_kernels_by_hand() -> None:
    # the same step with the H100's 3.35 TB/s of HBM: 102 bytes per hidden-state element
    # per layer, 2,048 tokens x 2,048 wide x 16 layers, at 81% of the bandwidth
    model = ModelShape(params=1e9, active_params=1e9, layers=16, hidden=2048, heads=16, kv_heads=16)
    job = Job(tokens=1e9, sequence_length=2048, global_batch=16)
    a = Assumptions()
    without = step_time(model, job, h100s(16), Plan(dp=16), "bf16", a)
    with_hbm = step_time(
        model, job, h100s(16, memory_bandwidth_bps=3.35e12 * 8), Plan(dp=16), "bf16", a
    )
    elementwise = 102 * 2048 * 2048 * 16 / (3.35e12 * 0.81)
    assert elementwise == pytest.approx(2.5226e-3, rel=1e-4)
    assert with_hbm.compute_s - without.compute_s == pytest.approx(elementwise)
    # against 16 x 2,048 x 6.40e9 FLOPs / (16 x 989.4 TFLOPS x 0.593) = 22.3 ms of GEMMs:
    # 11%, a share that falls as the model widens (GEMMs grow with width squared)
    assert without.compute_s == pytest.approx(0.022349, rel=1e-4)
    assert elementwise / without.compute_s == pytest.approx(0.1129, rel=1e-3)


def test_bubble_is_pp_minus_one_over_vp_microbatches() -> None:
    cluster = h100s(1024)
    a = Assumptions()
    plain = step_time(LLAMA_405B, JOB_8K, cluster, Plan(tp=8, pp=16, dp=8), "bf16", a)
    m = plain.microbatches
    assert m == 256
    assert plain.bubble_s == pytest.approx(plain.compute_s / m * 15)
    interleaved = step_time(LLAMA_405B, JOB_8K, cluster, Plan(tp=8, pp=16, dp=8, vp=4), "bf16", a)
    assert interleaved.bubble_s == pytest.approx(plain.bubble_s / 4)


def test_search_finds_a_plan_that_fits_and_is_fastest() -> None:
    run = estimate_run(LLAMA_405B, JOB_8K, h100s(2048), "bf16", Assumptions())
    assert not isinstance(run, NoPlan)
    assert run.memory.total <= 80e9 * 0.9
    assert run.plan.tp <= 8  # inside the 8-GPU domain
    assert 2048 - 8 * 16 < run.plan.gpus <= 2048
    assert run.candidates > 10
    # the chosen plan is no slower per token than the published Llama 3 layout
    llama = estimate_run(
        LLAMA_405B, JOB_8K, h100s(2048), "bf16", Assumptions(), plan={"tp": 8, "pp": 16}
    )
    assert not isinstance(llama, NoPlan)
    assert run.step.total_s / run.step.tokens_per_step <= (
        llama.step.total_s / llama.step.tokens_per_step
    )


def test_declared_parts_are_kept_and_the_rest_searched() -> None:
    run = estimate_run(
        LLAMA_405B, JOB_8K, h100s(2048), "bf16", Assumptions(), plan={"tp": 8, "pp": 16}
    )
    assert not isinstance(run, NoPlan)
    assert (run.plan.tp, run.plan.pp) == (8, 16)
    assert run.plan.gpus == 2048  # cp x dp = 16, chosen by the search


@pytest.mark.parametrize(
    ("plan", "fragment"),
    [
        ({"tp": 16}, "tp 16 spans more than the scale-up domain of 8 GPUs"),
        ({"tp": 8, "pp": 16, "dp": 64}, "the plan needs 8,192 GPUs"),
        ({"tp": 3}, "tp 3 does not divide the 128 attention heads"),
        ({"pp": 200}, "pp 200 is more than the 126 layers"),
        ({"ep": 8}, "ep 8 needs a mixture of experts"),
        ({"tp": 1, "pp": 1, "zero": 1}, "the declared plan does not fit"),
    ],
)
def test_declared_plan_errors_say_why(plan: dict[str, int], fragment: str) -> None:
    run = estimate_run(LLAMA_405B, JOB_8K, h100s(2048), "bf16", Assumptions(), plan=plan)
    assert isinstance(run, NoPlan)
    assert fragment in run.issue
    assert run.help


def test_a_model_too_large_for_any_plan() -> None:
    tiny = h100s(8)
    run = estimate_run(LLAMA_405B, JOB_8K, tiny, "bf16", Assumptions())
    assert isinstance(run, NoPlan)
    assert run.issue.startswith("no parallelism plan can fit: the leanest needs 91")
    assert "72.0 GB is usable" in run.issue


def test_partial_recomputation_only_as_much_as_memory_needs() -> None:
    # 405B on 512 H100 with TP8 PP8 VP8 CP2 needs a little recomputation, not all of it
    job = Job(tokens=1e12, sequence_length=8192, global_batch=1152)
    fixed = {"tp": 8, "pp": 8, "vp": 8, "cp": 2, "zero": 1}
    run = estimate_run(LLAMA_405B, job, h100s(512), "fp8", Assumptions(), plan=fixed)
    assert not isinstance(run, NoPlan)
    assert 0.0 < run.plan.recompute_share < 0.5
    assert run.memory.total <= 80e9 * 0.9 + 1e6


def test_shape_from_params_matches_llama_scale() -> None:
    shape = shape_from_params(70e9, 70e9, Assumptions())
    assert 60 <= shape.layers <= 90
    assert 7000 <= shape.hidden <= 9000
    assert shape.derived
    moe = shape_from_params(671e9, 37e9, Assumptions())
    assert moe.moe and moe.expert_params == pytest.approx((671e9 - 37e9) / (1 - 8 / 256))
