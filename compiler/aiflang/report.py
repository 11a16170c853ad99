"""The report data: one typed tree, the JSON contract of `aifc report --format json`.

The shape is versioned by `FORMAT_VERSION` and documented by the JSON Schema
that `aifc schema` prints (generated from these models). Values are in SI
base units and US dollars, named by suffix: `_w`, `_j`, `_s`, `_bps`,
`_bytes`, `_usd`. Fields may be added in a minor version; none is renamed or
removed without a major one. Optional figures are null when the design
lacks what they need (no price, no power price, ...). `FIELD_UNITS` gives
the unit of every numeric path: `require` rules compare in it and `aifc
schema` describes each field with it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from aiflang import records
from aiflang.diagnostics import Counts, Diagnostic, Span, snippet
from aiflang.report_model import ReportModel

FORMAT_VERSION = "2.0"


class _Model(ReportModel):
    __slots__ = ()


class Position(_Model):
    file: str
    line: int
    column: int
    byte: int


class Range(_Model):
    filename: str
    start: Position
    end: Position


class RelatedReport(_Model):
    message: str
    range: Range


class DiagnosticReport(_Model):
    code: str
    severity: str  # "error" | "warning"
    summary: str
    detail: str | None = None  # notes, one per line
    help: str | None = None
    range: Range | None = None
    snippet: str | None = None
    related: list[RelatedReport] = []


class ValidationReport(_Model):
    """The envelope of `aifc validate --format json`."""

    format_version: str = FORMAT_VERSION
    valid: bool
    error_count: int
    warning_count: int
    diagnostics: list[DiagnosticReport]


class Capacity(_Model):
    gpus: int
    gpus_by_model: dict[str, int]
    gpus_by_generation: dict[str, int] = {}
    it_power_w: float
    facility_power_w: float
    utility_w: float | None = None
    peak_flops: dict[str, float]  # fp64, tf32, bf16, fp8, fp6, fp4 (dense FLOP/s)
    hbm_bytes: float
    racks: int
    positions: int


class HeadroomFit(_Model):
    """How many more racks of one type fit, and what runs out first."""

    rack: str
    more_racks: int
    binding: str  # power | liquid | air | positions | utility | switch_ports


class Headroom(_Model):
    power_w: float
    power: float  # share of IT capacity left, 0..1
    liquid_w: float | None = None
    air_w: float | None = None
    positions: int
    fits: list[HeadroomFit] = []


class Failure(_Model):
    """What one failed part takes down."""

    part: str  # "ups module", "cdu", "feed", "leaf switch", ...
    capacity_lost_w: float | None = None
    gpus_affected: int = 0
    racks_affected: int = 0
    note: str = ""


class HallReport(_Model):
    name: str
    it_load_w: float
    it_capacity_w: float
    ups_usable_w: float | None = None  # UPS plant at its redundancy (nameplate)
    ups_continuous_w: float | None = None  # ups_usable_w x continuous-load derating
    power_limit_w: float | None = None  # min(it_capacity_w, ups_continuous_w)
    liquid_load_w: float
    air_load_w: float
    liquid_capacity_w: float | None = None
    air_capacity_w: float | None = None
    network_w: float = 0.0
    storage_w: float = 0.0
    racks: int
    network_racks: int = 0
    positions: int
    gpus: int = 0
    headroom: Headroom
    failures: list[Failure] = []


class PlantReport(_Model):
    """What a hall's plant adds to its power and what it carries (None: not known)."""

    hall: str
    parts: dict[str, str] = {}  # hall attribute -> the catalog model it names
    ups_losses_w: float | None = None  # IT load x (1/efficiency - 1)
    cooling_plant_w: float | None = None  # chiller compressors, dry-cooler fans, CDU pumps
    plant_pue: float | None = None  # (IT + UPS losses + cooling plant) / IT
    heat_rejection_w: float | None = None  # chillers and dry coolers at their redundancy
    generators_w: float | None = None  # at their redundancy
    busway_w: float | None = None  # continuous: rating x count x breaker_derating
    battery_runtime_s: float | None = None  # at the IT load
    cdu_positions: int = 0  # rack positions in-row CDUs take
    plant_footprint_m2: float | None = None  # UPS, batteries, facility CDUs
    plant_area_m2: float | None = None


class TierCounts(_Model):
    leaf: int
    spine: int
    core: int


class LinkCounts(_Model):
    endpoint_leaf: int
    leaf_spine: int
    spine_core: int


class FabricReport(_Model):
    name: str
    technology: str | None
    topology: str
    endpoints: int
    endpoint_speed_bps: float
    rails: int = 1
    tiers: int
    switches: TierCounts
    declared_switches: dict[str, int] = {}
    links: LinkCounts
    transceivers: int  # modules at switch ends and NICs; for copper cables, the cables
    transceiver: str | None = None  # the part the fabric names, or the one its distance picks
    cables: int = 0
    bisection_bps: float
    bandwidth_per_endpoint_bps: float = 0.0
    oversubscription: float
    max_hops: int = 0
    switch_power_w: float = 0.0
    optics_power_w: float = 0.0
    failures: list[Failure] = []
    endpoints_by_hall: dict[str, int] = {}
    single_homed_endpoints: int = 0  # endpoints behind one leaf: every leaf failure cuts them off
    mean_hops: float = 0.0  # switch hops, averaged over endpoint pairs


class TrainPlanReport(_Model):
    """A training run's parallelism plan and the memory it needs per GPU."""

    tp: int
    pp: int
    vp: int = 1  # virtual pipeline stages per GPU (interleaved 1F1B)
    cp: int = 1
    ep: int = 1
    dp: int
    zero: int  # ZeRO stage; 3 is FSDP
    micro_batch: int  # sequences per micro-batch
    microbatches: int  # micro-batches per data-parallel rank per step
    recompute: str  # "selective", "full", or "full on N% of layers"
    label: str  # "TP8 PP16 VP2 DP64 ZeRO-1"
    gpus: int  # GPUs the plan uses (the run's GPUs, less any left idle)
    memory_per_gpu_bytes: float


class TrainReport(_Model):
    name: str
    gpus: int
    gpu_model: str | None = None
    precision: str
    mfu: float
    flops: float
    time_s: float  # wall-clock time to train, interruptions and checkpoints included
    gpu_hours: float
    energy_j: float  # facility energy (IT x PUE)
    it_energy_j: float = 0.0
    cost_usd: float | None = None
    checkpoint_s: float | None = None
    model: str | None = None  # the `model` definition trained, when named
    mfu_declared: bool = False  # the workload's own mfu replaced the step-time model
    plan: TrainPlanReport | None = None
    sequence_length: int = 0
    global_batch: int = 0  # sequences per optimizer step
    tokens: float = 0.0
    step_s: float = 0.0  # compute + bubble + exposed communication
    compute_s: float = 0.0  # GEMMs and element-wise kernels, and the waits on the host
    bubble_s: float = 0.0
    exposed_s: dict[str, float] = {}  # exposed communication by collective: tp, cp, pp, dp, ep
    failures_per_step_s: float = 0.0  # checkpoints, restarts and lost work, per step
    tokens_per_s: float = 0.0
    solve_time_s: float = 0.0  # failure-free time to train
    ettr: float = 1.0  # effective training time ratio: solve time / wall time
    checkpoint_interval_s: float | None = None
    interruptions: float = 0.0  # expected over the run
    step_s_spine_lost: float | None = None  # the plan's step with one fabric spine lost
    fabric: str | None = None
    storage: str | None = None


class ParallelismReport(_Model):
    """One replica's layout: tensor (attention), data-parallel attention, expert, pipeline."""

    tp: int
    dp: int
    ep: int
    pp: int
    label: str  # "TP8", "TP1 DP8 EP8", "TP8 PP2"


class CurvePointReport(_Model):
    """One point of a serve workload's throughput-versus-interactivity curve."""

    parallelism: str  # the replica shape's label
    gpus_per_replica: float  # decode GPUs plus the point's share of a prefill pool
    batch: int
    user_rate_tokens_per_s: float  # tokens/s each user sees (x axis)
    tokens_per_s_per_gpu: float  # output tokens/s per GPU (y axis)
    tokens_per_s_per_mw: float  # the same per MW of facility power
    tpot_s: float
    time_to_first_token_s: float | None = None  # mean; None when the queue is unbounded
    bound: str  # the step's largest term: compute, memory, communication, floor
    pareto: bool = False  # on the workload's Pareto front across shapes


class ServeReport(_Model):
    name: str
    gpus: int
    gpu_model: str | None = None
    model: str | None = None  # the `model` definition served, if any
    engine: str | None = None
    precision: str
    kv_precision: str | None = None
    gpus_per_replica: int
    parallelism: ParallelismReport | None = None
    replicas: int
    prefill_gpus: int = 0  # GPUs of a disaggregated prefill pool
    batch: int = 0
    tokens_per_s: float
    tokens_per_s_per_mw: float
    joules_per_token: float
    requested_user_rate_tokens_per_s: float | None = None  # the workload's user_rate
    user_rate_tokens_per_s: float | None = None  # the per-user rate reached at the point
    max_user_rate_tokens_per_s: float | None = None  # the fastest any replica reaches
    tpot_s: float | None = None
    time_to_first_token_s: float | None = None  # mean, at the point's request rate
    time_to_first_token_p90_s: float | None = None
    binding_limit: str | None = None
    step_bound: str | None = None
    cost_per_million_tokens_usd: float | None = None
    curve: list[CurvePointReport] = []


class CostReport(_Model):
    capex_usd: dict[str, float]  # total, accelerated_systems, network, storage, facility
    opex_usd_per_year: dict[str, float]  # total, energy, software, maintenance
    depreciation_usd_per_year: dict[str, float] = {}
    horizon_s: float
    tco_usd: float
    cost_per_gpu_hour_usd: float | None = None
    missing_prices: list[str] = []


class DegradedWorkload(_Model):
    """What one workload keeps while one part is down."""

    name: str
    kind: str  # serve | train
    gpus_lost: float  # its share of the GPUs the failure takes (fleet GPUs x its share)
    tokens_per_s: float | None = None  # serve: what survives
    tokens_per_s_lost: float | None = None
    lost_cost_usd_per_hour: float | None = None  # serve: lost tokens at its cost per token
    time_s: float | None = None  # train: the run's time with the part down throughout
    time_added_s: float | None = None
    extra_cost_usd: float | None = None  # train: its cost x the added time share


class DegradedMode(_Model):
    """One single failure the power, cooling or fabric analyses list, and what survives it."""

    # `hall A ups module`, `fabric compute spine switch`: unique in the report, so a
    # `require degraded_modes."fabric compute spine switch".tokens_per_s >= ...` names one.
    name: str
    part: str  # as in halls[].failures[] and fabrics[].failures[]
    location: str  # `hall A`, `fabric compute`
    gpus_lost: int
    bisection_lost: float = 0.0  # share of the fabric's bisection lost, 0..1
    tokens_per_s: float | None = None  # fleet tokens/s that survive
    tokens_per_s_lost: float | None = None
    lost_cost_usd_per_hour: float | None = None
    train_time_added_s: float | None = None  # the longest run's added time
    basis: str = ""  # how training time was scaled
    workloads: list[DegradedWorkload] = []


class UncertainInput(_Model):
    """One input the Monte Carlo run samples."""

    path: str  # as `--set` names it: `site.power_price`, `assumptions.maintenance_fraction`
    distribution: str  # `uniform(0.06 USD/kWh, 0.09 USD/kWh)`, `triangular(...)`, ...
    source: str  # `design` or the assumption's published source


class Percentiles(_Model):
    nominal: float | None = None  # the single-compile figure (every input at its nominal)
    p10: float | None = None
    p50: float | None = None
    p90: float | None = None


class TornadoBar(_Model):
    """One input moved alone to its P10 and P90 values, the others at their nominal."""

    input: str
    low_value: str
    high_value: str
    at_low: float | None = None
    at_high: float | None = None
    swing: float = 0.0  # |at_high - at_low|


class UncertaintyReport(_Model):
    samples: int
    valid_samples: int
    seed: int
    method: str  # lhs | random
    inputs: list[UncertainInput] = []
    figures: dict[str, Percentiles] = {}  # capex_usd, tco_usd, tokens_per_s_per_mw, ...
    tornado: dict[str, list[TornadoBar]] = {}  # per figure, largest swing first


class BomLine(_Model):
    """One line of the bill of materials: a part, in one hall, with its count and price.

    `hall` is "" for what stands in no hall (licences). `price_status` is
    `priced` (extended = unit x count, part of capex), `no price` (the part
    has none: never counted as zero without saying so), `included` (bought
    as part of `parent`), `parts` (a rack without a price, bought as the
    lines inside it), `facility` (paid for by the facility's build cost) or
    `opex` (a yearly cost, outside capex). Power is per unit and for the
    line; a line with a `parent` is inside it, whose power already counts it.
    """

    hall: str
    category: str  # accelerated_systems | network | storage | facility | software
    kind: str  # rack, node, gpu, cpu, nic, dpu, switch, transceiver, cable, storage, ...
    name: str  # the catalog (or design) name
    vendor: str | None = None
    model: str | None = None
    fabric: str | None = None
    tier: str | None = None  # leaf | spine | core, for a fabric's switches
    parent: str | None = None
    count: float
    unit: str = "each"  # each | MW | GPU-year
    unit_price_usd: float | None = None
    extended_price_usd: float | None = None
    price_status: str
    in_capex: bool
    unit_power_w: float | None = None
    total_power_w: float | None = None


class BomReport(_Model):
    """The bill of materials: every part per hall, from the cost estimate's priced lines.

    `capex_usd` is the sum of the lines in capex and equals `cost.capex_usd.total`;
    `power_w` sums the lines that stand on their own (no `parent`).
    """

    halls: list[str]
    lines: list[BomLine]
    capex_usd: float
    capex_by_hall_usd: dict[str, float]
    opex_usd_per_year: float = 0.0
    power_w: float = 0.0
    unpriced: list[str] = []  # parts listed without a price


class RequirementReport(_Model):
    path: str
    operator: str
    expected: float
    actual: float | None
    passed: bool
    message: str | None = None


class AssumptionReport(_Model):
    name: str
    value: float
    default: float
    unit: str
    overridden: bool
    description: str
    source: str
    low: float | None = None  # the range the source publishes, when it gives one
    high: float | None = None


class DerivationReport(_Model):
    formula: str
    inputs: dict[str, float | str]
    assumptions: list[str] = []


class CatalogOverride(_Model):
    """A definition of the design (or an import) that takes a built-in catalog entry's name."""

    kind: str
    name: str
    builtin_kind: str  # the kind of the built-in entry it shadows
    file: str
    line: int
    extends: bool  # `gpu H100 extends H100 { ... }`; False is a full redefinition (W202)


class Provenance(_Model):
    """What produced a report: the compiler's version and the hashes of what it read.

    Hashes are SHA-256 of each file's text as UTF-8 (as read, before any
    `--set`), so a reader can tell whether a saved report still matches the
    design and catalog on disk. No timestamps: the same inputs give the
    same report, byte for byte.
    """

    aifc_version: str
    catalog_sha256: str  # of the built-in catalog: its file names and texts, in order
    inputs: dict[str, str]  # design file, imports and project catalog files -> sha256
    settings: list[str] = []  # the --set overrides applied, as given


class Report(_Model):
    format_version: str = FORMAT_VERSION
    factory: str
    file: str
    # Every factory the file defines, in source order; `aifc report --factory NAME` picks one.
    factories: list[str] = []
    doc: str | None = None
    valid: bool
    error_count: int
    warning_count: int
    diagnostics: list[DiagnosticReport]
    capacity: Capacity | None = None
    halls: list[HallReport] = []
    plant: list[PlantReport] = []
    fabrics: list[FabricReport] = []
    train: list[TrainReport] = []
    serve: list[ServeReport] = []
    cost: CostReport | None = None
    bom: BomReport | None = None
    requirements: list[RequirementReport] = []
    degraded_modes: list[DegradedMode] = []
    uncertainty: UncertaintyReport | None = None  # `aifc report --uncertainty N` only
    assumptions: list[AssumptionReport] = []
    catalog_overrides: list[CatalogOverride] = []
    explain: dict[str, DerivationReport] = records.field(default_factory=dict)
    provenance: Provenance | None = None


# Diagnostics as report data (shared by `validate --format json` and reports).


def _position(span: Span, end: bool) -> Position:
    if end:
        return Position(
            file=span.file, line=span.end_line, column=span.end_column, byte=span.end_offset
        )
    return Position(file=span.file, line=span.line, column=span.column, byte=span.offset)


def range_of(span: Span) -> Range:
    return Range(filename=span.file, start=_position(span, False), end=_position(span, True))


def diagnostic_report(diagnostic: Diagnostic, sources: dict[str, str]) -> DiagnosticReport:
    span = diagnostic.span
    return DiagnosticReport(
        code=diagnostic.code,
        severity=diagnostic.severity.value,
        summary=diagnostic.message,
        detail="\n".join(diagnostic.notes) or None,
        help=diagnostic.help,
        range=range_of(span) if span else None,
        snippet=snippet(sources, span) if span else None,
        related=[
            RelatedReport(message=r.message, range=range_of(r.span)) for r in diagnostic.related
        ],
    )


def validation_report(
    diagnostics: list[Diagnostic], sources: dict[str, str], counts: Counts | None = None
) -> ValidationReport:
    """The `validate --format json` envelope of `diagnostics`.

    `counts` are of every finding (the driver's); without them the shown
    diagnostics are counted, for when nothing was left out.
    """
    counts = counts or Counts.of(diagnostics)
    return ValidationReport(
        valid=counts.valid,
        error_count=counts.errors,
        warning_count=counts.warnings,
        diagnostics=[diagnostic_report(d, sources) for d in diagnostics],
    )


# The dimension of every numeric path of the report ---------------------------
#
# One table, read by `require` rules (aiflang.analyses.requirements) and by
# `aifc schema` (each numeric field's description). A path names the JSON
# report's keys; `*` stands for a list item (chosen by its name in a rule)
# or a key of an open mapping (`capex_usd.*`, `gpus_by_model.*`).


class FieldUnit:
    """What a numeric report field holds.

    `unit` is the unit expression the JSON value is written in ("" for a
    plain number, "GPU" for a count of GPUs); a `require` bound in any unit
    of the same dimension compares with it. `plausible` is the range (in
    `unit`) a bound's magnitude is expected in: a bound outside it is a slip
    of unit (USD/token for USD/Mtok, 10 for 10%) until shown otherwise
    (W601). A field of unit `si` holds an SI value whose dimension another
    field gives (an assumption's `unit`, a rule's path).
    """

    __slots__ = ("meaning", "plausible", "unit")

    def __init__(
        self, unit: str, meaning: str, plausible: tuple[float, float] | None = None
    ) -> None:
        self.unit = unit
        self.meaning = meaning
        self.plausible = plausible

    @property
    def description(self) -> str:
        if self.unit == "si":
            return f"{self.meaning} (SI base units)"
        if self.unit in ("", "GPU"):
            return self.meaning
        return f"{self.meaning}, in {self.unit}"


def _unit(unit: str, plausible: tuple[float, float] | None = None) -> Callable[[str], FieldUnit]:
    return lambda meaning: FieldUnit(unit, meaning, plausible)


_W = _unit("W", (1e-3, 1e12))
_USD = _unit("USD", (1e-2, 1e14))
_USD_YEAR = _unit("USD/year", (1e-2, 1e14))
_S = _unit("s", (1e-6, 1e11))
_J = _unit("J", (1e-3, 1e21))
_BPS = _unit("bps", (1e3, 1e19))
_COUNT = _unit("")
_GPUS = _unit("GPU")
_SHARE = _unit("", (0.0, 1.0))
_LOST_W = "capacity one failed part takes away"
_LOST_GPUS = "GPUs one failed part sheds or cuts off"
_LOST_RACKS = "racks one failed part sheds or cuts off"

FIELD_UNITS: dict[str, FieldUnit] = {
    "error_count": _COUNT("errors among the diagnostics"),
    "warning_count": _COUNT("warnings among the diagnostics"),
    "diagnostics.*.range.start.line": _COUNT("line, from 1"),
    "diagnostics.*.range.start.column": _COUNT("column in characters, from 1"),
    "diagnostics.*.range.start.byte": _COUNT("byte offset in the file"),
    "diagnostics.*.range.end.line": _COUNT("line, from 1"),
    "diagnostics.*.range.end.column": _COUNT("column in characters, from 1"),
    "diagnostics.*.range.end.byte": _COUNT("byte offset in the file"),
    "diagnostics.*.related.*.range.start.line": _COUNT("line, from 1"),
    "diagnostics.*.related.*.range.start.column": _COUNT("column in characters, from 1"),
    "diagnostics.*.related.*.range.start.byte": _COUNT("byte offset in the file"),
    "diagnostics.*.related.*.range.end.line": _COUNT("line, from 1"),
    "diagnostics.*.related.*.range.end.column": _COUNT("column in characters, from 1"),
    "diagnostics.*.related.*.range.end.byte": _COUNT("byte offset in the file"),
    # capacity
    "capacity.gpus": _GPUS("GPUs placed in the halls"),
    "capacity.gpus_by_model.*": _GPUS("GPUs of one model"),
    "capacity.gpus_by_generation.*": _GPUS("GPUs of one generation"),
    "capacity.it_power_w": _W("IT load of the halls"),
    "capacity.facility_power_w": _W("facility power (IT x PUE)"),
    "capacity.utility_w": _W("utility feed of the site"),
    "capacity.peak_flops.*": FieldUnit("FLOPS", "dense peak compute", (1e6, 1e25)),
    "capacity.hbm_bytes": FieldUnit("B", "GPU memory (HBM)", (1e6, 1e21)),
    "capacity.racks": _COUNT("racks placed"),
    "capacity.positions": _COUNT("rack positions"),
    # halls
    "halls.*.it_load_w": _W("IT load"),
    "halls.*.it_capacity_w": _W("critical IT capacity (it_power)"),
    "halls.*.ups_usable_w": _W("UPS plant at its redundancy"),
    "halls.*.ups_continuous_w": _W("UPS plant at its redundancy, derated"),
    "halls.*.power_limit_w": _W("IT load the hall can carry"),
    "halls.*.liquid_load_w": _W("heat to liquid"),
    "halls.*.air_load_w": _W("heat to air"),
    "halls.*.liquid_capacity_w": _W("liquid cooling capacity"),
    "halls.*.air_capacity_w": _W("air cooling capacity"),
    "halls.*.network_w": _W("network switches and optics"),
    "halls.*.storage_w": _W("storage"),
    "halls.*.racks": _COUNT("racks placed"),
    "halls.*.network_racks": _COUNT("racks of network switches"),
    "halls.*.positions": _COUNT("rack positions"),
    "halls.*.gpus": _GPUS("GPUs in the hall"),
    "halls.*.headroom.power_w": _W("power left for more racks"),
    "halls.*.headroom.power": FieldUnit(
        "", "share of the power limit left, negative when over", (0.0, 1.0)
    ),
    "halls.*.headroom.liquid_w": _W("liquid cooling left"),
    "halls.*.headroom.air_w": _W("air cooling left"),
    "halls.*.headroom.positions": _COUNT("positions left"),
    "halls.*.headroom.fits.*.more_racks": _COUNT("more racks of this type that fit"),
    "halls.*.failures.*.capacity_lost_w": _W(_LOST_W),
    "halls.*.failures.*.gpus_affected": _GPUS(_LOST_GPUS),
    "halls.*.failures.*.racks_affected": _COUNT(_LOST_RACKS),
    # plant
    "plant.*.ups_losses_w": _W("UPS conversion losses at the IT load"),
    "plant.*.cooling_plant_w": _W("chiller, dry-cooler fan and CDU pump input"),
    "plant.*.plant_pue": FieldUnit("", "PUE the named plant alone implies", (1.0, 3.0)),
    "plant.*.heat_rejection_w": _W("heat chillers and dry coolers carry at their redundancy"),
    "plant.*.generators_w": _W("generator capacity at its redundancy"),
    "plant.*.busway_w": _W("busway capacity for continuous load"),
    "plant.*.battery_runtime_s": _S("battery ride-through at the IT load"),
    "plant.*.cdu_positions": _COUNT("rack positions in-row CDUs take"),
    "plant.*.plant_footprint_m2": FieldUnit(
        "m^2", "floor of the UPS, batteries and facility CDUs", (1e-2, 1e7)
    ),
    "plant.*.plant_area_m2": FieldUnit("m^2", "floor the hall gives its plant", (1e-2, 1e7)),
    # fabrics
    "fabrics.*.endpoints": _COUNT("NIC ports the fabric connects"),
    "fabrics.*.endpoint_speed_bps": _BPS("link speed of an endpoint"),
    "fabrics.*.rails": _COUNT("rails"),
    "fabrics.*.tiers": _COUNT("switch tiers"),
    "fabrics.*.switches.*": _COUNT("switches of one tier"),
    "fabrics.*.declared_switches.*": _COUNT("switches of one tier the design declares"),
    "fabrics.*.links.*": _COUNT("links between two tiers"),
    "fabrics.*.transceivers": _COUNT("optical modules"),
    "fabrics.*.cables": _COUNT("cables"),
    "fabrics.*.bisection_bps": _BPS("bisection bandwidth"),
    "fabrics.*.bandwidth_per_endpoint_bps": _BPS("bisection bandwidth per endpoint"),
    "fabrics.*.oversubscription": FieldUnit("", "oversubscription o of o:1", (1.0, 100.0)),
    "fabrics.*.max_hops": _COUNT("switch hops between the farthest endpoints"),
    "fabrics.*.switch_power_w": _W("switch power, optics apart"),
    "fabrics.*.optics_power_w": _W("optics power"),
    "fabrics.*.failures.*.capacity_lost_w": _W(_LOST_W),
    "fabrics.*.failures.*.gpus_affected": _GPUS(_LOST_GPUS),
    "fabrics.*.failures.*.racks_affected": _COUNT(_LOST_RACKS),
    "fabrics.*.endpoints_by_hall.*": _COUNT("endpoints in one hall"),
    "fabrics.*.single_homed_endpoints": _COUNT("endpoints behind a single leaf"),
    "fabrics.*.mean_hops": FieldUnit("", "switch hops, averaged over endpoint pairs", (1.0, 5.0)),
    # workloads
    "train.*.gpus": _GPUS("GPUs of the run"),
    "train.*.mfu": _SHARE("model FLOPs utilization"),
    "train.*.flops": FieldUnit("FLOP", "training compute", (1e9, 1e32)),
    "train.*.time_s": _S("time to train"),
    "train.*.gpu_hours": FieldUnit("GPU*h", "GPU time", (1e-3, 1e13)),
    "train.*.energy_j": _J("facility energy (IT x PUE)"),
    "train.*.it_energy_j": _J("IT energy"),
    "train.*.cost_usd": _USD("cost to train"),
    "train.*.checkpoint_s": _S("time to write a checkpoint"),
    "train.*.plan.tp": _COUNT("tensor-parallel GPUs"),
    "train.*.plan.pp": _COUNT("pipeline stages"),
    "train.*.plan.vp": _COUNT("virtual pipeline stages per GPU"),
    "train.*.plan.cp": _COUNT("context-parallel GPUs"),
    "train.*.plan.ep": _COUNT("expert-parallel GPUs"),
    "train.*.plan.dp": _COUNT("data-parallel replicas"),
    "train.*.plan.zero": _COUNT("ZeRO stage (3: FSDP)"),
    "train.*.plan.micro_batch": _COUNT("sequences per micro-batch"),
    "train.*.plan.microbatches": _COUNT("micro-batches per replica per step"),
    "train.*.plan.gpus": _GPUS("GPUs the plan uses"),
    "train.*.plan.memory_per_gpu_bytes": FieldUnit("B", "memory per GPU", (1e3, 1e13)),
    "train.*.sequence_length": _COUNT("tokens per sequence"),
    "train.*.global_batch": _COUNT("sequences per optimizer step"),
    "train.*.tokens": FieldUnit("", "training tokens", (1.0, 1e16)),
    "train.*.step_s": _S("time of one optimizer step"),
    "train.*.compute_s": _S("compute of one step, with the waits on the host"),
    "train.*.bubble_s": _S("pipeline bubble of one step"),
    "train.*.exposed_s.*": _S("exposed communication of one collective per step"),
    "train.*.failures_per_step_s": _S("checkpoints, restarts and lost work per step"),
    "train.*.tokens_per_s": FieldUnit("tokens/s", "tokens trained per second", (1.0, 1e12)),
    "train.*.solve_time_s": _S("failure-free time to train"),
    "train.*.ettr": _SHARE("effective training time ratio"),
    "train.*.checkpoint_interval_s": _S("compute time between checkpoints (Daly)"),
    "train.*.interruptions": FieldUnit("", "interruptions expected over the run", (0.0, 1e9)),
    "train.*.step_s_spine_lost": _S("step time with one fabric spine lost"),
    "serve.*.gpus": _GPUS("GPUs of the workload"),
    "serve.*.gpus_per_replica": _GPUS("GPUs per replica"),
    "serve.*.replicas": _COUNT("replicas"),
    "serve.*.batch": _COUNT("sequences per decode batch"),
    "serve.*.tokens_per_s": FieldUnit("tokens/s", "output tokens per second", (1e-3, 1e14)),
    "serve.*.tokens_per_s_per_mw": FieldUnit(
        "tokens/s/MW", "output tokens per second per MW of facility power", (1e-3, 1e12)
    ),
    "serve.*.joules_per_token": FieldUnit(
        "J/token", "facility energy per output token", (1e-6, 1e6)
    ),
    "serve.*.requested_user_rate_tokens_per_s": FieldUnit(
        "tokens/s", "output tokens per second each user is to see (user_rate)", (1e-3, 1e6)
    ),
    "serve.*.user_rate_tokens_per_s": FieldUnit(
        "tokens/s", "output tokens per second each user gets", (1e-3, 1e6)
    ),
    "serve.*.parallelism.tp": _GPUS("tensor-parallel GPUs of a replica stage"),
    "serve.*.parallelism.dp": _COUNT("data-parallel attention groups of a replica stage"),
    "serve.*.parallelism.ep": _GPUS("GPUs the experts spread over (expert parallelism)"),
    "serve.*.parallelism.pp": _COUNT("pipeline stages of a replica"),
    "serve.*.prefill_gpus": _GPUS("GPUs of the disaggregated prefill pool"),
    "serve.*.max_user_rate_tokens_per_s": FieldUnit(
        "tokens/s", "the fastest output tokens per second per user any replica reaches", (1e-3, 1e6)
    ),
    "serve.*.tpot_s": _S("time per output token at the operating point"),
    "serve.*.time_to_first_token_s": _S("time to the first token, mean with queueing"),
    "serve.*.time_to_first_token_p90_s": _S("time to the first token, 90th percentile"),
    "serve.*.curve.*.gpus_per_replica": _GPUS(
        "GPUs per replica, decode GPUs plus the point's share of a prefill pool"
    ),
    "serve.*.curve.*.batch": _COUNT("sequences per decode batch"),
    "serve.*.curve.*.user_rate_tokens_per_s": FieldUnit(
        "tokens/s", "output tokens per second each user sees", (1e-3, 1e6)
    ),
    "serve.*.curve.*.tokens_per_s_per_gpu": FieldUnit(
        "tokens/s", "output tokens per second per GPU", (1e-3, 1e9)
    ),
    "serve.*.curve.*.tokens_per_s_per_mw": FieldUnit(
        "tokens/s/MW", "output tokens per second per MW of facility power", (1e-3, 1e12)
    ),
    "serve.*.curve.*.tpot_s": _S("time per output token"),
    "serve.*.curve.*.time_to_first_token_s": _S("time to the first token, mean with queueing"),
    "serve.*.cost_per_million_tokens_usd": FieldUnit(
        "USD/Mtok", "cost per million output tokens", (1e-5, 1e5)
    ),
    # cost
    "cost.capex_usd.*": _USD("capital cost"),
    "cost.opex_usd_per_year.*": _USD_YEAR("operating cost per year"),
    "cost.depreciation_usd_per_year.*": _USD_YEAR("depreciation per year"),
    "cost.horizon_s": _S("period of the TCO"),
    "cost.tco_usd": _USD("total cost of ownership over the horizon"),
    "cost.cost_per_gpu_hour_usd": FieldUnit("USD/GPU/h", "cost per GPU-hour", (1e-4, 1e5)),
    # degraded modes: one failed part at a time
    "degraded_modes.*.gpus_lost": _GPUS(_LOST_GPUS),
    "degraded_modes.*.bisection_lost": _SHARE("share of the fabric's bisection bandwidth lost"),
    "degraded_modes.*.tokens_per_s": FieldUnit(
        "tokens/s", "output tokens per second that survive", (0.0, 1e14)
    ),
    "degraded_modes.*.tokens_per_s_lost": FieldUnit(
        "tokens/s", "output tokens per second lost", (0.0, 1e14)
    ),
    "degraded_modes.*.lost_cost_usd_per_hour": FieldUnit(
        "USD/h", "lost tokens at the workloads' cost per token, per hour down", (0.0, 1e12)
    ),
    "degraded_modes.*.train_time_added_s": _S("time the longest training run gains"),
    "degraded_modes.*.workloads.*.gpus_lost": _GPUS("the workload's share of the GPUs lost"),
    "degraded_modes.*.workloads.*.tokens_per_s": FieldUnit(
        "tokens/s", "the workload's output tokens per second that survive", (0.0, 1e14)
    ),
    "degraded_modes.*.workloads.*.tokens_per_s_lost": FieldUnit(
        "tokens/s", "the workload's output tokens per second lost", (0.0, 1e14)
    ),
    "degraded_modes.*.workloads.*.lost_cost_usd_per_hour": FieldUnit(
        "USD/h", "lost tokens at the workload's cost per token, per hour down", (0.0, 1e12)
    ),
    "degraded_modes.*.workloads.*.time_s": _S("time to train with the part down"),
    "degraded_modes.*.workloads.*.time_added_s": _S("time the run gains"),
    "degraded_modes.*.workloads.*.extra_cost_usd": _USD("the run's added cost"),
    # uncertainty (`aifc report --uncertainty N`)
    "uncertainty.samples": _COUNT("Monte Carlo samples"),
    "uncertainty.valid_samples": _COUNT("samples whose design is valid"),
    "uncertainty.seed": _COUNT("seed of the sampling"),
    "uncertainty.figures.*.nominal": FieldUnit("si", "the figure with every input nominal"),
    "uncertainty.figures.*.p10": FieldUnit("si", "10th percentile over the valid samples"),
    "uncertainty.figures.*.p50": FieldUnit("si", "median over the valid samples"),
    "uncertainty.figures.*.p90": FieldUnit("si", "90th percentile over the valid samples"),
    "uncertainty.tornado.*.*.at_low": FieldUnit("si", "the figure at the input's P10 value"),
    "uncertainty.tornado.*.*.at_high": FieldUnit("si", "the figure at the input's P90 value"),
    "uncertainty.tornado.*.*.swing": FieldUnit("si", "|at_high - at_low|"),
    "catalog_overrides.*.line": _COUNT("line of the overriding definition, from 1"),
    # bill of materials
    "bom.lines.*.count": _COUNT("quantity on the line, in the line's `unit` (each, MW, GPU-year)"),
    "bom.lines.*.unit_price_usd": _USD("price of one unit of the line"),
    "bom.lines.*.extended_price_usd": _USD("unit price x count, where the line is priced"),
    "bom.lines.*.unit_power_w": _W("power of one unit of the line"),
    "bom.lines.*.total_power_w": _W("power of the line's units together"),
    "bom.capex_usd": _USD("sum of the lines in capex (equals cost.capex_usd.total)"),
    "bom.capex_by_hall_usd.*": _USD("capex of the lines in one hall"),
    "bom.opex_usd_per_year": _USD_YEAR("yearly costs the bill lists outside capex"),
    "bom.power_w": _W("power of the lines that stand on their own"),
    # values whose dimension another field gives
    "requirements.*.expected": FieldUnit("si", "the rule's bound, in the dimension of its path"),
    "requirements.*.actual": FieldUnit("si", "the figure at the rule's path"),
    "assumptions.*.value": FieldUnit("si", "value in force, in the dimension of `unit`"),
    "assumptions.*.default": FieldUnit("si", "registered default, in the dimension of `unit`"),
    "assumptions.*.low": FieldUnit("si", "low end of the range the source publishes"),
    "assumptions.*.high": FieldUnit("si", "high end of the range the source publishes"),
    "explain.*.inputs.*": FieldUnit("si", "an input of the formula, named by its unit suffix"),
}


def field_unit(path: Sequence[str]) -> FieldUnit | None:
    """The table entry for a report path (list items and open keys by any name)."""
    return _field_unit(tuple(path))


@functools.lru_cache(maxsize=4096)  # a file's rules name the same paths again and again
def _field_unit(path: tuple[str, ...]) -> FieldUnit | None:
    for pattern, unit in FIELD_UNITS.items():
        segments = pattern.split(".")
        if len(segments) == len(path) and all(
            s == "*" or s == p for s, p in zip(segments, path, strict=True)
        ):
            return unit
    # explain keys are report paths themselves: explain.<path with dots>.inputs.<name>
    if len(path) >= 4 and path[0] == "explain" and path[-2] == "inputs":
        return FIELD_UNITS["explain.*.inputs.*"]
    return None


def report_schema() -> dict[str, Any]:
    """The JSON Schema of `Report`, each numeric field described from `FIELD_UNITS`."""
    schema = Report.model_json_schema()
    definitions = schema.get("$defs", {})

    def target(node: dict[str, Any]) -> dict[str, Any]:
        ref = node.get("$ref")
        return definitions[ref.rsplit("/", 1)[-1]] if ref else node

    def numeric(node: dict[str, Any]) -> bool:
        options = node.get("anyOf", [node])
        return any(o.get("type") in ("number", "integer") for o in options)

    def walk(node: dict[str, Any], path: tuple[str, ...]) -> None:
        node = target(node)
        for option in node.get("anyOf", []):
            walk(option, path)
        for name, field in node.get("properties", {}).items():
            describe(field, (*path, name))
        if isinstance(node.get("items"), dict):
            describe(node["items"], (*path, "*"))
        if isinstance(node.get("additionalProperties"), dict):
            describe(node["additionalProperties"], (*path, "*"), holder=node)

    def describe(
        field: dict[str, Any], path: tuple[str, ...], holder: dict[str, Any] | None = None
    ) -> None:
        if numeric(field):
            unit = field_unit(path)
            if unit is None:
                raise ValueError(f"report field {'.'.join(path)} has no entry in FIELD_UNITS")
            described = holder if holder is not None else field
            if described.get("description", unit.description) != unit.description:
                raise ValueError(f"report field {'.'.join(path)} is described two ways")
            described["description"] = unit.description
        else:
            walk(field, path)

    if "explain" in schema["properties"]:  # keyed by report paths; inputs are free-form
        schema["properties"]["explain"]["description"] = (
            "how figures were computed, by report path: "
            + FIELD_UNITS["explain.*.inputs.*"].description
        )
    walk({"properties": {k: v for k, v in schema["properties"].items() if k != "explain"}}, ())
    return schema
