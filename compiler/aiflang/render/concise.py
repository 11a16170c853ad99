"""Diagnostics one a line, `path:line:col: CODE message`, as ruff and mypy print them.

For editors' problem matchers and grep. A code starting with E is an
error, with W a warning, unless the project promotes it (then the line
reads `W402[error]`). A finding without a place gives the compiled file
and no line. Messages never span lines.
"""

from __future__ import annotations

from aiflang.diagnostics import Diagnostic


def concise_line(diagnostic: Diagnostic, file: str = "") -> str:
    """One diagnostic as `path:line:col: CODE message`."""
    span = diagnostic.span
    where = f"{span.file}:{span.line}:{span.column}" if span else file or "-"
    code = str(diagnostic.code)
    if diagnostic.is_error and not code.startswith("E"):
        code += "[error]"
    message = " ".join(diagnostic.message.split())
    return f"{where}: {code} {message}"


def render_concise(diagnostics: list[Diagnostic], file: str = "") -> str:
    """Every diagnostic, one a line, each line ending in a newline."""
    return "".join(concise_line(d, file) + "\n" for d in diagnostics)
