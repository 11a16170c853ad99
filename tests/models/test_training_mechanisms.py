"""What FP8 and FP4 runs keep in BF16, what they store, routed copies of MoE tokens, and
FSDP's traffic on shared links: each by hand."""

from __future__ import annotations

import pytest
from training_parts import DEEPSEEK_V3, LLAMA_8B, blackwells, h100s

from aiflang.models.assumptions import Assumptions
from aiflang.models.training import Cluster, Job, Plan, plan_memory, step_time

JOB = Job(tokens=1e12, sequence_length=8192, global_batch=8)


def gb200(gpus: int = 8, **extra: float) -> Cluster:
    given: dict[str, float] = {"bf16_peak_flops": 2.5e15, **extra}
    return blackwells(gpus, 5e15, 186, 72, **given)  # dense FP8


def test_fp8_keeps_attention_and_the_output_layer_in_bf16() -> None:
    a = Assumptions()
    step = step_time(LLAMA_8B, JOB, gb200(), Plan(dp=8), "fp8", a)
    # per token: 6 x 8.03e9 = 4.818e10 in the layers' GEMMs (FP8, less the output layer),
    # causal attention 6 x 32 x 8,192 x 4,096 = 6.442e9 and the output layer
    # 6 x 4,096 x 128,256 = 3.152e9, both at BF16's 2.5 PFLOPS
    attention = 6 * 32 * 8192 * 4096
    head = 6 * 4096 * 128_256
    total = 6 * 8.03e9 + attention
    seconds_per_token = (total - attention - head) / 5e15 + (attention + head) / 2.5e15
    eta = a.value("train_compute_fraction_blackwell_fp8")
    assert step.compute_s == pytest.approx(8192 * seconds_per_token / eta, rel=1e-9)
    # 1 + 9.594e9 / 5.462e10: 18% slower than if every FLOP ran at the FP8 peak
    assert step.compute_s / (8192 * total / 5e15 / eta) == pytest.approx(1.17565, rel=1e-5)
    # a BF16 run, or an FP8 run on a GPU without a BF16 figure, is charged at its own peak
    bare = step_time(LLAMA_8B, JOB, gb200(bf16_peak_flops=0.0), Plan(dp=8), "fp8", a)
    assert bare.compute_s == pytest.approx(8192 * total / 5e15 / eta, rel=1e-9)


def test_fp8_stores_fp8_weights_and_quantised_activations() -> None:
    plan = Plan(tp=1, pp=1, dp=8)
    bf16 = plan_memory(LLAMA_8B, JOB, plan, "bf16")
    fp8 = plan_memory(LLAMA_8B, JOB, plan, "fp8")
    fp4 = plan_memory(LLAMA_8B, JOB, plan, "fp4")
    assert bf16.weights == pytest.approx(2 * 8.03e9)
    assert fp8.weights == pytest.approx(1 * 8.03e9)  # fp8_param_gather
    assert fp4.weights == pytest.approx(2 * 8.03e9)  # the NVFP4 recipe keeps BF16 weights
    # 34 bytes per hidden-state element per layer, 27 when the linear layers' inputs are kept
    # as the FP8 copies their GEMMs made: 8,192 tokens x 4,096 x 32 layers
    elements = 8192 * 4096 * 32
    assert bf16.activations == pytest.approx(34 * elements)
    assert fp8.activations == pytest.approx(27 * elements)
    assert fp4.activations == pytest.approx(27 * elements)


def test_bf16_gradients_halve_the_gradient_memory_and_traffic() -> None:
    a = Assumptions(overrides={"train_dp_overlap": 0.0})
    fp32 = Plan(dp=8)
    bf16 = Plan(dp=8, grad_bytes=2.0)
    assert plan_memory(LLAMA_8B, JOB, fp32).gradients == pytest.approx(4 * 8.03e9)
    assert plan_memory(LLAMA_8B, JOB, bf16).gradients == pytest.approx(2 * 8.03e9)
    assert bf16.describe() == "TP1 PP1 DP8 ZeRO-1 BF16 grads"
    slow = step_time(LLAMA_8B, JOB, gb200(), fp32, "bf16", a)
    fast = step_time(LLAMA_8B, JOB, gb200(), bf16, "bf16", a)
    # reduce-scatter 4 (or 2) B and all-gather 2 B per parameter over 8 NVLink ranks
    nvlink = 900e9 * 0.8
    assert slow.traffic_s["dp"] == pytest.approx(6 * 8.03e9 * 7 / 8 / nvlink, rel=1e-9)
    assert fast.traffic_s["dp"] == pytest.approx(4 * 8.03e9 * 7 / 8 / nvlink, rel=1e-9)


def test_routed_copies_of_moe_tokens_cost_hbm_traffic() -> None:
    deepseek = DEEPSEEK_V3
    # experts hold (671 - 37) / (1 - 8/256) = 654.5e9 parameters: 3 x 7,168 x f each of
    # 256 experts in 58 layers, so f = 654.5e9 / 319.3e6 = 2,050 (DeepSeek-V3's 2,048)
    assert deepseek.expert_ffn == pytest.approx(2049.7, rel=1e-4)
    job = Job(tokens=1e12, sequence_length=4096, global_batch=64)
    hbm = 8e12 * 8
    plan = Plan(pp=8, ep=8, dp=8)
    a = Assumptions()
    with_moe = step_time(deepseek, job, gb200(64, memory_bandwidth_bps=hbm), plan, "bf16", a)
    no_copies = Assumptions(
        overrides={"train_moe_copy_bytes": 0.0, "train_moe_activation_bytes": 0.0}
    )
    without = step_time(deepseek, job, gb200(64, memory_bandwidth_bps=hbm), plan, "bf16", no_copies)
    # 8 copies x (33 B x 7,168 + 18 B x 2,049) per token per MoE layer, 8 micro-batches of
    # 4,096 tokens, 8 MoE layers on the busiest stage (ceil(58 / 8)), at 81% of 8 TB/s
    per_token = 8 * (33 * 7168 + 18 * deepseek.expert_ffn)
    extra = per_token * 4096 * 8 * 8 / (8e12 * 0.81)
    assert with_moe.compute_s - without.compute_s == pytest.approx(extra, rel=1e-9)
    assert extra == pytest.approx(0.08849, rel=1e-3)  # 2.19 MB a token a layer, 0.57 TB


def test_fsdp_gathers_and_reduce_scatter_share_the_links() -> None:
    # 8B with FSDP over 64 GPUs in 8-GPU domains: the gathers alone and the reduce-scatter
    # alone each hide under the step, but not both on the same NICs
    model = LLAMA_8B
    job = Job(tokens=1e12, sequence_length=3072, global_batch=64)
    cluster = h100s(64)
    a = Assumptions()
    step = step_time(model, job, cluster, Plan(dp=64, zero=3), "bf16", a)
    nvlink, nic = 450e9 * 0.8, 50e9 * 0.8

    def collective(nbytes: float) -> float:
        volume = nbytes * 8.03e9
        return volume * 7 / 8 / nvlink + volume / 8 * 7 / 8 / nic

    gathers, reduce = 2 * collective(2.0), collective(4.0)
    assert step.traffic_s["dp"] == pytest.approx(gathers + reduce, rel=1e-9)
    # one micro-batch of 3,072 tokens x (6 x 8.03e9 + 6 x 32 x 3,072 x 4,096) FLOPs at
    # Hopper's BF16 fraction: the window is the whole step
    compute = 3072 * (6 * 8.03e9 + 6 * 32 * 3072 * 4096) / (989.4e12 * 0.593)
    assert step.compute_s == pytest.approx(compute, rel=1e-9)
    hidden = 0.9 * compute
    assert gathers < hidden and reduce < hidden  # each alone would hide: 0.166 s < 0.239 s
    assert step.exposed_s["dp"] == pytest.approx(gathers + reduce - hidden, rel=1e-9)
    assert step.exposed_s["dp"] == pytest.approx(0.0934, rel=1e-2)


def test_a_batch_that_does_not_divide_leaves_ranks_idle_not_a_bigger_batch() -> None:
    # 1,024 sequences over 508 data-parallel ranks: 3 rounds of micro-batches, the last one
    # with 8 ranks busy; the step trains the declared 1,024 sequences, not 3 x 508 = 1,524
    job = Job(tokens=1e12, sequence_length=4096, global_batch=1024)
    cluster = h100s(1016)
    step = step_time(LLAMA_8B, job, cluster, Plan(tp=2, dp=508), "bf16", Assumptions())
    assert step.microbatches == 3
    assert step.tokens_per_step == 1024 * 4096
    per_token = 6 * 8.03e9 + 6 * 32 * 4096 * 4096
    # compute runs 3 micro-batches per rank; the MFU counts the 1,024 sequences trained
    assert step.compute_s == pytest.approx(3 * 4096 * per_token / (2 * 989.4e12 * 0.593))
    assert step.mfu == pytest.approx(
        1024 * 4096 * per_token / (1016 * 989.4e12 * step.total_s), rel=1e-9
    )
    assert step.mfu < 0.593 * 1024 / 1524
