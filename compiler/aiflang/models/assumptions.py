"""Named model constants: the registry of defaults, and per-design overrides.

Every constant is defined once, in the table of `aiflang.models.defaults`;
`REGISTRY` is built from it when this module is imported, so the registry
is complete before any design is read, whichever analyses have run. A
design's `assumptions { name = value }` block overrides any of them; the
report lists every assumption a design used, with its value and source.

Values are stored in SI base units (watts, seconds, bits, USD, ...); `unit`
is the unit the default is written and displayed in (a unit expression the
unit table understands, or "" for a plain number, "%" for a fraction).
"""

from __future__ import annotations

from aiflang.models.defaults import DEFAULTS, Assumption
from aiflang.records import field, record


def _registry() -> dict[str, Assumption]:
    registry: dict[str, Assumption] = {}
    for assumption in DEFAULTS:
        if assumption.name in registry:
            raise ValueError(f"assumption {assumption.name!r} is defined twice")
        published = assumption.published_range
        if published is not None and not published[0] <= assumption.default <= published[1]:
            raise ValueError(f"assumption {assumption.name!r}: default outside {published}")
        registry[assumption.name] = assumption
    return registry


REGISTRY: dict[str, Assumption] = _registry()

__all__ = ["REGISTRY", "Assumption", "Assumptions"]


@record(frozen=False)
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
