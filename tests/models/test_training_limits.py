"""Limits a step hits when the work per GPU is small or uneven, each by hand.

- the last gradient bucket's reduce-scatter and the first bucket's weight
  all-gather cannot hide under compute, and a bucket grows with the
  data-parallel ranks (Megatron-Core: max(40M, 1M x ranks) parameters);
- the output layer sits on the last pipeline stage and paces the pipeline
  when it outweighs a stage's share of the layers;
- multi-head latent attention's heads are wider than width / heads.
"""

from __future__ import annotations

import pytest
from training_parts import DEEPSEEK_V3, LLAMA_8B, h100s

from aiflang.models.assumptions import Assumptions
from aiflang.models.training import Job, ModelShape, Plan, flops_per_token, step_time
from aiflang.models.training.step import stage_imbalance

NVLINK = 450e9 * 0.8  # H100, a direction, at the collective efficiency
NIC = 50e9 * 0.8


def test_a_small_model_on_thousands_of_ranks_hides_none_of_its_gradient_traffic() -> None:
    # Llama 3 8B on 8,192 H100s at TP4 x DP2048, one 8K sequence per rank and step: each GPU
    # holds 8.03e9 / 4 = 2.0075e9 parameters, less than one bucket of 2,048 x 1M = 2.048e9,
    # so the only bucket fills when the backward ends and its weights are needed before the
    # forward starts: nothing overlaps, whatever the compute
    job = Job(tokens=15e12, sequence_length=8192, global_batch=2048)
    step = step_time(LLAMA_8B, job, h100s(8192), Plan(tp=4, dp=2048), "bf16", Assumptions())
    assert step.microbatches == 1
    shard = 8.03e9 / 4
    # 2 of the 2,048 ranks (stride 4) share a DGX: NVLink stage over 2, NICs over 1,024
    reduce = shard * 4 * (1 / 2) / NVLINK + shard * 4 / 2 * (1023 / 1024) / NIC
    gather = reduce / 2  # BF16 weights, half the FP32 gradients' bytes
    assert step.traffic_s["dp"] == pytest.approx(reduce + gather, rel=1e-9)
    assert step.traffic_s["dp"] == pytest.approx(0.16714, rel=1e-4)
    assert step.compute_s > step.traffic_s["dp"]  # a window that would have hidden it all
    assert step.exposed_s["dp"] == pytest.approx(reduce + gather, rel=1e-9)


def test_a_bucket_smaller_than_the_shard_exposes_only_its_share() -> None:
    # the same model on 64 ranks with 64 micro-batches each: the window hides everything but
    # the last bucket of max(40M, 64 x 1M) = 64M of the 8.03e9 parameters
    job = Job(tokens=1e12, sequence_length=8192, global_batch=4096)
    step = step_time(LLAMA_8B, job, h100s(64), Plan(dp=64), "bf16", Assumptions())
    assert step.microbatches == 64
    assert step.exposed_s["dp"] == pytest.approx(step.traffic_s["dp"] * 64e6 / 8.03e9, rel=1e-9)
    # 2 ms: 0.8% of 0.249 s of traffic (8 GPUs a DGX: 7/8 of 32.1 GB over NVLink, then an
    # eighth of it x 7/8 over the NICs; the weights' all-gather half that again)
    reduce = 8.03e9 * 4 * 7 / 8 / NVLINK + 8.03e9 * 4 / 8 * 7 / 8 / NIC
    assert step.traffic_s["dp"] == pytest.approx(1.5 * reduce, rel=1e-9)
    assert step.exposed_s["dp"] == pytest.approx(0.001983, rel=1e-3)


def test_the_output_layer_paces_a_small_model_on_many_stages() -> None:
    # Llama 3 8B at 8K: a token costs 6 x 8.03e9 + 6 x 32 x 8,192 x 4,096 = 5.4622e10 FLOPs,
    # of which the output layer 6 x 4,096 x 128,256 = 3.1524e9; a layer 1.6084e9, so the
    # output layer weighs r = 1.960 layers. On 16 stages the best split leaves the last stage
    # the output layer and at most 1 layer (2.96), the other 15 share 31 or 32: 3 layers on
    # the busiest, against (32 + 1.96) / 16 = 2.12 on average
    job = Job(tokens=1e12, sequence_length=8192, global_batch=2048)
    per_token = flops_per_token(LLAMA_8B, job)
    assert per_token == pytest.approx(5.4622e10, rel=1e-4)
    r = 6 * 4096 * 128_256 / ((per_token - 6 * 4096 * 128_256) / 32)
    assert r == pytest.approx(1.960, rel=1e-3)
    assert stage_imbalance(LLAMA_8B, per_token, 16) == pytest.approx(3 * 16 / (32 + r))
    assert stage_imbalance(LLAMA_8B, per_token, 16) == pytest.approx(1.4134, rel=1e-4)
    assert stage_imbalance(LLAMA_8B, per_token, 1) == 1.0
    # the compute of a step grows by that factor: same GPUs, same tokens, HBM uncharged
    a = Assumptions()
    flat = step_time(LLAMA_8B, job, h100s(256), Plan(dp=256), "bf16", a)
    deep = step_time(LLAMA_8B, job, h100s(256), Plan(pp=16, dp=16), "bf16", a)
    assert deep.compute_s / flat.compute_s == pytest.approx(1.4134, rel=1e-4)


def test_a_large_model_sheds_a_layer_from_its_last_stage() -> None:
    # Llama 3 405B, 126 layers on 16 stages: the output layer weighs 0.63 of a layer, so the
    # last stage holds 7 layers and the output layer, the others 8 (Meta took one layer off
    # the last stage for it: Llama 3 Herd of Models, section 3.3.2); the busiest stage holds
    # 8 of 126.63 / 16 = 7.91 layer-equivalents
    model = ModelShape(
        params=405.9e9, active_params=405.9e9, layers=126, hidden=16384, heads=128, kv_heads=8
    )
    per_token = flops_per_token(model, Job(tokens=1e12, sequence_length=8192, global_batch=2048))
    output = 6 * 16384 * 128_256
    r = output / ((per_token - output) / 126)
    assert r == pytest.approx(0.6293, rel=1e-3)
    assert stage_imbalance(model, per_token, 16) == pytest.approx(8 * 16 / (126 + r))
    assert stage_imbalance(model, per_token, 16) == pytest.approx(1.0108, rel=1e-4)


def test_mla_heads_are_counted_at_their_width() -> None:
    # DeepSeek-V3: 128 heads with 192-wide queries and keys (128 + 64 RoPE) and 128-wide
    # values, 20,480 on average, not its 7,168 width: at 4K, 6 x 37e9 + 6 x 61 x 4,096 x
    # 20,480 = 2.527e11 FLOPs a token. NVIDIA's Megatron-Bridge 25.11 table reports 782 model
    # TFLOP/s at 3,139 tokens/s per GB200 (BF16): 2.491e11 a token, within 1.5%
    assert DEEPSEEK_V3.attention_width == 20_480
    job = Job(tokens=1e12, sequence_length=4096, global_batch=4096)
    per_token = flops_per_token(DEEPSEEK_V3, job)
    assert per_token == pytest.approx(6 * 37e9 + 6 * 61 * 4096 * 20_480)
    assert per_token / (782e12 / 3139) == pytest.approx(1.0, abs=0.015)
    # without the head widths the count would be 2.328e11, 6.5% short
    plain = ModelShape(
        params=671e9, active_params=37e9, layers=61, hidden=7168, heads=128, kv_heads=128
    )
    assert flops_per_token(plain, job) / (782e12 / 3139) == pytest.approx(0.9346, rel=1e-3)
