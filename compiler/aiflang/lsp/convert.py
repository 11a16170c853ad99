"""Compiler diagnostics in the protocol's terms.

The message carries the notes and the help line; `code` the stable code;
`relatedInformation` the other places of a conflict; `data` the fixes
(ranges and replacement text, for quick fixes) and the `aifc explain`
text of the code.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from aiflang.diagnostics import Diagnostic, Severity
from aiflang.diagnostics.codes import CODES
from aiflang.lsp.document import Document, path_of_span_file

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.NOTE: types.DiagnosticSeverity.Information,
}


def to_lsp(document: Document, diagnostic: Diagnostic) -> types.Diagnostic | None:
    """A compiler diagnostic in the protocol's terms (None when it has no place)."""
    span = diagnostic.span
    lines = document.lines_of(span.file) if span else document.lines
    if lines is None:
        return None
    range_ = lines.range(span) if span else types.Range(types.Position(0, 0), types.Position(0, 0))
    message = diagnostic.message
    if diagnostic.notes:
        message += "\n" + "\n".join(diagnostic.notes)
    if diagnostic.help:
        message += f"\nhelp: {diagnostic.help}"
    related = []
    for item in diagnostic.related:
        where = document.lines_of(item.span.file)
        if where is None:
            continue
        related.append(
            types.DiagnosticRelatedInformation(
                location=types.Location(
                    uri=path_of_span_file(item.span.file).resolve().as_uri()
                    if item.span.file != document.file
                    else document.uri,
                    range=where.range(item.span),
                ),
                message=item.message,
            )
        )
    code = CODES.get(str(diagnostic.code))
    data: dict[str, Any] = {
        "explain": f"{code.summary}: {code.explanation}" if code else None,
        "fixes": [
            {"range": _range_json(lines.range(fix.span)), "newText": fix.replacement}
            for fix in diagnostic.fixes
            if fix.span.file == (span.file if span else document.file)
        ],
    }
    return types.Diagnostic(
        range=range_,
        message=message,
        severity=_SEVERITY[diagnostic.severity],
        code=str(diagnostic.code),
        source="aifc",
        related_information=related or None,
        data=data,
    )


def _range_json(range_: types.Range) -> dict[str, dict[str, int]]:
    return {
        "start": {"line": range_.start.line, "character": range_.start.character},
        "end": {"line": range_.end.line, "character": range_.end.character},
    }
