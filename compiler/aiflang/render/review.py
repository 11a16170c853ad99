"""What changed between two reports, for a pull-request review.

`compare_reports` (render/compare.py) adds these to a comparison:

- findings new in B and findings fixed (in A, gone from B), matched by code,
  file and message, so a finding that only moved to another line is neither;
  repeated findings are matched as many times as they occur;
- requirements whose status changed (passed in one, failed in the other, or
  present on one side only), matched by path and operator;
- bill-of-materials lines that changed: matched by hall, kind, part, fabric,
  tier and parent; a change of count, unit price or status, or a line on one
  side only, with the change in extended price.
"""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, ConfigDict

from aiflang.report import FORMAT_VERSION, BomLine, DiagnosticReport, Report


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class RequirementChange(_Model):
    path: str
    operator: str
    expected: float | None = None  # the bound, SI (B's; A's for a rule only A has)
    message: str | None = None
    a_passed: bool | None  # None: the rule is not in A
    b_passed: bool | None
    a_actual: float | None = None
    b_actual: float | None = None


class BomChange(_Model):
    hall: str
    part: str  # "switch Q3400 (compute leaf)"
    a_count: float | None  # None: the line is not in A
    b_count: float | None
    a_extended_usd: float | None = None
    b_extended_usd: float | None = None
    delta_usd: float | None = None  # b - a in extended price; None when neither side has one
    a_status: str | None = None
    b_status: str | None = None
    in_capex: bool = False  # either side counts toward capex (a licence line does not)


def _finding_key(diagnostic: DiagnosticReport, design: str) -> tuple[str, str, str]:
    """Code, file and message; the side's own design file is one name on both sides."""
    where = diagnostic.range.filename if diagnostic.range else ""
    return (diagnostic.code, "<design>" if where == design else where, diagnostic.summary)


def diagnostic_changes(
    a: Report, b: Report
) -> tuple[list[DiagnosticReport], list[DiagnosticReport]]:
    """(findings new in B, findings of A fixed in B), each in its report's order."""
    in_a = Counter(_finding_key(d, a.file) for d in a.diagnostics)
    in_b = Counter(_finding_key(d, b.file) for d in b.diagnostics)
    new, fixed = [], []
    left = in_a.copy()
    for diagnostic in b.diagnostics:
        key = _finding_key(diagnostic, b.file)
        if left[key] > 0:
            left[key] -= 1
        else:
            new.append(diagnostic)
    left = in_b.copy()
    for diagnostic in a.diagnostics:
        key = _finding_key(diagnostic, a.file)
        if left[key] > 0:
            left[key] -= 1
        else:
            fixed.append(diagnostic)
    return new, fixed


def requirement_changes(a: Report, b: Report) -> list[RequirementChange]:
    """Requirements whose status differs between A and B, in B's order then A's."""
    rules_a = {(r.path, r.operator): r for r in a.requirements}
    rules_b = {(r.path, r.operator): r for r in b.requirements}
    changes = []
    for key in list(rules_b) + [k for k in rules_a if k not in rules_b]:
        before, after = rules_a.get(key), rules_b.get(key)
        a_passed = before.passed if before else None
        b_passed = after.passed if after else None
        if a_passed == b_passed:
            continue
        changes.append(
            RequirementChange(
                path=key[0],
                operator=key[1],
                expected=after.expected if after else before.expected if before else None,
                message=after.message if after else before.message if before else None,
                a_passed=a_passed,
                b_passed=b_passed,
                a_actual=before.actual if before else None,
                b_actual=after.actual if after else None,
            )
        )
    return changes


def _part(line: BomLine) -> str:
    text = f"{line.kind.replace('_', ' ')} {line.name}".rstrip()
    if line.fabric:
        text += f" ({line.fabric}{' ' + line.tier if line.tier else ''})"
    if line.parent:
        text += f", in {line.parent}"
    return text


def bom_changes(a: Report, b: Report) -> list[BomChange]:
    """Bill-of-materials lines added, removed or changed, in B's order then A's."""
    if a.bom is None or b.bom is None:
        return []

    def key(line: BomLine) -> tuple[object, ...]:
        return (line.hall, line.kind, line.name, line.fabric, line.tier, line.parent)

    lines_a = {key(line): line for line in a.bom.lines}
    lines_b = {key(line): line for line in b.bom.lines}
    changes = []
    for k in list(lines_b) + [k for k in lines_a if k not in lines_b]:
        before, after = lines_a.get(k), lines_b.get(k)
        if (
            before is not None
            and after is not None
            and (
                before.count,
                before.unit_price_usd,
                before.price_status,
            )
            == (after.count, after.unit_price_usd, after.price_status)
        ):
            continue
        shown = after or before
        assert shown is not None
        a_ext = before.extended_price_usd if before else None
        b_ext = after.extended_price_usd if after else None
        # What the change does to capex: a side without a price adds nothing to it.
        delta = None if (a_ext, b_ext) == (None, None) else (b_ext or 0.0) - (a_ext or 0.0)
        changes.append(
            BomChange(
                hall=shown.hall,
                part=_part(shown),
                a_count=before.count if before else None,
                b_count=after.count if after else None,
                a_extended_usd=a_ext,
                b_extended_usd=b_ext,
                delta_usd=delta,
                a_status=before.price_status if before else None,
                b_status=after.price_status if after else None,
                in_capex=bool((before and before.in_capex) or (after and after.in_capex)),
            )
        )
    return changes


class ComparisonRow(BaseModel):
    """One figure of both sides: raw values, their text, ratio b/a and delta b - a."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str
    label: str
    a: float | None
    b: float | None
    a_text: str
    b_text: str
    ratio: float | None  # b / a
    delta: float | None  # b - a
    delta_text: str


class CurveComparison(BaseModel):
    """One serve workload's Pareto fronts in both designs: (tokens/s per user, tokens/s per MW)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    a: list[tuple[float, float]]
    b: list[tuple[float, float]]
    a_point: tuple[float, float] | None = None  # each design's operating point
    b_point: tuple[float, float] | None = None


class Comparison(BaseModel):
    """Two reports side by side (`aifc compare`), versioned with the report contract."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: str = FORMAT_VERSION
    a: str  # factory names
    b: str
    a_file: str
    b_file: str
    a_valid: bool
    b_valid: bool
    a_error_count: int = 0
    a_warning_count: int = 0
    b_error_count: int = 0
    b_warning_count: int = 0
    a_diagnostics: list[DiagnosticReport] = []
    b_diagnostics: list[DiagnosticReport] = []
    rows: list[ComparisonRow]
    curves: list[CurveComparison] = []
    # What a reviewer of B (a change to A) needs: see render/review.py.
    new_diagnostics: list[DiagnosticReport] = []
    fixed_diagnostics: list[DiagnosticReport] = []
    requirement_changes: list[RequirementChange] = []
    bom_changes: list[BomChange] = []
