"""How a model figure was obtained: the formula, its inputs and its assumptions.

Every result of the throughput, power and cost models carries an
`Explanation`, so a report can show its work: the formula as a readable
string, the values that went into it (SI units, or text for choices such as
a precision), and the names of the registered assumptions it read (their
values and sources live in `aiflang.models.assumptions.REGISTRY`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Explanation:
    """The work behind one figure."""

    formula: str
    inputs: dict[str, float | str]
    assumptions: tuple[str, ...] = ()
