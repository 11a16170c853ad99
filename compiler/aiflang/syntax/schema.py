"""What each block kind may contain: attributes, their value forms and dimensions.

This table drives name checks (unknown attribute, did you mean), type and
unit checks (E203, E216), required attributes (E205) and the language
reference in docs/language.md. Adding an attribute here makes the parser's
output accept it; the elaborate pass decides what it means.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from aiflang import units
from aiflang.units import Dimension


class Form(enum.Enum):
    """The shape a value must have."""

    QUANTITY = "quantity"  # number with a unit of `dimension`
    COUNT = "count"  # a positive whole number
    NUMBER = "number"  # a plain number (pue)
    FRACTION = "fraction"  # 85% or 0.85
    STRING = "string"  # "text"
    CHOICE = "choice"  # one of `choices`
    REF = "ref"  # the name of a definition of `ref_kind`
    PARTS = "parts"  # `N x name` or a list of them, optionally `for role`
    MODULES = "modules"  # `N x quantity` or a quantity (one module)
    RATIO = "ratio"  # 3:1 (or a number: 3 means 3:1)
    REDUNDANCY = "redundancy"  # N, N+1, 2N, 3/2
    MEDIA = "media"  # { liquid = 2.6 MW, air = 0.6 MW }
    COOLING = "cooling"  # air | liquid | liquid 85%
    SCALE_UP = "scale_up"  # nvlink { domain = 72 } | nvlink
    SWITCH_COUNTS = "switch_counts"  # { leaf = 32, spine = 16 }
    BOOL = "bool"  # true | false


@dataclass(frozen=True, slots=True)
class Attr:
    name: str
    form: Form
    doc: str
    dimension: Dimension | None = None
    ref_kind: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    required: bool = False
    example: str = ""
    positive: bool = False  # zero is not a value of it (a rate or period the models divide by)


@dataclass(frozen=True, slots=True)
class BlockSpec:
    kind: str
    doc: str
    attrs: dict[str, Attr]
    children: tuple[str, ...] = ()
    named: bool = True  # must carry a name or label
    component: bool = False  # a reusable definition that may stand at the top of a file


PRECISIONS = ("fp64", "tf32", "bf16", "fp16", "fp8", "fp6", "fp4")
ROLES_DOC = "a NIC role such as compute, frontend or storage"


def _attrs(*attrs: Attr) -> dict[str, Attr]:
    return {a.name: a for a in attrs}


_SOURCE = Attr("source", Form.STRING, "where the figures come from")
_PRICE = Attr("price", Form.QUANTITY, "indicative unit price", units.MONEY)
_PRICE_SOURCE = Attr("price_source", Form.STRING, "where the price comes from")
_POWER = Attr("power", Form.QUANTITY, "power draw (maximum)", units.POWER)
_HEIGHT = Attr("height", Form.QUANTITY, "height (e.g. 2 U)", units.LENGTH)
_WEIGHT = Attr("weight", Form.QUANTITY, "weight", units.MASS)
_VENDOR = Attr("vendor", Form.STRING, "manufacturer")


def _flops(precision: str) -> Attr:
    return Attr(precision, Form.QUANTITY, f"dense {precision} peak", units.COMPUTE_RATE)


BLOCKS: dict[str, BlockSpec] = {
    spec.kind: spec
    for spec in (
        BlockSpec(
            "gpu",
            "an accelerator model",
            _attrs(
                _VENDOR,
                Attr("generation", Form.STRING, "architecture generation"),
                Attr("form_factor", Form.STRING, "SXM, OAM, Superchip, ..."),
                Attr(
                    "memory",
                    Form.QUANTITY,
                    "HBM capacity",
                    units.DATA,
                    required=True,
                    example="memory = 80 GB",
                ),
                Attr(
                    "memory_bandwidth",
                    Form.QUANTITY,
                    "HBM bandwidth",
                    units.BANDWIDTH,
                    required=True,
                    example="memory_bandwidth = 3.35 TB/s",
                    positive=True,
                ),
                *(_flops(p) for p in PRECISIONS),
                Attr(
                    "tdp",
                    Form.QUANTITY,
                    "thermal design power",
                    units.POWER,
                    required=True,
                    example="tdp = 700 W",
                ),
                Attr(
                    "scale_up",
                    Form.CHOICE,
                    "scale-up interconnect",
                    choices=("nvlink", "infinity_fabric", "none"),
                ),
                Attr(
                    "scale_up_bandwidth",
                    Form.QUANTITY,
                    "scale-up bandwidth per GPU",
                    units.BANDWIDTH,
                ),
                Attr("max_scale_up", Form.COUNT, "largest scale-up domain the GPU supports"),
                _PRICE,
                _PRICE_SOURCE,
                _SOURCE,
            ),
            component=True,
        ),
        BlockSpec(
            "cpu",
            "a host processor",
            _attrs(
                _VENDOR,
                Attr("cores", Form.COUNT, "cores"),
                Attr(
                    "tdp",
                    Form.QUANTITY,
                    "thermal design power",
                    units.POWER,
                    required=True,
                    example="tdp = 350 W",
                ),
                _PRICE,
                _PRICE_SOURCE,
                _SOURCE,
            ),
            component=True,
        ),
        BlockSpec(
            "nic",
            "a network adapter or DPU",
            _attrs(
                Attr("kind", Form.CHOICE, "nic or dpu", choices=("nic", "dpu", "supernic")),
                Attr(
                    "ports",
                    Form.MODULES,
                    "ports and their speed",
                    units.BANDWIDTH,
                    required=True,
                    example="ports = 1 x 400 Gbps",
                    positive=True,
                ),
                _POWER,
                _PRICE,
                _PRICE_SOURCE,
                _SOURCE,
                _VENDOR,
            ),
            component=True,
        ),
        BlockSpec(
            "switch",
            "a network switch",
            _attrs(
                Attr(
                    "technology",
                    Form.CHOICE,
                    "fabric technology",
                    choices=("infiniband", "ethernet"),
                ),
                Attr(
                    "ports",
                    Form.MODULES,
                    "ports and their speed",
                    units.BANDWIDTH,
                    required=True,
                    example="ports = 64 x 800 Gbps",
                    positive=True,
                ),
                Attr(
                    "breakout",
                    Form.MODULES,
                    "what one port can split into",
                    units.BANDWIDTH,
                    example="breakout = 2 x 400 Gbps",
                    positive=True,
                ),
                _POWER,
                _HEIGHT,
                _PRICE,
                _PRICE_SOURCE,
                _SOURCE,
                _VENDOR,
            ),
            component=True,
        ),
        BlockSpec(
            "transceiver",
            "an optical module",
            _attrs(
                Attr(
                    "speed",
                    Form.QUANTITY,
                    "module speed",
                    units.BANDWIDTH,
                    required=True,
                    example="speed = 800 Gbps",
                    positive=True,
                ),
                _POWER,
                Attr("reach", Form.QUANTITY, "reach", units.LENGTH),
                _PRICE,
                _PRICE_SOURCE,
                _SOURCE,
                _VENDOR,
            ),
            component=True,
        ),
        BlockSpec(
            "node",
            "a server or compute tray",
            _attrs(
                Attr("gpus", Form.PARTS, "GPUs", ref_kind=("gpu",), example="gpus = 8 x H100"),
                Attr("cpus", Form.PARTS, "CPUs", ref_kind=("cpu",)),
                Attr(
                    "nics",
                    Form.PARTS,
                    "NICs with their roles",
                    ref_kind=("nic",),
                    example="nics = [8 x CX7 for compute, 2 x BF3 for frontend]",
                ),
                _POWER,
                _HEIGHT,
                _WEIGHT,
                _PRICE,
                _PRICE_SOURCE,
                _SOURCE,
            ),
            component=True,
        ),
        BlockSpec(
            "rack",
            "a rack type",
            _attrs(
                Attr(
                    "nodes",
                    Form.PARTS,
                    "nodes in the rack",
                    ref_kind=("node",),
                    required=True,
                    example="nodes = 18 x gb200_tray",
                ),
                Attr(
                    "switches",
                    Form.PARTS,
                    "switches inside the rack (e.g. NVLink trays)",
                    ref_kind=("switch",),
                ),
                Attr("scale_up", Form.SCALE_UP, "scale-up domain: nvlink { domain = 72 }"),
                _POWER,
                Attr("cooling", Form.COOLING, "air, liquid, or liquid with a share: liquid 85%"),
                Attr("footprint", Form.QUANTITY, "floor area", units.AREA),
                _HEIGHT,
                _WEIGHT,
                _PRICE,
                _PRICE_SOURCE,
                _SOURCE,
            ),
            component=True,
        ),
        BlockSpec(
            "factory",
            "one facility (a design)",
            {},
            children=(
                "site",
                "hall",
                "storage",
                "fabric",
                "train",
                "serve",
                "finance",
                "assumptions",
                "gpu",
                "cpu",
                "nic",
                "switch",
                "transceiver",
                "node",
                "rack",
            ),
        ),
        BlockSpec(
            "site",
            "the facility envelope",
            _attrs(
                Attr("utility", Form.QUANTITY, "utility feed capacity", units.POWER),
                Attr(
                    "pue",
                    Form.NUMBER,
                    "power usage effectiveness (>= 1)",
                    required=True,
                    example="pue = 1.2",
                ),
                Attr("power_price", Form.QUANTITY, "energy price", units.MONEY_PER_ENERGY),
                Attr(
                    "build_cost",
                    Form.QUANTITY,
                    "facility build cost per critical IT power",
                    units.MONEY_PER_POWER,
                ),
                Attr("location", Form.STRING, "where the site is"),
            ),
            named=False,
        ),
        BlockSpec(
            "hall",
            "a data hall",
            _attrs(
                Attr(
                    "it_power",
                    Form.QUANTITY,
                    "critical IT capacity",
                    units.POWER,
                    required=True,
                    example="it_power = 3 MW",
                ),
                Attr("feeds", Form.MODULES, "utility feeds (A/B)", units.POWER),
                Attr("ups", Form.MODULES, "UPS modules", units.POWER, example="ups = 4 x 1 MW"),
                Attr("redundancy", Form.REDUNDANCY, "UPS redundancy: N, N+1, 2N, 3/2"),
                Attr("derating", Form.FRACTION, "continuous-load derating of breakers"),
                Attr("cooling", Form.MEDIA, "cooling capacity by medium"),
                Attr("cdus", Form.MODULES, "coolant distribution units", units.POWER),
                Attr("cdu_redundancy", Form.REDUNDANCY, "CDU redundancy"),
                Attr(
                    "positions",
                    Form.COUNT,
                    "rack positions",
                    required=True,
                    example="positions = 40",
                ),
                Attr(
                    "racks",
                    Form.PARTS,
                    "racks placed in the hall",
                    ref_kind=("rack",),
                    example="racks = 16 x nvl72",
                ),
                Attr("floor_loading", Form.QUANTITY, "rated floor loading", units.MASS_PER_AREA),
            ),
        ),
        BlockSpec(
            "storage",
            "a storage system",
            _attrs(
                Attr("capacity", Form.QUANTITY, "usable capacity", units.DATA),
                Attr("bandwidth", Form.QUANTITY, "aggregate bandwidth", units.BANDWIDTH),
                _POWER,
                Attr("hall", Form.REF, "the hall it stands in", ref_kind=("hall",)),
                Attr("positions", Form.COUNT, "rack positions it takes"),
                _PRICE,
                Attr(
                    "price_per_capacity",
                    Form.QUANTITY,
                    "price per byte",
                    units.Dimension(money=1, data=-1),
                ),
            ),
        ),
        BlockSpec(
            "fabric",
            "a network",
            _attrs(
                Attr(
                    "technology",
                    Form.CHOICE,
                    "infiniband or ethernet",
                    choices=("infiniband", "ethernet"),
                ),
                Attr(
                    "connects", Form.STRING, ROLES_DOC, required=True, example="connects = compute"
                ),
                Attr(
                    "topology",
                    Form.CHOICE,
                    "fat_tree or rail_optimized",
                    choices=("fat_tree", "rail_optimized"),
                ),
                Attr("tiers", Form.COUNT, "switch tiers (1, 2 or 3); derived when left out"),
                Attr("oversubscription", Form.RATIO, "leaf oversubscription, e.g. 1:1"),
                Attr("rails", Form.COUNT, "rails (rail-optimized); derived from NICs per node"),
                Attr(
                    "leaf",
                    Form.REF,
                    "leaf switch",
                    ref_kind=("switch",),
                    required=True,
                    example="leaf = QM9700",
                ),
                Attr("spine", Form.REF, "spine switch", ref_kind=("switch",)),
                Attr("core", Form.REF, "core switch", ref_kind=("switch",)),
                Attr("transceiver", Form.REF, "optical module", ref_kind=("transceiver",)),
                Attr("switches", Form.SWITCH_COUNTS, "declared switch counts per tier"),
                Attr(
                    "hall", Form.REF, "hall holding the spine and core switches", ref_kind=("hall",)
                ),
                Attr("training", Form.BOOL, "carries training traffic (default: compute role)"),
            ),
        ),
        BlockSpec(
            "train",
            "a training workload",
            _attrs(
                Attr(
                    "params",
                    Form.NUMBER,
                    "parameters (total)",
                    required=True,
                    example="params = 405 billion",
                ),
                Attr("active_params", Form.NUMBER, "active parameters per token (MoE)"),
                Attr(
                    "tokens",
                    Form.NUMBER,
                    "training tokens",
                    required=True,
                    example="tokens = 15.6 trillion",
                ),
                Attr("precision", Form.CHOICE, "compute precision", choices=PRECISIONS),
                Attr("mfu", Form.FRACTION, "model FLOPs utilization"),
                Attr("gpus", Form.COUNT, "GPUs used (default: all)"),
                Attr("fabric", Form.REF, "fabric it runs on", ref_kind=("fabric",)),
                Attr("storage", Form.REF, "checkpoint storage", ref_kind=("storage",)),
            ),
        ),
        BlockSpec(
            "serve",
            "an inference workload",
            _attrs(
                Attr(
                    "params",
                    Form.NUMBER,
                    "parameters (total)",
                    required=True,
                    example="params = 70 billion",
                ),
                Attr("active_params", Form.NUMBER, "active parameters per token (MoE)"),
                Attr("precision", Form.CHOICE, "weight and compute precision", choices=PRECISIONS),
                Attr("input_tokens", Form.COUNT, "prompt tokens per request"),
                Attr("output_tokens", Form.COUNT, "generated tokens per request"),
                Attr(
                    "user_rate",
                    Form.QUANTITY,
                    "decode rate each user sees",
                    units.TOKEN_RATE,
                    example="user_rate = 30 tokens/s",
                    positive=True,
                ),
                Attr("share", Form.FRACTION, "share of the fleet (default: all, split evenly)"),
                Attr("gpus", Form.COUNT, "GPUs used"),
                Attr("layers", Form.COUNT, "transformer layers"),
                Attr("kv_heads", Form.COUNT, "key-value heads"),
                Attr("head_dim", Form.COUNT, "dimension of a head"),
                Attr("kv_precision", Form.CHOICE, "KV-cache precision", choices=PRECISIONS),
                Attr("gpus_per_replica", Form.COUNT, "GPUs per replica (derived when left out)"),
            ),
        ),
        BlockSpec(
            "finance",
            "money over time",
            _attrs(
                Attr(
                    "horizon",
                    Form.QUANTITY,
                    "period of the total cost of ownership",
                    units.TIME,
                    example="horizon = 5 years",
                    positive=True,
                ),
                Attr(
                    "software_license",
                    Form.QUANTITY,
                    "software per GPU per year",
                    units.MONEY_PER_GPU_TIME,
                ),
                Attr("utilization", Form.FRACTION, "average share of time the GPUs work"),
                Attr("maintenance", Form.FRACTION, "yearly maintenance as a share of hardware"),
                Attr(
                    "depreciation_systems", Form.QUANTITY, "life of accelerated systems", units.TIME
                ),
                Attr("depreciation_network", Form.QUANTITY, "life of network gear", units.TIME),
                Attr("depreciation_storage", Form.QUANTITY, "life of storage", units.TIME),
                Attr("depreciation_facility", Form.QUANTITY, "life of the facility", units.TIME),
            ),
            named=False,
        ),
        BlockSpec("assumptions", "overrides of model constants", {}, named=False),
    )
}

COMPONENT_KINDS = tuple(k for k, s in BLOCKS.items() if s.component)

# A sweep varies what `--set` sets: the factory's members and every kind of part, so
# its children follow the table above (a new kind of part is sweepable without an edit).
BLOCKS["sweep"] = BlockSpec(
    "sweep",
    "a design-space search of the file's factory (`aifc sweep`): inside it, blocks "
    "named as in the factory give each varied attribute a list of alternatives, a "
    "range, a distribution or steps(LOW, HIGH, STEP); `require` rules are its "
    "constraints",
    _attrs(
        Attr("samples", Form.COUNT, "samples of the continuous inputs"),
        Attr(
            "method",
            Form.CHOICE,
            "how continuous inputs are sampled",
            choices=("lhs", "random"),
        ),
        Attr("seed", Form.NUMBER, "seed of the sampling (a whole number, default 0)"),
        Attr(
            "maximize",
            Form.STRING,
            "figures to maximise: key figure names or quoted report paths, or a list",
        ),
        Attr(
            "minimize",
            Form.STRING,
            "figures to minimise: key figure names or quoted report paths, or a list",
        ),
    ),
    children=(
        *("site", "hall", "storage", "fabric", "train", "serve", "finance", "assumptions"),
        *COMPONENT_KINDS,
    ),
)
