"""Headroom of a hall: how many more racks of each type fit, and what runs out first.

`hall_headroom(budget, utility_it_left_w, sink)` returns the report's
`headroom` and warns (W402) about stranded capacity: power left for more
racks than positions or cooling let in, or positions no power can fill.
"""

from __future__ import annotations

import math

from aiflang import report as rp
from aiflang.analyses.hall_budget import HallBudget, fits, plural, watts
from aiflang.diagnostics import Sink, codes
from aiflang.records import record

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


@record
class Stranded:
    """Power left for more racks of a type than another constraint lets in."""

    rack: str
    power_w: float
    by_power: int
    more_racks: int
    binding: str


def headroom(
    budget: HallBudget, utility_it_left_w: float | None
) -> tuple[rp.Headroom, list[Stranded]]:
    """What is left in the hall, how many more racks of each type fit, and stranded power."""
    hall, limit = budget.hall, budget.power_limit_w
    power_w = limit - budget.it_load_w
    liquid_cap = budget.liquid_capacity_w
    liquid_w = None if liquid_cap is None else liquid_cap - budget.liquid_load_w
    air_w = None if hall.air_capacity_w is None else hall.air_capacity_w - budget.air_load_w
    positions = hall.positions - budget.positions_used
    fit_list: list[rp.HeadroomFit] = []
    stranded: list[Stranded] = []
    for line in {line.rack.name: line for line in budget.lines}.values():
        by_power = fits(power_w, line.power_w)
        limits: list[tuple[str, float]] = [("power", by_power)]
        if line.liquid_w > 0:
            limits.append(("liquid", fits(liquid_w or 0.0, line.liquid_w)))
        if air_w is not None and line.air_w > 0:
            limits.append(("air", fits(air_w, line.air_w)))
        limits.append(("positions", max(0, positions)))
        if utility_it_left_w is not None:
            limits.append(("utility", fits(utility_it_left_w, line.power_w)))
        binding, more = min(limits, key=lambda item: item[1])
        more_racks = 0 if math.isinf(more) else int(more)
        fit_list.append(rp.HeadroomFit(rack=line.rack.name, more_racks=more_racks, binding=binding))
        # Power is stranded by a constraint that is merely full, not already over (an error).
        left = {"positions": positions, "liquid": liquid_w or 0.0, "air": air_w or 0.0}
        # A zero-watt rack (declared `power = 0 kW`) fits without end and strands nothing.
        if (
            binding in left
            and left[binding] >= 0
            and not math.isinf(by_power)
            and by_power >= more_racks + 1
        ):
            left_w = power_w - more_racks * line.power_w
            stranded.append(Stranded(line.rack.name, left_w, int(by_power), more_racks, binding))
    result = rp.Headroom(
        power_w=power_w,
        power=power_w / limit if limit > 0 else 0.0,
        liquid_w=liquid_w,
        air_w=air_w,
        positions=positions,
        fits=fit_list,
    )
    return result, stranded


def hall_headroom(budget: HallBudget, utility_it_left_w: float | None, sink: Sink) -> rp.Headroom:
    """The hall's headroom, with W402 for power or positions that cannot be used."""
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
