"""Check the plant a hall names against its load: losses, heat, generators, floor.

Runs after the power check and reads its hall results (IT load, liquid load,
positions left). For each hall with plant:

- UPS losses: IT load x (1 / efficiency - 1) of a UPS model that publishes
  its double-conversion efficiency; cooling plant input: heat on chillers /
  COP, plus dry-cooler fans and CDU pumps in proportion to their load.
  Their sum over the IT load is the PUE the named plant implies
  (`plant_pue`); a site PUE below the facility's figure is W406.
- Heat rejection: chillers and dry coolers at their redundancy must carry
  the hall's IT load (E412).
- Generators at their redundancy must carry the hall's draw, IT load x PUE
  (E413); busway, derated for continuous load, its IT load (E414).
- Batteries: runtime at the IT load below `battery_runtime_min_s` is W407.
- Floor: in-row CDUs take rack positions (E407 beyond those left); the
  footprints of UPS, batteries and facility CDUs must fit `plant_area`
  (E415).

Formulas and sources: docs/models.md. Emits: E210 (a plant its redundancy
cannot split), E407, E412, E413, E414, E415; W406, W407.
"""

from __future__ import annotations

from aiflang import report as rp
from aiflang import units
from aiflang.analyses.facts import Facts
from aiflang.diagnostics import Sink, codes
from aiflang.frontend.design import Design, Hall, Modules
from aiflang.models import plant as plant_model
from aiflang.models.power import derated_capacity, ups_capacity
from aiflang.records import record


def _w(value: float) -> str:
    return units.format_quantity(value, units.POWER)


def _usable(
    modules: Modules | None, redundancy: str, what: str, hall: Hall, sink: Sink
) -> float | None:
    """What `n x size` delivers at `redundancy` (UPS-plant arithmetic), or None."""
    if modules is None:
        return None
    try:
        return ups_capacity(modules.count, modules.size, redundancy).usable_w
    except ValueError as problem:
        sink.error(
            codes.E210,
            f'hall "{hall.name}" {what}: {modules.count} units cannot run at {redundancy}',
            modules.span or hall.span,
            notes=(str(problem),),
            help="N+k needs more than k units, 2N an even count, 3/2 a multiple of 3",
        )
        return None


@record(frozen=False)
class _Overhead:
    ups_w: float | None = None
    cooling_w: float | None = None

    def add_cooling(self, watts: float) -> None:
        self.cooling_w = (self.cooling_w or 0.0) + watts


def check_plant(design: Design, facts: Facts, sink: Sink) -> None:
    """Check every hall's plant; fill `facts.plant` and report what does not fit."""
    loads = {h.name: h for h in facts.halls}
    it_total = losses_total = cooling_total = 0.0
    known = False
    for hall in design.halls:
        load = loads.get(hall.name)
        if load is None or not _has_plant(hall):
            continue
        report, overhead = _hall(design, hall, load, facts, sink)
        facts.plant.append(report)
        if overhead.ups_w is not None or overhead.cooling_w is not None:
            known = True
        it_total += load.it_load_w
        losses_total += overhead.ups_w or 0.0
        cooling_total += overhead.cooling_w or 0.0
    if known and it_total > 0:
        _check_site_pue(design, it_total, losses_total, cooling_total, facts, sink)


def _has_plant(hall: Hall) -> bool:
    """Plant this check has something to say about: anonymous UPS and CDU modules are the
    power check's alone."""
    named = any(m is not None and m.part for m in (hall.ups, hall.cdus))
    return (
        named
        or hall.plant_area_m2 is not None
        or any(
            getattr(hall, name) is not None
            for name in ("chillers", "dry_coolers", "generators", "batteries", "busways")
        )
    )


def _hall(
    design: Design, hall: Hall, load: rp.HallReport, facts: Facts, sink: Sink
) -> tuple[rp.PlantReport, _Overhead]:
    parts = design.components
    it_w = load.it_load_w
    overhead = _Overhead()
    # UPS conversion losses, where the model publishes its efficiency.
    ups = parts.ups.get(hall.ups.part) if hall.ups and hall.ups.part else None
    if ups is not None and ups.efficiency is not None:
        overhead.ups_w = plant_model.ups_losses_w(it_w, ups.efficiency)
    heat_w = it_w
    rejection = _heat_rejection(design, hall, heat_w, overhead, sink)
    _cdu_pumps(design, hall, load.liquid_load_w, overhead)
    pue = plant_model.plant_pue(it_w, overhead.ups_w or 0.0, overhead.cooling_w or 0.0)
    overhead_known = overhead.ups_w is not None or overhead.cooling_w is not None
    if overhead_known:
        facts.record_derivation(f"plant.{hall.name}.plant_pue", pue.derivation)
    generators_w = _generators(hall, it_w * max(design.site.pue, 1.0), sink)
    busway_w = _busway(hall, it_w, facts, sink)
    runtime = _batteries(hall, it_w, facts, sink)
    positions = _cdu_positions(design, hall, load, sink)
    footprint = _footprint(design, hall, sink)
    report = rp.PlantReport(
        hall=hall.name,
        parts={
            name: modules.part
            for name in ("ups", "cdus", "chillers", "dry_coolers", "generators", "batteries")
            if (modules := getattr(hall, name)) is not None and modules.part
        },
        ups_losses_w=overhead.ups_w,
        cooling_plant_w=overhead.cooling_w,
        plant_pue=pue.pue
        if (overhead.ups_w is not None or overhead.cooling_w is not None)
        else None,
        heat_rejection_w=rejection,
        generators_w=generators_w,
        busway_w=busway_w,
        battery_runtime_s=runtime,
        cdu_positions=positions,
        plant_footprint_m2=footprint,
        plant_area_m2=hall.plant_area_m2,
    )
    return report, overhead


def _heat_rejection(
    design: Design, hall: Hall, heat_w: float, overhead: _Overhead, sink: Sink
) -> float | None:
    """Chillers and dry coolers: capacity at redundancy against the heat, and their input."""
    dry = _usable(hall.dry_coolers, hall.dry_cooler_redundancy, "dry coolers", hall, sink)
    chill = _usable(hall.chillers, hall.chiller_redundancy, "chillers", hall, sink)
    if dry is None and chill is None:
        return None
    # Dry coolers take what they can (no compressors); chillers the rest.
    on_dry = min(heat_w, dry or 0.0)
    on_chillers = heat_w - on_dry
    parts = design.components
    if hall.dry_coolers is not None and hall.dry_coolers.part and dry:
        cooler = parts.dry_coolers.get(hall.dry_coolers.part)
        if cooler is not None and cooler.fan_power_w is not None and cooler.capacity_w > 0:
            overhead.add_cooling(cooler.fan_power_w * on_dry / cooler.capacity_w)
    if hall.chillers is not None and hall.chillers.part and on_chillers > 0:
        chiller = parts.chillers.get(hall.chillers.part)
        if chiller is not None and chiller.cop is not None:
            overhead.add_cooling(plant_model.chiller_power_w(on_chillers, chiller.cop))
    capacity = (dry or 0.0) + (chill or 0.0)
    if heat_w > capacity * (1 + 1e-9):
        sink.error(
            codes.E412,
            f'hall "{hall.name}" rejects {_w(heat_w)} of heat, over the {_w(capacity)} its '
            "chillers and dry coolers carry",
            (hall.chillers or hall.dry_coolers or hall).span,
            notes=(
                f"chillers {_w(chill or 0.0)} at {hall.chiller_redundancy}; dry coolers "
                f"{_w(dry or 0.0)} at {hall.dry_cooler_redundancy}",
            ),
            help="add chillers or dry coolers, or relax their redundancy",
        )
    return capacity


def _cdu_pumps(design: Design, hall: Hall, liquid_w: float, overhead: _Overhead) -> None:
    """CDU pump input in proportion to the liquid load on the CDUs, where published."""
    cdus = hall.cdus
    if cdus is None or not cdus.part or liquid_w <= 0:
        return
    cdu = design.components.cdus.get(cdus.part)
    if cdu is None or cdu.pump_power_w is None or cdu.capacity_w <= 0:
        return
    overhead.add_cooling(cdu.pump_power_w * liquid_w / cdu.capacity_w)


def _generators(hall: Hall, draw_w: float, sink: Sink) -> float | None:
    usable = _usable(hall.generators, hall.generator_redundancy, "generators", hall, sink)
    if usable is not None and draw_w > usable * (1 + 1e-9) and hall.generators is not None:
        sink.error(
            codes.E413,
            f'hall "{hall.name}" draws {_w(draw_w)} (IT load x PUE), over the {_w(usable)} '
            f"its generators carry at {hall.generator_redundancy}",
            hall.generators.span or hall.span,
            help=f"add generators of {_w(hall.generators.size)}, or relax their redundancy",
        )
    return usable


def _busway(hall: Hall, it_w: float, facts: Facts, sink: Sink) -> float | None:
    if hall.busways is None:
        return None
    rated = derated_capacity(hall.busways.count * hall.busways.size, facts.assumptions)
    derating, continuous = rated.derating, rated.continuous_w
    if it_w > continuous * (1 + 1e-9):
        sink.error(
            codes.E414,
            f'hall "{hall.name}" draws {_w(it_w)} of IT load, over the {_w(continuous)} its '
            f"busway carries continuously ({hall.busways.count} x {_w(hall.busways.size)} x "
            f"{derating:.0%})",
            hall.busways.span or hall.span,
            help="add busway runs, or use a higher-rated busway",
        )
    return continuous


def _batteries(hall: Hall, it_w: float, facts: Facts, sink: Sink) -> float | None:
    if hall.batteries is None or it_w <= 0:
        return None
    energy = hall.batteries.count * hall.batteries.size
    runtime = plant_model.runtime_s(energy, it_w)
    minimum = facts.assumptions.value("battery_runtime_min_s")
    if runtime < minimum * (1 - 1e-9):
        sink.warning(
            codes.W407,
            f'hall "{hall.name}": its batteries carry the {_w(it_w)} IT load for '
            f"{runtime / 60:.3g} min, short of {minimum / 60:.3g} min",
            hall.batteries.span or hall.span,
            help=f"add batteries for {units.format_quantity(it_w * minimum - energy, units.ENERGY)}"
            ", or override battery_runtime_min_s with the site's design point",
        )
    return runtime


def _cdu_positions(design: Design, hall: Hall, load: rp.HallReport, sink: Sink) -> int:
    cdus = hall.cdus
    cdu = design.components.cdus.get(cdus.part) if cdus and cdus.part else None
    if cdus is None or cdu is None or cdu.placement != "in_row" or not cdu.positions:
        return 0
    needed = cdus.count * cdu.positions
    left = load.headroom.positions
    if left >= 0 and needed > left:
        sink.error(
            codes.E407,
            f'hall "{hall.name}" needs {needed} positions for its in-row CDUs; '
            f"{left} are left after racks, network and storage",
            cdus.span or hall.span,
            help=f"raise positions by {needed - left}, or use CDUs outside the white space",
        )
    return needed


def _footprint(design: Design, hall: Hall, sink: Sink) -> float | None:
    """Floor of the UPS, batteries and facility CDUs, where their footprints are published."""
    parts = design.components
    total, known = 0.0, False
    for modules, table in ((hall.ups, parts.ups), (hall.batteries, parts.batteries)):
        item = table.get(modules.part) if modules and modules.part else None
        if modules is not None and item is not None and item.footprint_m2 is not None:
            total += modules.count * item.footprint_m2
            known = True
    cdu = parts.cdus.get(hall.cdus.part) if hall.cdus and hall.cdus.part else None
    if hall.cdus and cdu and cdu.placement != "in_row" and cdu.footprint_m2 is not None:
        total += hall.cdus.count * cdu.footprint_m2
        known = True
    if not known:
        return None
    area = hall.plant_area_m2
    if area is not None and total > area * (1 + 1e-9):
        shown = units.format_quantity(total, units.AREA)
        sink.error(
            codes.E415,
            f'hall "{hall.name}": its UPS, batteries and CDUs need {shown} of floor, over the '
            f"{units.format_quantity(area, units.AREA)} of plant area",
            hall.span_of("plant_area"),
            help=f"raise plant_area to {shown}, or choose more compact plant",
        )
    return total


def _check_site_pue(
    design: Design, it_w: float, losses_w: float, cooling_w: float, facts: Facts, sink: Sink
) -> None:
    floor = plant_model.plant_pue(it_w, losses_w, cooling_w)
    facts.record_derivation("plant.pue", floor.derivation)
    pue = design.site.pue
    if pue < floor.pue * (1 - 1e-9):
        sink.warning(
            codes.W406,
            f"PUE {pue:g} is below the {floor.pue:.3g} the named plant alone implies",
            design.site.span_of("pue"),
            notes=(f"IT {_w(it_w)}; UPS losses {_w(losses_w)}; cooling plant {_w(cooling_w)}",),
            help=f"raise pue to at least {floor.pue:.3g}, or name more efficient plant",
        )
