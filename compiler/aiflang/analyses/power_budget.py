"""The power, cooling and space budget of one hall, for the power check.

A `HallBudget` adds up what a hall holds (racks by type and count, the
network racks and switch power the fabric pass placed there, storage) and
what it can carry (IT capacity, the UPS plant at its redundancy and
continuous-load derating, liquid and air cooling, CDUs, positions). The
check in `aiflang.analyses.power` turns the budget into diagnostics and
report sections. Everything is arithmetic on rack types and counts, never
on individual racks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from aiflang import report as rp
from aiflang import units
from aiflang.analyses.facts import Facts
from aiflang.frontend.design import Design, Hall, Modules, Rack
from aiflang.models.explain import Explanation
from aiflang.models.power import UpsCapacity, ups_capacity

# Tolerance on comparisons of watts: load exactly at capacity is not over it.
_EPSILON = 1e-9


@dataclass(frozen=True, slots=True)
class RackLine:
    """One rack type placed in a hall: `count x rack`."""

    rack: Rack
    count: int
    gpus_per_rack: int

    @property
    def power_w(self) -> float:
        return self.rack.power.used_w

    @property
    def liquid_w(self) -> float:
        return self.power_w * self.rack.liquid_fraction

    @property
    def air_w(self) -> float:
        return self.power_w - self.liquid_w

    @property
    def total_w(self) -> float:
        return self.power_w * self.count


@dataclass(frozen=True, slots=True)
class StorageLine:
    name: str
    power_w: float
    positions: int


@dataclass(frozen=True, slots=True)
class Shed:
    """Racks (by type) that must shed load to bring a load under a limit."""

    racks: tuple[tuple[str, int], ...]
    gpus: int
    uncovered_w: float  # excess left after every rack was shed (network, storage)

    @property
    def rack_count(self) -> int:
        return sum(n for _, n in self.racks)

    def describe(self) -> str:
        return ", ".join(f"{n} x {name}" for name, n in self.racks) or "no racks"


@dataclass(slots=True)
class HallBudget:
    hall: Hall
    lines: list[RackLine]
    storage: list[StorageLine]
    network_w: float
    network_racks: int
    derating: float  # continuous-load share of the UPS plant (1 unless the hall says)
    feed_derating: float = 1.0  # continuous-load share of the feeds (breaker_derating)
    ups: UpsCapacity | None = None
    cdus: UpsCapacity | None = None

    # Load -----------------------------------------------------------------
    @property
    def rack_w(self) -> float:
        return sum(line.total_w for line in self.lines)

    @property
    def storage_w(self) -> float:
        return sum(s.power_w for s in self.storage)

    @property
    def it_load_w(self) -> float:
        return self.rack_w + self.network_w + self.storage_w

    @property
    def liquid_load_w(self) -> float:
        return sum(line.liquid_w * line.count for line in self.lines)

    @property
    def air_load_w(self) -> float:
        return self.it_load_w - self.liquid_load_w

    @property
    def racks(self) -> int:
        return sum(line.count for line in self.lines)

    @property
    def gpus(self) -> int:
        return sum(line.gpus_per_rack * line.count for line in self.lines)

    @property
    def positions_used(self) -> int:
        return self.racks + self.network_racks + sum(s.positions for s in self.storage)

    # Capacity -------------------------------------------------------------
    @property
    def ups_continuous_w(self) -> float | None:
        """UPS usable at its redundancy, derated for continuous load."""
        return None if self.ups is None else self.ups.usable_w * self.derating

    @property
    def power_limit_w(self) -> float:
        """The IT load the hall can carry: IT capacity, or less if the UPS binds."""
        continuous = self.ups_continuous_w
        capacity = self.hall.it_capacity_w
        return capacity if continuous is None else min(capacity, continuous)

    @property
    def liquid_capacity_w(self) -> float | None:
        """Declared liquid capacity, limited by the CDUs' usable capacity when declared."""
        limits = [self.hall.liquid_capacity_w, self.cdus.usable_w if self.cdus else None]
        known = [v for v in limits if v is not None]
        return min(known) if known else None

    def parts_note(self) -> str:
        """What adds up to the IT load, in the designer's units."""
        parts = [
            f"{line.count} x {line.rack.name} at {watts(line.power_w)} = {watts(line.total_w)}"
            for line in self.lines
        ]
        if self.network_w:
            parts.append(f"network {watts(self.network_w)}")
        parts.extend(f"storage {s.name} {watts(s.power_w)}" for s in self.storage if s.power_w)
        return "; ".join(parts) or "nothing placed"


def build_budgets(
    design: Design, network_w: dict[str, float], network_racks: dict[str, int]
) -> list[HallBudget]:
    """A budget per hall, in design order, UPS and CDU plants left to the caller."""
    racks = design.components.racks
    budgets: list[HallBudget] = []
    first_hall = design.halls[0].name if design.halls else None
    for hall in design.halls:
        lines = [
            RackLine(racks[p.name], p.count, design.rack_gpus(racks[p.name]))
            for p in hall.racks
            if p.name in racks
        ]
        storage = [
            StorageLine(s.name, s.power_w, s.positions)
            for s in design.storage
            if (s.hall or first_hall) == hall.name
        ]
        budgets.append(
            HallBudget(
                hall=hall,
                lines=lines,
                storage=storage,
                network_w=network_w.get(hall.name, 0.0),
                network_racks=network_racks.get(hall.name, 0),
                derating=1.0,
            )
        )
    return budgets


def shed(lines: list[RackLine], excess_w: float, per_rack: Callable[[RackLine], float]) -> Shed:
    """The fewest racks whose `per_rack` watts cover `excess_w`, largest racks first."""
    remaining = excess_w
    taken: list[tuple[str, int]] = []
    gpus = 0
    for line in sorted(lines, key=per_rack, reverse=True):
        if remaining <= _EPSILON:
            break
        each = per_rack(line)
        if each <= 0:
            continue
        count = min(line.count, math.ceil(remaining / each - _EPSILON))
        taken.append((line.rack.name, count))
        gpus += count * line.gpus_per_rack
        remaining -= count * each
    return Shed(tuple(taken), gpus, max(0.0, remaining))


def modules_needed(plant: Modules, redundancy: str, target_w: float, factor: float) -> int | None:
    """Fewest modules of the plant's size whose usable x `factor` reaches `target_w`."""
    for count in range(plant.count, plant.count + 10_000):
        try:
            usable = ups_capacity(count, plant.size, redundancy).usable_w
        except ValueError:
            continue
        if usable * factor >= target_w * (1 - _EPSILON):
            return count
    return None


def after_one_failure(plant: UpsCapacity, module_w: float) -> float:
    """Usable capacity once one module has failed: what is left, up to the usable figure."""
    return min(plant.usable_w, plant.installed_w - module_w)


def fits(available_w: float, per_rack_w: float) -> float:
    """How many racks of `per_rack_w` fit in `available_w` (infinite for a zero-watt rack)."""
    if per_rack_w <= 0:
        return math.inf
    return max(0, math.floor(available_w / per_rack_w + _EPSILON))


def over(load_w: float, limit_w: float) -> bool:
    return load_w > limit_w * (1 + _EPSILON) + _EPSILON


def watts(value_w: float) -> str:
    return units.format_quantity(value_w, units.POWER)


def percent(share: float) -> str:
    return f"{share * 100:.3g}%"


plural = units.plural  # the one plural helper, for the power modules' messages


# N-1 failures ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
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
    limit_after = min(hall.it_capacity_w, after * budget.derating)
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


def feed_failure(budget: HallBudget, pue: float) -> FailureCase | None:
    """One utility feed fails: the hall's draw (IT x PUE) against the feeds left, derated."""
    feeds = budget.hall.feeds
    if feeds is None:
        return None
    draw = budget.it_load_w * pue
    before = feeds.count * feeds.size * budget.feed_derating
    after = (feeds.count - 1) * feeds.size * budget.feed_derating
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


# Headroom -------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
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


def explain_hall(budget: HallBudget, facts: Facts) -> None:
    """Record the work behind the hall's IT load and UPS figures."""
    name = budget.hall.name
    inputs: dict[str, float | str] = {}
    for line in budget.lines:
        inputs[f"{line.rack.name}_count"] = line.count
        inputs[f"{line.rack.name}_w"] = line.power_w
    inputs |= {"network_w": budget.network_w, "storage_w": budget.storage_w}
    facts.explain(
        f"halls.{name}.it_load_w",
        Explanation("it_load = sum(racks x rack power) + network + storage", inputs),
    )
    if budget.ups is not None:
        facts.explain(f"halls.{name}.ups_usable_w", budget.ups.explanation)
        ups_inputs = dict(budget.ups.explanation.inputs)
        ups_inputs |= {"usable_w": budget.ups.usable_w, "derating": budget.derating}
        facts.explain(
            f"halls.{name}.ups_continuous_w",
            Explanation(
                "continuous = usable x derating (the hall's derating, else 1)",
                ups_inputs,
            ),
        )


def capacity(design: Design, budgets: list[HallBudget], facility_w: float) -> rp.Capacity:
    """Facility totals: GPUs by model and generation, dense peak FLOP/s, HBM, power, racks."""
    components = design.components
    by_model: dict[str, int] = {}
    for budget in budgets:
        for line in budget.lines:
            for node_part in line.rack.nodes:
                node = components.nodes.get(node_part.name)
                for gpu_part in node.gpus if node else []:
                    count = gpu_part.count * node_part.count * line.count
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
