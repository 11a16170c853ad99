"""Where a training collective's ranks sit, and what its traffic costs: each by hand."""

from __future__ import annotations

import pytest
from training_parts import LLAMA_8B, LLAMA_405B, blackwells

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


PP_INNER = "tp-cp-ep-pp-dp"  # Megatron-Bridge's order under use_tp_pp_dp_mapping


def _llama_405b_dp(order: str, gpus: int, pp: int, dp: int) -> float:
    """Gradient and weight traffic of Llama 3.1 405B at TP4 CP2 on GB200s in 72-GPU domains,
    BF16 gradients and BF16 weights, nothing hidden."""
    a = Assumptions(overrides={"train_dp_overlap": 0.0})
    job = Job(tokens=1e12, sequence_length=8192, global_batch=1152)
    cluster = blackwells(gpus, 2.5e15, 186, 72)
    plan = Plan(tp=4, pp=pp, cp=2, dp=dp, vp=8, grad_bytes=2.0, order=order)
    return step_time(LLAMA_405B, job, cluster, plan, "bf16", a).traffic_s["dp"]


def _two_stage(volume: float, local: float, group: int) -> float:
    """A reduce-scatter (or all-gather) of `volume` bytes: NVLink among the `local` ranks
    of a domain, then the NICs among the group's group / local domains."""
    outer = group / local
    return volume * (local - 1) / local / NVLINK + volume / local * (outer - 1) / outer / NIC


def test_pipeline_ranks_inside_the_data_parallel_ones_spread_the_gradient_group() -> None:
    # MLPerf Training v5.1's 512-GB200 Llama 3.1 405B layout, TP4 PP8 CP2 DP8, which NVIDIA's
    # config_common.sh runs with TP_PP_DP_MAPPING=True. The 16 ranks that reduce the same
    # gradients (dp x cp) are, in Megatron-Core's default order tp-cp-ep-dp-pp, every fourth
    # rank of 64: all 16 sit in one 72-GPU domain (72 / 4 = 18 >= 16) and only NVLink moves
    # them. Ordered tp-cp-ep-pp-dp they are 2 ranks 4 apart (the cp pair) once every
    # tp x cp x pp = 64 ranks: a domain holds 2 x floor(72 / 64) = 2, and 8 domains' worth
    # cross the NICs
    volume = 405e9 / (4 * 8) * 2.0  # this GPU's BF16 gradients, and again its BF16 weights
    default = _llama_405b_dp("tp-cp-ep-dp-pp", 512, 8, 8)
    assert default == pytest.approx(2 * volume * 15 / 16 / NVLINK, rel=1e-9)
    inner = _llama_405b_dp(PP_INNER, 512, 8, 8)
    assert inner == pytest.approx(2 * _two_stage(volume, 2, 16), rel=1e-9)
    # 25.3 GB a collective: both take 0.066 s on NVLink in the default order; ordered
    # tp-cp-ep-pp-dp each moves half of it over the NICs, 0.018 + 0.277 s, 0.589 s in all
    assert default == pytest.approx(0.0659, rel=1e-2)
    assert inner == pytest.approx(0.5889, rel=1e-3)


def test_a_domain_smaller_than_a_pipeline_holds_what_of_one_cp_run_it_can() -> None:
    # TP4 PP16 CP2 DP4 on 512 GB200s: a pipeline spans tp x cp x pp = 128 ranks, more than a
    # 72-GPU domain, which then holds only the cp pair 4 ranks apart, min(2, 72 / 4) = 2, of
    # the 8 gradient ranks (the default order keeps all 8 in one domain: 8 x 4 <= 72)
    volume = 405e9 / (4 * 16) * 2.0
    default = _llama_405b_dp("tp-cp-ep-dp-pp", 512, 16, 4)
    assert default == pytest.approx(2 * volume * 7 / 8 / NVLINK, rel=1e-9)
    inner = _llama_405b_dp(PP_INNER, 512, 16, 4)
    assert inner == pytest.approx(2 * _two_stage(volume, 2, 8), rel=1e-9)


def test_with_one_stage_the_two_orders_are_the_same() -> None:
    a = Assumptions(overrides={"train_dp_overlap": 0.0})
    job = Job(tokens=1e12, sequence_length=8192, global_batch=64)
    cluster = blackwells(512, 2.5e15, 186, 72)
    default = step_time(LLAMA_8B, job, cluster, Plan(tp=2, cp=4, dp=64), "bf16", a)
    inner = step_time(LLAMA_8B, job, cluster, Plan(tp=2, cp=4, dp=64, order=PP_INNER), "bf16", a)
    assert inner.traffic_s == default.traffic_s


def test_pipeline_neighbours_sit_tp_x_cp_apart_with_pipeline_ranks_inside() -> None:
    # MLPerf Training v5.1's 2,560-GB200 Llama 3.1 405B layout, TP4 PP8 CP2 DP40. In the
    # default order a stage's neighbour is tp x cp x dp = 320 ranks away, in another 72-GPU
    # domain, and its activations cross the NICs; ordered tp-cp-ep-pp-dp it is tp x cp = 8
    # ranks away and the whole pipeline, 64 ranks, fits one domain: NVLink
    job = Job(tokens=1e12, sequence_length=8192, global_batch=1152)
    cluster = blackwells(2560, 2.5e15, 186, 72)
    a = Assumptions()
    m = 29  # micro-batches of one sequence per data-parallel rank, 1,152 / 40 rounded up
    # an activation and a gradient of b x s / cp x h x 2 bytes / tp per micro-batch per
    # virtual stage
    volume = 2.0 * 8192 / 2 * 16384 * 2.0 / 4 * m * 8

    def pp(order: str, tp: int = 4) -> float:
        plan = Plan(tp=tp, pp=8, cp=2, dp=2560 // (tp * 16), vp=8, order=order)
        return step_time(LLAMA_405B, job, cluster, plan, "bf16", a).traffic_s["pp"]

    assert pp("tp-cp-ep-dp-pp") == pytest.approx(volume / NIC, rel=1e-9)
    assert pp(PP_INNER) == pytest.approx(volume / NVLINK, rel=1e-9)
    # at TP8 (DP20: twice the micro-batches of half the bytes, the same volume) a pipeline
    # spans 8 x 2 x 8 = 128 ranks: it leaves the domain, and its slowest hop paces it
    assert pp(PP_INNER, tp=8) == pytest.approx(volume / NIC, rel=1e-9)


def test_a_declared_rank_order_must_be_one_the_model_knows() -> None:
    job = Job(tokens=1e12, sequence_length=8192, global_batch=8)
    cluster = blackwells(8, 2.5e15, 186, 72)
    issue, fix = plan_issues(LLAMA_8B, job, cluster, {"order": "dp-tp-pp"})
    assert "order 'dp-tp-pp' is not a rank order the model knows" in issue
    assert "tp-cp-ep-dp-pp" in fix and "tp-cp-ep-pp-dp" in fix and "leave it out" in fix
    for order in ("tp-cp-ep-dp-pp", PP_INNER):
        assert plan_issues(LLAMA_8B, job, cluster, {"order": order}) == ("", "")
