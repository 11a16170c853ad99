"""The report data: one typed tree, the JSON contract of `aifc report --format json`.

The shape is versioned by `FORMAT_VERSION` and documented by the JSON Schema
that `aifc schema` prints (generated from these models). Values are in SI
base units and US dollars, named by suffix: `_w`, `_j`, `_s`, `_bps`,
`_bytes`, `_usd`. Fields may be added in a minor version; none is renamed or
removed without a major one. Optional figures are null when the design
lacks what they need (no price, no power price, ...).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from aiflang.diagnostics import Counts, Diagnostic, Span, snippet

FORMAT_VERSION = "1.0"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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
    transceivers: int
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


class TrainReport(_Model):
    name: str
    gpus: int
    gpu_model: str | None = None
    precision: str
    mfu: float
    flops: float
    time_s: float
    gpu_hours: float
    energy_j: float  # facility energy (IT x PUE)
    it_energy_j: float = 0.0
    cost_usd: float | None = None
    checkpoint_s: float | None = None


class ServeReport(_Model):
    name: str
    gpus: int
    gpu_model: str | None = None
    precision: str
    gpus_per_replica: int
    replicas: int
    batch: int = 0
    tokens_per_s: float
    tokens_per_s_per_mw: float
    joules_per_token: float
    user_rate_tokens_per_s: float | None = None
    time_to_first_token_s: float | None = None
    cost_per_million_tokens_usd: float | None = None


class CostReport(_Model):
    capex_usd: dict[str, float]  # total, accelerated_systems, network, storage, facility
    opex_usd_per_year: dict[str, float]  # total, energy, software, maintenance
    depreciation_usd_per_year: dict[str, float] = {}
    horizon_s: float
    tco_usd: float
    cost_per_gpu_hour_usd: float | None = None
    missing_prices: list[str] = []


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


class ExplanationReport(_Model):
    formula: str
    inputs: dict[str, float | str]
    assumptions: list[str] = []


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
    fabrics: list[FabricReport] = []
    train: list[TrainReport] = []
    serve: list[ServeReport] = []
    cost: CostReport | None = None
    requirements: list[RequirementReport] = []
    assumptions: list[AssumptionReport] = []
    explain: dict[str, ExplanationReport] = Field(default_factory=dict)


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
