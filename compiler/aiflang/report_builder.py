"""Build the report data (the JSON contract) from a compilation.

A design with errors still gets a report: its diagnostics first, then every
figure that could be computed. Only this module turns facts into
`aiflang.model.report.Report`; renderers only format what it holds.
"""

from __future__ import annotations

from typing import Any

from aiflang.model import report as rp
from aiflang.model.design import Design
from aiflang.models.assumptions import REGISTRY
from aiflang.passes import Compilation
from aiflang.passes.facts import Facts
from aiflang.render.json_report import diagnostic_report
from aiflang.suppress import apply_suppressions


def sections(design: Design, facts: Facts) -> dict[str, Any]:
    """The computed sections of the report, before diagnostics are known."""
    used = sorted(facts.assumptions.used | set(facts.assumptions.overrides))
    assumptions = [
        rp.AssumptionReport(
            name=name,
            value=facts.assumptions.overrides.get(name, REGISTRY[name].default),
            default=REGISTRY[name].default,
            unit=REGISTRY[name].unit,
            overridden=name in facts.assumptions.overrides,
            description=REGISTRY[name].description,
            source=REGISTRY[name].source,
        )
        for name in used
        if name in REGISTRY
    ]
    explain = {
        key: rp.ExplanationReport(
            formula=e.formula, inputs=dict(e.inputs), assumptions=list(e.assumptions)
        )
        for key, e in sorted(facts.explanations.items())
    }
    return {
        "capacity": facts.capacity,
        "halls": facts.halls,
        "fabrics": facts.fabrics,
        "train": facts.train,
        "serve": facts.serve,
        "cost": facts.cost,
        "requirements": facts.requirements,
        "assumptions": assumptions,
        "explain": explain,
    }


def build_reports(compilation: Compilation) -> list[rp.Report]:
    """One report per factory of the compiled file."""
    diagnostics = apply_suppressions(compilation.sink.sorted(), compilation.sources)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    rendered = [diagnostic_report(d, compilation.sources) for d in diagnostics]
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
                    **sections(design, facts),
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
