"""The self-contained HTML report: `render_html(report) -> str`.

This module turns a `Report` into view data (formatted strings and chart
geometry) and hands it to the Jinja2 templates in `templates/`, which only
loop and print. The page loads nothing: CSS and SVG are inline, there is no
script, and a Content-Security-Policy forbids any fetch. User strings are
escaped by autoescape (templates are `*.html`); nothing is marked safe; and
every printed value has its control and text-direction characters shown as
escapes (`finalize`), so the page is safe to print to a terminal too.
Output is deterministic: no timestamps, stable ordering, fixed-precision
coordinates.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

import jinja2
import markupsafe

from aiflang import units
from aiflang.diagnostics.characters import neutralise
from aiflang.render import charts, scatter
from aiflang.render import figures as fig
from aiflang.render.bom import totals as bom_totals
from aiflang.report import (
    DiagnosticReport,
    FabricReport,
    Failure,
    HallReport,
    Report,
)
from aiflang.resources import data_path


@functools.lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(data_path("templates"))),
        autoescape=jinja2.select_autoescape(["html"], default_for_string=True, default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_neutralised,
    )


def _neutralised(value: object) -> object:
    """Every value a template prints: control and direction characters as visible escapes."""
    if isinstance(value, markupsafe.Markup):
        return markupsafe.Markup(neutralise(str(value)))  # escapes add no HTML syntax
    return neutralise(value) if isinstance(value, str) else value


def render_html(report: Report) -> str:
    """The report as one HTML page, readable offline and in print."""
    return render_template("report.html", page=build_page(report))


def render_template(name: str, **context: object) -> str:
    """One of the report templates, rendered with `context`."""
    return _environment().get_template(name).render(**context)


# --- view data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    text: str
    css: str = ""


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[Cell]]
    numeric: list[bool]  # right-align these columns


@dataclass(frozen=True)
class AssumptionUse:
    name: str
    value: str
    source: str
    overridden: bool


@dataclass(frozen=True)
class Derivation:
    key: str
    formula: str
    inputs: list[tuple[str, str]]
    assumptions: list[AssumptionUse]


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    note: str = ""
    css: str = ""
    explain: Derivation | None = None


@dataclass(frozen=True)
class FabricView:
    name: str
    facts: list[tuple[str, str]]
    bom: Table
    diagram: charts.Chart
    failures: list[str]


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass
class Page:
    title: str
    factory: str
    file: str
    doc: str
    factories_note: str
    valid: bool
    status: str
    sections: list[Section]
    cards: list[Card]
    diagnostics: list[dict[str, str]]
    requirements: Table | None
    capacity: list[tuple[str, list[tuple[str, str]]]]
    halls: Table | None
    hall_notes: list[tuple[str, list[str]]]
    power_chart: charts.Chart | None
    power_table: Table | None
    fabrics: list[FabricView]
    train: Table | None
    serve: Table | None
    serve_chart: charts.Chart | None
    serve_curves: list[charts.Chart]
    train_steps: list[charts.Chart]
    capex_chart: charts.Chart | None
    cost_tables: list[tuple[str, Table]]
    cost_facts: list[tuple[str, str]]
    missing_prices: list[str]
    degraded: Table | None
    degraded_basis: list[str]
    uncertainty: UncertaintyView | None
    assumptions: Table | None
    explained: dict[str, list[Derivation]] = field(default_factory=dict)
    provenance: list[str] = field(default_factory=list)
    bom: list[tuple[str, Table]] = field(default_factory=list)
    bom_totals: list[tuple[str, str]] = field(default_factory=list)


SECTIONS = [
    Section("summary", "Summary"),
    Section("diagnostics", "Diagnostics"),
    Section("capacity", "Capacity and headroom"),
    Section("power", "Power and cooling"),
    Section("network", "Network"),
    Section("workloads", "Workloads"),
    Section("cost", "Cost"),
    Section("degraded", "Degraded modes"),
    Section("uncertainty", "Uncertainty"),
    Section("bom", "Bill of materials"),
    Section("assumptions", "Assumptions and sources"),
]

# Derivation keys are report paths; each section lists the ones under its prefixes.
_EXPLAIN_PREFIXES = {
    "capacity": ("capacity.", "halls."),
    "network": ("fabrics.",),
    "workloads": ("train.", "serve."),
    "cost": ("cost.",),
}


def build_page(report: Report) -> Page:
    """Everything the template prints, already formatted."""
    derivations = {key: _derivation(report, key) for key in sorted(report.explain)}
    return Page(
        title=f"{fig.factory_title(report)}: AI factory report",
        factory=fig.factory_title(report),
        file=report.file,
        doc=report.doc or "",
        factories_note=fig.factories_note(report),
        valid=report.valid,
        status=_status(report),
        sections=SECTIONS,
        cards=_cards(report, derivations),
        diagnostics=[_diagnostic(d) for d in report.diagnostics],
        requirements=_requirements(report),
        capacity=_capacity(report),
        halls=_halls(report),
        hall_notes=[
            (h.name, notes)
            for h in report.halls
            if (notes := _hall_notes(h) + _plant_notes(report, h.name))
        ],
        power_chart=_power_chart(report),
        power_table=_power_table(report),
        fabrics=[_fabric(f) for f in report.fabrics],
        train=_train(report),
        serve=_serve(report),
        serve_chart=_serve_chart(report),
        train_steps=_train_steps(report),
        serve_curves=_serve_curves(report),
        capex_chart=_capex_chart(report),
        cost_tables=_cost_tables(report),
        cost_facts=_cost_facts(report),
        degraded=_degraded(report),
        uncertainty=_uncertainty(report),
        degraded_basis=sorted({m.basis for m in report.degraded_modes if m.basis}),
        missing_prices=list(report.cost.missing_prices) if report.cost else [],
        assumptions=_assumptions(report),
        explained=_group_derivations(derivations),
        provenance=fig.provenance_lines(report),
        bom=_bom_tables(report),
        bom_totals=bom_totals(report.bom) if report.bom else [],
    )


def _bom_tables(report: Report) -> list[tuple[str, Table]]:
    """One table per hall of the bill of materials; "no price" cells stand out."""
    if report.bom is None:
        return []
    from aiflang.render.bom import HEADERS, NO_PRICE, groups, hall_label, rows

    every = rows(report.bom)
    tables = []
    for hall, _ in groups(report.bom):
        label = hall_label(hall)
        body = [
            [Cell(text, "bad" if text == NO_PRICE else "") for text in row[1:]]
            for row in every
            if row[0] == label
        ]
        tables.append((label, Table(HEADERS[1:], body, [False] * 3 + [True] * 5)))
    return tables


def _status(report: Report) -> str:
    plural = fig.plural
    verdict = "Valid" if report.valid else "Invalid"
    errors = plural(report.error_count, "error")
    return f"{verdict}: {errors}, {plural(report.warning_count, 'warning')}"


def _input_text(name: str, value: float | str) -> str:
    return value if isinstance(value, str) else fig.named(name, value)


def _derivation(report: Report, key: str) -> Derivation:
    derivation = report.explain[key]
    known = {a.name: a for a in report.assumptions}
    used = []
    for name in derivation.assumptions:
        assumption = known.get(name)
        if assumption is None:
            used.append(AssumptionUse(name, "", "", False))
        else:
            value = fig.assumption_text(assumption.value, assumption.unit)
            used.append(AssumptionUse(name, value, assumption.source, assumption.overridden))
    return Derivation(
        key=key,
        formula=derivation.formula,
        inputs=[(name, _input_text(name, value)) for name, value in derivation.inputs.items()],
        assumptions=used,
    )


def _group_derivations(derivations: dict[str, Derivation]) -> dict[str, list[Derivation]]:
    groups: dict[str, list[Derivation]] = {section: [] for section in _EXPLAIN_PREFIXES}
    groups["other"] = []
    for key, derivation in derivations.items():
        for section, prefixes in _EXPLAIN_PREFIXES.items():
            if key.startswith(prefixes):
                groups[section].append(derivation)
                break
        else:
            groups["other"].append(derivation)
    return groups


def _cards(report: Report, derivations: dict[str, Derivation]) -> list[Card]:
    cards = [
        Card(
            "Validity",
            "Valid" if report.valid else "Invalid",
            _status(report).split(": ", 1)[1],
            "ok" if report.valid else "bad",
        )
    ]
    single = report.serve[0].name if len(report.serve) == 1 else None
    serve_keys = {
        "tokens_per_s": "tokens_per_s",
        "tokens_per_s_per_mw": "tokens_per_s_per_mw",
        "cost_per_million_tokens_usd": "cost_per_million_tokens_usd",
    }
    for figure in fig.key_figures(report):
        key = figure.explain
        note = ""
        if figure.key in serve_keys and report.serve:
            if single is not None:
                key = f"serve.{single}.{serve_keys[figure.key]}"
                note = f"serving {single}"
            elif figure.value is not None:
                note = f"all {len(report.serve)} serve workloads"
            else:
                note = "per workload: see Workloads"
        if figure.key == "gpus" and report.capacity and report.capacity.gpus_by_model:
            note = ", ".join(
                f"{fig.count(n)} {model}"
                for model, n in sorted(report.capacity.gpus_by_model.items())
            )
        if figure.key == "facility_power_w" and report.capacity and report.capacity.it_power_w:
            pue = report.capacity.facility_power_w / report.capacity.it_power_w
            note = f"PUE {units.format_number(pue, 3)}"
        if figure.key == "tco_usd" and report.cost:
            note = f"over {fig.duration(report.cost.horizon_s)}"
        cards.append(
            Card(figure.label, figure.text, note, "", derivations.get(key) if key else None)
        )
    return cards


def _diagnostic(diagnostic: DiagnosticReport) -> dict[str, str]:
    where = ""
    if diagnostic.range is not None:
        start = diagnostic.range.start
        where = f"{diagnostic.range.filename}:{start.line}:{start.column}"
    return {
        "severity": diagnostic.severity,
        "code": diagnostic.code,
        "message": diagnostic.summary,
        "detail": diagnostic.detail or "",
        "where": where,
        "snippet": diagnostic.snippet or "",
        "help": diagnostic.help or "",
    }


def _requirements(report: Report) -> Table | None:
    if not report.requirements:
        return None
    rows = []
    for requirement in report.requirements:
        field = requirement.path
        actual = MISSING if requirement.actual is None else fig.si_at(field, requirement.actual)
        rows.append(
            [
                Cell(
                    "pass" if requirement.passed else "fail", "ok" if requirement.passed else "bad"
                ),
                Cell(requirement.path, "mono"),
                Cell(f"{requirement.operator} {fig.si_at(field, requirement.expected)}", "mono"),
                Cell(actual),
                Cell(requirement.message or ""),
            ]
        )
    return Table(["", "Requirement", "Expected", "Actual", "Note"], rows, [False] * 5)


MISSING = fig.MISSING


def _capacity(report: Report) -> list[tuple[str, list[tuple[str, str]]]]:
    """Capacity facts in three groups: GPUs, compute and memory, power and space."""
    capacity = report.capacity
    if capacity is None:
        return []
    gpus = [("GPUs", fig.count(capacity.gpus))]
    gpus += [(model, fig.count(n)) for model, n in sorted(capacity.gpus_by_model.items())]
    gpus += [
        (f"{generation} generation", fig.count(n))
        for generation, n in sorted(capacity.gpus_by_generation.items())
    ]
    compute = [
        (f"Peak {precision.upper()}", fig.flops(capacity.peak_flops[precision]))
        for precision in ("fp4", "fp6", "fp8", "bf16", "tf32", "fp64")
        if capacity.peak_flops.get(precision)
    ]
    compute.append(("HBM", fig.data_bytes(capacity.hbm_bytes)))
    space = [
        ("IT power", fig.power(capacity.it_power_w)),
        ("Facility power", fig.power(capacity.facility_power_w)),
    ]
    if capacity.utility_w is not None:
        space.append(("Utility feed", fig.power(capacity.utility_w)))
    space += [("Racks", fig.count(capacity.racks)), ("Positions", fig.count(capacity.positions))]
    return [("GPUs", gpus), ("Compute (dense) and memory", compute), ("Power and space", space)]


def _load(load: float, limit: float | None) -> Cell:
    if limit is None or limit <= 0:
        return Cell(fig.power(load))
    share = load / limit
    css = "bad" if share > 1 else "warn" if share > 0.9 else ""
    return Cell(f"{fig.power(load)} of {fig.power(limit)} ({fig.percent(share)})", css)


def _halls(report: Report) -> Table | None:
    if not report.halls:
        return None
    rows = []
    for hall in report.halls:
        room = hall.headroom
        fits = "; ".join(
            f"{fig.count(f.more_racks)} more {f.rack} ({f.binding} binds)" for f in room.fits
        )
        rows.append(
            [
                Cell(hall.name, "strong"),
                Cell(fig.count(hall.gpus)),
                Cell(f"{fig.count(hall.racks)} + {fig.count(hall.network_racks)} network"),
                Cell(
                    f"{fig.count(hall.positions - room.positions)} of {fig.count(hall.positions)}"
                ),
                _load(hall.it_load_w, hall.it_capacity_w),
                Cell(
                    f"{fig.power(room.power_w)} ({fig.percent(room.power)})",
                    "bad" if room.power < 0 else "warn" if room.power < 0.1 else "",
                ),
                Cell(fits or MISSING),
            ]
        )
    headers = [
        "Hall",
        "GPUs",
        "Racks",
        "Positions used",
        "IT load",
        "Power headroom",
        "What fits next",
    ]
    return Table(headers, rows, [False, True, True, True, True, True, False])


def _failure(failure: Failure) -> str:
    parts = [failure.part]
    if failure.capacity_lost_w:
        parts.append(f"loses {fig.power(failure.capacity_lost_w)}")
    elif failure.capacity_lost_w == 0:
        parts.append("no capacity lost")
    if failure.gpus_affected:
        parts.append(f"{fig.count(failure.gpus_affected)} GPUs affected")
    if failure.racks_affected:
        parts.append(f"{fig.count(failure.racks_affected)} racks affected")
    if failure.note:
        parts.append(failure.note)
    return ": ".join(parts[:1]) + (": " + ", ".join(parts[1:]) if len(parts) > 1 else "")


def _hall_notes(hall: HallReport) -> list[str]:
    return [f"If one {_failure(f)}" for f in hall.failures]


def _plant_notes(report: Report, hall: str) -> list[str]:
    """The named plant of a hall and what it adds: losses, the PUE it implies, ratings."""
    notes = []
    for plant in (p for p in report.plant if p.hall == hall):
        if plant.parts:
            notes.append("Plant: " + ", ".join(f"{k} {v}" for k, v in plant.parts.items()))
        figures = [
            (label, formatter(value))
            for label, value, formatter in (
                ("UPS losses", plant.ups_losses_w, fig.power),
                ("cooling plant input", plant.cooling_plant_w, fig.power),
                ("plant PUE", plant.plant_pue, lambda v: f"{v:.3g}"),
                ("heat rejection", plant.heat_rejection_w, fig.power),
                ("generators", plant.generators_w, fig.power),
                ("busway (continuous)", plant.busway_w, fig.power),
                ("battery runtime", plant.battery_runtime_s, lambda v: f"{v / 60:.3g} min"),
            )
            if value is not None
        ]
        if figures:
            notes.append("; ".join(f"{label} {text}" for label, text in figures))
    return notes


def _power_chart(report: Report) -> charts.Chart | None:
    bars = []
    for hall in report.halls:
        bars.append(
            charts.Bar(
                f"{hall.name} · IT",
                hall.it_load_w,
                fig.power(hall.it_load_w),
                hall.it_capacity_w,
                fig.power(hall.it_capacity_w),
            )
        )
        if hall.ups_usable_w is not None:
            bars.append(
                charts.Bar(
                    f"{hall.name} · UPS",
                    hall.it_load_w,
                    fig.power(hall.it_load_w),
                    hall.ups_usable_w,
                    fig.power(hall.ups_usable_w),
                )
            )
        for medium, load, limit in (
            ("liquid", hall.liquid_load_w, hall.liquid_capacity_w),
            ("air", hall.air_load_w, hall.air_capacity_w),
        ):
            if load or limit:
                bars.append(
                    charts.Bar(
                        f"{hall.name} · {medium}",
                        load,
                        fig.power(load),
                        limit,
                        fig.power(limit) if limit is not None else "",
                    )
                )
    if not bars:
        return None
    return charts.bar_chart("Load against capacity per hall and cooling medium", bars)


def _power_table(report: Report) -> Table | None:
    if not report.halls:
        return None
    rows = []
    for hall in report.halls:
        rows.append(
            [
                Cell(hall.name, "strong"),
                _load(hall.it_load_w, hall.it_capacity_w),
                _load(hall.it_load_w, hall.ups_usable_w) if hall.ups_usable_w else Cell(MISSING),
                _load(hall.liquid_load_w, hall.liquid_capacity_w),
                _load(hall.air_load_w, hall.air_capacity_w),
                Cell(fig.power(hall.network_w)),
                Cell(fig.power(hall.storage_w)),
            ]
        )
    headers = ["Hall", "IT", "UPS (usable)", "Liquid", "Air", "Network", "Storage"]
    return Table(headers, rows, [False] + [True] * 6)


def _fabric(fabric: FabricReport) -> FabricView:
    switches, links = fabric.switches, fabric.links
    facts = [
        ("Technology", fabric.technology or MISSING),
        ("Topology", fabric.topology.replace("_", " ")),
        (
            "Endpoints",
            f"{fig.count(fabric.endpoints)} × {fig.bandwidth(fabric.endpoint_speed_bps)}",
        ),
        ("Rails", fig.count(fabric.rails)),
        ("Tiers", fig.count(fabric.tiers)),
        ("Oversubscription", fig.ratio(fabric.oversubscription)),
        ("Bisection bandwidth", fig.bandwidth(fabric.bisection_bps)),
    ]
    if fabric.bandwidth_per_endpoint_bps:
        facts.append(("Bandwidth per endpoint", fig.bandwidth(fabric.bandwidth_per_endpoint_bps)))
    if fabric.max_hops:
        hops = f"{fig.count(fabric.max_hops)} max"
        if fabric.mean_hops:
            hops += f", {units.format_number(fabric.mean_hops, 3)} mean"
        facts.append(("Switch hops", hops))
    if fabric.single_homed_endpoints:
        facts.append(("Single-homed endpoints", fig.count(fabric.single_homed_endpoints)))
    if fabric.endpoints_by_hall:
        facts.append(
            (
                "Endpoints by hall",
                ", ".join(
                    f"{hall}: {fig.count(n)}"
                    for hall, n in sorted(fabric.endpoints_by_hall.items())
                ),
            )
        )
    rows = [
        [Cell("Leaf switches"), Cell(fig.count(switches.leaf))],
        [Cell("Spine switches"), Cell(fig.count(switches.spine))],
        [Cell("Core switches"), Cell(fig.count(switches.core))],
    ]
    for name, n in sorted(fabric.declared_switches.items()):
        rows.append([Cell(f"Declared: {name}"), Cell(fig.count(n))])
    rows += [
        [Cell("Endpoint–leaf links"), Cell(fig.count(links.endpoint_leaf))],
        [Cell("Leaf–spine links"), Cell(fig.count(links.leaf_spine))],
        [Cell("Spine–core links"), Cell(fig.count(links.spine_core))],
        [Cell("Transceivers"), Cell(fig.count(fabric.transceivers))],
        [Cell("Cables"), Cell(fig.count(fabric.cables))],
        [Cell("Switch power"), Cell(fig.power(fabric.switch_power_w))],
        [Cell("Optics power"), Cell(fig.power(fabric.optics_power_w))],
    ]
    bom = Table(["Item", "Count"], rows, [False, True])
    return FabricView(
        name=fabric.name,
        facts=facts,
        bom=bom,
        diagram=_tier_diagram(fabric),
        failures=[f"If one {_failure(f)}" for f in fabric.failures],
    )


def _tier_diagram(fabric: FabricReport) -> charts.Chart:
    def switches(n: int, tier: str) -> str:
        return f"{fig.count(n)} {tier} switch" + ("" if n == 1 else "es")

    def links(n: int) -> str:
        return f"{fig.count(n)} link" + ("" if n == 1 else "s")

    tiers = [
        charts.Tier(
            "endpoints",
            fabric.endpoints,
            f"{fig.count(fabric.endpoints)} endpoints",
            fabric.links.endpoint_leaf,
            links(fabric.links.endpoint_leaf),
        ),
        charts.Tier(
            "leaf",
            fabric.switches.leaf,
            switches(fabric.switches.leaf, "leaf"),
            fabric.links.leaf_spine,
            links(fabric.links.leaf_spine),
        ),
    ]
    if fabric.switches.spine:
        tiers.append(
            charts.Tier(
                "spine",
                fabric.switches.spine,
                switches(fabric.switches.spine, "spine"),
                fabric.links.spine_core,
                links(fabric.links.spine_core),
            )
        )
    if fabric.switches.core:
        tiers.append(
            charts.Tier("core", fabric.switches.core, switches(fabric.switches.core, "core"))
        )
    if not tiers[-1].uplinks:
        tiers[-1] = charts.Tier(tiers[-1].name, tiers[-1].count, tiers[-1].text)
    return charts.tier_diagram(f"Tiers of fabric {fabric.name}", tiers)


def _train(report: Report) -> Table | None:
    if not report.train:
        return None
    rows = [
        [
            Cell(t.name, "strong"),
            Cell(_gpus(t.gpus, t.gpu_model)),
            Cell(t.precision),
            Cell(t.plan.label if t.plan else MISSING),
            Cell(fig.duration(t.step_s) if t.step_s else MISSING),
            Cell(fig.token_rate(t.tokens_per_s) if t.tokens_per_s else MISSING),
            Cell(fig.percent(t.mfu) + (" (declared)" if t.mfu_declared else "")),
            Cell(fig.percent(t.ettr)),
            Cell(units.format_quantity(t.flops, units.COMPUTE)),
            Cell(fig.duration(t.time_s)),
            Cell(fig.gpu_hours(t.gpu_hours)),
            Cell(fig.energy(t.energy_j)),
            Cell(fig.optional(t.cost_usd, fig.money)),
        ]
        for t in report.train
    ]
    headers = [
        "Run",
        "GPUs",
        "Precision",
        "Plan",
        "Step",
        "Tokens/s",
        "MFU",
        "ETTR",
        "Compute",
        "Time",
        "GPU-hours",
        "Energy",
        "Cost",
    ]
    return Table(headers, rows, [False, True, False, False] + [True] * 9)


_COLLECTIVE_NAMES = {
    "tp": "tensor-parallel",
    "cp": "context-parallel",
    "pp": "pipeline",
    "dp": "data-parallel",
    "ep": "expert-parallel",
}


def _train_steps(report: Report) -> list[charts.Chart]:
    """One stacked bar per train workload: what a step's time is spent on."""
    out = []
    for t in report.train:
        if t.step_s <= 0:
            continue
        segments = [charts.Segment("compute", t.compute_s, fig.duration(t.compute_s))]
        for name, seconds in sorted(t.exposed_s.items()):
            label = f"exposed {_COLLECTIVE_NAMES.get(name, name)} communication"
            segments.append(charts.Segment(label, seconds, fig.duration(seconds)))
        segments.append(charts.Segment("pipeline bubble", t.bubble_s, fig.duration(t.bubble_s)))
        segments.append(
            charts.Segment(
                "checkpoints, restarts and lost work",
                t.failures_per_step_s,
                fig.duration(t.failures_per_step_s),
            )
        )
        title = f"Step time of {t.name}"
        if t.plan is not None:
            title += f" ({t.plan.label})"
        out.append(charts.stacked_bar(title, segments))
    return out


@dataclass(frozen=True)
class UncertaintyView:
    note: str
    table: Table
    tornadoes: list[tuple[str, charts.Chart]]
    inputs: Table


def _uncertainty(report: Report) -> UncertaintyView | None:
    found = report.uncertainty
    if found is None or not found.inputs:
        return None
    rows = [
        [Cell(c, "strong" if i == 0 else "") for i, c in enumerate(r)]
        for r in fig.uncertainty_rows(report)
    ]
    table = Table(fig.UNCERTAINTY_HEADERS, rows, [False, True, True, True, True])
    tornadoes = []
    for name, bars in found.tornado.items():
        nominal = found.figures.get(name)
        moving = [b for b in bars if b.swing > 0 and b.at_low is not None and b.at_high is not None]
        if not moving or nominal is None or nominal.nominal is None:
            continue
        label, formatter = fig.UNCERTAINTY_FIGURES[name]
        swings = [
            scatter.Swing(
                b.input.removeprefix("assumptions."),
                b.at_low or 0.0,
                b.at_high or 0.0,
                f"{formatter(b.at_low or 0.0)} .. {formatter(b.at_high or 0.0)}",
            )
            for b in moving
        ]
        tornadoes.append(
            (label, scatter.tornado_chart(f"What moves {label}", nominal.nominal, swings))
        )
    inputs = Table(
        ["Input", "Distribution", "Source"],
        [[Cell(i.path, "mono"), Cell(i.distribution), Cell(i.source)] for i in found.inputs],
        [False, False, False],
    )
    note = (
        f"{found.valid_samples:,} of {found.samples:,} Monte Carlo samples valid (Latin "
        f"hypercube, seed {found.seed}). Tornado bars move one input from its P10 to its P90 "
        "value with the others at their nominal value; the line is the nominal figure."
    )
    return UncertaintyView(note, table, tornadoes, inputs)


def _degraded(report: Report) -> Table | None:
    if not report.degraded_modes:
        return None
    rows = [
        [Cell(text, "strong" if i == 0 else "") for i, text in enumerate(row)]
        for row in fig.degraded_rows(report)
    ]
    return Table(fig.DEGRADED_HEADERS, rows, fig.DEGRADED_NUMERIC)


def _gpus(count: int, model: str | None) -> str:
    return f"{fig.count(count)} {model}" if model else fig.count(count)


def _serve(report: Report) -> Table | None:
    if not report.serve:
        return None
    rows = [
        [
            Cell(s.name, "strong"),
            Cell(_gpus(s.gpus, s.gpu_model)),
            Cell(s.precision),
            Cell(
                f"{fig.count(s.replicas)} × {fig.count(s.gpus_per_replica)}"
                + (f" + {fig.count(s.prefill_gpus)} prefill" if s.prefill_gpus else "")
            ),
            Cell(s.parallelism.label if s.parallelism else MISSING),
            Cell(fig.count(s.batch) if s.batch else MISSING),
            Cell(fig.token_rate(s.tokens_per_s)),
            Cell(fig.tokens_per_mw(s.tokens_per_s_per_mw)),
            Cell(fig.joules_per_token(s.joules_per_token)),
            Cell(fig.optional(s.user_rate_tokens_per_s, fig.token_rate)),
            Cell(fig.optional(s.tpot_s, fig.duration)),
            Cell(
                f"{fig.optional(s.time_to_first_token_s, fig.duration)}, "
                f"{fig.optional(s.time_to_first_token_p90_s, fig.duration)}"
            ),
            Cell(_LIMITS.get(s.binding_limit or "", s.binding_limit or MISSING)),
            Cell(fig.optional(s.cost_per_million_tokens_usd, fig.cost_per_million_tokens)),
        ]
        for s in report.serve
    ]
    headers = [
        "Workload",
        "GPUs",
        "Precision",
        "Replicas × GPUs",
        "Replica",
        "Batch",
        "Tokens/s",
        "Tokens/s per MW",
        "Energy/token",
        "Per user",
        "TPOT",
        "First token (mean, p90)",
        "Limit",
        "Cost",
    ]
    return Table(headers, rows, [False, True, False, True, False] + [True] * 8 + [False, True])


_LIMITS = {
    "kv_capacity": "KV capacity",
    "engine": "engine batch cap",
    "token_budget": "engine token budget",
    "user_rate": "per-user rate",
    "ttft": "TTFT limit",
    "tpot": "TPOT limit",
}


def _serve_chart(report: Report) -> charts.Chart | None:
    if not report.serve:
        return None
    bars = [
        charts.Bar(s.name, s.tokens_per_s_per_mw, fig.tokens_per_mw(s.tokens_per_s_per_mw))
        for s in report.serve
    ]
    return charts.bar_chart("Tokens/s per MW of facility power, per serve workload", bars)


def _serve_curves(report: Report) -> list[charts.Chart]:
    """Per serve workload: its Pareto front, the chosen replica's curve, the operating point."""
    result = []
    for serve in report.serve:
        if not serve.curve:
            continue
        front = sorted(
            (p.user_rate_tokens_per_s, p.tokens_per_s_per_gpu) for p in serve.curve if p.pareto
        )
        label = serve.parallelism.label if serve.parallelism else ""
        chosen = sorted(
            (p.user_rate_tokens_per_s, p.tokens_per_s_per_gpu)
            for p in serve.curve
            if p.parallelism == label
        )
        series = [charts.Series("Pareto front over replica shapes", front, "series0")]
        if chosen:
            series.append(charts.Series(f"{label} replicas", chosen, "series2"))
        marks = []
        if serve.user_rate_tokens_per_s is not None and serve.replicas:
            per_gpu = serve.tokens_per_s / (
                serve.replicas * serve.gpus_per_replica + serve.prefill_gpus
            )
            marks.append(
                charts.Mark(
                    f"operating point: {fig.token_rate(serve.user_rate_tokens_per_s)} per user, "
                    f"batch {fig.count(serve.batch)}",
                    serve.user_rate_tokens_per_s,
                    per_gpu,
                    "series1",
                )
            )
        result.append(
            charts.line_chart(
                f"{serve.name}: output tokens/s per GPU against tokens/s per user",
                series,
                marks,
                x_label="output tokens/s per user",
                y_label="output tokens/s per GPU (log)",
            )
        )
    return result


_CAPEX_LABELS = {
    "accelerated_systems": "Accelerated systems",
    "network": "Network",
    "storage": "Storage",
    "facility": "Facility",
}


def _category(name: str) -> str:
    return _CAPEX_LABELS.get(name, name.replace("_", " ").capitalize())


def _parts(amounts: dict[str, float]) -> list[tuple[str, float]]:
    return [(name, value) for name, value in amounts.items() if name != "total"]


def _capex_chart(report: Report) -> charts.Chart | None:
    if report.cost is None:
        return None
    segments = [
        charts.Segment(_category(name), value, fig.money(value))
        for name, value in _parts(report.cost.capex_usd)
    ]
    if not any(s.value > 0 for s in segments):
        return None
    return charts.stacked_bar("Capital cost by category", segments)


def _money_table(amounts: dict[str, float], formatter: Callable[[float], str]) -> Table:
    rows = [[Cell(_category(name)), Cell(formatter(value))] for name, value in _parts(amounts)]
    if "total" in amounts:
        rows.append([Cell("Total", "strong"), Cell(formatter(amounts["total"]), "strong")])
    return Table(["Category", "Amount"], rows, [False, True])


def _cost_tables(report: Report) -> list[tuple[str, Table]]:
    cost = report.cost
    if cost is None:
        return []
    tables = [
        ("Capex", _money_table(cost.capex_usd, fig.money)),
        ("Opex per year", _money_table(cost.opex_usd_per_year, fig.money_per_year)),
    ]
    if cost.depreciation_usd_per_year:
        tables.append(
            (
                "Depreciation per year",
                _money_table(cost.depreciation_usd_per_year, fig.money_per_year),
            )
        )
    return tables


def _cost_facts(report: Report) -> list[tuple[str, str]]:
    cost = report.cost
    if cost is None:
        return []
    facts = [
        ("Horizon", fig.duration(cost.horizon_s)),
        ("Total cost of ownership", fig.money(cost.tco_usd)),
        ("Cost per GPU-hour", fig.optional(cost.cost_per_gpu_hour_usd, fig.cost_per_gpu_hour)),
    ]
    for s in report.serve:
        if s.cost_per_million_tokens_usd is not None:
            facts.append(
                (
                    f"Cost per million tokens, {s.name}",
                    fig.cost_per_million_tokens(s.cost_per_million_tokens_usd),
                )
            )
    for t in report.train:
        if t.cost_usd is not None:
            facts.append((f"Cost to train {t.name}", fig.money(t.cost_usd)))
    return facts


def _assumptions(report: Report) -> Table | None:
    if not report.assumptions:
        return None
    rows = []
    for a in sorted(report.assumptions, key=lambda a: a.name):
        rows.append(
            [
                Cell(a.name, "mono"),
                Cell(fig.assumption_text(a.value, a.unit), "warn" if a.overridden else ""),
                Cell(fig.assumption_text(a.default, a.unit)),
                Cell("overridden" if a.overridden else "default", "warn" if a.overridden else ""),
                Cell(a.description),
                Cell(a.source, "source"),
            ]
        )
    headers = ["Constant", "Value", "Default", "Set by", "Meaning", "Source"]
    return Table(headers, rows, [False, True, True, False, False, False])
