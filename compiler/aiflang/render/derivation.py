"""In the terminal: how one figure was computed (`aifc report FILE --explain KEY`),
and the list of diagnostic codes (`aifc explain` with no code)."""

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


def render_code_list() -> str:
    """Every diagnostic code with its severity and one-line summary, by family."""
    from aiflang.diagnostics.codes import CODES

    lines = ["Diagnostic codes (`aifc explain CODE` for one of them):", ""]
    family = ""
    for code in sorted(CODES.values()):
        if code[:2] != family and family:
            lines.append("")
        family = code[:2]
        lines.append(f"  {code}  {code.severity.value:<7}  {code.summary}")
    return "\n".join(lines)
