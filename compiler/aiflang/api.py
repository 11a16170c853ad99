"""The public Python API: compile a design and read its reports.

```python
import aiflang

result = aiflang.compile("reference_designs/gb200_two_su.aif")
result.valid                      # True when no finding is an error
result.report().capacity.gpus     # the JSON report as typed objects (aiflang.report)
```

`compile` never raises for a design's own problems: they are diagnostics
on the result, as `aifc validate` prints them. It raises only for misuse
of the API itself: a path that does not exist (FileNotFoundError), an
unknown or out-of-range assumption override (ValueError), a factory name
the file does not define (LookupError).
"""

from __future__ import annotations

import difflib
import html
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from aiflang import units
from aiflang.diagnostics import Counts, Diagnostic
from aiflang.driver import Compilation, build_reports, compile_file, compile_source
from aiflang.report import Report

__all__ = ["Result", "compile"]

_QUANTITY = re.compile(r"\s*([+-]?[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][+-]?[0-9]+)?)\s*(\S*)\s*")


@dataclass(frozen=True, eq=False)
class Result:
    """What compiling one design produced: its findings and one report per factory."""

    compilation: Compilation

    @property
    def valid(self) -> bool:
        """True when no diagnostic is an error (warnings allowed), as `aifc validate` exits 0."""
        return self.counts.valid

    @property
    def counts(self) -> Counts:
        """Errors and warnings of the whole file, after `# aifc: ignore[...]` suppressions."""
        return self.compilation.counts

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every finding of the file, sorted by place, after suppressions."""
        return list(self.compilation.diagnostics)

    @cached_property
    def reports(self) -> list[Report]:
        """One report per factory of the file, in source order (`aiflang.report` objects)."""
        return build_reports(self.compilation)

    @property
    def factories(self) -> list[str]:
        """The names of the file's factories."""
        return self.compilation.factory_names

    def report(self, name: str | None = None) -> Report:
        """The report of factory `name` (the only or first one when None)."""
        if not self.reports:
            raise LookupError(f"{self.compilation.file} defines no factory to report on")
        if name is None:
            return self.reports[0]
        for report in self.reports:
            if report.factory == name:
                return report
        close = difflib.get_close_matches(name, self.factories, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise LookupError(f"no factory {name!r}{hint}; the file defines {self.factories}")

    def to_json(self, name: str | None = None) -> str:
        """The JSON report of one factory, exactly as `aifc report --format json` writes it."""
        from aiflang.render.json_report import dumps

        return dumps(self.report(name))

    def to_html(self, name: str | None = None) -> str:
        """The self-contained HTML report of one factory, as `aifc report` writes it."""
        from aiflang.render.html import render_html

        return render_html(self.report(name))

    def _repr_html_(self) -> str:
        """Jupyter shows the HTML report of every factory inline, each in its own frame
        so the report's styles cannot touch the notebook's."""
        if not self.reports:
            return f"<pre>{html.escape(repr(self))}</pre>"
        frames = [
            f'<iframe srcdoc="{html.escape(self.to_html(r.factory), quote=True)}" '
            f'title="{html.escape(r.factory or r.file, quote=True)}" '
            'style="width:100%;height:720px;border:1px solid #d8dde3"></iframe>'
            for r in self.reports
        ]
        return "\n".join(frames)

    def __repr__(self) -> str:
        counts = self.counts
        verdict = "valid" if counts.valid else "invalid"
        return (
            f"<aiflang.Result {self.compilation.file}: {verdict}, {counts.errors} errors, "
            f"{counts.warnings} warnings, factories {self.factories}>"
        )


def compile(
    path_or_text: str | os.PathLike[str],
    *,
    root: str | os.PathLike[str] | None = None,
    overrides: Mapping[str, float | str] | None = None,
    catalog: Sequence[str | os.PathLike[str]] = (),
) -> Result:
    """Compile a design file, or design text, into a `Result`.

    `path_or_text` is a path (a `pathlib.Path`, or a `str` with neither a
    line break nor a `{`) or the text of a design. Text is compiled without
    being written anywhere; its imports resolve against `root` (default: the
    current folder). For a file, `root` is the project folder that imports
    may not leave (default: the file's folder), as `--root` on the command
    line.

    `overrides` sets model assumptions by name, over the design's own
    `assumptions {}` block: a number in the assumption's SI unit (0.08 for
    8%) or a quantity as text (`"8%"`, `"17.5 MW"`).

    `catalog` are a project's own catalog files (a company's parts, as
    `catalog` in a project configuration names them), in front of the
    built-in catalog and under the design's own definitions and imports.
    """
    root_path = Path(root) if root is not None else None
    given = _overrides(overrides or {})
    layers = [Path(c) for c in catalog]
    if isinstance(path_or_text, str) and ("\n" in path_or_text or "{" in path_or_text):
        return Result(compile_source(path_or_text, root=root_path, overrides=given, catalog=layers))
    path = Path(path_or_text)
    if not path.is_file():
        raise FileNotFoundError(f"no design file {path}")
    return Result(compile_file(path, root=root_path, overrides=given, catalog=layers))


def _overrides(overrides: Mapping[str, float | str]) -> dict[str, float]:
    """Assumption overrides in SI, checked against the registry."""
    if not overrides:
        return {}
    from aiflang.driver import pipeline
    from aiflang.models.assumptions import REGISTRY

    pipeline()  # the analyses register their assumptions when imported
    values: dict[str, float] = {}
    for name, given in overrides.items():
        assumption = REGISTRY.get(name)
        if assumption is None:
            close = difflib.get_close_matches(name, list(REGISTRY), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"unknown assumption {name!r}{hint}")
        value = _si_value(name, given, assumption.unit)
        low, high = assumption.minimum, assumption.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            raise ValueError(f"assumption {name!r} = {given!r} is outside [{low}, {high}] (SI)")
        values[name] = value
    return values


def _si_value(name: str, given: float | str, unit: str) -> float:
    if not isinstance(given, str):
        return float(given)
    match = _QUANTITY.fullmatch(given)
    if match is None:
        raise ValueError(f"assumption {name!r}: cannot read {given!r} as a number with a unit")
    number, unit_text = float(match.group(1).replace("_", "")), match.group(2)
    if not unit_text:
        return number
    quantity = units.quantity(number, unit_text)
    expected = units.parse_unit(unit).dimension if unit not in ("", "%") else None
    if expected is not None and quantity.dimension != expected:
        raise ValueError(
            f"assumption {name!r} is {units.dimension_name(expected)}, not "
            f"{units.dimension_name(quantity.dimension)} ({given!r})"
        )
    return float(quantity.value)
