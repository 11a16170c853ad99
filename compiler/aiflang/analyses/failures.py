"""N-1 of a hall's power and cooling: what one failed UPS module, feed or CDU sheds.

`hall_failures(budget, pue, sink)` returns the hall's failure list (the
report's `failures`) and warns for every failure in it that sheds racks,
naming the racks and GPUs it sheds: W401 for power (a UPS module at any
redundancy, a feed, a single feed, no UPS), W405 for cooling (a CDU). Only
the load a failure newly strands counts, not an overload already there (an
error of the power check).
"""

from __future__ import annotations

import math

from aiflang import report as rp
from aiflang.analyses.hall_budget import (
    WATTS_TOLERANCE,
    HallBudget,
    Shed,
    after_one_failure,
    plural,
    shed,
    watts,
)
from aiflang.diagnostics import Sink, codes
from aiflang.models.power import derated_capacity
from aiflang.records import record


@record
class FailureCase:
    """One failed part: the report item, the racks that shed load, the capacity left."""

    failure: rp.Failure
    shed: Shed
    after_w: float


def ups_failure(budget: HallBudget) -> FailureCase | None:
    """One UPS module fails: usable falls to what the other modules carry."""
    hall, ups = budget.hall, budget.ups
    if hall.ups is None or ups is None:
        return None
    load = budget.it_load_w
    after = after_one_failure(ups, hall.ups.size)
    limit_after = min(
        hall.it_capacity_w, derated_capacity(after, derating=budget.derating).continuous_w
    )
    # Only the load the failure newly strands counts, not an overload already there.
    excess = max(0.0, load - limit_after) - max(0.0, load - budget.power_limit_w)
    lost = shed(budget.lines, excess, lambda line: line.power_w)
    note = (
        f"{watts(after)} usable after one {watts(hall.ups.size)} module fails "
        f"({watts(limit_after)} continuous) for {watts(load)} of load"
    )
    failure = rp.Failure(
        part="ups module",
        capacity_lost_w=ups.usable_w - after,
        gpus_affected=lost.gpus,
        racks_affected=lost.rack_count,
        note=note,
    )
    return FailureCase(failure, lost, after)


def no_ups_failure(budget: HallBudget) -> rp.Failure:
    """A hall without a UPS: an interruption of its supply takes everything down."""
    return rp.Failure(
        part="ups",
        capacity_lost_w=budget.it_load_w,
        gpus_affected=budget.gpus,
        racks_affected=budget.racks,
        note="no UPS declared: a utility interruption takes the hall down",
    )


def cdu_failure(budget: HallBudget) -> FailureCase | None:
    """One CDU fails: liquid capacity falls to what the other CDUs carry."""
    hall, cdus = budget.hall, budget.cdus
    if hall.cdus is None or cdus is None:
        return None
    after = after_one_failure(cdus, hall.cdus.size)
    declared = hall.liquid_capacity_w
    before_w = budget.liquid_capacity_w or 0.0
    after_w = after if declared is None else min(declared, after)
    liquid = budget.liquid_load_w
    excess = max(0.0, liquid - after_w) - max(0.0, liquid - before_w)
    lost = shed(budget.lines, excess, lambda line: line.liquid_w)
    failure = rp.Failure(
        part="cdu",
        capacity_lost_w=before_w - after_w,
        gpus_affected=lost.gpus,
        racks_affected=lost.rack_count,
        note=f"{watts(after_w)} of liquid cooling after one CDU fails for {watts(liquid)} of heat",
    )
    return FailureCase(failure, lost, after_w)


def feeds_needed(feed_w: float, derating: float, draw_w: float) -> int:
    """Feeds of `feed_w` such that all but one carry `draw_w` at `derating`."""
    return math.ceil(draw_w / (feed_w * derating) - WATTS_TOLERANCE) + 1


def feed_failure(budget: HallBudget, pue: float) -> FailureCase | None:
    """One utility feed fails: the hall's draw (IT x PUE) against the feeds left, derated."""
    feeds = budget.hall.feeds
    if feeds is None:
        return None
    draw = budget.it_load_w * pue
    derating = budget.feed_derating
    before = derated_capacity(feeds.count * feeds.size, derating=derating).continuous_w
    after = derated_capacity((feeds.count - 1) * feeds.size, derating=derating).continuous_w
    excess_it = (max(0.0, draw - after) - max(0.0, draw - before)) / pue
    lost = shed(budget.lines, excess_it, lambda line: line.power_w)
    failure = rp.Failure(
        part="feed",
        capacity_lost_w=feeds.size,
        gpus_affected=lost.gpus,
        racks_affected=lost.rack_count,
        note=f"{watts(after)} of feed capacity after one feed fails for {watts(draw)} of hall "
        "draw (IT x PUE)",
    )
    return FailureCase(failure, lost, after)


def hall_failures(budget: HallBudget, pue: float, sink: Sink) -> list[rp.Failure]:
    """The N-1 list of the hall, with a warning for every failure that sheds racks."""
    found = [_ups_failures(budget, sink), _cdu_failures(budget, sink)]
    found.append(_feed_failures(budget, pue, sink))
    return [failure for failure in found if failure is not None]


def _ups_failures(budget: HallBudget, sink: Sink) -> rp.Failure | None:
    """One UPS module lost (W401 at N, or when it sheds racks), or no UPS at all (W401)."""
    hall = budget.hall
    if hall.ups is None:
        sink.warning(
            codes.W401,
            f'hall "{hall.name}" declares no UPS: a power interruption takes down '
            f"{plural(budget.racks, 'rack')} ({plural(budget.gpus, 'GPU')})",
            hall.span_of("ups"),
            help="declare the UPS plant, e.g. `ups = 4 x 1 MW` with `redundancy = N+1`",
        )
        return no_ups_failure(budget)
    ups = ups_failure(budget)
    if ups is None or budget.ups is None:
        return None
    lost = ups.shed
    if budget.ups.redundancy.kind == "N":
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
    elif lost.racks:
        sink.warning(
            codes.W401,
            f'hall "{hall.name}": one failed UPS module sheds {lost.describe()} '
            f"({plural(lost.gpus, 'GPU')})",
            hall.span_of("ups"),
            notes=(ups.failure.note,),
            help=f"add a module ({hall.ups.count + 1} x {watts(hall.ups.size)} at "
            f"{hall.redundancy}), or move {lost.describe()} to another hall",
        )
    return ups.failure


def _cdu_failures(budget: HallBudget, sink: Sink) -> rp.Failure | None:
    """One CDU lost; W405 when racks shed load for want of liquid cooling."""
    hall, cdu = budget.hall, cdu_failure(budget)
    if cdu is None or hall.cdus is None:
        return None
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
    return cdu.failure


def _feed_failures(budget: HallBudget, pue: float, sink: Sink) -> rp.Failure | None:
    """One utility feed lost; W401 for a single feed, or when the others shed racks."""
    hall, feed = budget.hall, feed_failure(budget, pue)
    if feed is None or hall.feeds is None:
        return None
    lost = feed.shed
    if hall.feeds.count == 1 and budget.racks:
        sink.warning(
            codes.W401,
            f'hall "{hall.name}" has a single feed: its failure takes down '
            f"{plural(budget.racks, 'rack')} ({plural(budget.gpus, 'GPU')})",
            hall.span_of("feeds"),
            help=f"add a second feed: `feeds = 2 x {watts(hall.feeds.size)}`",
        )
    elif lost.racks:
        draw = budget.it_load_w * pue
        needed = feeds_needed(hall.feeds.size, budget.feed_derating, draw)
        sink.warning(
            codes.W401,
            f'hall "{hall.name}": one failed feed sheds {lost.describe()} '
            f"({plural(lost.gpus, 'GPU')})",
            hall.span_of("feeds"),
            notes=(feed.failure.note,),
            help=f"use {needed} x {watts(hall.feeds.size)} feeds, so the others carry the "
            f"{watts(draw)} draw when one fails, or larger feeds",
        )
    return feed.failure
