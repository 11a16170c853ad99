"""Validation results as JUnit XML (`aifc validate --format junit`).

CI systems (GitLab's `artifacts:reports:junit`, Jenkins, Azure Pipelines)
show JUnit XML as a test list. Each design file checked is one test case
of the suite `aifc validate`: it fails when the file has errors (or, with
`--strict`, warnings), and the failure's text lists every finding as
`path:line:col: CODE message`; warnings of a passing file go to its
`system-out`. A clean design is a passing test, so the report always holds
one test per file.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from aiflang.diagnostics import Diagnostic
from aiflang.diagnostics.characters import neutralise


def _line(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    where = f"{span.file}:{span.line}:{span.column}: " if span else ""
    text = f"{where}{diagnostic.severity.value}[{diagnostic.code}] {diagnostic.message}"
    if diagnostic.help:
        text += f" (help: {diagnostic.help})"
    return text


def _xml_text(text: str) -> str:
    """Text XML 1.0 can hold: control characters shown as escapes (neutralised)."""
    return neutralise(text)


def render_junit(results: list[tuple[str, list[Diagnostic]]], *, strict: bool) -> str:
    """JUnit XML of (file, its findings) pairs, one test case each."""
    suite = ET.Element("testsuite", name="aifc validate")
    failures = 0
    for file, diagnostics in results:
        case = ET.SubElement(
            suite, "testcase", classname="aifc.validate", name=_xml_text(file), file=_xml_text(file)
        )
        errors = [d for d in diagnostics if d.is_error]
        warnings = [d for d in diagnostics if not d.is_error]
        failing = errors + warnings if strict else errors
        if failing:
            failures += 1
            counts = f"{len(errors)} error(s), {len(warnings)} warning(s)"
            failure = ET.SubElement(
                case, "failure", message=_xml_text(f"{file}: {counts}"), type="aifc"
            )
            failure.text = _xml_text("\n".join(_line(d) for d in diagnostics))
        elif warnings:
            out = ET.SubElement(case, "system-out")
            out.text = _xml_text("\n".join(_line(d) for d in warnings))
    suite.set("tests", str(len(results)))
    suite.set("failures", str(failures))
    suite.set("errors", "0")
    suite.set("skipped", "0")
    root = ET.Element("testsuites", name="aifc", tests=str(len(results)), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
