"""The design model: a resolved, typed, elaborated design, frozen.

Every value is in SI base units (W, s, bit/s, bytes, FLOP/s, USD) and named
by its unit where it is a bare float. Multiplicities stay symbolic: a rack
type and a count, never one object per rack or GPU, so a million-GPU
factory costs what a thousand-GPU one does. Values that can be derived from
parts record both the declared and the derived figure and which one is used.

Spans point back at the source; they are excluded from dumps.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from aiflang.diagnostics import Span


class Node_(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)
    span: Span | None = Field(default=None, exclude=True, repr=False)
    # Where each attribute was written, so a finding can point at the line it is about.
    attr_spans: dict[str, Span] = Field(default_factory=dict, exclude=True, repr=False)

    def span_of(self, attribute: str) -> Span | None:
        """The span of `attribute = value` if it was written, else the node's own span."""
        return self.attr_spans.get(attribute, self.span)


class Sourced(Node_):
    name: str
    doc: str | None = None
    source: str | None = None
    price_usd: float | None = None
    price_source: str | None = None
    builtin: bool = False


class Gpu(Sourced):
    vendor: str | None = None
    generation: str | None = None
    form_factor: str | None = None
    memory_bytes: float
    memory_bandwidth_bytes_per_s: float
    flops: dict[str, float]  # dense FLOP/s by precision
    tdp_w: float
    scale_up: str | None = None
    scale_up_bandwidth_bytes_per_s: float | None = None
    max_scale_up: int = 8
    # Achieved fractions of the peaks (None: the registered serving defaults apply).
    memory_efficiency: float | None = None
    compute_efficiency: dict[str, float] = {}
    attention_efficiency: float | None = None
    comm_efficiency: float | None = None
    efficiency_source: str | None = None


class Cpu(Sourced):
    vendor: str | None = None
    cores: int | None = None
    tdp_w: float


class Nic(Sourced):
    kind: str = "nic"
    ports: int
    port_speed_bps: float
    power_w: float | None = None


class Switch(Sourced):
    technology: str | None = None
    ports: int
    port_speed_bps: float
    breakout_ways: int = 1
    power_w: float | None = None
    height_m: float | None = None


class Transceiver(Sourced):
    speed_bps: float
    power_w: float | None = None
    reach_m: float | None = None


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


class Engine(Sourced):
    """A serving engine's overheads and limits (`engine` block), SI units."""

    version: str | None = None
    vendors: list[str] = []
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
    memory_fraction: float | None = None
    comm_overlap: float = 0.0
    kv_reserve: Literal["full", "used"] = "used"


class Part(Node_):
    """A count of a named component inside another (`8 x H100`), with its role."""

    name: str
    count: int
    role: str | None = None


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
    def basis(self) -> Literal["declared", "derived"]:
        return "declared" if self.declared_w is not None else "derived"


class ServerNode(Sourced):
    gpus: list[Part] = []
    cpus: list[Part] = []
    nics: list[Part] = []
    power: Power  # derived: an air-cooled node's estimate from its parts
    parts_w: float = 0.0  # GPU, CPU and NIC ratings added up
    height_m: float | None = None
    weight_kg: float | None = None

    @property
    def gpu_count(self) -> int:
        return sum(p.count for p in self.gpus)


class Rack(Sourced):
    nodes: list[Part]
    switches: list[Part] = []
    scale_up: str | None = None
    scale_up_domain: int | None = None  # GPUs per scale-up domain
    power: Power
    liquid_fraction: float = 0.0
    footprint_m2: float | None = None
    height_m: float | None = None
    weight_kg: float | None = None


class Site(Node_):
    utility_w: float | None = None
    pue: float = 1.0
    power_price_usd_per_j: float | None = None
    build_cost_usd_per_w: float | None = None
    location: str | None = None


class Modules(Node_):
    """`n x size`: UPS modules, CDUs, feeds."""

    count: int
    size: float  # SI


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
    positions: int
    racks: list[Part] = []
    floor_loading_kg_per_m2: float | None = None


class Storage(Node_):
    name: str
    doc: str | None = None
    capacity_bytes: float | None = None
    bandwidth_bytes_per_s: float | None = None
    power_w: float = 0.0
    hall: str | None = None
    positions: int = 0
    price_usd: float | None = None
    price_usd_per_byte: float | None = None


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
    declared_switches: dict[str, int] = {}
    hall: str | None = None
    training: bool | None = None


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
    parallelism: dict[str, int] = {}  # tp, dp, ep, pp as given
    disaggregated: bool = False
    prefill_gpus: int | None = None
    prefill_share: float | None = None
    draft_tokens: int = 0
    acceptance_length: float | None = None


class Finance(Node_):
    horizon_s: float | None = None
    software_license_usd_per_gpu_s: float | None = None
    utilization: float | None = None
    maintenance: float | None = None
    depreciation_s: dict[str, float] = {}


class Requirement(Node_):
    path: list[str]
    operator: str
    value: float  # SI
    dimension: str  # name of the dimension, for messages
    unit: str | None = None
    message: str | None = None
    # Where each path segment was written, for fixes that rename one.
    path_spans: list[Span] = Field(default_factory=list, exclude=True, repr=False)


class Components(Node_):
    """Every component the factory can reach, by name."""

    gpus: dict[str, Gpu] = {}
    cpus: dict[str, Cpu] = {}
    nics: dict[str, Nic] = {}
    switches: dict[str, Switch] = {}
    transceivers: dict[str, Transceiver] = {}
    nodes: dict[str, ServerNode] = {}
    racks: dict[str, Rack] = {}
    models: dict[str, Model] = {}
    engines: dict[str, Engine] = {}


class Design(Node_):
    """One factory, elaborated."""

    name: str
    file: str
    doc: str | None = None
    site: Site
    halls: list[Hall] = []
    storage: list[Storage] = []
    fabrics: list[Fabric] = []
    train: list[Train] = []
    serve: list[Serve] = []
    finance: Finance = Finance()
    assumptions: dict[str, float] = {}
    requirements: list[Requirement] = []
    components: Components = Components()

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


@dataclass(frozen=True, slots=True)
class PlacedRacks:
    """`racks` x `rack` placed in `hall`."""

    hall: Hall
    rack: Rack
    racks: int


@dataclass(frozen=True, slots=True)
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
