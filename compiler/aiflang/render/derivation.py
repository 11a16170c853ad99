"""`aifc report FILE --explain KEY`: how one figure was computed, in the terminal."""

from __future__ import annotations

from aiflang.diagnostics.characters import neutralise
from aiflang.render.figures import assumption_text, named
from aiflang.report import Report


def render_derivation(report: Report, key: str) -> str | None:
    derivation = report.explain.get(key)
    if derivation is None:
        return None
    assumptions = {a.name: a for a in report.assumptions}
    out = [key, f"  = {derivation.formula}", "", "  inputs:"]
    for name, value in derivation.inputs.items():
        shown = value if isinstance(value, str) else named(name, value)
        out.append(f"    {name:<32} {shown}")
    if derivation.assumptions:
        out.append("")
        out.append("  assumptions:")
        for name in derivation.assumptions:
            used = assumptions.get(name)
            if used is None:
                out.append(f"    {name}")
                continue
            flag = " (overridden in the design)" if used.overridden else ""
            out.append(f"    {name} = {assumption_text(used.value, used.unit)}{flag}")
            out.append(f"      source: {used.source}")
    return neutralise("\n".join(out))
