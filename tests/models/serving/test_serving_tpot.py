"""TPOT across requests: the spread's terms and its quantile, against hand calculations."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from aiflang.models.serving import Target, search
from aiflang.models.serving.tpot import TpotSpread

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "benchmarks"))

import serving_validation as validation  # noqa: E402


def _spread(**kw: float) -> TpotSpread:
    figures = dict(
        step_s=0.1, decode_s=0.04, prefill_s=0.03, batch=400.0, output_steps=300.0, scv=1.0
    )
    figures.update(kw)
    return TpotSpread(**figures)


def test_relative_sd_of_a_request_of_the_mean_length() -> None:
    # u = 1: the batch's time average has variance B x 2/3 (requests that each stay S, over
    # a window S), the prompts arriving during the life B x (1 + scv) x P^2:
    # (0.04^2 x 2/3 + 0.03^2 x 2) / 400 = 7.1667e-6, sqrt / 0.1 step
    assert _spread().relative_sd(1.0) == pytest.approx(math.sqrt(7.1667e-6) / 0.1, rel=1e-4)
    # a short request sees the batch of its moment (g -> 1) and few arrivals (1 / u)
    assert _spread().relative_sd(0.25) == pytest.approx(
        math.sqrt((0.04**2 * (1 - 0.25 / 3) + 0.03**2 * 2 / 0.25) / 400) / 0.1, rel=1e-9
    )
    # at least one gap: u below 1 / n counts as 1 / n
    assert _spread().relative_sd(1e-9) == _spread().relative_sd(1 / 300)
    # a long one averages both: g(u) = (1 - 1 / (3u)) / u beyond the mean
    assert _spread().relative_sd(2.0) == pytest.approx(
        math.sqrt((0.04**2 * (1 - 1 / 6) / 2 + 0.03**2 * 2 / 2) / 400) / 0.1, rel=1e-9
    )


def test_quantile_of_requests_of_one_length_is_the_normal_quantile() -> None:
    # scv 0: every request alike, TPOT normal: p99 = mean x (1 + 2.3263 sd)
    spread = _spread(scv=0.0)
    sd = math.sqrt((0.04**2 * 2 / 3 + 0.03**2) / 400) / 0.1
    assert spread.quantile_factor(0.99) == pytest.approx(1 + 2.326348 * sd, rel=1e-6)
    assert spread.quantile_factor(0.5) == 1.0
    assert _spread(decode_s=0.0, prefill_s=0.0).quantile_factor(0.99) == 1.0


def test_quantile_over_exponential_output_lengths_has_a_closed_form() -> None:
    # prefill term only, u exponential: P(Z sqrt(b / u) > x) = E[1 - exp(-b Z^2 / x^2); Z > 0]
    # = (1 - 1 / sqrt(1 + 2 b / x^2)) / 2; at 1% the root is b / x^2 = 0.0206164,
    # b = 0.03^2 x 2 / (400 x 0.1^2) = 0.00045: x = 0.14774
    spread = _spread(decode_s=0.0, output_steps=1e12)
    alpha = (1 / 0.98**2 - 1) / 2
    x = math.sqrt(0.00045 / alpha)
    assert x == pytest.approx(0.14774, rel=1e-4)
    assert spread.quantile_factor(0.99) == pytest.approx(1 + x, rel=0.01)
    # short outputs spread more: the same steps with every request alike give far less
    assert _spread(decode_s=0.0, scv=0.0).quantile_factor(0.99) < 1 + x / 2


def test_the_search_holds_the_quantile_not_the_mean_to_the_limit() -> None:
    # MLPerf v5.1 Llama 2 70B interactive on 8 x B200: the 40 ms limit is on the p99 of TPOT
    data = validation.load()
    inputs = data["dataset_inputs"]
    assert isinstance(inputs, dict)
    rows = data["rows"]
    assert isinstance(rows, list)
    row = next(r for r in rows if r["id"] == "mlperf51-nvidia-l2-70b-b200-x8-inte")
    assert row["target"]["tpot_quantile"] == 0.99
    setup = validation.setup_for(row, inputs)
    shape = validation._shape(row["shape"])
    on_p99 = search(setup, [shape], Target(tpot_limit_s=0.04, tpot_quantile=0.99))
    on_mean = search(setup, [shape], Target(tpot_limit_s=0.04))
    assert on_p99.point is not None and on_mean.point is not None
    assert on_p99.binding == "tpot"
    p99 = on_p99.point.tpot_quantile(0.99)
    assert (
        p99
        <= 0.04
        < validation.sv.evaluate(setup, shape, on_p99.point.batch + 1).tpot_quantile(0.99)
    )
    # the run's mean sits below the limit by the spread's factor, at a smaller batch
    assert on_p99.point.tpot_s == pytest.approx(
        p99 / on_p99.point.tpot_spread.quantile_factor(0.99)
    )
    assert on_p99.point.tpot_s < 0.04 / 1.2
    assert on_p99.point.batch < on_mean.point.batch
    # the terms: the step at the batch without prefill, less the step at batch 1; the prefill
    # share, the step with its mean prompt tokens less the step without
    spread = on_p99.point.tpot_spread
    assert spread.decode_s + spread.prefill_s < spread.step_s
    assert spread.batch == on_p99.point.batch
    assert spread.output_steps == pytest.approx(row["output_tokens"])
