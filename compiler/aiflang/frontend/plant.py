"""Plant items and storage appliances: their definitions to the design model.

One builder per plant kind turns a definition's attributes (already read by
the schema) into its model object, in SI units. Values a check divides by
(an efficiency, a COP) must be above zero; anything else was checked by the
reader. Used by `ComponentBuilder.plant`.

Emits: E210 (an efficiency or COP of zero).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from aiflang.diagnostics import Sink, codes
from aiflang.frontend import design as dm


class Reader(Protocol):
    """What a builder needs of `BlockReader`."""

    ok: bool

    def get(self, name: str) -> Any: ...

    def span(self, name: str) -> Any: ...


def _positive(r: Reader, sink: Sink, name: str, what: str) -> float | None:
    value = r.get(name)
    if value is not None and value <= 0:
        sink.error(
            codes.E210,
            f"`{name}` of {what} must be above zero",
            r.span(name),
            help="leave it out where the vendor publishes none",
        )
        r.ok = False
        return None
    return float(value) if value is not None else None


def _divide(value: float | None, by: float) -> float | None:
    return None if value is None else value / by


def _ups(r: Reader, sink: Sink, common: dict[str, Any]) -> dm.Ups:
    return dm.Ups(
        **common,
        rating_w=r.get("rating") or 0.0,
        efficiency=_positive(r, sink, "efficiency", "a UPS"),
        eco_efficiency=_positive(r, sink, "eco_efficiency", "a UPS"),
        footprint_m2=r.get("footprint"),
        weight_kg=r.get("weight"),
    )


def _cdu(r: Reader, sink: Sink, common: dict[str, Any]) -> dm.Cdu:
    return dm.Cdu(
        **common,
        capacity_w=r.get("capacity") or 0.0,
        pump_power_w=r.get("pump_power"),
        placement=r.get("placement"),
        positions=r.get("positions") or 0,
        footprint_m2=r.get("footprint"),
        weight_kg=r.get("weight"),
    )


def _chiller(r: Reader, sink: Sink, common: dict[str, Any]) -> dm.Chiller:
    return dm.Chiller(
        **common,
        capacity_w=r.get("capacity") or 0.0,
        cop=_positive(r, sink, "cop", "a chiller"),
        condenser=r.get("condenser"),
        footprint_m2=r.get("footprint"),
        weight_kg=r.get("weight"),
    )


def _dry_cooler(r: Reader, sink: Sink, common: dict[str, Any]) -> dm.DryCooler:
    return dm.DryCooler(
        **common,
        capacity_w=r.get("capacity") or 0.0,
        fan_power_w=r.get("fan_power"),
        adiabatic=r.get("adiabatic"),
        footprint_m2=r.get("footprint"),
        weight_kg=r.get("weight"),
    )


def _generator(r: Reader, sink: Sink, common: dict[str, Any]) -> dm.Generator:
    return dm.Generator(
        **common,
        rating_w=r.get("rating") or 0.0,
        rating_class=r.get("rating_class"),
        footprint_m2=r.get("footprint"),
        weight_kg=r.get("weight"),
    )


def _battery(r: Reader, sink: Sink, common: dict[str, Any]) -> dm.Battery:
    return dm.Battery(
        **common,
        energy_j=r.get("energy") or 0.0,
        power_w=r.get("power"),
        chemistry=r.get("chemistry"),
        footprint_m2=r.get("footprint"),
        weight_kg=r.get("weight"),
    )


def _busway(r: Reader, sink: Sink, common: dict[str, Any]) -> dm.Busway:
    return dm.Busway(**common, rating_w=r.get("rating") or 0.0)


def _power_shelf(r: Reader, sink: Sink, common: dict[str, Any]) -> dm.PowerShelf:
    return dm.PowerShelf(
        **common,
        output_w=r.get("output") or 0.0,
        efficiency=_positive(r, sink, "efficiency", "a power shelf"),
        height_m=r.get("height"),
        weight_kg=r.get("weight"),
    )


def _appliance(r: Reader, sink: Sink, common: dict[str, Any]) -> dm.Appliance:
    return dm.Appliance(
        **common,
        capacity_bytes=(r.get("capacity") or 0.0) / 8,
        raw_capacity_bytes=_divide(r.get("raw_capacity"), 8),
        bandwidth_bytes_per_s=_divide(r.get("bandwidth"), 8),
        write_bandwidth_bytes_per_s=_divide(r.get("write_bandwidth"), 8),
        power_w=r.get("power"),
        height_m=r.get("height"),
        weight_kg=r.get("weight"),
    )


Builder = Callable[[Reader, Sink, dict[str, Any]], Any]

# Block kind -> (builder, field of `Components` that holds the built items).
PLANT: dict[str, tuple[Builder, str]] = {
    "ups": (_ups, "ups"),
    "cdu": (_cdu, "cdus"),
    "chiller": (_chiller, "chillers"),
    "dry_cooler": (_dry_cooler, "dry_coolers"),
    "generator": (_generator, "generators"),
    "battery": (_battery, "batteries"),
    "busway": (_busway, "busways"),
    "power_shelf": (_power_shelf, "power_shelves"),
    "appliance": (_appliance, "appliances"),
}

# What one unit of each kind a hall names delivers (the size of `N x part`).
UNIT_SIZE: dict[str, Callable[[Any], float]] = {
    "ups": lambda item: float(item.rating_w),
    "cdu": lambda item: float(item.capacity_w),
    "chiller": lambda item: float(item.capacity_w),
    "dry_cooler": lambda item: float(item.capacity_w),
    "generator": lambda item: float(item.rating_w),
    "battery": lambda item: float(item.energy_j),
    "busway": lambda item: float(item.rating_w),
}
