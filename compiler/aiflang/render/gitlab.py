"""Diagnostics as a GitLab Code Quality report (`aifc validate --format gitlab`).

The format is the JSON array GitLab reads from a job's
`artifacts:reports:codequality` file: one object per finding with
`description`, `check_name` (the stable code), `fingerprint`, `severity`
and `location.path` with `location.lines.begin`. Paths are relative to the
folder aifc runs in (the repository root in CI); catalog locations keep their
`<catalog>/` name. Fingerprints hash the code, the path and the text of the
line, as the SARIF ones do, so a finding keeps its identity when lines move;
a repeat of the same finding on the same line gets its ordinal appended,
because GitLab merges findings with equal fingerprints.
"""

from __future__ import annotations

import hashlib
import json
import os

from aiflang.diagnostics import Diagnostic, source_line
from aiflang.diagnostics.characters import json_safe

# GitLab's severities are info, minor, major, critical and blocker.
SEVERITY = {True: "major", False: "minor"}  # is_error -> severity


def _path(file: str) -> str:
    path = os.path.relpath(file) if os.path.isabs(file) else file
    return path.replace(os.sep, "/")


def render_gitlab(diagnostics: list[Diagnostic], sources: dict[str, str], fallback: str) -> str:
    """The Code Quality JSON of `diagnostics`; `fallback` is the path of a spanless finding."""
    issues = []
    seen: dict[str, int] = {}
    for diagnostic in diagnostics:
        span = diagnostic.span
        path = _path(span.file if span else fallback)
        begin = span.line if span else 1
        line = (source_line(sources, span) or "").strip() if span else ""
        key = hashlib.sha256(f"{diagnostic.code}|{path}|{line}".encode()).hexdigest()
        ordinal = seen.get(key, 0)
        seen[key] = ordinal + 1
        fingerprint = (
            key if ordinal == 0 else hashlib.sha256(f"{key}|{ordinal}".encode()).hexdigest()
        )
        description = f"{diagnostic.message} [{diagnostic.code}]"
        if diagnostic.help:
            description += f" (help: {diagnostic.help})"
        issues.append(
            {
                "description": description,
                "check_name": diagnostic.code,
                "fingerprint": fingerprint,
                "severity": SEVERITY[diagnostic.is_error],
                "location": {
                    "path": path,
                    "lines": {"begin": begin, "end": span.end_line if span else begin},
                },
            }
        )
    return json_safe(json.dumps(issues, indent=2, ensure_ascii=False)) + "\n"
