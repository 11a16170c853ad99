"""Estimate cost: capex by category, opex per year, TCO and unit costs.

Afterwards `facts.cost` holds the factory's `CostReport`, each `TrainReport`
its `cost_usd` and each `ServeReport` its `cost_per_million_tokens_usd`,
with derivations under `cost.*`, `train.<name>.cost_usd` and
`serve.<name>.cost_per_million_tokens_usd`.

What is priced, and where (the bill's lines, `aiflang.analyses.bill`, which
the bill of materials lists too):
- accelerated systems: a rack's price when it has one (the whole rack);
  otherwise its nodes' prices; a node without a price is priced by its
  GPUs and CPUs (and its NICs, under network), and is listed as missing;
- network: per fabric, the switches of each tier (the derived counts, or the
  declared ones when larger: spares are bought too) x the switch price, and
  the fabric's transceivers (or copper cables) x the price of the part it
  names or its distance picks; switches
  inside an unpriced rack; NICs only when their node has no price (a
  node's price includes its NICs);
- storage: its price, or price per byte x capacity;
- facility: build cost x critical IT power, the sum of the halls' declared
  `it_power` (what was built, not what is loaded).
Parts without a price are listed in `missing_prices` and count as zero.

Opex uses the IT load from the power check (or the parts, as the throughput
pass does), the finance block's utilization, license rate, maintenance share
and depreciation lives, and the registered finance defaults where it is
silent. Unit costs divide the annualized cost (depreciation + opex): a
serve workload carries the share of its GPUs in the factory's GPUs; a
training run costs its GPU-hours x the cost per GPU-hour.

Needs: the fabric sizing (switch and transceiver counts), the power check
(IT load), the throughput estimate (workload figures). A missing part price
is a gap in the report (`missing_prices`), not an error in the design. A
site without `build_cost` or `power_price` gets the registered default
(`site_build_cost`, `site_power_price`) and W701, which names it: a free
building or free energy would make every cost figure wrong.
"""

from __future__ import annotations

from aiflang import report as rp
from aiflang import units
from aiflang.analyses import bill as bl
from aiflang.analyses.facts import Facts, Fleet
from aiflang.analyses.fleet import fleet_of
from aiflang.diagnostics import Sink, codes
from aiflang.frontend.design import Design
from aiflang.models import cost as cm
from aiflang.models.derivation import Derivation

_LIFE_KEYS = {
    "systems": "accelerated_systems",
    "network": "network",
    "storage": "storage",
    "facility": "facility",
}


def estimate_cost(design: Design, facts: Facts, sink: Sink) -> None:
    """Price the design, run it for a year, and spread the cost over its workloads."""
    assumptions = facts.assumptions
    finance, site = design.finance, design.site
    fleet = fleet_of(design, facts)
    bill = bl.Bill()
    bl.systems(design, fleet.price_usd_by_model, bill)
    bl.network(design, facts.fabrics, facts.switches_by_hall, facts.transceivers_by_hall, bill)
    bl.storage(design, bill)
    critical_it_w = sum(hall.it_capacity_w for hall in design.halls)
    build_cost = _site_price(design, facts, sink, "build_cost", critical_it_w)
    # The building is a bill line too, at the build cost the capex uses (declared or default).
    bl.facility(design, bill, build_cost)
    capital = cm.capex(bill.priced(), critical_it_w=critical_it_w, build_cost_usd_per_w=build_cost)
    facts.bill = list(bill.lines)
    power_price = _site_price(design, facts, sink, "power_price", critical_it_w)
    utilization = finance.utilization
    if utilization is None:
        utilization = assumptions.value("finance_utilization")
    license_rate = finance.software_license_usd_per_gpu_s
    if license_rate is None:
        license_rate = assumptions.value("finance_software_license")
    opex = cm.opex_per_year(
        it_power_w=fleet.it_load_w,
        pue=site.pue,
        power_price_usd_per_j=power_price,
        utilization=utilization,
        gpus=fleet.gpus,
        license_usd_per_gpu_s=license_rate,
        hardware_capex_usd=capital.hardware_usd,
        assumptions=assumptions,
        maintenance_fraction=finance.maintenance,
    )
    lives = {_LIFE_KEYS[k]: v for k, v in finance.depreciation_s.items() if k in _LIFE_KEYS}
    depreciation = cm.depreciation_per_year(capital, assumptions, lives)
    horizon_s = finance.horizon_s or assumptions.value("finance_horizon")
    tco = cm.total_cost_of_ownership(capital, opex, depreciation, horizon_s)
    gpu_hour = (
        cm.cost_per_gpu_hour(tco.annualized_usd_per_year, fleet.gpus, utilization)
        if fleet.gpus and utilization > 0
        else None
    )
    facts.cost = _report(capital, opex, depreciation, tco, gpu_hour, bill.missing)
    capex_derivation = capital.derivation
    if site.build_cost_usd_per_w is None:
        capex_derivation = Derivation(
            capex_derivation.formula, capex_derivation.inputs, ("site_build_cost",)
        )
    facts.record_derivation("cost.capex_usd", capex_derivation)
    facts.record_derivation(
        "cost.opex_usd_per_year", opex.derivation.with_inputs(it_power_basis=fleet.it_basis)
    )
    facts.record_derivation("cost.depreciation_usd_per_year", depreciation.derivation)
    facts.record_derivation("cost.tco_usd", tco.derivation)
    if gpu_hour is not None:
        facts.record_derivation("cost.cost_per_gpu_hour_usd", gpu_hour.derivation)
    _unit_costs(facts, fleet, tco.annualized_usd_per_year, utilization, gpu_hour)


# A site price the design leaves out: (registered default, what it prices, dimension).
_SITE_DEFAULTS = {
    "build_cost": ("site_build_cost", "the facility", units.MONEY_PER_POWER),
    "power_price": ("site_power_price", "energy", units.MONEY_PER_ENERGY),
}


def _site_price(
    design: Design, facts: Facts, sink: Sink, attribute: str, critical_it_w: float
) -> float:
    """The site's price, or the registered default with a W701 that names it."""
    site = design.site
    declared = (
        site.build_cost_usd_per_w if attribute == "build_cost" else site.power_price_usd_per_j
    )
    if declared is not None:
        return declared
    name, what, dimension = _SITE_DEFAULTS[attribute]
    value = facts.assumptions.value(name)
    shown = units.format_quantity(value, dimension)
    notes: tuple[str, ...] = ()
    if attribute == "build_cost":
        facility = units.format_quantity(value * critical_it_w, units.MONEY)
        notes = (
            f"facility = {units.format_quantity(critical_it_w, units.POWER)} of "
            f"critical IT power x {shown} = {facility}",
        )
    sink.warning(
        codes.W701,
        f"site gives no {attribute}: {what} is priced at the default {shown} (assumption `{name}`)",
        site.span or design.span,
        notes=notes,
        help=f"declare the site's own figure: `{attribute} = ...` in the site block, or "
        f"override `{name}` in an assumptions block",
    )
    return value


def _report(
    capital: cm.Capex,
    opex: cm.Opex,
    depreciation: cm.Depreciation,
    tco: cm.Tco,
    gpu_hour: cm.UnitCost | None,
    missing: list[str],
) -> rp.CostReport:
    return rp.CostReport(
        capex_usd={"total": capital.total_usd, **capital.by_category_usd},
        opex_usd_per_year={
            "total": opex.total_usd_per_year,
            "energy": opex.energy_usd_per_year,
            "software": opex.licenses_usd_per_year,
            "maintenance": opex.maintenance_usd_per_year,
        },
        depreciation_usd_per_year={
            "total": depreciation.total_usd_per_year,
            **depreciation.by_category_usd_per_year,
        },
        horizon_s=tco.horizon_s,
        tco_usd=tco.tco_usd,
        cost_per_gpu_hour_usd=gpu_hour.usd if gpu_hour else None,
        missing_prices=missing,
    )


def _unit_costs(
    facts: Facts,
    fleet: Fleet,
    annualized_usd_per_year: float,
    utilization: float,
    gpu_hour: cm.UnitCost | None,
) -> None:
    """Fill the workloads' cost figures; the reports are frozen, so replace them."""
    for index, serve in enumerate(facts.serve):
        if serve.tokens_per_s <= 0 or not fleet.gpus or utilization <= 0:
            continue
        share = min(serve.gpus / fleet.gpus, 1.0)
        unit = cm.cost_per_million_tokens(
            annualized_usd_per_year, share, serve.tokens_per_s, utilization
        )
        facts.serve[index] = serve.model_copy(update={"cost_per_million_tokens_usd": unit.usd})
        facts.record_derivation(
            f"serve.{serve.name}.cost_per_million_tokens_usd",
            unit.derivation.with_inputs(share_rule="share = workload GPUs / factory GPUs"),
        )
    if gpu_hour is None:
        return
    for index, train in enumerate(facts.train):
        unit = cm.cost_to_train(train.gpu_hours, gpu_hour)
        facts.train[index] = train.model_copy(update={"cost_usd": unit.usd})
        facts.record_derivation(f"train.{train.name}.cost_usd", unit.derivation)
