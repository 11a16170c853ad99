"""Diagnostics as SARIF 2.1.0, the format GitHub code scanning accepts.

Rules come from the code registry; `ruleId` is the stable code; URIs are
relative to the working folder; regions are 1-based; each result carries a
partial fingerprint so code scanning can track it across commits.
"""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from typing import Any
from urllib.parse import quote

from aiflang.diagnostics import Diagnostic, snippet
from aiflang.diagnostics.characters import json_safe
from aiflang.diagnostics.codes import CODES

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/aifc-dev/aifc"


CATALOG_BASE = "AIFC_CATALOG"  # the built-in catalog, which lives in the package, not the repo


def _artifact(file: str) -> dict[str, str]:
    """An artifactLocation: a relative, percent-encoded URI (catalog files under their base)."""
    if file.startswith("<catalog>/"):
        return {"uri": quote(file.removeprefix("<catalog>/")), "uriBaseId": CATALOG_BASE}
    return {"uri": _uri(file)}


def _uri(file: str) -> str:
    if file.startswith("<"):
        file = file.replace("<", "").replace(">", "")
    path = os.path.relpath(file) if os.path.isabs(file) else file
    return quote(path.replace(os.sep, "/"))


def _version() -> str:
    try:
        return metadata.version("aiflang")
    except metadata.PackageNotFoundError:
        return "0.0.0"


def render_sarif(diagnostics: list[Diagnostic], sources: dict[str, str]) -> str:
    used_codes = sorted({d.code for d in diagnostics} | set(CODES))
    rules = []
    for code in used_codes:
        info = CODES.get(code)
        if info is None:
            continue
        rules.append(
            {
                "id": code,
                "name": info.summary.title().replace(" ", "").replace("-", ""),
                "shortDescription": {"text": info.summary},
                "fullDescription": {"text": info.explanation},
                "help": {"text": f"{info.explanation} Run `aifc explain {code}` for more."},
                "defaultConfiguration": {"level": "warning" if code.startswith("W") else "error"},
            }
        )
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results: list[dict[str, Any]] = []
    for diagnostic in diagnostics:
        text = diagnostic.message
        if diagnostic.help:
            text += f" (help: {diagnostic.help})"
        result: dict[str, Any] = {
            "ruleId": diagnostic.code,
            "level": "error" if diagnostic.is_error else "warning",
            "message": {"text": text},
        }
        if diagnostic.code in index:
            result["ruleIndex"] = index[diagnostic.code]
        span = diagnostic.span
        if span is not None:
            result["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": _artifact(span.file),
                        "region": {
                            "startLine": span.line,
                            "startColumn": span.column,
                            "endLine": span.end_line,
                            "endColumn": max(span.end_column, span.column + 1)
                            if span.end_line == span.line
                            else span.end_column,
                        },
                    }
                }
            ]
            line = (snippet(sources, span) or "").strip()
            digest = hashlib.sha256(
                f"{diagnostic.code}|{_uri(span.file)}|{line}".encode()
            ).hexdigest()
            result["partialFingerprints"] = {"primaryLocationLineHash": digest[:32]}
            if diagnostic.related:
                result["relatedLocations"] = [
                    {
                        "id": number,
                        "message": {"text": related.message},
                        "physicalLocation": {
                            "artifactLocation": _artifact(related.span.file),
                            "region": {
                                "startLine": related.span.line,
                                "startColumn": related.span.column,
                            },
                        },
                    }
                    for number, related in enumerate(diagnostic.related, start=1)
                ]
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "aifc",
                        "version": _version(),
                        "semanticVersion": _version(),
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {
                    CATALOG_BASE: {
                        "description": {"text": "the built-in catalog shipped with aifc"},
                    }
                },
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }
    return json_safe(json.dumps(log, indent=2, ensure_ascii=False)) + "\n"
