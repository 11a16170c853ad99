"""Check power, cooling, space and redundancy, hall by hall and for the facility.

Afterwards `facts.halls` holds one `HallReport` per hall (design order) with
its IT load, capacities, headroom and N-1 failures; `facts.it_load_w`,
`facts.facility_power_w` and `facts.capacity` hold the facility totals; and
`facts.explanations` shows the work behind hall IT loads, UPS capacities and
facility power.

Needs: the design model and, from the fabric pass, the network power and
network racks per hall (missing halls count as zero). Storage without a
`hall` stands in the first hall. Formulas and conventions are documented in
docs/models.md.

Emits: E210 (a UPS or CDU plant that its redundancy cannot split), E402,
E403, E404, E405, E406, E407, E408, E409; W401, W402, W403, W404, W405.
"""

from __future__ import annotations

import math

from aiflang import report as rp
from aiflang import units
from aiflang.analyses.facts import Facts
from aiflang.analyses.power_budget import (
    HallBudget,
    build_budgets,
    capacity,
    cdu_failure,
    explain_hall,
    feed_failure,
    hall_report,
    headroom,
    modules_needed,
    no_ups_failure,
    over,
    percent,
    plural,
    shed,
    ups_failure,
    watts,
)
from aiflang.diagnostics import Related, Sink, Span, codes
from aiflang.frontend.design import Design, Modules, Rack
from aiflang.models.power import (
    UpsCapacity,
    check_air_rack,
    check_pue,
    facility_power,
    ups_capacity,
)

# The UPS plant and it_power "match" within this share (W404 beyond it).
UPS_MATCH_TOLERANCE = 0.05
# Positions are reported stranded when more than this share would stay empty.
STRANDED_POSITIONS_SHARE = 0.5
_RUNS_OUT = {
    "positions": "positions run out",
    "liquid": "liquid cooling runs out",
    "air": "air cooling runs out",
}
_WHAT = {"positions": "positions", "liquid": "liquid cooling", "air": "air cooling"}
# The attribute a binding constraint is written in, for the finding to point at.
_WRITTEN_IN = {"positions": "positions", "liquid": "cooling", "air": "cooling"}


def check_power(design: Design, facts: Facts, sink: Sink) -> None:
    """Budget every hall and the facility; fill `facts.halls` and `facts.capacity`."""
    budgets = build_budgets(design, facts.network_power_by_hall_w, facts.network_racks_by_hall)
    for budget in budgets:
        _plants(budget, facts, sink)
    _check_air_racks(design, budgets, facts, sink)

    it_load_w = sum(b.it_load_w for b in budgets)
    pue = max(design.site.pue, 1.0)
    facility = facility_power(it_load_w, pue)
    facts.it_load_w, facts.facility_power_w = it_load_w, facility.facility_w
    facts.explain("capacity.facility_power_w", facility.explanation)
    _check_site(design, budgets, facility.facility_w, facts, sink)
    utility = design.site.utility_w
    utility_it_left_w = None if utility is None else (utility - facility.facility_w) / pue

    facts.halls = []
    for budget in budgets:
        _check_power_chain(budget, sink)
        _check_cooling(budget, sink)
        _check_space(budget, sink)
        failures = _failures(budget, pue, sink)
        room = _headroom(budget, utility_it_left_w, sink)
        facts.halls.append(hall_report(budget, room, failures))
        explain_hall(budget, facts)
    facts.capacity = capacity(design, budgets, facility.facility_w)


# Plants ---------------------------------------------------------------------
def _plants(budget: HallBudget, facts: Facts, sink: Sink) -> None:
    hall = budget.hall
    # A plant that cannot run at its redundancy: point at the redundancy if written.
    budget.ups = _plant(
        hall.ups,
        hall.redundancy,
        f'hall "{hall.name}" UPS',
        hall.attr_spans.get("redundancy") or hall.span_of("ups"),
        sink,
    )
    budget.cdus = _plant(
        hall.cdus,
        hall.cdu_redundancy,
        f'hall "{hall.name}" CDUs',
        hall.attr_spans.get("cdu_redundancy") or hall.span_of("cdus"),
        sink,
    )
    # UPS ratings are continuous ratings: only a hall's own `derating` limits them.
    # Feeds are feeders and breakers, held to the continuous-load rule by default.
    budget.derating = 1.0 if hall.derating is None else hall.derating
    if hall.feeds is not None:
        budget.feed_derating = (
            hall.derating
            if hall.derating is not None
            else facts.assumptions.value("breaker_derating")
        )


def _plant(
    plant: Modules | None, redundancy: str, what: str, span: Span | None, sink: Sink
) -> UpsCapacity | None:
    if plant is None:
        return None
    try:
        return ups_capacity(plant.count, plant.size, redundancy)
    except ValueError as problem:
        sink.error(
            codes.E210,
            f"{what}: {plant.count} x {watts(plant.size)} cannot run at {redundancy}",
            span,
            notes=(str(problem),),
            help="N+k needs more than k modules, 2N an even count, 3/2 a multiple of 3",
        )
        return None


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
            related=_related_rack(rack, "defined here") if rack.builtin else (),
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


# Halls ----------------------------------------------------------------------
def _related(budget: HallBudget) -> tuple[Related, ...]:
    return tuple(
        r
        for line in budget.lines
        for r in _related_rack(
            line.rack, f"{line.count} x {line.rack.name} at {watts(line.power_w)}"
        )
    )


def _related_rack(rack: Rack, message: str) -> tuple[Related, ...]:
    return (Related(rack.span, message),) if rack.span is not None else ()


def _move(budget: HallBudget, excess_w: float, per_rack: str) -> str | None:
    """'move 3 racks of nvl72 to another hall', or None if racks cannot cover it."""
    attribute = {"power": "power_w", "liquid": "liquid_w", "air": "air_w"}[per_rack]
    moved = shed(budget.lines, excess_w, lambda line: float(getattr(line, attribute)))
    if not moved.racks or moved.uncovered_w > 0:
        return None
    what = ", ".join(f"{plural(n, 'rack')} of {name}" for name, n in moved.racks)
    return f"move {what} to another hall"


def _check_power_chain(budget: HallBudget, sink: Sink) -> None:
    hall, load = budget.hall, budget.it_load_w
    ups, continuous = budget.ups, budget.ups_continuous_w
    plant = f"{hall.ups.count} x {watts(hall.ups.size)} at {hall.redundancy}" if hall.ups else ""
    chain = None
    if ups is not None and continuous is not None:
        chain = f"UPS {plant}: {watts(ups.usable_w)} usable"
        if budget.derating < 1:
            chain += f" x {percent(budget.derating)} derating = {watts(continuous)}"
    limit = budget.power_limit_w
    if over(load, limit):
        ups_binds = continuous is not None and continuous < hall.it_capacity_w
        options = []
        if over(load, hall.it_capacity_w):
            options.append(f"raise it_power to {watts(load)}")
        if ups_binds and hall.ups is not None:
            needed = modules_needed(hall.ups, hall.redundancy, load, budget.derating)
            if needed is not None:
                options.append(f"install {needed} x {watts(hall.ups.size)} UPS modules")
        moving = _move(budget, load - limit, "power")
        help_text = ", or ".join([" and ".join(options)] + ([moving] if moving else []))
        message = (
            f'hall "{hall.name}" draws {watts(load)}, over the {watts(limit)} its UPS plant carries'
            if ups_binds
            else f'hall "{hall.name}" draws {watts(load)}, over its '
            f"{watts(hall.it_capacity_w)} of IT capacity"
        )
        sink.error(
            codes.E402,
            message,
            hall.span_of("it_power"),
            label="capacity declared here",
            related=_related(budget),
            notes=(budget.parts_note(), *([chain] if chain else [])),
            help=help_text,
        )
    if ups is None or hall.ups is None or continuous is None:
        return
    if ups.usable_w < hall.it_capacity_w * (1 - 1e-9):
        needed = modules_needed(hall.ups, hall.redundancy, hall.it_capacity_w, 1.0)
        add = f"install {needed} x {watts(hall.ups.size)}, or " if needed is not None else ""
        sink.error(
            codes.E409,
            f'hall "{hall.name}": its UPS plant delivers {watts(ups.usable_w)} at '
            f"{hall.redundancy}, below its {watts(hall.it_capacity_w)} of IT capacity",
            hall.span_of("ups"),
            label="UPS plant declared here",
            notes=(f"{plant}: {ups.explanation.formula} = {watts(ups.usable_w)}",),
            help=f"{add}lower it_power to {watts(ups.usable_w)}",
        )
        return
    gap = (continuous - hall.it_capacity_w) / hall.it_capacity_w if hall.it_capacity_w else 0.0
    if abs(gap) <= UPS_MATCH_TOLERANCE:
        return
    if gap < 0:
        needed = modules_needed(hall.ups, hall.redundancy, hall.it_capacity_w, budget.derating)
        add = f"install {needed} x {watts(hall.ups.size)}, " if needed is not None else ""
        sink.warning(
            codes.W404,
            f'hall "{hall.name}": its UPS plant carries {watts(continuous)} continuous, '
            f"{percent(-gap)} below its {watts(hall.it_capacity_w)} of IT capacity",
            hall.span_of("it_power"),
            notes=(chain or "",),
            help=f"{add}lower it_power to {watts(continuous)}"
            + (", or relax the hall's derating" if budget.derating < 1 else ""),
        )
    else:
        sink.warning(
            codes.W404,
            f'hall "{hall.name}": its UPS plant carries {watts(continuous)} continuous, '
            f"{percent(gap)} more than its {watts(hall.it_capacity_w)} of IT capacity",
            hall.span_of("it_power"),
            notes=(chain or "",),
            help=f"raise it_power to {watts(continuous)} if the rest of the chain allows it, "
            "or install fewer UPS modules",
        )


def _check_cooling(budget: HallBudget, sink: Sink) -> None:
    hall = budget.hall
    liquid_load, liquid_cap = budget.liquid_load_w, budget.liquid_capacity_w
    liquid_notes = tuple(
        f"{line.count} x {line.rack.name} at {watts(line.liquid_w)} "
        f"({percent(line.rack.liquid_fraction)} of {watts(line.power_w)})"
        for line in budget.lines
        if line.liquid_w > 0
    )
    if liquid_load > 0 and liquid_cap is None:
        sink.error(
            codes.E403,
            f'hall "{hall.name}" has {watts(liquid_load)} of liquid-cooled heat and no liquid '
            "cooling",
            hall.span_of("cooling"),
            label="cooling capacity declared here",
            related=_related(budget),
            notes=liquid_notes,
            help=f"declare `cooling = {{ liquid = {watts(liquid_load)}, air = ... }}` or cdus",
        )
    elif liquid_cap is not None and over(liquid_load, liquid_cap):
        cdus = budget.cdus
        cdu_note = (
            (
                f"CDUs {hall.cdus.count} x {watts(hall.cdus.size)} at {hall.cdu_redundancy}: "
                f"{watts(cdus.usable_w)} usable",
            )
            if cdus is not None and hall.cdus is not None
            else ()
        )
        moving = _move(budget, liquid_load - liquid_cap, "liquid")
        sink.error(
            codes.E403,
            f'hall "{hall.name}" sends {watts(liquid_load)} of heat to liquid, over its '
            f"{watts(liquid_cap)} of liquid cooling",
            hall.span_of("cooling"),
            label="cooling capacity declared here",
            related=_related(budget),
            notes=liquid_notes + cdu_note,
            help=f"raise liquid cooling to {watts(liquid_load)}"
            + (f", or {moving}" if moving else ""),
        )
    air_load, air_cap = budget.air_load_w, hall.air_capacity_w
    if air_cap is not None and over(air_load, air_cap):
        notes = [
            f"{line.count} x {line.rack.name} at {watts(line.air_w)}"
            for line in budget.lines
            if line.air_w > 0
        ]
        if budget.network_w:
            notes.append(f"network {watts(budget.network_w)}")
        notes.extend(f"storage {s.name} {watts(s.power_w)}" for s in budget.storage if s.power_w)
        moving = _move(budget, air_load - air_cap, "air")
        sink.error(
            codes.E404,
            f'hall "{hall.name}" sends {watts(air_load)} of heat to air, over its '
            f"{watts(air_cap)} of air cooling",
            hall.span_of("cooling"),
            label="cooling capacity declared here",
            related=_related(budget),
            notes=("; ".join(notes),),
            help=f"raise air cooling to {watts(air_load)}" + (f", or {moving}" if moving else ""),
        )


def _check_space(budget: HallBudget, sink: Sink) -> None:
    hall, used = budget.hall, budget.positions_used
    if used > hall.positions:
        parts = [f"{line.count} x {line.rack.name}" for line in budget.lines]
        if budget.network_racks:
            parts.append(plural(budget.network_racks, "network rack"))
        parts.extend(f"storage {s.name} {s.positions}" for s in budget.storage if s.positions)
        extra = used - hall.positions
        moves, left = [], extra
        for line in reversed(budget.lines):
            if left > 0:
                moves.append(f"{plural(min(left, line.count), 'rack')} of {line.rack.name}")
                left -= min(left, line.count)
        moving = f", or move {', '.join(moves)} to another hall" if moves and left <= 0 else ""
        sink.error(
            codes.E407,
            f'hall "{hall.name}" needs {used} positions, over its {hall.positions}',
            hall.span_of("positions"),
            label="positions declared here",
            related=_related(budget),
            notes=(" + ".join(parts) + f" = {used}",),
            help=f"raise positions to {used}{moving}",
        )
    floor = hall.floor_loading_kg_per_m2
    for line in budget.lines:
        rack = line.rack
        if floor is None or not rack.weight_kg or not rack.footprint_m2:
            continue
        loading = rack.weight_kg / rack.footprint_m2
        if loading > floor * (1 + 1e-9):
            shown = units.format_quantity(loading, units.MASS_PER_AREA)
            sink.error(
                codes.E408,
                f'rack `{rack.name}` loads the floor of hall "{hall.name}" at {shown}, over its '
                f"rated {units.format_quantity(floor, units.MASS_PER_AREA)}",
                hall.span_of("floor_loading"),
                label="floor loading declared here",
                related=_related_rack(rack, "weight and footprint declared here"),
                notes=(f"{rack.weight_kg:g} kg over {rack.footprint_m2:g} m^2",),
                help=f"spread the rack over {rack.weight_kg / floor:.3g} m^2 (a load-spreading "
                f"plinth), or rate the floor for {shown}",
            )


# Failures and headroom ------------------------------------------------------
def _failures(budget: HallBudget, pue: float, sink: Sink) -> list[rp.Failure]:
    hall, failures = budget.hall, []
    ups = ups_failure(budget)
    if ups is not None and hall.ups is not None and budget.ups is not None:
        failures.append(ups.failure)
        if budget.ups.redundancy.kind == "N":
            lost = ups.shed
            sheds = (
                f"sheds {lost.describe()} ({plural(lost.gpus, 'GPU')})"
                if lost.racks
                else f"takes {watts(budget.ups.usable_w - ups.after_w)} of its "
                f"{watts(budget.ups.usable_w)} plant"
            )
            sink.warning(
                codes.W401,
                f'hall "{hall.name}" has no UPS redundancy (N): one failed module {sheds}',
                hall.span_of("ups"),
                notes=(ups.failure.note,),
                help=f"use redundancy = N+1 with {hall.ups.count + 1} x {watts(hall.ups.size)}",
            )
    elif hall.ups is None:
        failures.append(no_ups_failure(budget))
        sink.warning(
            codes.W401,
            f'hall "{hall.name}" declares no UPS: a power interruption takes down '
            f"{plural(budget.racks, 'rack')} ({plural(budget.gpus, 'GPU')})",
            hall.span_of("ups"),
            help="declare the UPS plant, e.g. `ups = 4 x 1 MW` with `redundancy = N+1`",
        )
    cdu = cdu_failure(budget)
    if cdu is not None and hall.cdus is not None:
        failures.append(cdu.failure)
        if cdu.shed.racks:
            sink.warning(
                codes.W405,
                f'hall "{hall.name}": one failed CDU leaves {watts(cdu.after_w)} of liquid cooling '
                f"for {watts(budget.liquid_load_w)} of heat; {cdu.shed.describe()} "
                f"({plural(cdu.shed.gpus, 'GPU')}) would shed load",
                hall.span_of("cdus"),
                help=f"add a CDU ({hall.cdus.count + 1} x {watts(hall.cdus.size)} at "
                f"{hall.cdu_redundancy}), or use cdu_redundancy = N+1",
            )
    feed = feed_failure(budget, pue)
    if feed is not None and hall.feeds is not None:
        failures.append(feed.failure)
        if hall.feeds.count == 1 and budget.racks:
            sink.warning(
                codes.W401,
                f'hall "{hall.name}" has a single feed: its failure takes down '
                f"{plural(budget.racks, 'rack')} ({plural(budget.gpus, 'GPU')})",
                hall.span_of("ups"),
                help=f"add a second feed: `feeds = 2 x {watts(hall.feeds.size)}`",
            )
    return failures


def _headroom(budget: HallBudget, utility_it_left_w: float | None, sink: Sink) -> rp.Headroom:
    hall = budget.hall
    room, stranded = headroom(budget, utility_it_left_w)
    if stranded and room.power_w > 0:
        first = stranded[0]
        sink.warning(
            codes.W402,
            f'hall "{hall.name}" strands {watts(first.power_w)} of power: room for '
            f"{first.by_power} more {first.rack} by power, but "
            f"{_RUNS_OUT[first.binding]} after {first.more_racks}",
            hall.span_of(_WRITTEN_IN[first.binding]),
            help=f"add {_WHAT[first.binding]} for "
            f"{plural(first.by_power - first.more_racks, 'more rack')}, or plan lower-density "
            "racks for the power left",
        )
    elif (
        room.fits
        and all(f.more_racks == 0 and f.binding == "power" for f in room.fits)
        and room.positions > hall.positions * STRANDED_POSITIONS_SHARE
    ):
        smallest = min(line.power_w for line in budget.lines)
        left = max(room.power_w, 0.0)
        sink.warning(
            codes.W402,
            f'hall "{hall.name}" strands {room.positions} of its {hall.positions} positions: '
            "no power for one more rack",
            hall.span_of("positions"),
            notes=(f"{watts(left)} of power left; the smallest rack draws {watts(smallest)}",),
            help=f"lower positions to {budget.positions_used}, or raise it_power by "
            f"{watts(smallest - left)} for the next rack",
        )
    return room
