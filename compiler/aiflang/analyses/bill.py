"""The priced items of a design, line by line: what the cost estimate sums.

`Bill` collects one `BillLine` per part, hall and (for network parts) fabric
and tier. `Bill.priced()` folds the lines that carry a price into the cost
model's `PricedItem`s (by category and part), so the capex and the bill of
materials are sums over the same lines: there is one list of what is bought.

A line's `status` says how it is paid for:
- `priced`: unit price x count is capex;
- `no price`: the part has no price; it counts as zero in capex and is named
  in `missing_prices`;
- `included`: bought as part of its `parent` (a node in a priced rack, the
  GPUs of a priced node): listed, not priced again;
- `parts`: a rack without a price of its own, bought as the lines inside it.

What the walkers record (the rules of docs/models.md, "Cost"):
- racks: a rack's price when it has one (its nodes, NICs and switches are
  included); otherwise its nodes at their price (their GPUs, CPUs and NICs
  included), and a node without a price by its GPUs and CPUs (systems) and
  NICs (network), its chassis listed without a price; switches inside an
  unpriced rack at their price;
- fabrics: each tier's switches (derived, or declared when larger: spares are
  bought too) in the halls the fabric pass placed them, the extra declared
  ones with the spines; the fabric's transceivers (or copper cables) by
  hall at the price of the part it names or its distance picks;
- storage: its price, or price per byte x capacity, in its hall.
The facility (build cost x each hall's `it_power`) is added by the cost
estimate, which knows the build cost it used.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiflang import report as rp
from aiflang.frontend.design import Design, PlacedRacks, ServerNode
from aiflang.models import cost as cm
from aiflang.records import record

PRICED, NO_PRICE, INCLUDED, PARTS = "priced", "no price", "included", "parts"


@record
class BillLine:
    """One part of the design in one place: what it is, how many, what it costs.

    `kind` is the part's kind (rack, node, gpu, cpu, nic, dpu, switch,
    transceiver, storage, facility); `name` its catalog name. `hall` is ""
    where the part stands in no hall. `parent` names the line this part is
    inside (`rack GB200_NVL72`), for parts that are included or whose power
    their parent's already counts. `unit_price_usd` is None without a price.
    """

    kind: str
    name: str
    category: cm.Category
    count: float
    unit_price_usd: float | None
    status: str
    hall: str = ""
    fabric: str = ""
    tier: str = ""
    parent: str = ""
    unit: str = "each"

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}"

    @property
    def extended_usd(self) -> float | None:
        """Price x count of a priced line; None for a line without its own price."""
        if self.status != PRICED or self.unit_price_usd is None:
            return None
        return self.unit_price_usd * self.count


class Bill:
    """Bill lines in the order they are found, and the parts that have no price."""

    def __init__(self) -> None:
        self.lines: list[BillLine] = []
        self.missing: list[str] = []

    def add(
        self,
        kind: str,
        name: str,
        category: cm.Category,
        price: float | None,
        count: float,
        **where: str,
    ) -> None:
        """A bought part: priced, or without a price (noted as missing)."""
        if count <= 0:
            return
        status = PRICED if price is not None else NO_PRICE
        if price is None:
            self.note_missing(f"{kind} {name}")
        self.lines.append(BillLine(kind, name, category, count, price, status, **where))

    def include(
        self, kind: str, name: str, category: cm.Category, count: float, **where: str
    ) -> None:
        """A part bought as part of its parent: listed, never priced again."""
        if count > 0:
            self.lines.append(BillLine(kind, name, category, count, None, INCLUDED, **where))

    def note_missing(self, what: str) -> None:
        if what not in self.missing:
            self.missing.append(what)

    def priced(self) -> list[cm.PricedItem]:
        """The priced lines summed by (category, part), as the cost model takes them."""
        items: dict[tuple[cm.Category, str], tuple[float, float]] = {}
        for line in self.lines:
            if line.status != PRICED or line.unit_price_usd is None or line.kind == "facility":
                continue
            key = (line.category, line.label)
            _, before = items.get(key, (line.unit_price_usd, 0.0))
            items[key] = (line.unit_price_usd, before + line.count)
        return [
            cm.PricedItem(name, category, price, count)
            for (category, name), (price, count) in sorted(items.items())
        ]


def _nic_kind(design: Design, name: str) -> str:
    nic = design.components.nics.get(name)
    return "dpu" if nic is not None and nic.kind == "dpu" else "nic"


def _node_contents(
    design: Design, bill: Bill, node: ServerNode, count: int, hall: str, parent: str
) -> None:
    """A node's GPUs, CPUs and NICs, included in `parent`'s price."""
    for part in node.gpus:
        bill.include(
            "gpu", part.name, "accelerated_systems", part.count * count, hall=hall, parent=parent
        )
    for part in node.cpus:
        bill.include(
            "cpu", part.name, "accelerated_systems", part.count * count, hall=hall, parent=parent
        )
    for part in node.nics:
        kind = _nic_kind(design, part.name)
        bill.include(kind, part.name, "network", part.count * count, hall=hall, parent=parent)


def _unpriced_node(
    design: Design,
    gpu_prices: Mapping[str, float | None],
    bill: Bill,
    node: ServerNode,
    count: int,
    hall: str,
    parent: str,
) -> None:
    """A node without a price: its chassis without one, its GPUs, CPUs and NICs at theirs
    (a GPU at the fleet's price for its model, `gpu_prices`)."""
    components = design.components
    label = f"node {node.name}"
    bill.note_missing(f"{label} (chassis; priced by its parts)")
    bill.lines.append(
        BillLine(
            "node",
            node.name,
            "accelerated_systems",
            count,
            None,
            NO_PRICE,
            hall=hall,
            parent=parent,
        )
    )
    for part in node.gpus:
        price = gpu_prices.get(part.name)
        bill.add(
            "gpu",
            part.name,
            "accelerated_systems",
            price,
            part.count * count,
            hall=hall,
            parent=label,
        )
    for part in node.cpus:
        cpu = components.cpus.get(part.name)
        price = cpu.price_usd if cpu else None
        bill.add(
            "cpu",
            part.name,
            "accelerated_systems",
            price,
            part.count * count,
            hall=hall,
            parent=label,
        )
    for part in node.nics:
        nic = components.nics.get(part.name)
        price = nic.price_usd if nic else None
        kind = _nic_kind(design, part.name)
        bill.add(kind, part.name, "network", price, part.count * count, hall=hall, parent=label)


def _rack(
    design: Design, gpu_prices: Mapping[str, float | None], bill: Bill, placed: PlacedRacks
) -> None:
    components = design.components
    rack, racks, hall = placed.rack, placed.racks, placed.hall.name
    label = f"rack {rack.name}"
    if rack.price_usd is not None:
        bill.add("rack", rack.name, "accelerated_systems", rack.price_usd, racks, hall=hall)
        for nodes in design.nodes_in(placed):
            node, count = nodes.node, nodes.nodes
            bill.include("node", node.name, "accelerated_systems", count, hall=hall, parent=label)
            _node_contents(design, bill, node, count, hall, f"node {node.name}")
        for part in rack.switches:
            bill.include(
                "switch", part.name, "network", part.count * racks, hall=hall, parent=label
            )
        return
    # An unpriced rack is bought as its contents; its line carries no price of its own.
    bill.lines.append(
        BillLine("rack", rack.name, "accelerated_systems", racks, None, PARTS, hall=hall)
    )
    for nodes in design.nodes_in(placed):
        node, count = nodes.node, nodes.nodes
        if node.price_usd is not None:
            bill.add(
                "node",
                node.name,
                "accelerated_systems",
                node.price_usd,
                count,
                hall=hall,
                parent=label,
            )
            _node_contents(design, bill, node, count, hall, f"node {node.name}")
        else:
            _unpriced_node(design, gpu_prices, bill, node, count, hall, label)
    for part in rack.switches:
        switch = components.switches.get(part.name)
        price = switch.price_usd if switch else None
        bill.add("switch", part.name, "network", price, part.count * racks, hall=hall, parent=label)


def systems(design: Design, gpu_prices: Mapping[str, float | None], bill: Bill) -> None:
    """Every placed rack, hall by hall; GPUs of unpriced nodes at `gpu_prices` (the fleet's)."""
    for placed in design.placed_racks():
        _rack(design, gpu_prices, bill, placed)


def network(
    design: Design,
    sized_fabrics: list[rp.FabricReport],
    switches_by_hall: dict[str, dict[str, dict[str, int]]],
    transceivers_by_hall: dict[str, dict[str, int]],
    bill: Bill,
) -> None:
    """Each sized fabric's switches by tier and hall, and its transceivers by hall.

    The placements are the fabric pass's (`Facts.switches_by_hall`,
    `Facts.transceivers_by_hall`); a fabric without them stands in its spine hall.
    """
    fabrics = {f.name: f for f in design.fabrics}
    sized = {f.name for f in sized_fabrics}
    for name in fabrics:
        if name not in sized:
            bill.note_missing(f"fabric {name} (not sized)")
    for report in sized_fabrics:
        fabric = fabrics.get(report.name)
        if fabric is None:
            continue
        placed = switches_by_hall.get(report.name, {})
        spine_hall = fabric.hall or (design.halls[0].name if design.halls else "")
        for tier in ("leaf", "spine", "core"):
            derived = getattr(report.switches, tier)
            count = max(derived, report.declared_switches.get(tier, 0))
            model = getattr(fabric, tier) or fabric.spine or fabric.leaf
            switch = design.components.switches.get(model)
            price = switch.price_usd if switch else None
            by_hall = dict(placed.get(tier, {}))
            if sum(by_hall.values()) != derived:
                by_hall = {spine_hall: derived}
            if count > derived:  # declared spares stand with the spines
                by_hall[spine_hall] = by_hall.get(spine_hall, 0) + count - derived
            for hall, switches in sorted(by_hall.items()):
                bill.add(
                    "switch",
                    model,
                    "network",
                    price,
                    switches,
                    hall=hall,
                    fabric=report.name,
                    tier=tier,
                )
        transceiver = (
            design.components.transceivers.get(report.transceiver) if report.transceiver else None
        )
        if transceiver is None:
            if report.transceivers > 0:
                bill.note_missing(
                    f"fabric {report.name}: {report.transceivers:,} transceivers (no transceiver "
                    "named)"
                )
            continue
        optics = dict(transceivers_by_hall.get(report.name, {}))
        if sum(optics.values()) != report.transceivers:
            optics = {spine_hall: report.transceivers}
        for hall, modules in sorted(optics.items()):
            bill.add(
                "transceiver",
                transceiver.name,
                "network",
                transceiver.price_usd,
                modules,
                hall=hall,
                fabric=report.name,
            )


def storage(design: Design, bill: Bill) -> None:
    for item in design.storage:
        price = item.price_usd
        if price is None and item.price_usd_per_byte is not None and item.capacity_bytes:
            price = item.price_usd_per_byte * item.capacity_bytes
        bill.add("storage", item.name, "storage", price, 1, hall=item.hall or "")


def facility(design: Design, bill: Bill, build_cost_usd_per_w: float) -> None:
    """Each hall's share of the building: build cost x its critical IT power, in MW."""
    for hall in design.halls:
        megawatts = hall.it_capacity_w / 1e6
        bill.lines.append(
            BillLine(
                "facility",
                f"hall {hall.name} build",
                "facility",
                megawatts,
                build_cost_usd_per_w * 1e6,
                PRICED,
                hall=hall.name,
                unit="MW",
            )
        )
