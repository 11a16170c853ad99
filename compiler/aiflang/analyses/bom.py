"""The bill of materials: every part of the design per hall, with counts, prices and power.

Afterwards `facts.bom` holds the `BomReport`. Its priced lines are the cost
estimate's own bill (`facts.bill`, see `aiflang.analyses.bill`), so the sum
of its capex lines is the report's capex, to rounding; nothing is priced a
second time here. This pass adds what the buyer must also order but the
capex does not price as a part:

- the plant each hall declares (`ups`, `cdus`, `chillers`, `dry_coolers`,
  `generators`, `batteries`, `busways`), by the catalog model it names or
  by its size: paid for by the facility's build cost (`price_status`
  "facility");
- network racks (the fabric pass's count per hall) and each fabric's cables
  (one per link), which the catalog does not price: "no price"; so are the
  transceivers of a fabric that names none (the cost estimate lists them
  among its missing prices);
- software licences: the cost estimate's yearly licence cost over the
  factory's GPUs, a yearly cost outside capex ("opex").

Vendor and model come from the part's `vendor` when the catalog gives one,
else from its documentation comment (`# NVIDIA Quantum-X800 Q3400: ...`
gives "NVIDIA" and "Quantum-X800 Q3400"). Needs the cost estimate (and so
the fabric sizing and power check). Emits nothing.
"""

from __future__ import annotations

from typing import Any

from aiflang import report as rp
from aiflang.analyses.bill import NO_PRICE, PRICED, BillLine
from aiflang.analyses.facts import Facts
from aiflang.diagnostics import Sink
from aiflang.frontend.design import Design

FACILITY, OPEX = "facility", "opex"

# Names a documentation comment may start with that are a vendor, not a model.
KNOWN_VENDORS = (
    "NVIDIA",
    "AMD",
    "Intel",
    "Broadcom",
    "Arista",
    "Cisco",
    "Juniper",
    "Marvell",
    "Nokia",
    "Supermicro",
    "Dell",
    "HPE",
    "Lenovo",
    "Google",
    "AWS",
    "Vertiv",
    "Schneider",
    "Eaton",
    "DDN",
    "VAST",
    "WEKA",
)


def _component(design: Design, kind: str, name: str) -> Any:
    components = design.components
    tables: dict[str, dict[str, Any]] = {
        "rack": components.racks,
        "node": components.nodes,
        "gpu": components.gpus,
        "cpu": components.cpus,
        "nic": components.nics,
        "dpu": components.nics,
        "switch": components.switches,
        "transceiver": components.transceivers,
        "ups_module": components.ups,
        "cdu": components.cdus,
        "chiller": components.chillers,
        "dry_cooler": components.dry_coolers,
        "generator": components.generators,
        "battery": components.batteries,
        "busway": components.busways,
    }
    return tables.get(kind, {}).get(name)


def _model_name(line: str) -> str:
    """A documentation line up to its first `:` or `,` outside parentheses, less a final `.`.

    "AMD EPYC 9654 (Genoa, 96 cores): a host" gives "AMD EPYC 9654 (Genoa, 96 cores)";
    a parenthesis the line leaves open is dropped rather than printed half.
    """
    depth = 0
    end = len(line)
    for index, char in enumerate(line):
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif char in ":," and depth == 0:
            end = index
            break
    head = line[:end].strip().removesuffix(".").strip()
    if head.count("(") > head.count(")"):
        head = head[: head.rfind("(")].strip()
    return head


def vendor_and_model(component: Any) -> tuple[str | None, str | None]:
    """The part's vendor and model name, from its attributes or its documentation.

    The documentation's first line up to its first `:` or `,` outside
    parentheses names the model
    (`# NVIDIA ConnectX-7, single-port OSFP ...`); a known vendor's name at its
    start is the vendor, when the part does not declare one.
    """
    vendor = getattr(component, "vendor", None)
    doc = (getattr(component, "doc", None) or "").strip().split("\n")[0]
    head = _model_name(doc)
    first = head.split(" ")[0] if head else ""
    if vendor is None and first in KNOWN_VENDORS:
        vendor = first
    model = head.removeprefix(vendor).strip() if vendor and head.startswith(vendor) else head
    return vendor, model[:100] or None


def _unit_power(design: Design, kind: str, component: Any) -> float | None:
    if component is None:
        return None
    if kind in ("rack", "node"):
        return float(component.power.used_w)
    if kind in ("gpu", "cpu"):
        return getattr(component, "tdp_w", None)
    return getattr(component, "power_w", None)


_Part = tuple[str | None, str | None, float | None]


def _part(design: Design, kind: str, name: str, storage: dict[str, float | None]) -> _Part:
    """Vendor, model and unit power of the part `kind` `name`."""
    component = _component(design, kind, name)
    vendor, model = vendor_and_model(component)
    unit_power = _unit_power(design, kind, component)
    if kind == "storage":
        unit_power = storage.get(name)
    return vendor, model, unit_power


def _line(
    design: Design,
    item: BillLine,
    parts: dict[tuple[str, str], _Part],
    storage: dict[str, float | None],
) -> rp.BomLine:
    # A part is looked up once however many halls and lines name it.
    key = (item.kind, item.name)
    part = parts.get(key)
    if part is None:
        part = parts[key] = _part(design, item.kind, item.name, storage)
    vendor, model, unit_power = part
    return rp.BomLine(
        hall=item.hall,
        category=item.category,
        kind=item.kind,
        name=item.name,
        vendor=vendor,
        model=model,
        fabric=item.fabric or None,
        tier=item.tier or None,
        parent=item.parent or None,
        count=item.count,
        unit=item.unit,
        unit_price_usd=item.unit_price_usd,
        extended_price_usd=item.extended_usd,
        price_status=item.status,
        in_capex=item.status == PRICED,
        unit_power_w=unit_power,
        total_power_w=unit_power * item.count if unit_power is not None else None,
    )


def _unpriced(
    hall: str, category: str, kind: str, name: str, count: float, status: str
) -> rp.BomLine:
    return rp.BomLine(
        hall=hall,
        category=category,
        kind=kind,
        name=name,
        count=count,
        price_status=status,
        in_capex=False,
    )


def _plant(design: Design, facts: Facts) -> list[rp.BomLine]:
    """Plant and network racks of each hall; cables (and unnamed optics) of each fabric."""
    from aiflang import units

    lines = []
    for hall in design.halls:
        plant = (
            ("ups_module", hall.ups, units.POWER),
            ("cdu", hall.cdus, units.POWER),
            ("chiller", hall.chillers, units.POWER),
            ("dry_cooler", hall.dry_coolers, units.POWER),
            ("generator", hall.generators, units.POWER),
            ("battery", hall.batteries, units.ENERGY),
            ("busway", hall.busways, units.POWER),
        )
        for kind, modules, dimension in plant:
            if modules is None or modules.count <= 0:
                continue
            name = modules.part or units.format_quantity(modules.size, dimension)
            line = _unpriced(hall.name, "facility", kind, name, modules.count, FACILITY)
            if modules.part is not None:
                vendor, model = vendor_and_model(_component(design, kind, modules.part))
                line = line.model_copy(update={"vendor": vendor, "model": model})
            lines.append(line)
        racks = facts.network_racks_by_hall.get(hall.name, 0)
        if racks:
            lines.append(_unpriced(hall.name, "network", "network_rack", "", racks, NO_PRICE))
    for fabric in facts.fabrics:
        optics = facts.transceivers_by_hall.get(fabric.name, {})
        total = sum(optics.values())
        if fabric.transceiver is None and fabric.transceivers > 0:
            # A fabric that names no transceiver still needs its modules: the cost estimate
            # lists them as missing a price, and so does the bill.
            unnamed = dict(optics) if total == fabric.transceivers else {}
            if not unnamed:
                unnamed = {next(iter(fabric.endpoints_by_hall), ""): fabric.transceivers}
            for where, count in sorted(unnamed.items()):
                line = _unpriced(where, "network", "transceiver", "", count, NO_PRICE)
                lines.append(line.model_copy(update={"fabric": fabric.name}))
        by_hall = _share(fabric.cables, optics, total) if total else {}
        if not by_hall and fabric.cables:
            by_hall = {next(iter(fabric.endpoints_by_hall), ""): fabric.cables}
        for where, cables in sorted(by_hall.items()):
            line = _unpriced(where, "network", "cable", "", cables, NO_PRICE)
            lines.append(line.model_copy(update={"fabric": fabric.name}))
    return lines


def _share(total: int, weights: dict[str, int], weight_total: int) -> dict[str, int]:
    """`total` split in proportion to `weights`, in whole parts that add up (largest remainder)."""
    exact = {hall: total * w / weight_total for hall, w in weights.items()}
    whole = {hall: int(value) for hall, value in exact.items()}
    left = total - sum(whole.values())
    for hall in sorted(exact, key=lambda h: (-(exact[h] - whole[h]), h))[:left]:
        whole[hall] += 1
    return {hall: n for hall, n in whole.items() if n}


def _licences(facts: Facts) -> list[rp.BomLine]:
    cost = facts.cost
    gpus = facts.capacity.gpus if facts.capacity else 0
    yearly = cost.opex_usd_per_year.get("software", 0.0) if cost else 0.0
    if not gpus or yearly <= 0:
        return []
    return [
        rp.BomLine(
            hall="",
            category="software",
            kind="licence",
            name="software licence",
            count=gpus,
            unit="GPU-year",
            unit_price_usd=yearly / gpus,
            extended_price_usd=yearly,
            price_status=OPEX,
            in_capex=False,
        )
    ]


def _merged(lines: list[rp.BomLine]) -> list[rp.BomLine]:
    """One line per part and place: a node that lists a NIC once per role gets one NIC line."""
    merged: dict[tuple[object, ...], rp.BomLine] = {}
    for line in lines:
        key: tuple[object, ...] = (line.hall, line.kind, line.name, line.parent, line.fabric)
        key += (line.tier, line.price_status, line.unit_price_usd)
        before = merged.get(key)
        if before is None:
            merged[key] = line
            continue
        count = before.count + line.count
        merged[key] = before.model_copy(
            update={
                "count": count,
                "extended_price_usd": _times(before.unit_price_usd, count)
                if before.extended_price_usd is not None
                else None,
                "total_power_w": _times(before.unit_power_w, count),
            }
        )
    return list(merged.values())


def _times(unit: float | None, count: float) -> float | None:
    return unit * count if unit is not None else None


def build_bom(design: Design, facts: Facts, sink: Sink) -> None:
    """List every part of the design per hall, from the cost estimate's bill."""
    if facts.cost is None:
        return
    parts: dict[tuple[str, str], _Part] = {}
    storage: dict[str, float | None] = {}
    for stored in reversed(design.storage):  # the first of a name wins
        storage[stored.name] = stored.power_w
    lines = _merged([_line(design, item, parts, storage) for item in facts.bill])
    lines += _plant(design, facts)
    lines += _licences(facts)
    halls = [hall.name for hall in design.halls]
    order = {name: index for index, name in enumerate(halls)}
    lines.sort(key=lambda line: order.get(line.hall, len(order)))  # stable: keeps the walk order
    capex_by_hall: dict[str, float] = {}
    for line in lines:
        if line.in_capex and line.extended_price_usd is not None:
            capex_by_hall[line.hall] = capex_by_hall.get(line.hall, 0.0) + line.extended_price_usd
    unpriced: dict[str, None] = {}  # a dict keeps the first-seen order, a set-speed lookup
    for line in lines:
        if line.price_status != NO_PRICE:
            continue
        label = f"{line.kind.replace('_', ' ')} {line.name}".strip()
        if line.fabric and not line.name:
            label += f" ({line.fabric})"
        unpriced.setdefault(label)
    facts.bom = rp.BomReport(
        halls=halls,
        lines=lines,
        capex_usd=sum(capex_by_hall.values()),
        capex_by_hall_usd=capex_by_hall,
        opex_usd_per_year=sum(
            line.extended_price_usd or 0.0 for line in lines if line.price_status == OPEX
        ),
        power_w=sum(line.total_power_w or 0.0 for line in lines if line.parent is None),
        unpriced=list(unpriced),
    )
