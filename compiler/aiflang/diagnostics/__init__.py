"""Spans, diagnostics and the sink that collects them.

Every finding of the compiler is a `Diagnostic`: a stable code (documented
in `aiflang.diagnostics.codes`), a severity, a message in the designer's terms, the span
it is about, related spans (the other side of a conflict), notes (the
numbers that add up), a help line (how to fix it, with numbers) and, where
the fix is mechanical (a did-you-mean), `fixes`: the exact edits, so an
editor can offer them as quick fixes without reading the help text.

Passes never raise for user errors and never print: they add diagnostics to
a `Sink`. The sink sorts and de-duplicates (a hash set, so both stay
O(n log n)), and records whether a blocking error (a syntax, name or value
error) was seen, so later passes can stand down instead of cascading.

The sink keeps at most `MAX_DIAGNOSTICS_PER_FAMILY` diagnostics of each
family (E1xx syntax, E2xx names and values, ..., and each warning family)
per file: the first ones reported, and a count of the rest, shown as one
last diagnostic per family (E108 for errors, W103 for warnings). Passes can
ask `Sink.wants` before building an expensive message (a did-you-mean).
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypedDict, Unpack

from aiflang.records import field, record

if TYPE_CHECKING:
    from aiflang.diagnostics.codes import Code


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@record
class Span:
    """A range of source text. Lines and columns are 1-based and count characters."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int
    offset: int = 0
    end_offset: int = 0

    @classmethod
    def point(cls, file: str, line: int = 1, column: int = 1, offset: int = 0) -> Span:
        return cls(file, line, column, line, column + 1, offset, offset + 1)

    def sort_key(self) -> tuple[str, int, int]:
        return (self.file, self.line, self.column)


@record
class Related:
    """Another place that contributed to a finding, with what it contributed."""

    span: Span
    message: str


@record
class Fix:
    """A machine-applicable edit: replace the text at `span` with `replacement`."""

    span: Span
    replacement: str

    @property
    def title(self) -> str:
        return f"change to `{self.replacement}`"


@record
class Diagnostic:
    code: Code
    severity: Severity
    message: str
    span: Span | None = None
    label: str = ""
    related: tuple[Related, ...] = ()
    notes: tuple[str, ...] = ()
    help: str | None = None
    fixes: tuple[Fix, ...] = ()

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        file, line, column = self.span.sort_key() if self.span else ("", 0, 0)
        return (file, line, column, self.code, self.message)


class Details(TypedDict, total=False):
    """What a finding may carry besides its code, message and span."""

    label: str
    related: tuple[Related, ...]
    notes: tuple[str, ...]
    help: str | None
    fixes: tuple[Fix, ...]


MAX_DIAGNOSTICS_PER_FAMILY = 50


_FAMILY_WORDS = {
    "E108": "limit errors",
    "E1": "syntax errors",
    "E2": "name, type and value errors",
    "E3": "topology errors",
    "E4": "power, cooling and space errors",
    "E5": "workload errors",
    "E6": "requirement failures",
}


def _family(code: str) -> str:
    # Limits (E108) are a family of their own, so the syntax errors' own limit
    # message is never the one held back.
    return code if code == "E108" else code[:2]


@record(frozen=False)
class Sink:
    """Collects diagnostics from the passes."""

    diagnostics: list[Diagnostic] = field(default_factory=list)
    _seen: set[tuple[object, ...]] = field(default_factory=set)
    _kept: dict[tuple[str, str], int] = field(default_factory=dict)
    _held_back: dict[tuple[str, str], int] = field(default_factory=dict)
    _blocked: bool = False

    def wants(self, code: Code, span: Span | None) -> bool:
        """Whether a diagnostic of `code` at `span` would still be kept (not over the cap)."""
        key = (span.file if span else "", _family(code))
        return self._kept.get(key, 0) < MAX_DIAGNOSTICS_PER_FAMILY

    def add(self, diagnostic: Diagnostic) -> None:
        key = (diagnostic.code, diagnostic.message, diagnostic.span)
        if key in self._seen:
            return
        self._seen.add(key)
        if diagnostic.is_error and diagnostic.code.blocking:
            self._blocked = True
        family = (diagnostic.span.file if diagnostic.span else "", _family(diagnostic.code))
        kept = self._kept.get(family, 0)
        if kept >= MAX_DIAGNOSTICS_PER_FAMILY:
            self._held_back[family] = self._held_back.get(family, 0) + 1
            return
        self._kept[family] = kept + 1
        self.diagnostics.append(diagnostic)

    def extend(self, diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
        for diagnostic in diagnostics:
            self.add(diagnostic)

    def absorb(self, other: Sink) -> None:
        """Take `other`'s diagnostics and the count of those it held back over the cap."""
        self.extend(other.diagnostics)
        for family, count in other._held_back.items():
            self._held_back[family] = self._held_back.get(family, 0) + count
        self._blocked = self._blocked or other._blocked

    def report(
        self,
        severity: Severity,
        code: Code,
        message: str,
        span: Span | None,
        *,
        label: str = "",
        related: tuple[Related, ...] = (),
        notes: tuple[str, ...] = (),
        help: str | None = None,
        fixes: tuple[Fix, ...] = (),
    ) -> None:
        family = (span.file if span else "", _family(code))
        if self._kept.get(family, 0) >= MAX_DIAGNOSTICS_PER_FAMILY:
            # Over the cap: count it (once) without building it.
            key = (code, message, span)
            if key not in self._seen:
                self._seen.add(key)
                self._held_back[family] = self._held_back.get(family, 0) + 1
                if code.blocking and severity is Severity.ERROR:
                    self._blocked = True
            return
        self.add(Diagnostic(code, severity, message, span, label, related, notes, help, fixes))

    def error(
        self, code: Code, message: str, span: Span | None, **details: Unpack[Details]
    ) -> None:
        """Report an error; `details` are `label`, `related`, `notes`, `help` and `fixes`."""
        self.report(Severity.ERROR, code, message, span, **details)

    def warning(
        self, code: Code, message: str, span: Span | None, **details: Unpack[Details]
    ) -> None:
        """Report a warning; `details` are `label`, `related`, `notes`, `help` and `fixes`."""
        self.report(Severity.WARNING, code, message, span, **details)

    @property
    def blocked(self) -> bool:
        """True once a syntax, name or value error makes later analyses unreliable."""
        return self._blocked

    def sorted(self) -> list[Diagnostic]:
        """Every diagnostic kept, by position, then one per family that was held back."""
        return sorted(self.diagnostics, key=Diagnostic.sort_key) + self.summaries()

    def summaries(self) -> list[Diagnostic]:
        """One E108 or W103 per file and family that had diagnostics held back."""
        from aiflang.diagnostics import codes

        result: list[Diagnostic] = []
        for (file, family), count in sorted(self._held_back.items()):
            warning = family.startswith("W")
            what = "warnings" if warning else _FAMILY_WORDS.get(family, "errors")
            result.append(
                Diagnostic(
                    codes.W103 if warning else codes.E108,
                    Severity.WARNING if warning else Severity.ERROR,
                    f"{count:,} more {what} in this file are not shown; the first "
                    f"{MAX_DIAGNOSTICS_PER_FAMILY} are",
                    Span.point(file),
                    help="fix these and run again to see the rest",
                )
            )
        return result


@record
class Counts:
    """Errors and warnings among some diagnostics: the one place they are counted.

    The driver counts a compilation's findings with it, per file and per
    factory, after suppressions; renderers print the counts they are given.
    """

    errors: int = 0
    warnings: int = 0

    @classmethod
    def of(cls, diagnostics: Iterable[Diagnostic]) -> Counts:
        errors = warnings = 0
        for diagnostic in diagnostics:
            if diagnostic.is_error:
                errors += 1
            elif diagnostic.severity is Severity.WARNING:
                warnings += 1
        return cls(errors, warnings)

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.errors + other.errors, self.warnings + other.warnings)

    @property
    def valid(self) -> bool:
        return self.errors == 0


def get_close_matches(
    word: str, candidates: Iterable[str], n: int = 3, cutoff: float = 0.6
) -> list[str]:
    """`difflib.get_close_matches`, imported only when a name is wrong (a valid design
    never asks, and the import cost every run)."""
    import difflib

    return difflib.get_close_matches(word, candidates, n=n, cutoff=cutoff)


def did_you_mean(suggestions: list[str] | tuple[str, ...]) -> str | None:
    """A help line offering close names, or None when there are none."""
    if not suggestions:
        return None
    return "did you mean " + " or ".join(f"`{s}`" for s in suggestions) + "?"


def replacements(span: Span | None, suggestions: list[str] | tuple[str, ...]) -> tuple[Fix, ...]:
    """One fix per suggestion, each replacing the text at `span` (none without a span)."""
    if span is None:
        return ()
    return tuple(Fix(span, suggestion) for suggestion in suggestions)


# A line of a source that snippets may not quote. Sources never hold NUL
# (decoding refuses it), so the marker cannot be a real line.
WITHHELD_LINE = "\0"


def source_line(sources: dict[str, str], span: Span) -> str | None:
    """The text of the line a span starts on, or None when unknown or withheld."""
    text = sources.get(span.file)
    if text is None:
        return None
    lines = _lines(text)
    if 1 <= span.line <= len(lines):
        line = lines[span.line - 1]
        return None if line == WITHHELD_LINE else line
    return None


SNIPPET_WIDTH = 1_000  # characters of a source line quoted with a diagnostic


def snippet(sources: dict[str, str], span: Span) -> str | None:
    """The line a span starts on, cut to `SNIPPET_WIDTH` characters (`...` marks a cut)."""
    line = source_line(sources, span)
    if line is not None and len(line) > SNIPPET_WIDTH:
        return line[: SNIPPET_WIDTH - 3] + "..."
    return line


@functools.lru_cache(maxsize=8)
def _lines(text: str) -> list[str]:
    # Split once per file, not once per diagnostic; the text's hash is cached by
    # Python, so the lookup costs O(1) after the first.
    return text.split("\n")
