"""Tests of the training model's compute estimate and checkpoint time."""

from __future__ import annotations

import pytest

from aiflang.models.assumptions import Assumptions
from aiflang.models.training import estimate_checkpoint, training_flops

BYTE = 8.0


def test_gpt3_compute_within_half_a_percent() -> None:
    # Brown et al. (2020): 3.14e23 FLOPs for 175B parameters and 300B tokens
    flops = training_flops(175e9, 300e9)
    assert flops == pytest.approx(3.15e23)
    assert abs(flops - 3.14e23) / 3.14e23 < 0.005


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
