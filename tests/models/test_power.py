"""Tests of the power model: UPS redundancy, derating, facility power, racks, nodes, PUE."""

from __future__ import annotations

import pytest

from aiflang.models.assumptions import Assumptions
from aiflang.models.power import (
    check_air_rack,
    check_pue,
    derated_capacity,
    facility_power,
    facility_power_w,
    node_power,
    parse_redundancy,
    ups_capacity,
    ups_usable_w,
)

MW = 1e6


@pytest.mark.parametrize(
    ("modules", "module_w", "redundancy", "usable_w", "tolerated"),
    [
        (4, 1 * MW, "N", 4 * MW, 0),
        (4, 1 * MW, "N+1", 3 * MW, 1),
        (5, 3 * MW, "N+2", 9 * MW, 2),
        (4, 1 * MW, "2N", 2 * MW, 2),
        (6, 1 * MW, "3N", 2 * MW, 4),
        (6, 1 * MW, "2(N+1)", 2 * MW, 4),
        (3, 1 * MW, "3/2", 2 * MW, 1),
        (8, 0.5 * MW, "4/3", 3 * MW, 2),
        (4, 1 * MW, " n + 1 ", 3 * MW, 1),
        (2, 1 * MW, "1N", 2 * MW, 0),
    ],
)
def test_ups_usable_capacity(
    modules: int, module_w: float, redundancy: str, usable_w: float, tolerated: int
) -> None:
    capacity = ups_capacity(modules, module_w, redundancy)
    assert capacity.usable_w == pytest.approx(usable_w)
    assert capacity.installed_w == pytest.approx(modules * module_w)
    assert capacity.tolerated_failures == tolerated
    assert ups_usable_w(modules, module_w, redundancy) == pytest.approx(usable_w)


@pytest.mark.parametrize(
    ("modules", "redundancy", "message"),
    [
        (4, "N+4", "no capacity"),
        (3, "2N", "equal systems"),
        (4, "3/2", "groups of 3"),
        (4, "2(N+2)", "even number"),
        (4, "5/5", "a > b"),
        (4, "N-1", "unknown redundancy"),
        (4, "tier 3", "unknown redundancy"),
    ],
)
def test_ups_rejects_inconsistent_schemes(modules: int, redundancy: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ups_capacity(modules, 1 * MW, redundancy)


def test_ups_needs_modules() -> None:
    with pytest.raises(ValueError):
        ups_capacity(0, 1 * MW, "N")


def test_parse_redundancy_keeps_the_parts() -> None:
    scheme = parse_redundancy("3/2")
    assert (scheme.kind, scheme.installed, scheme.carrying) == ("a/b", 3, 2)
    assert parse_redundancy("N+1").spare == 1
    assert parse_redundancy("2N").systems == 2


def test_breaker_derating_default_and_override() -> None:
    defaults = Assumptions()
    assert derated_capacity(1 * MW, defaults).continuous_w == pytest.approx(800e3)
    assert "breaker_derating" in defaults.used
    custom = Assumptions(overrides={"breaker_derating": 1.0})
    assert derated_capacity(1 * MW, custom).continuous_w == pytest.approx(1 * MW)


def test_facility_power_is_it_times_pue() -> None:
    assert facility_power_w(3 * MW, 1.2) == pytest.approx(3.6 * MW)
    result = facility_power(3 * MW, 1.2)
    assert result.derivation.inputs == {"it_w": 3 * MW, "pue": 1.2}
    with pytest.raises(ValueError, match="below 1"):
        facility_power_w(3 * MW, 0.9)


def test_air_rack_limit() -> None:
    assumptions = Assumptions()
    # four DGX H100 in an air-cooled rack (40.8 kW) are deployable on air; 60 kW is not
    assert not check_air_rack(40.8e3, 0.0, assumptions).over_limit
    assert check_air_rack(60e3, 0.0, assumptions).over_limit
    # GB200 NVL72 at 132 kW with 85% liquid: 19.8 kW of air heat
    nvl72 = check_air_rack(132e3, 0.85, assumptions)
    assert nvl72.air_w == pytest.approx(19.8e3)
    assert not nvl72.over_limit
    with pytest.raises(ValueError):
        check_air_rack(10e3, 1.5, assumptions)


def test_node_power_matches_dgx_h100_within_three_percent() -> None:
    # 8 x 700 W H100 + 2 x 350 W Xeon 8480C + about 350 W of NICs = 6650 W; x 1.5
    estimate = node_power(8, 700.0, 2, 350.0, 350.0, Assumptions())
    assert estimate.parts_w == pytest.approx(6650.0)
    assert estimate.node_w == pytest.approx(9975.0)
    assert abs(estimate.node_w - 10.2e3) / 10.2e3 < 0.03
    assert estimate.derivation.assumptions == ("node_overhead",)


def test_node_power_liquid_cooled_gb200_rack_within_one_percent() -> None:
    # 18 trays of 4 x 1200 W GB200 + 2 x 250 W Grace + 4 x 25 W ConnectX-7 + 2 x 150 W
    # BlueField-3 (5,700 W) x 1.25, plus 9 NVLink switch trays of 400 W, against 132 kW.
    tray = node_power(4, 1200.0, 2, 250.0, 400.0, Assumptions(), liquid_cooled=True)
    assert tray.parts_w == pytest.approx(5700.0)
    assert tray.node_w == pytest.approx(5700.0 * 1.25)
    assert tray.derivation.assumptions == ("node_overhead_liquid",)
    assert abs(18 * tray.node_w + 9 * 400.0 - 132e3) / 132e3 < 0.01


@pytest.mark.parametrize(
    ("pue", "liquid", "verdict"),
    [
        (1.02, 1.0, "below"),
        (1.10, 1.0, "within"),
        (1.30, 1.0, "above"),
        (1.05, 0.0, "below"),
        (1.55, 0.0, "within"),
        (0.95, 0.5, "impossible"),
    ],
)
def test_pue_plausibility(pue: float, liquid: float, verdict: str) -> None:
    assert check_pue(pue, liquid, Assumptions()).verdict == verdict


def test_pue_band_interpolates_by_liquid_share() -> None:
    check = check_pue(1.2, 0.85, Assumptions())
    assert check.low == pytest.approx(0.85 * 1.05 + 0.15 * 1.10)
    assert check.high == pytest.approx(0.85 * 1.15 + 0.15 * 1.58)
    assert check.verdict == "within"
