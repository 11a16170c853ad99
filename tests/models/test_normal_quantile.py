"""The normal quantile the models use is the standard library's, bit for bit."""

from __future__ import annotations

import statistics

from hypothesis import given
from hypothesis import strategies as st

from aiflang.models.distributions import Distribution, normal_quantile

PROBABILITIES = st.floats(min_value=1e-300, max_value=1.0, exclude_max=True, exclude_min=False)


@given(PROBABILITIES, st.floats(-1e6, 1e6), st.floats(1e-6, 1e6))
def test_equals_statistics_normal_dist(p: float, mu: float, sigma: float) -> None:
    assert normal_quantile(p, mu, sigma) == statistics.NormalDist(mu, sigma).inv_cdf(p)


def test_each_branch_against_tables() -> None:
    """Published percentage points: z(0.975) = 1.959964, z(0.999) = 3.090232, and a tail
    beyond r = 5 (p = 1e-12: -7.034484)."""
    assert round(normal_quantile(0.975), 6) == 1.959964  # central branch
    assert round(normal_quantile(0.999), 6) == 3.090232  # r <= 5
    assert round(normal_quantile(1e-12), 6) == -7.034484  # r > 5
    assert normal_quantile(0.5, 3.0, 2.0) == 3.0


def test_a_normal_input_uses_it() -> None:
    law = Distribution("normal", (10.0, 2.0))
    assert law.value(0.975) == 10.0 + 2.0 * normal_quantile(0.975)
