"""Tests of the cost model: capex, opex, depreciation, TCO and unit costs."""

from __future__ import annotations

import pytest

from aiflang.models.assumptions import Assumptions
from aiflang.models.cost import (
    SECONDS_PER_YEAR,
    Capex,
    Depreciation,
    Opex,
    PricedItem,
    capex,
    cost_per_gpu_hour,
    cost_per_million_tokens,
    cost_to_train,
    depreciation_per_year,
    opex_per_year,
    total_cost_of_ownership,
)

USD_PER_KWH = 1 / 3.6e6  # USD/J
LICENSE = 4500 / SECONDS_PER_YEAR  # 4500 USD/GPU/year in USD/GPU/s


def two_su_capex() -> Capex:
    # 16 GB200 NVL72 racks at 3.4M USD, 100 switches at 50k, one 5M USD storage system, 3 MW
    return capex(
        [
            PricedItem("nvl72", "accelerated_systems", 3.4e6, 16),
            PricedItem("q3400", "network", 50e3, 100),
            PricedItem("fast", "storage", 5e6, 1),
        ],
        critical_it_w=3e6,
        build_cost_usd_per_w=17.5,
    )


def test_capex_by_category() -> None:
    capital = two_su_capex()
    assert capital.by_category_usd["accelerated_systems"] == pytest.approx(54.4e6)
    assert capital.by_category_usd["network"] == pytest.approx(5e6)
    assert capital.by_category_usd["storage"] == pytest.approx(5e6)
    assert capital.by_category_usd["facility"] == pytest.approx(52.5e6)
    assert capital.by_category_usd["other"] == 0.0
    assert capital.total_usd == pytest.approx(116.9e6)
    assert capital.hardware_usd == pytest.approx(64.4e6)


def test_capex_rejects_facility_items_and_negative_prices() -> None:
    with pytest.raises(ValueError, match="build cost"):
        capex([PricedItem("hall", "facility", 1.0, 1)], critical_it_w=1.0, build_cost_usd_per_w=1.0)
    with pytest.raises(ValueError, match="negative"):
        capex([PricedItem("x", "network", -1.0, 1)], critical_it_w=1.0, build_cost_usd_per_w=1.0)


def test_facility_build_cost_against_bernstein_per_rack() -> None:
    # Bernstein: 2.5M USD of physical infrastructure per GB200 NVL72 rack; ours at 132 kW
    facility = capex([], critical_it_w=132e3, build_cost_usd_per_w=17.5).by_category_usd
    error = (facility["facility"] - 2.5e6) / 2.5e6
    assert facility["facility"] == pytest.approx(2.31e6)
    assert -0.10 < error < -0.05


def test_opex_per_year_by_hand() -> None:
    assumptions = Assumptions()
    opex = opex_per_year(
        it_power_w=3e6,
        pue=1.2,
        power_price_usd_per_j=0.08 * USD_PER_KWH,
        utilization=0.8,
        gpus=1152,
        license_usd_per_gpu_s=LICENSE,
        hardware_capex_usd=64.4e6,
        assumptions=assumptions,
    )
    # 3000 kW x 0.8 x 1.2 x 8760 h x 0.08 USD/kWh
    assert opex.energy_usd_per_year == pytest.approx(2_018_304.0)
    assert opex.licenses_usd_per_year == pytest.approx(1152 * 4500.0)
    assert opex.maintenance_usd_per_year == pytest.approx(0.04 * 64.4e6)
    assert opex.total_usd_per_year == pytest.approx(2_018_304.0 + 5_184_000.0 + 2_576_000.0)
    assert assumptions.used == {"maintenance_fraction"}


def test_licenses_of_a_thousand_gpu_pod() -> None:
    # NVIDIA's list price: a 1,000-GPU pod carries 4.5M USD a year in licenses
    opex = opex_per_year(
        it_power_w=0.0,
        pue=1.0,
        power_price_usd_per_j=0.0,
        utilization=1.0,
        gpus=1000,
        license_usd_per_gpu_s=LICENSE,
        hardware_capex_usd=0.0,
        assumptions=Assumptions(),
        maintenance_fraction=0.0,
    )
    assert opex.licenses_usd_per_year == pytest.approx(4.5e6)
    assert opex.derivation.assumptions == ()


def test_depreciation_straight_line() -> None:
    assumptions = Assumptions()
    depreciation = depreciation_per_year(two_su_capex(), assumptions)
    per_year = depreciation.by_category_usd_per_year
    assert per_year["accelerated_systems"] == pytest.approx(54.4e6 / 5)
    assert per_year["network"] == pytest.approx(5e6 / 6)
    assert per_year["storage"] == pytest.approx(5e6 / 5)
    assert per_year["facility"] == pytest.approx(52.5e6 / 20)
    assert depreciation.total_usd_per_year == pytest.approx(10.88e6 + 5e6 / 6 + 1e6 + 2.625e6)
    assert assumptions.used == {
        "life_accelerated_systems",
        "life_network",
        "life_storage",
        "life_facility",
    }


def test_depreciation_life_override() -> None:
    depreciation = depreciation_per_year(
        two_su_capex(), Assumptions(), {"accelerated_systems": 4 * SECONDS_PER_YEAR}
    )
    assert depreciation.by_category_usd_per_year["accelerated_systems"] == pytest.approx(13.6e6)


def test_tco_and_unit_costs() -> None:
    assumptions = Assumptions()
    capital = two_su_capex()
    opex = opex_per_year(
        it_power_w=3e6,
        pue=1.2,
        power_price_usd_per_j=0.08 * USD_PER_KWH,
        utilization=0.8,
        gpus=1152,
        license_usd_per_gpu_s=LICENSE,
        hardware_capex_usd=capital.hardware_usd,
        assumptions=assumptions,
    )
    depreciation = depreciation_per_year(capital, assumptions)
    tco = total_cost_of_ownership(capital, opex, depreciation, 5 * SECONDS_PER_YEAR)
    assert tco.tco_usd == pytest.approx(116.9e6 + 5 * 9_778_304.0)
    annualized = depreciation.total_usd_per_year + 9_778_304.0
    assert tco.annualized_usd_per_year == pytest.approx(annualized)

    gpu_hour = cost_per_gpu_hour(tco.annualized_usd_per_year, 1152, 0.8)
    assert gpu_hour.usd == pytest.approx(annualized / (1152 * 8760 * 0.8))
    # context, not a like-for-like check: NVIDIA's example cloud price for a GB300 GPU-hour is
    # 2.65 USD; our owner's cost for this GB200 design comes out 17% above it
    assert gpu_hour.usd == pytest.approx(3.111, rel=1e-3)
    assert 0.0 < (gpu_hour.usd - 2.65) / 2.65 < 0.35

    train = cost_to_train(26.6e6, gpu_hour)
    assert train.usd == pytest.approx(26.6e6 * gpu_hour.usd)


def test_cost_per_million_tokens_by_hand() -> None:
    # 10M USD a year, half of it for this workload, 100k tokens/s at 80% of the year
    cost = cost_per_million_tokens(10e6, 0.5, 1e5, 0.8)
    assert cost.usd == pytest.approx(5e6 / (1e5 * 0.8 * 31_536_000) * 1e6)
    assert cost.usd == pytest.approx(1.98186, rel=1e-5)


@pytest.mark.parametrize(
    ("tokens_per_s", "utilization", "share"), [(0.0, 0.8, 0.5), (1.0, 0.0, 0.5), (1.0, 0.8, 1.5)]
)
def test_cost_per_million_tokens_rejects_bad_inputs(
    tokens_per_s: float, utilization: float, share: float
) -> None:
    with pytest.raises(ValueError):
        cost_per_million_tokens(1e6, share, tokens_per_s, utilization)


def test_unit_costs_reject_bad_inputs() -> None:
    with pytest.raises(ValueError):
        cost_per_gpu_hour(1e6, 0, 0.8)
    with pytest.raises(ValueError):
        total_cost_of_ownership(two_su_capex(), *_zero_costs(), 0.0)


def _zero_costs() -> tuple[Opex, Depreciation]:
    capital = two_su_capex()
    opex = opex_per_year(
        it_power_w=0.0,
        pue=1.0,
        power_price_usd_per_j=0.0,
        utilization=0.0,
        gpus=0,
        license_usd_per_gpu_s=0.0,
        hardware_capex_usd=0.0,
        assumptions=Assumptions(),
    )
    return opex, depreciation_per_year(capital, Assumptions())
