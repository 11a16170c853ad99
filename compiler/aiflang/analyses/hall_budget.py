"""The power, cooling and space budget of one hall: what it holds and what it carries.

A `HallBudget` adds up what a hall holds (racks by type and count, the
network racks and switch power the fabric pass placed there, storage) and
what it can carry (IT capacity, the UPS plant at its redundancy and
continuous-load derating, feeds, liquid and air cooling, CDUs, positions).
Everything is arithmetic on rack types and counts, never on individual
racks. The checks (`hall_checks`), the N-1 analysis (`failures`) and the
headroom (`headroom`) read budgets; the power check (`power`) builds them.
Also here: how the budgets' figures read in messages (`watts`, `percent`,
`plural`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

from aiflang import units
from aiflang.frontend.design import Design, Hall, Modules, Rack
from aiflang.models.power import UpsCapacity, derated_capacity, ups_capacity
from aiflang.records import field, record

# Tolerance on comparisons of watts: load exactly at capacity is not over it.
WATTS_TOLERANCE = 1e-9


@record
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


@record
class StorageLine:
    name: str
    power_w: float
    positions: int


@record
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


@record(frozen=False)
class HallBudget:
    """One hall's budget. `lines` and `storage` are fixed once built: the load
    figures that add them up are summed once, here, not on every read."""

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
    rack_w: float = field(init=False)
    storage_w: float = field(init=False)
    liquid_load_w: float = field(init=False)
    racks: int = field(init=False)
    gpus: int = field(init=False)

    def __post_init__(self) -> None:
        self.rack_w = sum(line.total_w for line in self.lines)
        self.storage_w = sum(s.power_w for s in self.storage)
        self.liquid_load_w = sum(line.liquid_w * line.count for line in self.lines)
        self.racks = sum(line.count for line in self.lines)
        self.gpus = sum(line.gpus_per_rack * line.count for line in self.lines)

    @property
    def it_load_w(self) -> float:
        return self.rack_w + self.network_w + self.storage_w

    @property
    def air_load_w(self) -> float:
        return self.it_load_w - self.liquid_load_w

    @property
    def positions_used(self) -> int:
        return self.racks + self.network_racks + sum(s.positions for s in self.storage)

    # Capacity -------------------------------------------------------------
    @property
    def ups_continuous_w(self) -> float | None:
        """UPS usable at its redundancy, derated for continuous load."""
        if self.ups is None:
            return None
        return derated_capacity(self.ups.usable_w, derating=self.derating).continuous_w

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
    # Racks and storage are grouped by hall in one pass each: a design of thousands
    # of halls must not scan every placed rack once per hall.
    lines_of: dict[int, list[RackLine]] = {}
    for p in design.placed_racks():
        lines_of.setdefault(id(p.hall), []).append(
            RackLine(p.rack, p.racks, design.rack_gpus(p.rack))
        )
    first_hall = design.halls[0].name if design.halls else None
    storage_of: dict[str | None, list[StorageLine]] = {}
    for s in design.storage:
        storage_of.setdefault(s.hall or first_hall, []).append(
            StorageLine(s.name, s.power_w, s.positions)
        )
    budgets: list[HallBudget] = []
    for hall in design.halls:
        budgets.append(
            HallBudget(
                hall=hall,
                lines=lines_of.get(id(hall), []),
                storage=storage_of.get(hall.name, []),
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
        if remaining <= WATTS_TOLERANCE:
            break
        each = per_rack(line)
        if each <= 0:
            continue
        count = min(line.count, math.ceil(remaining / each - WATTS_TOLERANCE))
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
        if usable * factor >= target_w * (1 - WATTS_TOLERANCE):
            return count
    return None


def after_one_failure(plant: UpsCapacity, module_w: float) -> float:
    """Usable capacity once one module has failed: what is left, up to the usable figure."""
    return min(plant.usable_w, plant.installed_w - module_w)


def fits(available_w: float, per_rack_w: float) -> float:
    """How many racks of `per_rack_w` fit in `available_w` (infinite for a zero-watt rack)."""
    if per_rack_w <= 0:
        return math.inf
    return max(0, math.floor(available_w / per_rack_w + WATTS_TOLERANCE))


def over(load_w: float, limit_w: float) -> bool:
    return load_w > limit_w * (1 + WATTS_TOLERANCE) + WATTS_TOLERANCE


@functools.lru_cache(maxsize=4096)
def watts(value_w: float) -> str:
    """`value_w` in the designer's power units; halls alike repeat the same figures."""
    return units.format_quantity(value_w, units.POWER)


def percent(share: float) -> str:
    return f"{share * 100:.3g}%"


plural = units.plural  # the one plural helper, for the power modules' messages
