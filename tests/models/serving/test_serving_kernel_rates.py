"""A GPU's kernel rates by precision: weights streamed at their precision's HBM fraction, and
latent-attention decode at the GPU's published MLA kernel rate for its KV-cache precision."""

from __future__ import annotations

import pytest
from serving_parts import BARE, bare_assumptions

from aiflang.analyses import serving_inputs as si
from aiflang.frontend.builtin import builtin_components
from aiflang.models.assumptions import Assumptions
from aiflang.models.serving import (
    Accelerator,
    Architecture,
    Efficiency,
    Network,
    Replica,
    ReplicaShape,
)

GB = 1e9
# 100 GB, 10 TB/s, 1 PFLOP/s at BF16 and FP8: attention with many heads is compute-bound.
GPU = Accelerator("toy", 100 * GB, 10e12, {"bf16": 1e15, "fp8": 1e15}, 100e9)
DENSE = Architecture("dense", 10e9, 10e9, 10, 1024, 8, 1, 128, ffn=4096)
# MLA as DeepSeek-V3 has it (a 512-wide latent and a 64-wide RoPE key), 128 heads.
LATENT = Architecture(
    "latent", 10e9, 10e9, 10, 1024, 128, 1, 128, attention="mla", kv_lora_rank=512, rope_head_dim=64
)
# no small-M penalty, no elementwise traffic; MLA without a published rate at 40% of attention
ASSUMPTIONS = bare_assumptions(latent_attention_efficiency=0.4)
RATES = Efficiency(
    memory=1.0,
    compute={"bf16": 1.0, "fp8": 1.0},
    attention=0.5,
    comm=1.0,
    weight_memory={"fp8": 0.5},
    mla_decode={"bf16": 0.8},
)


def _replica(arch: Architecture, precision: str, kv_precision: str) -> Replica:
    return Replica(
        arch=arch,
        precision=precision,
        kv_precision=kv_precision,
        gpu=GPU,
        efficiency=RATES,
        engine=BARE,
        network=Network(scale_up_domain=8, scale_up_bandwidth=100e9),
        shape=ReplicaShape(),
        assumptions=ASSUMPTIONS,
    )


def test_weights_stream_at_the_fraction_of_their_precision() -> None:
    # FP8: 10e9 params x 1 byte at 50% of 10 TB/s = 2 ms; BF16 takes memory (100%): 20 GB, 2 ms
    assert _replica(DENSE, "fp8", "fp8").decode_step(1, 0).total_s == pytest.approx(2e-3)
    assert _replica(DENSE, "bf16", "bf16").decode_step(1, 0).total_s == pytest.approx(2e-3)
    # the KV cache is read at memory (100%), not at the FP8 weights' fraction: 10 sequences x
    # 1,000 tokens x 10 layers x 2 x 128 values x 1 byte = 25.6 MB, 2.56 us
    step = _replica(DENSE, "fp8", "fp8").decode_step(10, 1000)
    assert step.total_s == pytest.approx(2e-3 + 25.6e6 / 10e12)


def test_latent_attention_runs_at_the_published_rate_for_its_kv_precision() -> None:
    # absorbed MLA: 2 x 128 heads x (2 x 512 + 64) = 278,528 FLOPs per cached token and layer;
    # 10 sequences x 1,000 tokens x 10 layers = 2.785e10 FLOPs
    flops = 10 * 1000 * 10 * 2 * 128 * (2 * 512 + 64)
    assert LATENT.decode_attention_flops(1000) * 10 == flops
    # BF16 KV: the GPU's MLA rate, 80% of 1 PFLOP/s (the weights, 2 ms, are memory-bound)
    step = _replica(LATENT, "bf16", "bf16").decode_step(10, 1000)
    assert step.compute_s == pytest.approx(flops / 0.8e15)
    # FP8 KV, which that kernel does not take: attention 50% x the latent share 40% = 20%
    step = _replica(LATENT, "bf16", "fp8").decode_step(10, 1000)
    assert step.compute_s == pytest.approx(flops / 0.2e15)


def test_fp16_kv_reads_the_bf16_rate() -> None:
    assert RATES.latent_attention("fp16", ASSUMPTIONS) == 0.8
    assert RATES.weight_stream("fp16") == 1.0  # no 16-bit entry: memory


def test_hopper_entries_carry_the_measured_and_published_rates() -> None:
    components = builtin_components()
    defaults = Assumptions()
    for name in ("H100", "H200", "H800"):
        efficiency = si.efficiency(components.gpus[name], defaults)
        # FP8 decode GEMMs stream 3.25-3.36 of 4.8 TB/s on H200 (69%); BF16 3.9 (81%)
        assert efficiency.weight_stream("fp8") == pytest.approx(0.69), name
        assert efficiency.weight_stream("bf16") == pytest.approx(0.81), name
        # FlashMLA: 660 of 989 BF16 TFLOPS on H800 with a BF16 cache; an FP8 cache keeps the
        # registered share of the attention fraction, 43% x 50%
        assert efficiency.latent_attention("bf16", defaults) == pytest.approx(0.67), name
        assert efficiency.latent_attention("fp8", defaults) == pytest.approx(0.215), name
    # no other family has these entries: its weights stream at its memory fraction
    blackwell = si.efficiency(components.gpus["B200"], defaults)
    assert blackwell.weight_stream("fp8") == blackwell.memory
    assert blackwell.latent_attention("bf16", defaults) == pytest.approx(0.215)
