"""Diagnostics as GitHub Actions workflow commands (annotations on a pull request)."""

from __future__ import annotations

from aiflang.diagnostics import Diagnostic
from aiflang.diagnostics.characters import neutralise


def _escape_data(text: str) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return neutralise(text)  # the runner's log would show other controls raw


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(diagnostics: list[Diagnostic]) -> str:
    lines = []
    for diagnostic in diagnostics:
        level = "error" if diagnostic.is_error else "warning"
        properties = []
        span = diagnostic.span
        if span is not None:
            properties += [
                f"file={_escape_property(span.file)}",
                f"line={span.line}",
                f"col={span.column}",
                f"endLine={span.end_line}",
                f"endColumn={span.end_column}",
            ]
        properties.append(f"title={_escape_property(diagnostic.code)}")
        message = diagnostic.message
        if diagnostic.help:
            message += f"\nhelp: {diagnostic.help}"
        lines.append(f"::{level} {','.join(properties)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)
