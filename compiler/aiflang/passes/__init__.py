"""The compiler's passes and the one place that orders them.

`pipeline()` reads top to bottom as the story of a compilation: resolve the
file and its imports, elaborate each factory into the design model, then run
the analyses in dependency order. Each analysis is a function
`(design, facts, sink) -> None` that reads the design and earlier facts and
records its own typed results in `facts`. Analyses stand down when the
front end reported blocking errors (syntax, names, types), so one typo does
not cascade into forty budget errors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from aiflang.diagnostics import Sink
from aiflang.model.design import Design
from aiflang.models.assumptions import Assumptions
from aiflang.passes.elaborate import elaborate
from aiflang.passes.facts import Facts
from aiflang.passes.resolve import Loader, Program, resolve

Analysis = Callable[[Design, Facts, Sink], None]


def pipeline() -> tuple[Analysis, ...]:
    """The analyses, in the order they run after resolve and elaborate."""
    # Imported here so `aifc --help` does not pay for the models.
    from aiflang.passes.check_power import check_power
    from aiflang.passes.check_requirements import check_requirements
    from aiflang.passes.estimate_cost import estimate_cost
    from aiflang.passes.estimate_throughput import estimate_throughput
    from aiflang.passes.size_fabrics import size_fabrics

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
