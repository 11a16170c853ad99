"""Line-level suppression of warnings: `# aifc: ignore[W301]` (or several codes).

A suppression comment on a line hides warnings with those codes reported on
that line. Errors cannot be suppressed. A suppression that hides nothing is
itself reported (W101), so stale comments do not pile up; like every other
family, at most MAX_DIAGNOSTICS_PER_FAMILY of them per file, then one W103
that counts the rest.
"""

from __future__ import annotations

import re

from aiflang.diagnostics import Diagnostic, Severity, Sink, Span, codes

_PATTERN = re.compile(r"#\s*aifc:\s*ignore\[([A-Za-z0-9_,\s]+)\]")


def _suppressions(sources: dict[str, str]) -> dict[tuple[str, int], tuple[set[str], Span]]:
    found: dict[tuple[str, int], tuple[set[str], Span]] = {}
    for file, text in sources.items():
        if file.startswith("<catalog>") or "aifc:" not in text:
            continue
        offset = 0
        for number, line in enumerate(text.split("\n"), start=1):
            match = _PATTERN.search(line)
            if match:
                codes = {c.strip().upper() for c in match.group(1).split(",") if c.strip()}
                column = match.start() + 1
                span = Span(
                    file,
                    number,
                    column,
                    number,
                    match.end() + 1,
                    offset + match.start(),
                    offset + match.end(),
                )
                found[(file, number)] = (codes, span)
            offset += len(line) + 1
    return found


def apply_suppressions(diagnostics: list[Diagnostic], sources: dict[str, str]) -> list[Diagnostic]:
    """Drop suppressed warnings; add W101 for suppressions that matched nothing."""
    table = _suppressions(sources)
    if not table:
        return diagnostics
    used: set[tuple[str, int, str]] = set()
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        span = diagnostic.span
        if span is not None and diagnostic.severity is Severity.WARNING:
            entry = table.get((span.file, span.line))
            if entry is not None and diagnostic.code in entry[0]:
                used.add((span.file, span.line, diagnostic.code))
                continue
        kept.append(diagnostic)
    stale = Sink()  # W101 under the same per-family cap as every other warning
    for (file, line), (named, span) in sorted(table.items()):
        for code in sorted(named):
            if (file, line, code) not in used:
                stale.warning(
                    codes.W101,
                    f"`# aifc: ignore[{code}]` suppresses nothing on this line",
                    span,
                    help="remove the suppression",
                )
    if not stale.diagnostics:
        return kept
    return sorted(kept + stale.diagnostics, key=Diagnostic.sort_key) + stale.summaries()
