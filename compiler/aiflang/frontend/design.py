"""The design model: a resolved, typed, elaborated design, frozen.

Every value is in SI base units (W, s, bit/s, bytes, FLOP/s, USD) and named
by its unit where it is a bare float. Multiplicities stay symbolic: a rack
type and a count, never one object per rack or GPU, so a million-GPU
factory costs what a thousand-GPU one does. Values that can be derived from
parts record both the declared and the derived figure and which one is used.

Spans point back at the source; they take no part in equality or repr.

The nodes are frozen dataclasses, built with keyword arguments only: the
compiler builds them from values it has already checked, so they need no
validation of their own, and defining them costs a run a fraction of what
pydantic models cost (the JSON report, `aiflang.report`, is the pydantic
contract; this model is internal).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from aiflang.diagnostics import Span
from aiflang.records import field, record


@record(kw_only=True)
class Node_:
    span: Span | None = field(default=None, compare=False, repr=False)
    # Where each attribute was written, so a finding can point at the line it is about.
    attr_spans: dict[str, Span] = field(default_factory=dict, compare=False, repr=False)

    def span_of(self, attribute: str) -> Span | None:
        """The span of `attribute = value` if it was written, else the node's own span."""
        return self.attr_spans.get(attribute, self.span)


@record(kw_only=True)
class Sourced(Node_):
    name: str
    doc: str | None = None
    source: str | None = None
    price_usd: float | None = None
    price_source: str | None = None
    vendor: str | None = None
    status: str | None = None  # published | secondary | preliminary | estimate
    date: str | None = None
    url: str | None = None
    builtin: bool = False


@record(kw_only=True)
class Gpu(Sourced):
    generation: str | None = None
    form_factor: str | None = None
    memory_bytes: float
    memory_bandwidth_bytes_per_s: float
    flops: dict[str, float]  # dense FLOP/s by precision
    tdp_w: float | None = None  # None where the vendor publishes none
    scale_up: str | None = None
    scale_up_bandwidth_bytes_per_s: float | None = None
    max_scale_up: int = 8
    # Achieved fractions of the peaks (None: the registered serving defaults apply).
    memory_efficiency: float | None = None
    compute_efficiency: dict[str, float] = field(default_factory=dict)
    weight_memory_efficiency: dict[str, float] = field(default_factory=dict)  # by weight precision
    attention_efficiency: float | None = None
    mla_decode_efficiency: dict[str, float] = field(default_factory=dict)  # by KV precision
    block_fp8_efficiency: float | None = None  # FP8 GEMMs with 128 x 128 block-scaled weights
    comm_efficiency: float | None = None
    efficiency_source: str | None = None


@record(kw_only=True)
class Cpu(Sourced):
    cores: int | None = None
    tdp_w: float | None = None


@record(kw_only=True)
class Nic(Sourced):
    kind: str = "nic"
    ports: int
    port_speed_bps: float
    power_w: float | None = None


@record(kw_only=True)
class Switch(Sourced):
    technology: str | None = None
    ports: int
    port_speed_bps: float
    breakout_ways: int = 1  # the largest split; every split it publishes divides it
    breakout_options: list[int] = field(default_factory=list)  # the splits as published (ways)
    co_packaged_optics: bool = False
    power_w: float | None = None
    height_m: float | None = None


@record(kw_only=True)
class Transceiver(Sourced):
    speed_bps: float
    power_w: float | None = None  # per module; per end for a cable
    reach_m: float | None = None
    media: str | None = None  # multimode | singlemode | lpo | dac | acc | aec
    end: str = "any"  # switch | nic | any

    @property
    def is_cable(self) -> bool:
        """A copper cable: one part per link, not one module per end."""
        return self.media in ("dac", "acc", "aec")


@record(kw_only=True)
class Model(Sourced):
    """A network's architecture (`model` block): what a model card or config.json gives.

    Kept general enough for training as well as serving. `active_params`
    equals `params` for a dense model.
    """

    params: float
    active_params: float
    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    v_head_dim: int | None = None
    attention: Literal["gqa", "mla"] = "gqa"
    kv_lora_rank: int = 0
    rope_head_dim: int = 0
    ffn: int | None = None
    experts: int = 0
    experts_per_token: int = 0
    shared_experts: int = 0
    expert_ffn: int | None = None
    dense_layers: int = 0
    vocab: int = 0
    context_length: int | None = None
    sliding_window: int = 0
    sliding_layers: int = 0
    mtp_layers: int = 0
    fp8_scales: Literal["tensor", "block"] = "tensor"


@record(kw_only=True)
class Engine(Sourced):
    """A serving engine's overheads and limits (`engine` block), SI units."""

    version: str | None = None
    vendors: list[str] = field(default_factory=list)
    step_overhead_s: float
    kernel_overhead_s: float
    layer_overhead_s: float = 0.0
    sequence_overhead_s: float = 0.0
    request_overhead_s: float = 0.0
    collective_latency_s: float | None = None
    max_batch: int | None = None
    token_budget: int | None = None
    balance_timeout: int = 0
    balance_batching: int = 0
    admission_interval: int = 1
    memory_fraction: float | None = None
    comm_overlap: float = 0.0
    kv_reserve: Literal["full", "used"] = "used"
    prefill: Literal["mixed", "separate"] = "mixed"
    full_graphs: Literal["none", "decode"] = "none"
    scheduler: Literal["sync", "overlap"] = "sync"


@record(kw_only=True)
class Part(Node_):
    """A count of a named component inside another (`8 x H100`), with its role."""

    name: str
    count: int
    role: str | None = None


@record(kw_only=True)
class Power(Node_):
    """A power figure that may be declared, derived from parts, or both."""

    declared_w: float | None = None
    derived_w: float | None = None

    @property
    def used_w(self) -> float:
        if self.declared_w is not None:
            return self.declared_w
        return self.derived_w or 0.0

    @property
    def known(self) -> bool:
        """Declared, or derivable from parts whose power is published."""
        return self.declared_w is not None or self.derived_w is not None

    @property
    def basis(self) -> Literal["declared", "derived"]:
        return "declared" if self.declared_w is not None else "derived"


@record(kw_only=True)
class ServerNode(Sourced):
    gpus: list[Part] = field(default_factory=list)
    cpus: list[Part] = field(default_factory=list)
    nics: list[Part] = field(default_factory=list)
    power: Power  # derived: an air-cooled node's estimate from its parts
    parts_w: float = 0.0  # GPU, CPU and NIC ratings added up
    height_m: float | None = None
    weight_kg: float | None = None

    @property
    def gpu_count(self) -> int:
        return sum(p.count for p in self.gpus)


@record(kw_only=True)
class Rack(Sourced):
    nodes: list[Part]
    switches: list[Part] = field(default_factory=list)
    power_shelves: list[Part] = field(default_factory=list)
    shelf_redundancy: str = "N"
    shelf_output_w: float | None = None  # what the shelves deliver at their redundancy
    scale_up: str | None = None
    scale_up_domain: int | None = None  # GPUs per scale-up domain
    power: Power
    liquid_fraction: float = 0.0
    footprint_m2: float | None = None
    height_m: float | None = None
    weight_kg: float | None = None


@record(kw_only=True)
class PlantItem(Sourced):
    """A facility plant item by model: what every kind of plant shares."""

    footprint_m2: float | None = None
    weight_kg: float | None = None


@record(kw_only=True)
class Ups(PlantItem):
    rating_w: float  # output of one module or frame
    efficiency: float | None = None  # double conversion, at rated load
    eco_efficiency: float | None = None


@record(kw_only=True)
class Cdu(PlantItem):
    capacity_w: float
    pump_power_w: float | None = None
    placement: str | None = None  # in_rack | in_row | facility
    positions: int = 0  # rack positions it takes in the hall


@record(kw_only=True)
class Chiller(PlantItem):
    capacity_w: float
    cop: float | None = None
    condenser: str | None = None  # air | water


@record(kw_only=True)
class DryCooler(PlantItem):
    capacity_w: float
    fan_power_w: float | None = None
    adiabatic: bool | None = None


@record(kw_only=True)
class Generator(PlantItem):
    rating_w: float
    rating_class: str | None = None


@record(kw_only=True)
class Battery(PlantItem):
    energy_j: float
    power_w: float | None = None
    chemistry: str | None = None


@record(kw_only=True)
class Busway(Sourced):
    rating_w: float


@record(kw_only=True)
class PowerShelf(Sourced):
    output_w: float
    efficiency: float | None = None
    height_m: float | None = None
    weight_kg: float | None = None


@record(kw_only=True)
class Appliance(Sourced):
    """A storage building block: the figures of one appliance, summed by a storage block."""

    capacity_bytes: float
    raw_capacity_bytes: float | None = None
    bandwidth_bytes_per_s: float | None = None
    write_bandwidth_bytes_per_s: float | None = None
    power_w: float | None = None
    height_m: float | None = None
    weight_kg: float | None = None


@record(kw_only=True)
class Site(Node_):
    utility_w: float | None = None
    pue: float = 1.0
    power_price_usd_per_j: float | None = None
    build_cost_usd_per_w: float | None = None
    location: str | None = None


@record(kw_only=True)
class Modules(Node_):
    """`n x size`: UPS modules, CDUs, feeds; `part` names the catalog model when one is used."""

    count: int
    size: float  # SI
    part: str | None = None


@record(kw_only=True)
class Hall(Node_):
    name: str
    doc: str | None = None
    it_capacity_w: float
    feeds: Modules | None = None
    ups: Modules | None = None
    redundancy: str = "N"
    derating: float | None = None
    liquid_capacity_w: float | None = None
    air_capacity_w: float | None = None
    cdus: Modules | None = None
    cdu_redundancy: str = "N"
    chillers: Modules | None = None
    chiller_redundancy: str = "N"
    dry_coolers: Modules | None = None
    dry_cooler_redundancy: str = "N"
    generators: Modules | None = None
    generator_redundancy: str = "N"
    batteries: Modules | None = None  # size in joules
    busways: Modules | None = None
    plant_area_m2: float | None = None
    positions: int
    racks: list[Part] = field(default_factory=list)
    floor_loading_kg_per_m2: float | None = None


@record(kw_only=True)
class Storage(Node_):
    name: str
    doc: str | None = None
    appliances: list[Part] = field(default_factory=list)
    capacity_bytes: float | None = None
    bandwidth_bytes_per_s: float | None = None
    power_w: float = 0.0
    hall: str | None = None
    positions: int = 0
    price_usd: float | None = None
    price_usd_per_byte: float | None = None


@record(kw_only=True)
class Fabric(Node_):
    name: str
    doc: str | None = None
    technology: str | None = None
    connects: str
    topology: Literal["fat_tree", "rail_optimized"] = "fat_tree"
    tiers: int | None = None
    oversubscription: float = 1.0
    rails: int | None = None
    leaf: str
    spine: str | None = None
    core: str | None = None
    transceiver: str | None = None
    distance_m: float | None = None
    declared_switches: dict[str, int] = field(default_factory=dict)
    hall: str | None = None
    training: bool | None = None


@record(kw_only=True)
class Train(Node_):
    name: str
    doc: str | None = None
    params: float
    active_params: float
    tokens: float
    precision: str = "bf16"
    mfu: float | None = None
    gpus: int | None = None
    fabric: str | None = None
    storage: str | None = None
    model: str | None = None  # a `model` definition: its shape and parameter counts
    sequence_length: int | None = None  # tokens per sequence (None: the registered default)
    global_batch: int | None = None  # sequences per optimizer step (None: registered default)
    # tp, pp, vp, cp, ep, dp, zero, micro_batch as given
    parallelism: dict[str, int] = field(default_factory=dict)


@record(kw_only=True)
class Serve(Node_):
    name: str
    doc: str | None = None
    params: float
    active_params: float
    precision: str = "fp8"
    input_tokens: int = 1024
    output_tokens: int = 256
    requested_user_rate_tokens_per_s: float | None = None  # `user_rate`; None: offline
    share: float | None = None
    gpus: int | None = None
    layers: int | None = None
    kv_heads: int | None = None
    head_dim: int | None = None
    kv_precision: str | None = None
    gpus_per_replica: int | None = None
    model: str | None = None  # a `model` definition; its figures fill what the block leaves out
    engine: str | None = None
    ttft_limit_s: float | None = None
    tpot_limit_s: float | None = None
    parallelism: dict[str, int] = field(default_factory=dict)  # tp, dp, ep, pp as given
    disaggregated: bool = False
    prefill_gpus: int | None = None
    prefill_share: float | None = None
    draft_tokens: int = 0
    acceptance_length: float | None = None


@record(kw_only=True)
class Finance(Node_):
    horizon_s: float | None = None
    software_license_usd_per_gpu_s: float | None = None
    utilization: float | None = None
    maintenance: float | None = None
    depreciation_s: dict[str, float] = field(default_factory=dict)


@record(kw_only=True)
class Requirement(Node_):
    path: list[str]
    operator: str
    value: float  # SI
    dimension: str  # name of the dimension, for messages
    unit: str | None = None
    message: str | None = None
    # Where each path segment was written, for fixes that rename one.
    path_spans: list[Span] = field(default_factory=list, compare=False, repr=False)


@record(kw_only=True)
class Components(Node_):
    """Every component the factory uses, by name (the plant items included)."""

    gpus: dict[str, Gpu] = field(default_factory=dict)
    cpus: dict[str, Cpu] = field(default_factory=dict)
    nics: dict[str, Nic] = field(default_factory=dict)
    switches: dict[str, Switch] = field(default_factory=dict)
    transceivers: dict[str, Transceiver] = field(default_factory=dict)
    nodes: dict[str, ServerNode] = field(default_factory=dict)
    racks: dict[str, Rack] = field(default_factory=dict)
    models: dict[str, Model] = field(default_factory=dict)
    engines: dict[str, Engine] = field(default_factory=dict)
    ups: dict[str, Ups] = field(default_factory=dict)
    cdus: dict[str, Cdu] = field(default_factory=dict)
    chillers: dict[str, Chiller] = field(default_factory=dict)
    dry_coolers: dict[str, DryCooler] = field(default_factory=dict)
    generators: dict[str, Generator] = field(default_factory=dict)
    batteries: dict[str, Battery] = field(default_factory=dict)
    busways: dict[str, Busway] = field(default_factory=dict)
    power_shelves: dict[str, PowerShelf] = field(default_factory=dict)
    appliances: dict[str, Appliance] = field(default_factory=dict)


@record(kw_only=True)
class Design(Node_):
    """One factory, elaborated."""

    name: str
    file: str
    doc: str | None = None
    site: Site
    halls: list[Hall] = field(default_factory=list)
    storage: list[Storage] = field(default_factory=list)
    fabrics: list[Fabric] = field(default_factory=list)
    train: list[Train] = field(default_factory=list)
    serve: list[Serve] = field(default_factory=list)
    finance: Finance = field(default_factory=lambda: Finance())
    assumptions: dict[str, float] = field(default_factory=dict)
    requirements: list[Requirement] = field(default_factory=list)
    components: Components = field(default_factory=lambda: Components())

    def rack_gpus(self, rack: Rack) -> int:
        nodes = self.components.nodes
        return sum(nodes[p.name].gpu_count * p.count for p in rack.nodes if p.name in nodes)

    def placed_racks(self) -> Iterator[PlacedRacks]:
        """Every rack type placed in a hall, with its count, in design order."""
        racks = self.components.racks
        for hall in self.halls:
            for part in hall.racks:
                rack = racks.get(part.name)
                if rack is not None:
                    yield PlacedRacks(hall, rack, part.count)

    def placed_nodes(self) -> Iterator[PlacedNodes]:
        """Every node type in every placed rack type, with the counts that multiply."""
        for placed in self.placed_racks():
            yield from self.nodes_in(placed)

    def nodes_in(self, placed: PlacedRacks) -> Iterator[PlacedNodes]:
        """The node types of one placed rack type, with the counts that multiply."""
        nodes = self.components.nodes
        for part in placed.rack.nodes:
            node = nodes.get(part.name)
            if node is not None:
                yield PlacedNodes(placed.hall, placed.rack, placed.racks, node, part.count)


@record
class PlacedRacks:
    """`racks` x `rack` placed in `hall`."""

    hall: Hall
    rack: Rack
    racks: int


@record
class PlacedNodes:
    """`per_rack` x `node` in each of `racks` x `rack` placed in `hall`."""

    hall: Hall
    rack: Rack
    racks: int
    node: ServerNode
    per_rack: int

    @property
    def nodes(self) -> int:
        return self.racks * self.per_rack

    @property
    def gpus(self) -> int:
        return self.nodes * self.node.gpu_count
