"""Block-scaled FP8 (DeepSeek-V3's checkpoints) against per-tensor FP8, through the catalog."""

from __future__ import annotations

from aiflang.analyses import serving_inputs as si
from aiflang.frontend.builtin import builtin_components
from aiflang.models.assumptions import Assumptions


def test_deepseek_checkpoints_scale_fp8_weights_by_block_and_llama_ones_by_tensor() -> None:
    components = builtin_components()
    assert si.architecture(components.models["DeepSeek_R1"]).fp8_block_scaled
    assert si.architecture(components.models["DeepSeek_V3"]).fp8_block_scaled
    assert not si.architecture(components.models["Llama3_1_70B"]).fp8_block_scaled


def test_blackwell_and_cdna4_give_block_scaled_fp8_its_own_fraction() -> None:
    components = builtin_components()
    assumptions = Assumptions()
    for name in ("B200", "GB200", "B300", "GB300", "MI355X"):
        efficiency = si.efficiency(components.gpus[name], assumptions)
        tensor = efficiency.gemm("fp8", assumptions)
        block = efficiency.gemm("fp8", assumptions, block=True)
        # per-tensor FP8 is taken at the FP4 kernels' share; block-scaled FP8 is calibrated
        assert tensor == efficiency.gemm("fp4", assumptions), name
        assert block < tensor, name
    # Hopper gives none apart: block-scaled FP8 runs at its measured FP8 fraction
    h200 = si.efficiency(components.gpus["H200"], assumptions)
    assert h200.gemm("fp8", assumptions, block=True) == h200.gemm("fp8", assumptions)
