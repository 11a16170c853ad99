"""Cost model: capex by category, yearly opex, depreciation, TCO and unit costs.

Conventions (all money in USD, all other inputs SI):

- capex: price x count for every priced part, grouped by category
  (accelerated systems, network, storage, other), plus the facility at
  build cost x critical IT power.
- opex per year: energy = IT power x utilization x PUE x one year x price;
  software licenses per GPU; maintenance = `maintenance_fraction` x hardware
  capex (everything but the facility).
- depreciation: straight line over a registered life per category.
- TCO over a horizon = capex + horizon (years) x opex per year: cash spent,
  with no replacement of hardware that outlives its life inside the horizon
  and no discounting.
- annualized cost = depreciation per year + opex per year; unit costs (per
  GPU-hour, per million tokens, to train) divide the annualized cost.

A year is 365 days (31,536,000 s), as in the unit table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

from aiflang.models.assumptions import Assumptions
from aiflang.models.derivation import Derivation
from aiflang.records import record

SECONDS_PER_YEAR = 31_536_000.0
HOURS_PER_YEAR = 8760.0

Category = Literal["accelerated_systems", "network", "storage", "facility", "other"]
CATEGORIES: tuple[Category, ...] = (
    "accelerated_systems",
    "network",
    "storage",
    "facility",
    "other",
)


_LIFE = {
    "accelerated_systems": "life_accelerated_systems",
    "network": "life_network",
    "storage": "life_storage",
    "facility": "life_facility",
    "other": "life_accelerated_systems",
}


@record
class PricedItem:
    """A priced part of the design: unit price x count, in one capex category."""

    name: str
    category: Category
    unit_price_usd: float
    count: float


@record
class Capex:
    """Capital cost by category; `hardware_usd` is everything but the facility."""

    by_category_usd: dict[str, float]
    total_usd: float
    hardware_usd: float
    derivation: Derivation


def capex(
    items: Iterable[PricedItem], *, critical_it_w: float, build_cost_usd_per_w: float
) -> Capex:
    """Sum price x count per category; facility = build cost x critical IT power."""
    by_category: dict[str, float] = dict.fromkeys(CATEGORIES, 0.0)
    inputs: dict[str, float | str] = {}
    for item in items:
        if item.category == "facility":
            raise ValueError(f"{item.name}: the facility is priced by build cost, not as an item")
        if item.unit_price_usd < 0 or item.count < 0:
            raise ValueError(f"{item.name}: price and count must not be negative")
        by_category[item.category] += item.unit_price_usd * item.count
        inputs[f"{item.name}_usd"] = item.unit_price_usd
        inputs[f"{item.name}_count"] = item.count
    by_category["facility"] = build_cost_usd_per_w * critical_it_w
    inputs["critical_it_w"] = critical_it_w
    inputs["build_cost_usd_per_w"] = build_cost_usd_per_w
    total = sum(by_category.values())
    return Capex(
        by_category_usd=by_category,
        total_usd=total,
        hardware_usd=total - by_category["facility"],
        derivation=Derivation(
            "category = sum(price x count); facility = build_cost x critical_it; "
            "total = sum of categories",
            inputs,
        ),
    )


@record
class Opex:
    """Operating cost per year, by kind."""

    energy_usd_per_year: float
    licenses_usd_per_year: float
    maintenance_usd_per_year: float
    total_usd_per_year: float
    derivation: Derivation


def opex_per_year(
    *,
    it_power_w: float,
    pue: float,
    power_price_usd_per_j: float,
    utilization: float,
    gpus: int,
    license_usd_per_gpu_s: float,
    hardware_capex_usd: float,
    assumptions: Assumptions,
    maintenance_fraction: float | None = None,
) -> Opex:
    """Energy, software licenses and maintenance for one year.

    `it_power_w` is the IT draw while busy; idle draw is not counted.
    `license_usd_per_gpu_s` is the license rate in SI (4500 USD/GPU/year is
    4500 / 31,536,000). `maintenance_fraction` overrides the registered one
    (a design's finance block may give it).
    """
    if not 0.0 <= utilization <= 1.0:
        raise ValueError(f"utilization {utilization} is outside 0..1")
    used: tuple[str, ...] = ()
    if maintenance_fraction is None:
        maintenance_fraction = assumptions.value("maintenance_fraction")
        used = ("maintenance_fraction",)
    energy = it_power_w * utilization * pue * SECONDS_PER_YEAR * power_price_usd_per_j
    licenses = gpus * license_usd_per_gpu_s * SECONDS_PER_YEAR
    maintenance = maintenance_fraction * hardware_capex_usd
    return Opex(
        energy_usd_per_year=energy,
        licenses_usd_per_year=licenses,
        maintenance_usd_per_year=maintenance,
        total_usd_per_year=energy + licenses + maintenance,
        derivation=Derivation(
            "energy = it_power x utilization x pue x 8760 h x price; licenses = gpus x license "
            "x 1 year; maintenance = maintenance_fraction x hardware capex",
            {
                "it_power_w": it_power_w,
                "utilization": utilization,
                "pue": pue,
                "power_price_usd_per_j": power_price_usd_per_j,
                "gpus": gpus,
                "license_usd_per_gpu_s": license_usd_per_gpu_s,
                "maintenance_fraction": maintenance_fraction,
                "hardware_capex_usd": hardware_capex_usd,
            },
            used,
        ),
    )


@record
class Depreciation:
    """Straight-line depreciation per year, by category."""

    by_category_usd_per_year: dict[str, float]
    total_usd_per_year: float
    derivation: Derivation


def depreciation_per_year(
    capital: Capex, assumptions: Assumptions, lives_s: Mapping[str, float] | None = None
) -> Depreciation:
    """Capex of each category / its life in years; `lives_s` overrides lives (seconds)."""
    lives_s = lives_s or {}
    by_category: dict[str, float] = {}
    inputs: dict[str, float | str] = {}
    used: list[str] = []
    for category, amount in capital.by_category_usd.items():
        if amount == 0.0:
            by_category[category] = 0.0
            continue
        if category in lives_s:
            life_s = lives_s[category]
        else:
            name = _LIFE[category]
            life_s = assumptions.value(name)
            if name not in used:
                used.append(name)
        if life_s <= 0:
            raise ValueError(f"the depreciation life of {category} must be positive")
        by_category[category] = amount / (life_s / SECONDS_PER_YEAR)
        inputs[f"{category}_usd"] = amount
        inputs[f"{category}_life_s"] = life_s
    return Depreciation(
        by_category_usd_per_year=by_category,
        total_usd_per_year=sum(by_category.values()),
        derivation=Derivation(
            "depreciation = capex of category / life of category (years)", inputs, tuple(used)
        ),
    )


@record
class Tco:
    """Total cost of ownership over a horizon, and the annualized cost."""

    tco_usd: float
    annualized_usd_per_year: float
    horizon_s: float
    derivation: Derivation


def total_cost_of_ownership(
    capital: Capex, opex: Opex, depreciation: Depreciation, horizon_s: float
) -> Tco:
    """TCO = capex + horizon x opex; annualized = depreciation + opex."""
    if horizon_s <= 0:
        raise ValueError("the horizon must be positive")
    years = horizon_s / SECONDS_PER_YEAR
    return Tco(
        tco_usd=capital.total_usd + years * opex.total_usd_per_year,
        annualized_usd_per_year=depreciation.total_usd_per_year + opex.total_usd_per_year,
        horizon_s=horizon_s,
        derivation=Derivation(
            "tco = capex + horizon_years x opex_per_year; annualized = depreciation + opex",
            {
                "capex_usd": capital.total_usd,
                "opex_usd_per_year": opex.total_usd_per_year,
                "depreciation_usd_per_year": depreciation.total_usd_per_year,
                "horizon_years": years,
            },
        ),
    )


@record
class UnitCost:
    """One unit cost in USD (per GPU-hour, per million tokens, or a training run)."""

    usd: float
    derivation: Derivation


def cost_per_gpu_hour(annualized_usd_per_year: float, gpus: int, utilization: float) -> UnitCost:
    """Annualized cost / (GPUs x 8760 h x utilization): the cost of a used GPU-hour."""
    if gpus < 1 or not 0.0 < utilization <= 1.0:
        raise ValueError("cost per GPU-hour needs GPUs >= 1 and utilization in (0, 1]")
    return UnitCost(
        usd=annualized_usd_per_year / (gpus * HOURS_PER_YEAR * utilization),
        derivation=Derivation(
            "cost per GPU-hour = annualized / (gpus x 8760 h x utilization)",
            {
                "annualized_usd_per_year": annualized_usd_per_year,
                "gpus": gpus,
                "utilization": utilization,
            },
        ),
    )


def cost_per_million_tokens(
    annualized_usd_per_year: float, share: float, tokens_per_s: float, utilization: float
) -> UnitCost:
    """The workload's share of the annualized cost / tokens it makes in a year x 1e6.

    `share` is the part of the factory's annualized cost the serve workload
    carries (for example its GPUs over all GPUs).
    """
    if tokens_per_s <= 0 or not 0.0 < utilization <= 1.0 or not 0.0 <= share <= 1.0:
        raise ValueError("cost per token needs tokens/s > 0, utilization in (0, 1], share in 0..1")
    tokens_per_year = tokens_per_s * utilization * SECONDS_PER_YEAR
    return UnitCost(
        usd=annualized_usd_per_year * share / tokens_per_year * 1e6,
        derivation=Derivation(
            "cost per million tokens = annualized x share / (tokens_per_s x utilization x "
            "1 year) x 1e6",
            {
                "annualized_usd_per_year": annualized_usd_per_year,
                "share": share,
                "tokens_per_s": tokens_per_s,
                "utilization": utilization,
            },
        ),
    )


def cost_to_train(gpu_hours: float, gpu_hour: UnitCost) -> UnitCost:
    """GPU-hours of the run x cost per GPU-hour."""
    return UnitCost(
        usd=gpu_hours * gpu_hour.usd,
        derivation=Derivation(
            "cost to train = gpu_hours x cost per GPU-hour",
            {"gpu_hours": gpu_hours, "cost_per_gpu_hour_usd": gpu_hour.usd},
        ),
    )
