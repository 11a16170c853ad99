"""How a model figure was obtained (its derivation): the formula, its inputs and its assumptions.

A derivation is what `aifc report --explain PATH` and the report's `explain`
section show; it is not a diagnostic code's explanation (`aifc explain
CODE`, `aiflang.diagnostics.codes`).

Every result of the throughput, power and cost models carries
a `Derivation`, so a report can show its work: the formula as a readable
string, the values that went into it (SI units, or text for choices such as
a precision), and the names of the registered assumptions it read (their
values and sources live in `aiflang.models.assumptions.REGISTRY`).
"""

from __future__ import annotations

from aiflang.records import record


@record
class Derivation:
    """The work behind one figure."""

    formula: str
    inputs: dict[str, float | str]
    assumptions: tuple[str, ...] = ()

    def with_inputs(self, **extra: float | str) -> Derivation:
        """The derivation with more inputs (derivations are shared, so this copies)."""
        return Derivation(self.formula, {**self.inputs, **extra}, self.assumptions)
