"""Diagnostics and reports as JSON: the versioned, Terraform-style envelope.

Output is deterministic: keys in model order, diagnostics sorted, no
timestamps, floats as Python prints them.
"""

from __future__ import annotations

import json
from typing import Any

from aiflang.diagnostics import Diagnostic, Span
from aiflang.model import report as rp
from aiflang.render.text import source_line


def _position(span: Span, end: bool) -> rp.Position:
    if end:
        return rp.Position(
            file=span.file, line=span.end_line, column=span.end_column, byte=span.end_offset
        )
    return rp.Position(file=span.file, line=span.line, column=span.column, byte=span.offset)


def range_of(span: Span) -> rp.Range:
    return rp.Range(filename=span.file, start=_position(span, False), end=_position(span, True))


def diagnostic_report(diagnostic: Diagnostic, sources: dict[str, str]) -> rp.DiagnosticReport:
    span = diagnostic.span
    return rp.DiagnosticReport(
        code=diagnostic.code,
        severity=diagnostic.severity.value,
        summary=diagnostic.message,
        detail="\n".join(diagnostic.notes) or None,
        help=diagnostic.help,
        range=range_of(span) if span else None,
        snippet=source_line(sources, span) if span else None,
        related=[
            rp.RelatedReport(message=r.message, range=range_of(r.span)) for r in diagnostic.related
        ],
    )


def validation_report(
    diagnostics: list[Diagnostic], sources: dict[str, str]
) -> rp.ValidationReport:
    errors = sum(1 for d in diagnostics if d.is_error)
    return rp.ValidationReport(
        valid=errors == 0,
        error_count=errors,
        warning_count=sum(1 for d in diagnostics if not d.is_error),
        diagnostics=[diagnostic_report(d, sources) for d in diagnostics],
    )


def dumps(model: rp.BaseModel | dict[str, Any]) -> str:
    data = model.model_dump(mode="json") if isinstance(model, rp.BaseModel) else model
    return json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
