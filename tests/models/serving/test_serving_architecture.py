"""Architecture figures against hand calculations from the published configurations."""

from __future__ import annotations

import math

import pytest

from aiflang.models.assumptions import Assumptions
from aiflang.models.serving import Architecture, approximate

LLAMA2_70B = Architecture("Llama 2 70B", 68.98e9, 68.98e9, 80, 8192, 64, 8, 128, vocab=32000)
DEEPSEEK_V3 = Architecture(
    "DeepSeek-V3",
    671e9,
    37e9,
    61,
    7168,
    128,
    128,
    128,
    attention="mla",
    kv_lora_rank=512,
    rope_head_dim=64,
    experts=256,
    experts_per_token=8,
    shared_experts=1,
    dense_layers=3,
    vocab=129280,
    expert_ffn=2048,
)


def test_routed_expert_parameters_follow_from_the_totals() -> None:
    # (671 - 37) billion over (256 - 8) experts and 58 MoE layers: 44.08M per expert,
    # the config's 3 x 7168 x 2048 = 44.04M within 0.1%
    assert DEEPSEEK_V3.moe_layers == 58
    assert DEEPSEEK_V3.expert_params == pytest.approx(634e9 / (248 * 58))
    assert DEEPSEEK_V3.expert_params == pytest.approx(3 * 7168 * 2048, rel=1e-3)
    # a token reads 8 routed experts in each MoE layer: 20.45B; the rest (16.5B) always
    assert DEEPSEEK_V3.routed_active_params == pytest.approx(8 * 634e9 / 248)
    assert DEEPSEEK_V3.dense_params == pytest.approx(37e9 - 8 * 634e9 / 248)


def test_dense_model_has_no_experts() -> None:
    assert not LLAMA2_70B.is_moe
    assert LLAMA2_70B.expert_params == 0
    assert LLAMA2_70B.dense_params == 68.98e9
    assert LLAMA2_70B.experts_touched(100) == 0


def test_kv_values_per_token() -> None:
    # GQA: 2 x 80 layers x 8 heads x 128 = 163,840 values per token
    assert LLAMA2_70B.kv_values(1.0) == 2 * 80 * 8 * 128
    # MLA: the 512-wide latent and the 64-wide RoPE key per layer, 61 layers
    assert DEEPSEEK_V3.kv_values(1.0) == 61 * 576
    # TP splits GQA by KV head, up to 8; the MLA latent is whole on every rank
    assert LLAMA2_70B.kv_replicated_beyond == 8
    assert DEEPSEEK_V3.kv_replicated_beyond == 1


def test_sliding_window_layers_hold_at_most_the_window() -> None:
    gpt_oss = Architecture(
        "gpt-oss",
        116.83e9,
        5.71e9,
        36,
        2880,
        64,
        8,
        64,
        experts=128,
        experts_per_token=4,
        sliding_window=128,
        sliding_layers=18,
    )
    # 18 full layers hold 4096 tokens, 18 windowed layers hold 128
    assert gpt_oss.kv_tokens_held(4096) == 18 * 4096 + 18 * 128
    assert gpt_oss.kv_values(4096) == 2 * 8 * 64 * (18 * 4096 + 18 * 128)


def test_decode_attention_flops() -> None:
    # GQA: QK^T and PV, 2 x heads x (qk + v) per cached token per layer: 4 x 8192 x c x 80
    assert LLAMA2_70B.decode_attention_flops(1000) == pytest.approx(4 * 8192 * 1000 * 80)
    # MLA absorbed: 2 x 128 heads x (2 x 512 + 64) per cached token per layer
    assert DEEPSEEK_V3.decode_attention_flops(1000) == pytest.approx(
        2 * 128 * (2 * 512 + 64) * 1000 * 61
    )


def test_prefill_attention_flops_are_causal() -> None:
    # half of the 4 x s^2 x d_attn square per layer: 2 x 8192 x s^2 x 80
    s = 2048
    assert LLAMA2_70B.prefill_attention_flops(s) == pytest.approx(2 * 8192 * s * s * 80)
    # a chunk after 1024 cached tokens: s^2 - s0^2
    assert LLAMA2_70B.prefill_attention_flops(s, 1024) == pytest.approx(
        2 * 8192 * (s * s - 1024 * 1024) * 80
    )
    # MLA prefill runs un-absorbed: 128 heads x (192 + 128) per key-query pair per layer
    assert DEEPSEEK_V3.prefill_attention_flops(s) == pytest.approx(128 * (192 + 128) * s * s * 61)


def test_expert_coverage() -> None:
    # one token touches exactly its k experts
    assert DEEPSEEK_V3.experts_touched(1) == pytest.approx(8)
    # b tokens: E (1 - (1 - k/E)^b)
    assert DEEPSEEK_V3.experts_touched(64) == pytest.approx(256 * (1 - (1 - 8 / 256) ** 64))
    # a large batch touches nearly all of them, never more
    assert 255 < DEEPSEEK_V3.experts_touched(1000) <= 256
    # per GPU under EP8: 32 experts, the same coverage fraction
    assert DEEPSEEK_V3.experts_touched(64, 32) == pytest.approx(DEEPSEEK_V3.experts_touched(64) / 8)


def test_approximation_from_parameter_counts() -> None:
    a = Assumptions()
    arch = approximate("70B", 70e9, 70e9, a, layers=80, kv_heads=8, head_dim=128)
    # 12 x layers x d^2 = 70e9 with 80 layers: d = 8539
    assert arch.hidden == round(math.sqrt(70e9 / (12 * 80)))
    assert arch.kv_values(1.0) == 2 * 80 * 8 * 128
    assert set(arch.approximated) == {"hidden"}
    moe = approximate("MoE", 671e9, 37e9, a)
    assert moe.is_moe and moe.experts == 256 and "experts" in moe.approximated


def test_contradictions_are_refused() -> None:
    with pytest.raises(ValueError):
        Architecture("bad", 10e9, 20e9, 10, 1024, 8, 8, 128)
    with pytest.raises(ValueError):
        Architecture("bad", 10e9, 10e9, 10, 1024, 8, 8, 128, attention="mla")
    with pytest.raises(ValueError):
        Architecture("bad", 40e9, 10e9, 10, 1024, 8, 8, 128, experts=8, experts_per_token=9)
