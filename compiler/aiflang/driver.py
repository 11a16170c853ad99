"""The driver: the one place that orders the stages of a compilation.

resolve (imports, names, catalog) -> elaborate (the frozen design IR) ->
analyses (fabrics, power, throughput, cost, requirements) -> suppression ->
report data. `compile_file` (or `compile_source`, for text that is not on
disk) runs the stages up to suppression: the front end always, the analyses
only on a design without blocking errors; `build_reports` turns the facts
into the JSON report contract (`aiflang.report`), one report per factory.

`pipeline()` reads top to bottom as the story of the analyses, in
dependency order. Each analysis is a function
`(design, facts, sink) -> None` that reads the design and earlier facts and
records its own typed results in `facts`. Analyses stand down when the
front end reported blocking errors (syntax, names, types), so one typo does
not cascade into forty budget errors.

Suppression comments and the project's code policy (ignored warnings,
codes promoted to errors) are applied here, once, and diagnostics are counted
here, once (`Counts`): per file for `validate`, per factory for a report.
A finding belongs to the factory whose analyses reported it, or whose
block it points into; a finding outside every factory (a shared component
definition, an import, a syntax error) belongs to every factory of the file.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from aiflang import report as rp
from aiflang.analyses.facts import Facts, report_sections
from aiflang.diagnostics import Counts, Diagnostic, Sink, Span
from aiflang.diagnostics.codes import Code
from aiflang.diagnostics.policy import PolicyOf, apply_policy
from aiflang.diagnostics.suppression import apply_suppressions
from aiflang.frontend.design import Design
from aiflang.frontend.elaborate import elaborate
from aiflang.frontend.resolve import Loader, Parser, Program, resolve
from aiflang.frontend.settings import Setting
from aiflang.models.assumptions import Assumptions
from aiflang.records import field, record
from aiflang.syntax.parser import parse_source

Analysis = Callable[[Design, Facts, Sink], None]


def pipeline() -> tuple[Analysis, ...]:
    """The analyses, in the order they run after resolve and elaborate."""
    # Imported here so `aifc --help` does not pay for the models.
    from aiflang.analyses.bom import build_bom
    from aiflang.analyses.cost import estimate_cost
    from aiflang.analyses.degraded import degraded_modes
    from aiflang.analyses.fabrics import size_fabrics
    from aiflang.analyses.fleet import count_fleet
    from aiflang.analyses.plant import check_plant
    from aiflang.analyses.power import check_power
    from aiflang.analyses.requirements import check_requirements
    from aiflang.analyses.throughput import estimate_throughput

    return (
        size_fabrics,  # endpoints, switches, links, optics, bisection, N-1
        check_power,  # rack, hall and facility power; cooling; space; headroom
        check_plant,  # named plant: losses (PUE), heat rejection, generators, floor
        count_fleet,  # GPUs by model and the power they share, for throughput and cost
        estimate_throughput,  # capacity, training time, inference tokens/s
        estimate_cost,  # capex, opex, TCO, cost per GPU-hour and per token
        degraded_modes,  # each single failure: the tokens/s and training time that survive
        build_bom,  # the bill of materials, from the cost estimate's priced lines
        check_requirements,  # `require` rules against the computed figures
    )


_Key = tuple[object, ...]


def _key(diagnostic: Diagnostic) -> _Key:
    return (diagnostic.code, diagnostic.message, diagnostic.span)


@record(frozen=False)
class Compilation:
    """Everything one run of the compiler produced.

    `diagnostics` are the file's findings after suppression, sorted;
    `factory_diagnostics(i)` are those of factory `i` (parallel to
    `factory_names`). `sink` keeps the raw findings, before suppression.
    """

    sink: Sink
    program: Program
    file: str = ""
    designs: list[Design] = field(default_factory=list)
    facts: list[Facts] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    settings: tuple[str, ...] = ()  # the `--set` overrides, as given
    # Keys of the findings each factory's analyses reported, by factory index.
    _analysed: list[set[_Key]] = field(default_factory=list)

    @property
    def sources(self) -> dict[str, str]:
        return self.program.sources

    @property
    def counts(self) -> Counts:
        """Errors and warnings of the whole file, after suppression."""
        return Counts.of(self.diagnostics)

    @property
    def factory_names(self) -> list[str]:
        """The names of the file's factories, in source order."""
        return [unit.block.name or "" for unit in self.program.factories]

    def factory_index(self, name: str) -> int | None:
        """The index of the factory called `name`, or None."""
        names = self.factory_names
        return names.index(name) if name in names else None

    def factory_diagnostics(self, index: int) -> list[Diagnostic]:
        """The findings that concern factory `index` (see the module docstring)."""
        units = self.program.factories
        analysed = self._analysed[index] if index < len(self._analysed) else set()
        others = set().union(*(s for i, s in enumerate(self._analysed) if i != index))

        def inside(diagnostic: Diagnostic, block_index: int) -> bool:
            span, block = diagnostic.span, units[block_index].block
            # A block the parser had to close at the end of the file may have no end offset.
            end = block.span.end_offset or sys.maxsize
            return (
                span is not None
                and span.file == units[block_index].file
                and block.span.offset <= span.offset < end
            )

        chosen = []
        for diagnostic in self.diagnostics:
            key = _key(diagnostic)
            if key in analysed or inside(diagnostic, index):
                chosen.append(diagnostic)
            elif key in others or any(inside(diagnostic, i) for i in range(len(units))):
                continue
            else:
                chosen.append(diagnostic)  # outside every factory: shared by all of them
        return chosen


class _FrontEndOnly(Sink):
    """A view of a sink that lets through only front-end findings (E1xx, E2xx).

    Elaborating a design that has syntax or name errors still finds every
    value and type error (a wrong unit, an unknown choice, a count with a
    unit) in the same run; what it would say about budgets (a rack's power
    below its parts, a scale-up domain too large) rests on parts that may be
    missing, so it waits for a clean front end, like the analyses.
    """

    def __init__(self, target: Sink) -> None:
        super().__init__()
        self.target = target

    def add(self, diagnostic: Diagnostic) -> None:
        if diagnostic.code[:2] in ("E1", "E2"):
            self.target.add(diagnostic)

    def wants(self, code: Code, span: Span | None) -> bool:
        return self.target.wants(code, span)


def compile_file(
    path: Path,
    *,
    root: Path | None = None,
    loader: Loader | None = None,
    analyse: bool = True,
    overrides: dict[str, float] | None = None,
    settings: Sequence[Setting] = (),
    catalog: Sequence[Path] = (),
    policy: PolicyOf | None = None,
    parse: Parser | None = None,
) -> Compilation:
    """Run the pipeline on one file. Never raises for user errors.

    `loader` reads a file's bytes (None when it cannot be read); the default
    reads the file system. `overrides` (assumption name -> SI value) win
    over the design's own `assumptions` block. `settings` (`--set`) rewrite
    the file before it is resolved; `catalog` are a project's own catalog
    files; `policy` gives the code policy for a file (project configuration);
    `parse` replaces `parse_source` (the language server's chunk cache).

    The front end (resolve and elaborate) always runs in full, so syntax, name
    and value errors come in one run; the analyses (budgets) run only when the
    front end found no blocking error.
    """
    sink = Sink()
    program = resolve(
        path,
        sink,
        root=root,
        settings=settings,
        catalog=catalog,
        parse=parse or parse_source,
        **({"loader": loader} if loader else {}),
    )
    compilation = Compilation(sink, program, str(path), settings=tuple(s.text for s in settings))
    if sink.blocked:
        # Value errors still come in this run; the design itself is not kept.
        elaborate(program, _FrontEndOnly(sink))
    else:
        compilation.designs = elaborate(program, sink)
    if analyse and compilation.designs and not sink.blocked:
        _analyse(compilation, overrides or {})
    diagnostics = apply_suppressions(sink.sorted(), program.sources)
    if policy is not None:
        diagnostics = apply_policy(diagnostics, policy, compilation.file)
    compilation.diagnostics = diagnostics
    return compilation


def compile_source(
    text: str,
    *,
    root: Path | None = None,
    name: str = "design.aif",
    analyse: bool = True,
    overrides: dict[str, float] | None = None,
    settings: Sequence[Setting] = (),
    catalog: Sequence[Path] = (),
    policy: PolicyOf | None = None,
    folder: Path | None = None,
    parse: Parser | None = None,
) -> Compilation:
    """Compile design text that is not on disk, as if it were file `name` in `folder`.

    `folder` defaults to `root`, and `root` to the current folder. Imports
    resolve against the file's folder and are read from disk; the text
    itself never is. The other arguments are those of `compile_file`.
    """
    project = (root or folder or Path.cwd()).resolve()
    path = (folder or project).resolve() / name
    data = text.encode("utf-8")

    def load(candidate: Path) -> bytes | None:
        if candidate == path:
            return data
        try:
            return candidate.read_bytes()
        except OSError:
            return None

    return compile_file(
        path,
        root=project,
        loader=load,
        analyse=analyse,
        overrides=overrides,
        settings=settings,
        catalog=catalog,
        policy=policy,
        parse=parse,
    )


def _analyse(compilation: Compilation, overrides: dict[str, float]) -> None:
    analyses = pipeline()
    for design in compilation.designs:
        # Each factory's findings are collected apart, so each can be counted on its own.
        own = Sink()
        given = {**design.assumptions, **overrides}
        facts = Facts(assumptions=Assumptions(overrides=given))
        for analysis in analyses:
            analysis(design, facts, own)
        compilation.sink.absorb(own)  # with the count of what it held back
        compilation._analysed.append({_key(d) for d in own.diagnostics})
        compilation.facts.append(facts)


def build_reports(compilation: Compilation) -> list[rp.Report]:
    """One report per factory of the compiled file, each with its own findings."""
    sources = compilation.sources
    names = compilation.factory_names
    overrides = _overrides(compilation)
    origin = provenance(sources, compilation.settings)
    reports: list[rp.Report] = []
    for index, unit in enumerate(compilation.program.factories):
        diagnostics = compilation.factory_diagnostics(index)
        common = {**_diagnostic_fields(diagnostics, sources), "catalog_overrides": overrides}
        if index < len(compilation.designs):
            design = compilation.designs[index]
            facts = compilation.facts[index] if index < len(compilation.facts) else Facts()
            sections = report_sections(design, facts)
            reports.append(
                rp.Report(
                    factory=design.name,
                    file=design.file,
                    doc=design.doc,
                    factories=names,
                    **common,
                    **sections,
                    provenance=origin,
                )
            )
        else:
            reports.append(
                rp.Report(
                    factory=unit.block.name or "",
                    file=unit.file,
                    doc=unit.block.doc,
                    factories=names,
                    **common,
                    provenance=origin,
                )
            )
    if not reports and compilation.counts.errors:
        # A file so broken that no factory could be read still gets a report of its errors.
        common = _diagnostic_fields(compilation.diagnostics, sources)
        reports.append(rp.Report(factory="", file=compilation.file, **common, provenance=origin))
    return reports


def _overrides(compilation: Compilation) -> list[rp.CatalogOverride]:
    """The definitions that take a built-in catalog entry's name, in file and line order."""
    found = sorted(compilation.program.overrides, key=lambda o: (o.span.file, o.span.line, o.name))
    return [
        rp.CatalogOverride(
            kind=o.kind,
            name=o.name,
            builtin_kind=o.builtin_kind,
            file=o.span.file,
            line=o.span.line,
            extends=o.extends,
        )
        for o in found
    ]


CATALOG_PREFIX = "<catalog>/"


def provenance(sources: dict[str, str], settings: Sequence[str] = ()) -> rp.Provenance:
    """The version of aifc and the SHA-256 of the built-in catalog and of every input file.

    The catalog's hash covers its files' names and texts in name order, so a
    change to any entry changes it; the inputs are the design file, its
    imports and the project's catalog files, each hashed on its own.
    """
    import hashlib

    from aiflang.resources import package_version

    version = package_version()
    catalog = hashlib.sha256()
    inputs: dict[str, str] = {}
    for name in sorted(sources):
        data = sources[name].encode("utf-8", errors="surrogatepass")
        if name.startswith(CATALOG_PREFIX):
            catalog.update(name.encode("utf-8") + b"\0" + data + b"\0")
        else:
            inputs[name] = hashlib.sha256(data).hexdigest()
    return rp.Provenance(
        aifc_version=version,
        catalog_sha256=catalog.hexdigest(),
        inputs=inputs,
        settings=list(settings),
    )


def _diagnostic_fields(diagnostics: list[Diagnostic], sources: dict[str, str]) -> dict[str, Any]:
    counts = Counts.of(diagnostics)
    return {
        "valid": counts.valid,
        "error_count": counts.errors,
        "warning_count": counts.warnings,
        "diagnostics": [rp.diagnostic_report(d, sources) for d in diagnostics],
    }
