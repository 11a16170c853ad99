"""The driver: the one place that orders the stages of a compilation.

resolve (imports, names, catalog) -> elaborate (the frozen design IR) ->
analyses (fabrics, power, throughput, cost, requirements) -> suppression ->
report data. `compile_file` runs the stages up to the analyses;
`build_reports` applies suppressions and turns the facts into the JSON
report contract (`aiflang.report`), one report per factory.

`pipeline()` reads top to bottom as the story of the analyses, in
dependency order. Each analysis is a function
`(design, facts, sink) -> None` that reads the design and earlier facts and
records its own typed results in `facts`. Analyses stand down when the
front end reported blocking errors (syntax, names, types), so one typo does
not cascade into forty budget errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiflang import report as rp
from aiflang.analyses.facts import Facts, report_sections
from aiflang.diagnostics import Sink
from aiflang.diagnostics.suppression import apply_suppressions
from aiflang.frontend.design import Design
from aiflang.frontend.elaborate import elaborate
from aiflang.frontend.resolve import Loader, Program, resolve
from aiflang.models.assumptions import Assumptions

Analysis = Callable[[Design, Facts, Sink], None]


def pipeline() -> tuple[Analysis, ...]:
    """The analyses, in the order they run after resolve and elaborate."""
    # Imported here so `aifc --help` does not pay for the models.
    from aiflang.analyses.cost import estimate_cost
    from aiflang.analyses.fabrics import size_fabrics
    from aiflang.analyses.power import check_power
    from aiflang.analyses.requirements import check_requirements
    from aiflang.analyses.throughput import estimate_throughput

    return (
        size_fabrics,  # endpoints, switches, links, optics, bisection, N-1
        check_power,  # rack, hall and facility power; cooling; space; headroom
        estimate_throughput,  # capacity, training time, inference tokens/s
        estimate_cost,  # capex, opex, TCO, cost per GPU-hour and per token
        check_requirements,  # `require` rules against the computed figures
    )


@dataclass(slots=True)
class Compilation:
    """Everything one run of the compiler produced."""

    sink: Sink
    program: Program
    file: str = ""
    designs: list[Design] = field(default_factory=list)
    facts: list[Facts] = field(default_factory=list)

    @property
    def sources(self) -> dict[str, str]:
        return self.program.sources


def compile_file(
    path: Path, *, root: Path | None = None, loader: Loader | None = None, analyse: bool = True
) -> Compilation:
    """Run the pipeline on one file. Never raises for user errors."""
    sink = Sink()
    program = resolve(path, sink, root=root, **({"loader": loader} if loader else {}))
    compilation = Compilation(sink, program, str(path))
    if sink.blocked:
        return compilation
    compilation.designs = elaborate(program, sink)
    if sink.blocked or not analyse:
        return compilation
    analyses = pipeline()
    for design in compilation.designs:
        facts = Facts(assumptions=Assumptions(overrides=dict(design.assumptions)))
        for analysis in analyses:
            analysis(design, facts, sink)
        compilation.facts.append(facts)
    return compilation


def build_reports(compilation: Compilation) -> list[rp.Report]:
    """One report per factory of the compiled file."""
    diagnostics = apply_suppressions(compilation.sink.sorted(), compilation.sources)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    rendered = [rp.diagnostic_report(d, compilation.sources) for d in diagnostics]
    common = {
        "valid": errors == 0,
        "error_count": errors,
        "warning_count": warnings,
        "diagnostics": rendered,
    }
    reports: list[rp.Report] = []
    if compilation.designs:
        for index, design in enumerate(compilation.designs):
            facts = compilation.facts[index] if index < len(compilation.facts) else Facts()
            reports.append(
                rp.Report(
                    factory=design.name,
                    file=design.file,
                    doc=design.doc,
                    **common,
                    **report_sections(design, facts),
                )
            )
        return reports
    for unit in compilation.program.factories:
        reports.append(
            rp.Report(factory=unit.block.name or "", file=unit.file, doc=unit.block.doc, **common)
        )
    if not reports and errors:
        # A file so broken that no factory could be read still gets a report of its errors.
        reports.append(rp.Report(factory="", file=compilation.file, **common))
    return reports
