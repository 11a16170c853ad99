"""Check one hall's budget: its UPS and CDU plants, power chain, cooling and space.

Each check reads a `HallBudget` and reports what does not fit, with the
parts that add up and how to fix it with numbers: E210 (a UPS or CDU plant
its redundancy cannot split), E402 (IT load over what the hall or its UPS
carries), E409 (UPS plant below it_power), W404 (UPS plant and it_power
apart), E403 and E404 (liquid and air heat over capacity), E407 (positions),
E408 (floor loading).
"""

from __future__ import annotations

from aiflang import units
from aiflang.analyses.hall_budget import (
    HallBudget,
    modules_needed,
    over,
    percent,
    plural,
    shed,
    watts,
)
from aiflang.diagnostics import Related, Sink, Span, codes
from aiflang.frontend.design import Modules, Rack
from aiflang.models.assumptions import Assumptions
from aiflang.models.power import UpsCapacity, derated_capacity, ups_capacity

# The UPS plant and it_power "match" within this share (W404 beyond it).
UPS_MATCH_TOLERANCE = 0.05


# Plants ---------------------------------------------------------------------
def plan_plants(budget: HallBudget, assumptions: Assumptions, sink: Sink) -> None:
    """The hall's UPS and CDU plants at their redundancy, and the deratings of UPS and feeds."""
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
        rated = hall.feeds.count * hall.feeds.size
        budget.feed_derating = derated_capacity(rated, assumptions, derating=hall.derating).derating


def check_hall(budget: HallBudget, sink: Sink) -> None:
    """The hall's power chain, cooling and space against what it holds."""
    _check_load(budget, sink)
    _check_ups_rating(budget, sink)
    _check_cooling(budget, sink)
    _check_space(budget, sink)


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


# Halls ----------------------------------------------------------------------
def _related(budget: HallBudget) -> tuple[Related, ...]:
    return tuple(
        r
        for line in budget.lines
        for r in related_rack(
            line.rack, f"{line.count} x {line.rack.name} at {watts(line.power_w)}"
        )
    )


def related_rack(rack: Rack, message: str) -> tuple[Related, ...]:
    return (Related(rack.span, message),) if rack.span is not None else ()


def _move(budget: HallBudget, excess_w: float, per_rack: str) -> str | None:
    """'move 3 racks of nvl72 to another hall', or None if racks cannot cover it."""
    attribute = {"power": "power_w", "liquid": "liquid_w", "air": "air_w"}[per_rack]
    moved = shed(budget.lines, excess_w, lambda line: float(getattr(line, attribute)))
    if not moved.racks or moved.uncovered_w > 0:
        return None
    what = ", ".join(f"{plural(n, 'rack')} of {name}" for name, n in moved.racks)
    return f"move {what} to another hall"


def _plant_text(budget: HallBudget) -> str:
    """'4 x 1 MW at N+1', or nothing without a UPS plant."""
    hall = budget.hall
    return f"{hall.ups.count} x {watts(hall.ups.size)} at {hall.redundancy}" if hall.ups else ""


def _chain_note(budget: HallBudget) -> str | None:
    """'UPS 4 x 1 MW at N+1: 3 MW usable x 90% derating = 2.7 MW', or None without a UPS."""
    ups, continuous = budget.ups, budget.ups_continuous_w
    if ups is None or continuous is None:
        return None
    chain = f"UPS {_plant_text(budget)}: {watts(ups.usable_w)} usable"
    if budget.derating < 1:
        chain += f" x {percent(budget.derating)} derating = {watts(continuous)}"
    return chain


def _check_load(budget: HallBudget, sink: Sink) -> None:
    """E402: the IT load over what the hall carries (its it_power, or its UPS plant)."""
    hall, load, limit = budget.hall, budget.it_load_w, budget.power_limit_w
    if not over(load, limit):
        return
    continuous = budget.ups_continuous_w
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
    chain = _chain_note(budget)
    sink.error(
        codes.E402,
        message,
        hall.span_of("it_power"),
        label="capacity declared here",
        related=_related(budget),
        notes=(budget.parts_note(), *([chain] if chain else [])),
        help=help_text,
    )


def _check_ups_rating(budget: HallBudget, sink: Sink) -> None:
    """E409: a UPS plant below it_power; else W404 when the two are far apart."""
    hall, ups, continuous = budget.hall, budget.ups, budget.ups_continuous_w
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
            notes=(f"{_plant_text(budget)}: {ups.derivation.formula} = {watts(ups.usable_w)}",),
            help=f"{add}lower it_power to {watts(ups.usable_w)}",
        )
        return
    _check_ups_match(budget, hall.ups, continuous, sink)


def _check_ups_match(budget: HallBudget, plant: Modules, continuous: float, sink: Sink) -> None:
    """W404: the UPS plant's continuous rating more than 5% away from it_power."""
    hall = budget.hall
    gap = (continuous - hall.it_capacity_w) / hall.it_capacity_w if hall.it_capacity_w else 0.0
    if abs(gap) <= UPS_MATCH_TOLERANCE:
        return
    chain = _chain_note(budget) or ""
    if gap < 0:
        needed = modules_needed(plant, hall.redundancy, hall.it_capacity_w, budget.derating)
        add = f"install {needed} x {watts(plant.size)}, " if needed is not None else ""
        sink.warning(
            codes.W404,
            f'hall "{hall.name}": its UPS plant carries {watts(continuous)} continuous, '
            f"{percent(-gap)} below its {watts(hall.it_capacity_w)} of IT capacity",
            hall.span_of("it_power"),
            notes=(chain,),
            help=f"{add}lower it_power to {watts(continuous)}"
            + (", or relax the hall's derating" if budget.derating < 1 else ""),
        )
    else:
        sink.warning(
            codes.W404,
            f'hall "{hall.name}": its UPS plant carries {watts(continuous)} continuous, '
            f"{percent(gap)} more than its {watts(hall.it_capacity_w)} of IT capacity",
            hall.span_of("it_power"),
            notes=(chain,),
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
                related=related_rack(rack, "weight and footprint declared here"),
                notes=(f"{rack.weight_kg:g} kg over {rack.footprint_m2:g} m^2",),
                help=f"spread the rack over {rack.weight_kg / floor:.3g} m^2 (a load-spreading "
                f"plinth), or rate the floor for {shown}",
            )
