"""Named model constants: defaults with units and sources, and per-design overrides.

Each model module registers its constants at import time with `register`.
A design's `assumptions { name = value }` block overrides them; the report
lists every assumption a design used, with its value and source.

Values are stored in SI base units (watts, seconds, bits, USD, ...); `unit`
is the unit the default is written and displayed in (a unit expression the
unit table understands, or "" for a plain number, "%" for a fraction).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Assumption:
    """One documented model constant."""

    name: str
    default: float  # SI
    unit: str  # display unit expression, "" for a plain number, "%" for a fraction
    description: str
    source: str
    minimum: float | None = None
    maximum: float | None = None


REGISTRY: dict[str, Assumption] = {}


def register(
    name: str,
    default: float,
    unit: str,
    description: str,
    source: str,
    *,
    minimum: float | None = None,
    maximum: float | None = None,
) -> Assumption:
    """Register a model constant; registering the same name twice is a bug."""
    if name in REGISTRY:
        raise ValueError(f"assumption {name!r} registered twice")
    assumption = Assumption(name, default, unit, description, source, minimum, maximum)
    REGISTRY[name] = assumption
    return assumption


@dataclass(slots=True)
class Assumptions:
    """The constants in force for one design: defaults plus the design's overrides.

    `value(name)` records that the constant was used, so a report can list
    exactly the assumptions behind its figures.
    """

    overrides: dict[str, float] = field(default_factory=dict)
    used: set[str] = field(default_factory=set)

    def value(self, name: str) -> float:
        assumption = REGISTRY[name]
        self.used.add(name)
        return self.overrides.get(name, assumption.default)
