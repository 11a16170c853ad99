"""Storage systems: declared figures, or the sums of the appliances they are built from.

`storage fast { appliances = 20 x VAST_Ceres_DBox }` has the appliances'
capacity, bandwidth, power and price summed, and takes the rack positions
their height fills (`storage_rack_units` per rack). A figure the storage
block also declares is used instead, and checked against the appliances:
declared power below theirs is E401; declared capacity, bandwidth or
positions beyond what they provide is E411. A sum over appliances of which
one does not publish the figure is unknown (None), not zero; unknown power
must be declared (E410).

Used by the elaborate pass.
"""

from __future__ import annotations

from typing import Any, Protocol

from aiflang import units
from aiflang.diagnostics import Sink, codes
from aiflang.frontend import design as dm
from aiflang.models import plant as plant_model
from aiflang.models.assumptions import Assumptions
from aiflang.records import field, record


class _Builder(Protocol):
    sink: Sink
    assumptions: Assumptions

    def appliance(self, name: str) -> dm.Appliance | None: ...


class _Reader(Protocol):
    ok: bool

    def get(self, name: str) -> Any: ...

    def span(self, name: str) -> Any: ...


@record(kw_only=True)
class BuiltStorage:
    """The figures a storage block uses: declared, else summed over its appliances."""

    parts: list[dm.Part] = field(default_factory=list)
    capacity_bytes: float | None = None
    bandwidth_bytes_per_s: float | None = None
    power_w: float = 0.0
    positions: int = 0
    price_usd: float | None = None


def _sum(values: list[tuple[float | None, int]]) -> float | None:
    """Sum of value x count, or None when any value is unpublished."""
    if any(value is None for value, _ in values):
        return None
    return sum((value or 0.0) * count for value, count in values)


def build_storage(builder: _Builder, name: str, r: _Reader) -> BuiltStorage:
    """The storage block's figures, from its declarations and its appliances."""
    capacity = r.get("capacity")
    bandwidth = r.get("bandwidth")
    declared_power = r.get("power")
    declared_positions = r.get("positions")
    price = r.get("price")
    parts = r.get("appliances") or []
    if not parts:
        return BuiltStorage(
            capacity_bytes=None if capacity is None else capacity / 8,
            bandwidth_bytes_per_s=None if bandwidth is None else bandwidth / 8,
            power_w=declared_power or 0.0,
            positions=declared_positions or 0,
            price_usd=price,
        )
    items = [(builder.appliance(p.name), p.count) for p in parts]
    if any(item is None for item, _ in items):
        r.ok = False
        return BuiltStorage()
    found = [(item, count) for item, count in items if item is not None]
    summed_bytes = _sum([(a.capacity_bytes, n) for a, n in found])
    summed_bw = _sum([(a.bandwidth_bytes_per_s, n) for a, n in found])
    summed_w = _sum([(a.power_w, n) for a, n in found])
    height = _sum([(a.height_m, n) for a, n in found])
    summed_price = _sum([(a.price_usd, n) for a, n in found])
    positions = (
        None if height is None else plant_model.storage_positions(height, builder.assumptions)
    )
    _check(builder.sink, name, r, "capacity", capacity, _bits(summed_bytes), units.DATA)
    _check(builder.sink, name, r, "bandwidth", bandwidth, _bits(summed_bw), units.BANDWIDTH)
    if declared_positions is not None and positions is not None and declared_positions < positions:
        builder.sink.error(
            codes.E411,
            f'storage "{name}" declares {declared_positions} positions; its appliances fill '
            f"{positions} racks",
            r.span("positions"),
            help=f"raise positions to {positions}, or leave it out to derive it",
        )
    if declared_power is None and summed_w is None:
        unpublished = sorted({a.name for a, _ in found if a.power_w is None})
        builder.sink.error(
            codes.E410,
            f'storage "{name}" has no power figure: it declares none, and the power of '
            f"{', '.join(unpublished)} is not published",
            r.span("appliances"),
            help="declare the power you plan for: `power = ... kW`",
        )
    if declared_power is not None and summed_w is not None and declared_power < summed_w:
        shown = units.format_quantity(summed_w, units.POWER)
        builder.sink.error(
            codes.E401,
            f'storage "{name}" declares '
            f"{units.format_quantity(declared_power, units.POWER)}, below the {shown} its "
            "appliances draw",
            r.span("power"),
            help=f"raise power to at least {shown}, or leave it out to derive it",
        )
    return BuiltStorage(
        parts=[dm.Part(name=p.name, count=p.count) for p in parts],
        capacity_bytes=capacity / 8 if capacity is not None else summed_bytes,
        bandwidth_bytes_per_s=bandwidth / 8 if bandwidth is not None else summed_bw,
        power_w=declared_power if declared_power is not None else summed_w or 0.0,
        positions=declared_positions if declared_positions is not None else positions or 0,
        price_usd=price if price is not None else summed_price,
    )


def _bits(value_bytes: float | None) -> float | None:
    return None if value_bytes is None else value_bytes * 8


def _check(
    sink: Sink,
    name: str,
    r: _Reader,
    attribute: str,
    declared: float | None,
    provided: float | None,
    dimension: units.Dimension,
) -> None:
    """A declared capacity or bandwidth may not exceed what the appliances provide."""
    if declared is None or provided is None or declared <= provided * (1 + 1e-9):
        return
    # Storage bandwidth reads in bytes per second, as vendors and designers write it.
    unit = "GB/s" if dimension == units.BANDWIDTH else None
    shown = units.format_quantity(provided, dimension, unit=unit)
    sink.error(
        codes.E411,
        f'storage "{name}" declares {units.format_quantity(declared, dimension, unit=unit)} of '
        f"{attribute}; its appliances provide {shown}",
        r.span(attribute),
        help=f"lower {attribute} to {shown}, add appliances, or leave it out to derive it",
    )
