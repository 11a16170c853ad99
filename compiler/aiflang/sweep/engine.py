"""Compile variants of one design in process, fast: read and parse once, vary the tree.

A `Base` holds the bytes of every file the design reads and the parse of
each, taken once; a variant is the base with `--set` settings applied to
the root file's syntax tree (`aiflang.frontend.settings`), so its values are
read and checked exactly as if written in the file. Names are resolved,
the design elaborated and analysed again per variant, which is what a
change of rack or precision needs. Constraints are `require` rules added
to every factory of the root file, so they are checked by the compiler's
own requirement pass, units and all.

`evaluate` turns one variant into a `Row`: its inputs, whether it is valid
(no error other than a failed requirement) and feasible (no error at all:
the design's own `require` rules and the sweep's constraints hold), and
its key figures, fleet-wide and per workload. A `Base` is a plain,
picklable description (`BaseSpec`) plus caches, so a worker process or a
Ray worker rebuilds it once and evaluates many variants with it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiflang import report as rp
from aiflang.driver import build_reports, compile_file
from aiflang.fileio import NotRegularFile, TooLarge, read_limited
from aiflang.frontend.settings import Setting, SettingError, parse_setting
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import MAX_FILE_BYTES, ParseResult, parse_source

# Bump when the figures a row holds change meaning, so stored results are not reused.
ENGINE_VERSION = "1"
CONSTRAINT_MESSAGE = "sweep constraint"
E_REQUIREMENT = "E601"

Value = float | int | str | bool | None


@dataclass(frozen=True, slots=True)
class BaseSpec:
    """What a worker needs to rebuild a `Base`: the design's files, read once."""

    path: str
    root: str | None
    files: tuple[tuple[str, bytes], ...]  # every file the design read, and its bytes
    constraints: tuple[str, ...] = ()  # `PATH OP VALUE` rules added as `require`
    factory: str | None = None
    settings: tuple[str, ...] = ()  # `--set PATH=VALUE` of every variant, before its own

    @property
    def digest(self) -> str:
        """A hash of everything that decides a variant's figures, but its settings."""
        sha = hashlib.sha256()
        parts = (ENGINE_VERSION, self.path, self.factory or "", *self.constraints, "--set")
        for part in (*parts, *self.settings):
            sha.update(part.encode("utf-8") + b"\0")
        for name, data in self.files:
            sha.update(name.encode("utf-8") + b"\0" + hashlib.sha256(data).digest())
        return sha.hexdigest()


def read_base(
    path: Path,
    *,
    root: Path | None = None,
    constraints: Sequence[str] = (),
    factory: str | None = None,
    settings: Sequence[str] = (),
) -> BaseSpec:
    """Read the design and what it imports once (a compile with a recording loader)."""
    seen: dict[str, bytes] = {}

    def record(candidate: Path) -> bytes | None:
        try:
            data: bytes | None = read_limited(candidate, MAX_FILE_BYTES)
        except (NotRegularFile, TooLarge):
            raise  # resolve reports these itself
        except OSError:
            data = None
        if data is not None:
            seen[str(candidate)] = data
        return data

    compile_file(path, root=root, loader=record, analyse=False)
    return BaseSpec(
        str(path),
        str(root) if root is not None else None,
        tuple(sorted(seen.items())),
        tuple(constraints),
        factory,
        tuple(settings),
    )


@dataclass(slots=True)
class Base:
    """A design read and parsed once, ready to compile many variants."""

    spec: BaseSpec
    _parsed: dict[tuple[str, str], ParseResult] = field(default_factory=dict)
    _settings: dict[tuple[str, str], Setting] = field(default_factory=dict)
    _constraints: tuple[ast.Require, ...] | None = None
    _files: dict[str, bytes] = field(default_factory=dict)
    _digest: str = ""

    @property
    def digest(self) -> str:
        """`spec.digest`, hashed once."""
        if not self._digest:
            self._digest = self.spec.digest
        return self._digest

    def load(self, candidate: Path) -> bytes | None:
        if not self._files:
            self._files = dict(self.spec.files)
        return self._files.get(str(candidate))

    def parse(self, text: str, file: str) -> ParseResult:
        key = (file, text)
        result = self._parsed.get(key)
        if result is None:
            result = parse_source(text, file)
            if self.constraints() and same_file(file, self.spec.path):
                result = dataclasses.replace(
                    result, module=_with_requires(result.module, self.constraints())
                )
            self._parsed[key] = result
        return result

    def constraints(self) -> tuple[ast.Require, ...]:
        if self._constraints is None:
            parsed = []
            for text in self.spec.constraints:
                result = parse_source(f'require {text} "{CONSTRAINT_MESSAGE}"', "--constraint")
                entries = result.module.entries
                if result.ok and len(entries) == 1 and isinstance(entries[0], ast.Require):
                    parsed.append(entries[0])
            self._constraints = tuple(parsed)
        return self._constraints

    def setting(self, path: str, value: str) -> Setting:
        key = (path, value)
        setting = self._settings.get(key)
        if setting is None:
            setting = self._settings[key] = parse_setting(f"{path}={value}")
        return setting

    def report(self, values: Sequence[tuple[str, str]]) -> tuple[rp.Report | None, list[str]]:
        """The report of the variant with `values` set, and its error lines."""
        fixed = [t.partition("=") for t in self.spec.settings]
        settings = [self.setting(p, v) for p, _, v in fixed]
        settings += [self.setting(path, value) for path, value in values]
        compilation = compile_file(
            Path(self.spec.path),
            root=Path(self.spec.root) if self.spec.root else None,
            loader=self.load,
            parse=self.parse,
            settings=settings,
        )
        reports = build_reports(compilation)
        chosen = next(
            (r for r in reports if self.spec.factory in (None, r.factory)),
            reports[0] if reports else None,
        )
        diagnostics = chosen.diagnostics if chosen is not None else []
        errors = [f"{d.code} {d.summary}" for d in diagnostics if d.severity == "error"] or [
            f"{d.code} {d.message}" for d in compilation.diagnostics if d.is_error
        ]
        return chosen, errors


def same_file(a: str, b: str) -> bool:
    # Spans name a file as the user gave it (relative or not); compare the files themselves.
    return a == b or Path(a).resolve() == Path(b).resolve()


def _with_requires(module: ast.Module, requires: tuple[ast.Require, ...]) -> ast.Module:
    entries = [
        dataclasses.replace(e, entries=(*e.entries, *requires))
        if isinstance(e, ast.Block) and e.kind == "factory"
        else e
        for e in module.entries
    ]
    return dataclasses.replace(module, entries=tuple(entries))


def split_path(path: str) -> list[str]:
    """The segments of a report path; a segment holding a dot is written in double quotes."""
    segments, current, quoted = [], "", False
    for char in path:
        if char == '"':
            quoted = not quoted
        elif char == "." and not quoted:
            segments.append(current.strip())
            current = ""
        else:
            current += char
    segments.append(current.strip())
    return segments


def check_settings(paths: Sequence[str]) -> None:
    """Raise SettingError when a varied path is not one `--set` accepts."""
    for path in paths:
        parse_setting(f"{path}=0")


def variant_key(spec_digest: str, values: Sequence[tuple[str, str]]) -> str:
    """The results-file key of a variant: its base and its settings, hashed."""
    text = json.dumps([spec_digest, [list(v) for v in values]], separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


# Figures ----------------------------------------------------------------------
FIGURES = (
    "gpus",
    "it_power_w",
    "facility_power_w",
    "capex_usd",
    "opex_usd_per_year",
    "tco_usd",
    "tokens_per_s",
    "tokens_per_s_per_mw",
    "cost_per_million_tokens_usd",
    "train_time_s",
)


# Each key figure is in the unit of the report field it adds up (`report.FIELD_UNITS`).
FIGURE_FIELDS = {
    "gpus": "capacity.gpus",
    "it_power_w": "capacity.it_power_w",
    "facility_power_w": "capacity.facility_power_w",
    "capex_usd": "cost.capex_usd.total",
    "opex_usd_per_year": "cost.opex_usd_per_year.total",
    "tco_usd": "cost.tco_usd",
    "tokens_per_s": "serve.*.tokens_per_s",
    "tokens_per_s_per_mw": "serve.*.tokens_per_s_per_mw",
    "cost_per_million_tokens_usd": "serve.*.cost_per_million_tokens_usd",
    "train_time_s": "train.*.time_s",
}


def figure_unit(name: str) -> rp.FieldUnit | None:
    """The unit of a key figure, a per-workload column or a report path; None if not numeric."""
    path = FIGURE_FIELDS.get(name, name)
    return rp.field_unit(split_path(path))


def figures(report: rp.Report) -> dict[str, Value]:
    """The key figures of one report, fleet-wide, then per workload.

    Fleet tokens/s adds every `serve` workload; tokens/s per MW divides it
    by the facility's power (IT x PUE); cost per million tokens is the
    mean of the workloads' costs weighted by their tokens/s; training time
    is the longest run's.
    """
    row: dict[str, Value] = dict.fromkeys(FIGURES)
    if report.capacity is not None:
        row["gpus"] = report.capacity.gpus
        row["it_power_w"] = report.capacity.it_power_w
        row["facility_power_w"] = report.capacity.facility_power_w
    if report.cost is not None:
        row["capex_usd"] = report.cost.capex_usd.get("total")
        row["opex_usd_per_year"] = report.cost.opex_usd_per_year.get("total")
        row["tco_usd"] = report.cost.tco_usd
    if report.serve:
        tokens = sum(s.tokens_per_s for s in report.serve)
        row["tokens_per_s"] = tokens
        facility = row["facility_power_w"]
        if isinstance(facility, float) and facility > 0:
            row["tokens_per_s_per_mw"] = tokens / (facility / 1e6)
        priced = [s for s in report.serve if s.cost_per_million_tokens_usd is not None]
        weight = sum(s.tokens_per_s for s in priced)
        if priced and weight > 0:
            row["cost_per_million_tokens_usd"] = (
                sum(s.tokens_per_s * (s.cost_per_million_tokens_usd or 0.0) for s in priced)
                / weight
            )
    if report.train:
        row["train_time_s"] = max(t.time_s for t in report.train)
    for serve in report.serve:
        row[f"serve.{serve.name}.tokens_per_s"] = serve.tokens_per_s
        row[f"serve.{serve.name}.tokens_per_s_per_mw"] = serve.tokens_per_s_per_mw
        row[f"serve.{serve.name}.cost_per_million_tokens_usd"] = serve.cost_per_million_tokens_usd
    for train in report.train:
        row[f"train.{train.name}.time_s"] = train.time_s
        row[f"train.{train.name}.cost_usd"] = train.cost_usd
    return row


@dataclass(frozen=True, slots=True)
class Row:
    """One evaluated variant."""

    index: int
    key: str
    inputs: tuple[tuple[str, str], ...]
    valid: bool
    feasible: bool
    errors: int
    first_error: str
    figures: dict[str, Value]
    objectives: dict[str, float | None] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "key": self.key,
            "inputs": [list(v) for v in self.inputs],
            "valid": self.valid,
            "feasible": self.feasible,
            "errors": self.errors,
            "first_error": self.first_error,
            "figures": self.figures,
            "objectives": self.objectives,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> Row:
        return Row(
            index=int(data["index"]),
            key=str(data["key"]),
            inputs=tuple((str(p), str(v)) for p, v in data["inputs"]),
            valid=bool(data["valid"]),
            feasible=bool(data["feasible"]),
            errors=int(data["errors"]),
            first_error=str(data["first_error"]),
            figures=dict(data["figures"]),
            objectives=dict(data.get("objectives", {})),
        )


def objective_value(report: rp.Report | None, row: dict[str, Value], path: str) -> float | None:
    """An objective's value: a key figure by name, or a path into the JSON report."""
    if path in row:
        value = row[path]
        return float(value) if isinstance(value, int | float) and value is not None else None
    if report is None:
        return None
    from aiflang.analyses.requirements import lookup

    found, _problem = lookup(report.model_dump(), split_path(path))
    return float(found) if isinstance(found, int | float) and not isinstance(found, bool) else None


def evaluate(
    base: Base, index: int, values: Sequence[tuple[str, str]], objectives: Sequence[str]
) -> Row:
    """Compile one variant and read its figures. Never raises for a bad variant."""
    report, errors = base.report(values)
    failed_rules = [e for e in errors if e.startswith(E_REQUIREMENT)]
    row = figures(report) if report is not None else dict.fromkeys(FIGURES)
    return Row(
        index=index,
        key=variant_key(base.digest, values),
        inputs=tuple(values),
        valid=report is not None and len(errors) == len(failed_rules),
        feasible=report is not None and not errors,
        errors=len(errors),
        first_error=errors[0] if errors else "",
        figures=row,
        objectives={path: objective_value(report, row, path) for path in objectives},
    )


def evaluate_batch(
    spec: BaseSpec,
    batch: Sequence[tuple[int, tuple[tuple[str, str], ...]]],
    objectives: Sequence[str],
) -> list[dict[str, Any]]:
    """Evaluate a batch in a worker, with that worker's cached `Base` for `spec`."""
    base = _worker_base(spec)
    return [evaluate(base, index, values, objectives).as_json() for index, values in batch]


_BASES: dict[str, Base] = {}


def _worker_base(spec: BaseSpec) -> Base:
    digest = spec.digest
    base = _BASES.get(digest)
    if base is None:
        _BASES.clear()  # one design at a time per worker keeps memory bounded
        base = _BASES[digest] = Base(spec)
    return base


__all__ = [
    "Base",
    "BaseSpec",
    "Row",
    "SettingError",
    "check_settings",
    "evaluate",
    "evaluate_batch",
    "figures",
    "read_base",
]
