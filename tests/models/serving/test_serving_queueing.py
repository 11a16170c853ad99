"""Queueing formulas against their closed forms."""

from __future__ import annotations

import math

import pytest

from aiflang.models.serving.queueing import Wait, erlang_b, erlang_c, quantile_after_cycle, wait


def _exact_erlang_b(servers: int, offered: float) -> float:
    blocking = 1.0
    for k in range(1, servers + 1):
        blocking = offered * blocking / (k + offered * blocking)
    return blocking


def test_md1_is_pollaczek_khinchine() -> None:
    # one server, deterministic service: W = rho S / (2 (1 - rho))
    w = wait(rate=8.0, service_s=0.1, servers=1, service_scv=0.0)
    assert w.utilisation == pytest.approx(0.8)
    assert w.mean_s == pytest.approx(0.8 * 0.1 / (2 * 0.2))
    # exponential service doubles it (M/M/1: rho S / (1 - rho))
    assert wait(8.0, 0.1, 1, 1.0).mean_s == pytest.approx(0.8 * 0.1 / 0.2)


def test_erlang_c_textbook_value() -> None:
    # two servers at one Erlang: C = 1/3
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    assert erlang_c(1, 0.5) == pytest.approx(0.5)


@pytest.mark.parametrize(("servers", "offered"), [(201, 190.0), (700, 680.0), (5000, 4990.0)])
def test_large_slot_counts_match_the_recurrence(servers: int, offered: float) -> None:
    assert erlang_b(servers, offered) == pytest.approx(_exact_erlang_b(servers, offered), rel=0.01)


def test_unstable_queue_is_infinite() -> None:
    w = wait(rate=11.0, service_s=0.1)
    assert math.isinf(w.mean_s) and math.isinf(w.quantile(0.9))


def test_quantiles_follow_the_exponential_tail() -> None:
    w = wait(rate=9.0, service_s=0.1, servers=1, service_scv=1.0)  # M/M/1 at 90%
    # P(W > t) = rho exp(-t rho / W): the q-quantile is W / rho x ln(rho / (1 - q))
    assert w.quantile(0.9) == pytest.approx(w.mean_s / 0.9 * math.log(0.9 / 0.1))
    # when fewer than 1 - q of the arrivals wait, the quantile is 0
    assert wait(rate=0.5, service_s=0.1).quantile(0.9) == 0.0


def test_a_load_within_rounding_of_capacity_is_unstable() -> None:
    # 10 servers offered 10 Erlangs less a rounding error: a full queue, not a wait of 1e14 s
    w = wait(rate=100.0 * (1 - 1e-15), service_s=0.1, servers=10)
    assert math.isinf(w.mean_s)
    assert math.isfinite(wait(rate=99.0, service_s=0.1, servers=10).mean_s)


def test_a_uniform_cycle_and_an_exponential_wait_convolve() -> None:
    # cycle 1 s, then a wait that always happens, exponential with mean 1 s: for x >= 1,
    # P(U + W <= x) = 1 - (e - 1) e^-x, so the 99th percentile is ln(100 (e - 1)) = 5.1465 s;
    # adding the parts' quantiles would say 0.99 + ln 100 = 5.595 s
    always = Wait(0.5, 1.0, 1.0)
    assert quantile_after_cycle(0.99, 1.0, (always,)) == pytest.approx(
        math.log(100 * (math.e - 1)), rel=1e-9
    )
    assert 0.99 + always.quantile(0.99) == pytest.approx(0.99 + math.log(100))
    # nothing after the cycle: uniform; no cycle: the wait's own quantile
    nothing = Wait(0.0, 0.0, 0.0)
    assert quantile_after_cycle(0.9, 0.2, (nothing, nothing)) == pytest.approx(0.18)
    assert quantile_after_cycle(0.99, 0.0, (always,)) == pytest.approx(always.quantile(0.99))
    # two waits count as one of their summed mean, positive when either is: P = 1 - 0.5 x 0.5
    half = Wait(0.5, 0.5, 0.1)
    combined = Wait(0.0, 0.75, 0.2)
    assert quantile_after_cycle(0.99, 0.0, (half, half)) == pytest.approx(combined.quantile(0.99))
    # an unstable queue after the cycle
    assert quantile_after_cycle(0.9, 1.0, (Wait(1.0, 1.0, math.inf),)) == math.inf
