"""Tests of the training model: time, GPU-hours, energy, default MFU, checkpoints.

The validation cases (Llama 3 405B, GPT-3) keep the errors inside the bands
stated in docs/models.md.
"""

from __future__ import annotations

import pytest

from aiflang.models.assumptions import Assumptions
from aiflang.models.training import (
    estimate_checkpoint,
    estimate_training,
    mfu_for,
    training_flops,
)

H100_BF16 = 989.4e12
BYTE = 8.0


def test_hand_calculated_run() -> None:
    # 6 x 1e9 x 1e9 = 6e18 FLOP on 8 GPUs at 1 PFLOPS x 50%: 6e18 / 4e15 = 1500 s
    estimate = estimate_training(
        active_params=1e9,
        tokens=1e9,
        gpus=8,
        peak_flops_per_gpu=1e15,
        precision="bf16",
        mfu=0.5,
        it_power_per_gpu_w=1000.0,
        pue=1.25,
        assumptions=Assumptions(),
    )
    assert estimate.flops == pytest.approx(6e18)
    assert estimate.time_s == pytest.approx(1500.0)
    assert estimate.gpu_hours == pytest.approx(8 * 1500 / 3600)
    assert estimate.it_energy_j == pytest.approx(8 * 1500 * 1000.0)
    assert estimate.facility_energy_j == pytest.approx(1.5e7)
    assert estimate.derivation.assumptions == ()


def test_default_mfu_by_precision_is_recorded() -> None:
    assumptions = Assumptions()
    assert mfu_for("bf16", None, assumptions) == (0.40, "mfu_default_bf16")
    assert mfu_for("fp16", None, assumptions) == (0.40, "mfu_default_bf16")
    assert mfu_for("fp8", None, assumptions) == (0.30, "mfu_default_fp8")
    assert mfu_for("fp4", None, assumptions) == (0.20, "mfu_default_fp4")
    assert mfu_for("fp8", 0.35, assumptions) == (0.35, None)
    assert assumptions.used == {"mfu_default_bf16", "mfu_default_fp8", "mfu_default_fp4"}


def _small_run(assumptions: Assumptions) -> float:
    return estimate_training(
        active_params=1e9,
        tokens=1e9,
        gpus=8,
        peak_flops_per_gpu=1e15,
        precision="bf16",
        assumptions=assumptions,
    ).time_s


def test_default_mfu_override_changes_time() -> None:
    defaults = Assumptions()
    base = _small_run(defaults)
    faster = _small_run(Assumptions(overrides={"mfu_default_bf16": 0.5}))
    assert base == pytest.approx(6e18 / (8e15 * 0.4))
    assert faster == pytest.approx(base * 0.8)
    assert defaults.used == {"mfu_default_bf16"}


@pytest.mark.parametrize("mfu", [0.0, 1.5, -0.1])
def test_rejects_impossible_mfu(mfu: float) -> None:
    with pytest.raises(ValueError):
        mfu_for("bf16", mfu, Assumptions())


def test_rejects_missing_precision_and_empty_runs() -> None:
    with pytest.raises(ValueError, match="no fp4 compute"):
        estimate_training(
            active_params=1e9,
            tokens=1e9,
            gpus=8,
            peak_flops_per_gpu=0.0,
            precision="fp4",
            assumptions=Assumptions(),
        )
    with pytest.raises(ValueError):
        estimate_training(
            active_params=1e9,
            tokens=1e9,
            gpus=0,
            peak_flops_per_gpu=1e15,
            precision="bf16",
            assumptions=Assumptions(),
        )


def test_gpt3_compute_within_half_a_percent() -> None:
    # Brown et al. (2020): 3.14e23 FLOPs for 175B parameters and 300B tokens
    flops = training_flops(175e9, 300e9)
    assert flops == pytest.approx(3.15e23)
    assert abs(flops - 3.14e23) / 3.14e23 < 0.005


def test_llama3_405b_compute_and_gpu_hours() -> None:
    # Llama 3 Herd of Models: 3.8e25 FLOPs; model card: 30.84M H100 GPU-hours
    estimate = estimate_training(
        active_params=405e9,
        tokens=15.6e12,
        gpus=16384,
        peak_flops_per_gpu=H100_BF16,
        precision="bf16",
        assumptions=Assumptions(),
    )
    assert abs(estimate.flops - 3.8e25) / 3.8e25 < 0.005
    assert estimate.gpu_hours == pytest.approx(26.607e6, rel=1e-3)
    error = (estimate.gpu_hours - 30.84e6) / 30.84e6
    # the model counts no restarts, evaluation or context-extension overheads: it must undershoot
    assert -0.20 < error < -0.05
    assert estimate.time_s / 86400 == pytest.approx(67.67, rel=1e-3)


def test_checkpoint_time_and_warning() -> None:
    assumptions = Assumptions()
    # 405e9 x 14 B = 5.67 TB; at 2 TB/s, 2.835 s
    fast = estimate_checkpoint(405e9, 2e12 * BYTE, assumptions)
    assert fast.size_bits == pytest.approx(405e9 * 14 * BYTE)
    assert fast.time_s == pytest.approx(2.835)
    assert not fast.slow
    # at 10 GB/s, 567 s: over the 60 s threshold
    slow = estimate_checkpoint(405e9, 10e9 * BYTE, assumptions)
    assert slow.time_s == pytest.approx(567.0)
    assert slow.slow
    assert set(slow.derivation.assumptions) == {"checkpoint_size_per_param", "checkpoint_warn_s"}
