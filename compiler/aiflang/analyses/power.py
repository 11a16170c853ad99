"""Check power, cooling, space and redundancy, hall by hall and for the facility.

Afterwards `facts.halls` holds one `HallReport` per hall (design order) with
its IT load, capacities, headroom and N-1 failures; `facts.it_load_w`,
`facts.facility_power_w` and `facts.capacity` hold the facility totals; and
`facts.derivations` shows the work behind hall IT loads, UPS capacities and
facility power.

The concern is split by responsibility: `hall_budget` adds up what a hall
holds and carries, `hall_checks` checks one hall (plants, power chain,
cooling, space), `failures` is its N-1 analysis, `headroom` what more fits.
This module orders them, checks what spans halls (the site's utility feed
and PUE, air-cooled racks) and assembles the report sections.

Needs: the design model and, from the fabric pass, the network power and
network racks per hall (missing halls count as zero). Storage without a
`hall` stands in the first hall. Formulas and conventions are documented in
docs/models.md.

Emits: E405 (an air-cooled rack over the air limit), E406 (facility power
over the utility feed), W403 (implausible PUE); through the hall modules
E210, E402, E403, E404, E407, E408, E409, W401, W402, W404, W405.
"""

from __future__ import annotations

import math

from aiflang import report as rp
from aiflang.analyses.facts import Facts
from aiflang.analyses.failures import hall_failures
from aiflang.analyses.hall_budget import HallBudget, build_budgets, over, percent, watts
from aiflang.analyses.hall_checks import check_hall, plan_plants, related_rack
from aiflang.analyses.headroom import hall_headroom
from aiflang.diagnostics import Sink, Span, codes
from aiflang.frontend.design import Design
from aiflang.models.power import (
    check_air_rack,
    check_pue,
    facility_power,
    it_load_derivation,
    ups_continuous_derivation,
)


def check_power(design: Design, facts: Facts, sink: Sink) -> None:
    """Budget every hall and the facility; fill `facts.halls` and `facts.capacity`."""
    budgets = build_budgets(design, facts.network_power_by_hall_w, facts.network_racks_by_hall)
    for budget in budgets:
        plan_plants(budget, facts.assumptions, sink)
    _check_air_racks(design, budgets, facts, sink)

    it_load_w = sum(b.it_load_w for b in budgets)
    pue = max(design.site.pue, 1.0)
    facility = facility_power(it_load_w, pue)
    facts.it_load_w, facts.facility_power_w = it_load_w, facility.facility_w
    facts.record_derivation("capacity.facility_power_w", facility.derivation)
    _check_site(design, budgets, facility.facility_w, facts, sink)
    utility = design.site.utility_w
    utility_it_left_w = None if utility is None else (utility - facility.facility_w) / pue

    facts.halls = []
    for budget in budgets:
        check_hall(budget, sink)
        failures = hall_failures(budget, pue, sink)
        room = hall_headroom(budget, utility_it_left_w, sink)
        facts.halls.append(hall_report(budget, room, failures))
        record_hall_derivations(budget, facts)
    facts.capacity = capacity(design, budgets, facility.facility_w)


# Racks and the site ---------------------------------------------------------
def _check_air_racks(design: Design, budgets: list[HallBudget], facts: Facts, sink: Sink) -> None:
    placed: dict[str, Span | None] = {}
    for budget in budgets:
        for line in budget.lines:
            placed.setdefault(line.rack.name, budget.hall.span_of("racks"))
    for name, rack in design.components.racks.items():
        if name not in placed and rack.builtin:
            continue
        check = check_air_rack(rack.power.used_w, rack.liquid_fraction, facts.assumptions)
        if not check.over_limit:
            continue
        limit = check.limit_w
        share = math.ceil((1 - limit / check.rack_w) * 100)
        left = check.rack_w * (1 - share / 100)
        cooled = f" ({percent(rack.liquid_fraction)} liquid)" if rack.liquid_fraction else ""
        sink.error(
            codes.E405,
            f"rack `{name}` sends {watts(check.air_w)} of heat to air{cooled}, over the "
            f"{watts(limit)} an air-cooled rack can reject",
            placed.get(name) if rack.builtin else rack.span,
            related=related_rack(rack, "defined here") if rack.builtin else (),
            notes=(
                f"air heat = {watts(check.rack_w)} x (1 - {percent(rack.liquid_fraction)} liquid)",
                f"limit: air_rack_limit_w = {watts(limit)} (assumption; override it in an "
                "`assumptions` block)",
            ),
            help=f"cool it by liquid (`cooling = liquid {share}%` leaves {watts(left)} to air), "
            f"or keep air-cooled racks at or below {watts(limit)}",
        )


def _check_site(
    design: Design, budgets: list[HallBudget], facility_w: float, facts: Facts, sink: Sink
) -> None:
    site, it_w = design.site, facility_w / max(design.site.pue, 1.0)
    utility = site.utility_w
    if utility is not None and over(facility_w, utility):
        options = [f"cut IT load to {watts(utility / site.pue)}"]
        if utility / it_w >= 1.0:
            options.append(f"bring PUE down to {math.floor(utility / it_w * 1000) / 1000:g}")
        options.append(f"raise utility to {watts(facility_w)}")
        sink.error(
            codes.E406,
            f"the facility draws {watts(facility_w)}, over its {watts(utility)} utility feed",
            site.span_of("utility"),
            label="utility feed declared here",
            notes=(
                f"facility = IT {watts(it_w)} x PUE {site.pue:g}",
                "; ".join(f'hall "{b.hall.name}" {watts(b.it_load_w)}' for b in budgets),
            ),
            help=", or ".join(options),
        )
    liquid_w = sum(b.liquid_load_w for b in budgets)
    if it_w <= 0 or site.pue < 1.0:
        return
    pue = check_pue(site.pue, min(1.0, liquid_w / it_w), facts.assumptions)
    if pue.verdict == "below":
        sink.warning(
            codes.W403,
            f"PUE {site.pue:g} is below the {pue.low:.3g} a facility cooling "
            f"{percent(pue.liquid_fraction)} of its heat by liquid can reach",
            site.span_of("pue"),
            notes=(
                f"plausible band {pue.low:.3g} to {pue.high:.3g}: liquid share x "
                "[pue_liquid_low, pue_liquid_high] + air share x [pue_air_low, pue_air_high]",
            ),
            help=f"use a PUE of at least {pue.low:.3g}, or override the pue_* assumptions "
            "with the site's measured figures",
        )


# Reports --------------------------------------------------------------------
def hall_report(budget: HallBudget, room: rp.Headroom, failures: list[rp.Failure]) -> rp.HallReport:
    """The hall's section of the report."""
    hall = budget.hall
    return rp.HallReport(
        name=hall.name,
        it_load_w=budget.it_load_w,
        it_capacity_w=hall.it_capacity_w,
        ups_usable_w=budget.ups.usable_w if budget.ups else None,
        ups_continuous_w=budget.ups_continuous_w,
        power_limit_w=budget.power_limit_w,
        liquid_load_w=budget.liquid_load_w,
        air_load_w=budget.air_load_w,
        liquid_capacity_w=budget.liquid_capacity_w,
        air_capacity_w=hall.air_capacity_w,
        network_w=budget.network_w,
        storage_w=budget.storage_w,
        racks=budget.racks,
        network_racks=budget.network_racks,
        positions=hall.positions,
        gpus=budget.gpus,
        headroom=room,
        failures=failures,
    )


def record_hall_derivations(budget: HallBudget, facts: Facts) -> None:
    """Record the work behind the hall's IT load and UPS figures."""
    name = budget.hall.name
    racks = {line.rack.name: (line.count, line.power_w) for line in budget.lines}
    facts.record_derivation(
        f"halls.{name}.it_load_w",
        it_load_derivation(racks, budget.network_w, budget.storage_w),
    )
    if budget.ups is not None:
        facts.record_derivation(f"halls.{name}.ups_usable_w", budget.ups.derivation)
        facts.record_derivation(
            f"halls.{name}.ups_continuous_w",
            ups_continuous_derivation(budget.ups, budget.derating),
        )


def capacity(design: Design, budgets: list[HallBudget], facility_w: float) -> rp.Capacity:
    """Facility totals: GPUs by model and generation, dense peak FLOP/s, HBM, power, racks."""
    components = design.components
    by_model: dict[str, int] = {}
    for placed in design.placed_nodes():
        for gpu_part in placed.node.gpus:
            count = gpu_part.count * placed.nodes
            by_model[gpu_part.name] = by_model.get(gpu_part.name, 0) + count
    by_generation: dict[str, int] = {}
    # The report contract always names these six precisions (0 when no GPU has one).
    flops: dict[str, float] = dict.fromkeys(("fp64", "tf32", "bf16", "fp8", "fp6", "fp4"), 0.0)
    hbm = 0.0
    for model, count in sorted(by_model.items()):
        gpu = components.gpus.get(model)
        if gpu is None:
            continue
        generation = gpu.generation or model
        by_generation[generation] = by_generation.get(generation, 0) + count
        for precision, rate in gpu.flops.items():
            flops[precision] = flops.get(precision, 0.0) + rate * count
        hbm += gpu.memory_bytes * count
    return rp.Capacity(
        gpus=sum(by_model.values()),
        gpus_by_model=dict(sorted(by_model.items())),
        gpus_by_generation=dict(sorted(by_generation.items())),
        it_power_w=sum(b.it_load_w for b in budgets),
        facility_power_w=facility_w,
        utility_w=design.site.utility_w,
        peak_flops=dict(sorted(flops.items())),
        hbm_bytes=hbm,
        racks=sum(b.racks for b in budgets),
        positions=sum(b.hall.positions for b in budgets),
    )
