"""Objectives and the Pareto front of the feasible variants.

An objective is a figure to maximise or minimise: a key figure by name
(`tokens_per_s_per_mw`, `cost_per_million_tokens_usd`, `tco_usd`, ...) or a
path into the JSON report (`serve."llama3-70b".tokens_per_s`). A variant
is on the front when it is feasible, has a value for every objective, and
no other such variant is at least as good on every objective and better on
one. Ties (equal figures on every objective) all stay on the front.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiflang.sweep.engine import Row, figure_unit

SENSES = ("max", "min")


@dataclass(frozen=True, slots=True)
class Objective:
    path: str
    sense: str  # max | min

    @property
    def label(self) -> str:
        return f"{'maximise' if self.sense == 'max' else 'minimise'} {self.path}"

    @property
    def axis_label(self) -> str:
        """The label with the figure's unit, as `report.FIELD_UNITS` gives it."""
        unit = figure_unit(self.path)
        shown = unit.unit if unit is not None and unit.unit not in ("", "si", "GPU") else ""
        return f"{self.label} ({shown})" if shown else self.label


def _score(row: Row, objectives: Sequence[Objective]) -> tuple[float, ...] | None:
    """The row's objective values, negated where minimised, so larger is always better."""
    values = []
    for objective in objectives:
        value = row.objectives.get(objective.path)
        if value is None:
            return None
        values.append(value if objective.sense == "max" else -value)
    return tuple(values)


def _dominates(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return all(x >= y for x, y in zip(a, b, strict=True)) and a != b


def pareto_front(rows: Sequence[Row], objectives: Sequence[Objective]) -> list[Row]:
    """The feasible rows no other feasible row dominates, in index order.

    Rows are visited best-first on the objectives' lexicographic order, so a
    row can only be dominated by one already kept: each row is compared with
    the front alone (a skyline), not with every other row.
    """
    if not objectives:
        return []
    scored = [(s, r) for r in rows if r.feasible and (s := _score(r, objectives)) is not None]
    scored.sort(key=lambda item: (tuple(-x for x in item[0]), item[1].index))
    front: list[tuple[tuple[float, ...], Row]] = []
    for score, row in scored:
        if not any(_dominates(kept, score) for kept, _ in front):
            front.append((score, row))
    return sorted((row for _, row in front), key=lambda r: r.index)


def best(rows: Sequence[Row], objective: Objective) -> Row | None:
    """The feasible row best on one objective (the lowest index among equals)."""
    candidates = [r for r in rows if r.feasible and r.objectives.get(objective.path) is not None]
    if not candidates:
        return None

    def key(row: Row) -> tuple[float, int]:
        value = row.objectives[objective.path]
        assert value is not None
        return (-value if objective.sense == "max" else value, row.index)

    return min(candidates, key=key)
