"""The N-1 figures of a sized fabric, kept in the on-disk cache between runs.

Every fabric's N-1 analysis (`aiflang.models.topology.failure_impacts`:
bisection after one switch fails, by max-flow with networkx) depends only
on the fabric's plan. Importing networkx and running the flows cost more
than checking a small design, so the result is stored in the cache
(`aiflang.cache`) under a key made of the plan, the aifc version and the
code of the sizing and topology models; checking an unchanged fabric again
reads it back and never imports networkx. A miss runs the analysis.

The entry is JSON, decoded by `decode` into `FailureImpact` values only
after every field is checked: the switch classes the plan has, in order,
each class's size as planned, integer counts and finite non-negative
bandwidths. Anything else (a damaged, foreign or forged entry) is ignored
and the analysis runs again. The cache holds at most `KEEP` such entries,
the oldest removed first, since each edit of a fabric makes a new one.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from aiflang import cache
from aiflang.models.fabric import FabricPlan, SwitchClass
from aiflang.models.topology import FailureImpact, failure_impacts

NAME = "topology"
KEEP = 64
_MODELS = Path(__file__).resolve().parent.parent / "models"


def cached_failure_impacts(plan: FabricPlan) -> tuple[FailureImpact, ...]:
    """`failure_impacts(plan)`, from the cache when an earlier run stored it."""
    if not cache.enabled():
        return failure_impacts(plan)
    key = key_of(plan)
    found = decode(cache.load(NAME, key), plan)
    if found is not None:
        return found
    impacts = failure_impacts(plan)
    cache.store(NAME, key, encode(impacts))
    cache.prune(NAME, KEEP)
    return impacts


def key_of(plan: FabricPlan) -> str:
    """The plan's every field (its repr), the aifc version and the models' code."""
    code = [_read(_MODELS / "fabric.py"), _read(_MODELS / "topology.py")]
    return cache.key_of(_version(), *code, repr(plan))


def encode(impacts: tuple[FailureImpact, ...]) -> str:
    rows = [
        [i.switch_class, i.class_size, i.endpoints_cut_off, i.bisection_bps_after,
         i.bisection_lost_bps]
        for i in impacts
    ]  # fmt: skip
    return json.dumps({"failures": rows})


def decode(text: str | None, plan: FabricPlan) -> tuple[FailureImpact, ...] | None:
    """The impacts in `text` if they are well formed for `plan`, else None."""
    if text is None:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    rows = data.get("failures") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        return None
    classes = expected_classes(plan)
    if len(rows) != len(classes):
        return None
    impacts: list[FailureImpact] = []
    for row, switch_class in zip(rows, classes, strict=True):
        if not (isinstance(row, list) and len(row) == 5 and row[0] == switch_class):
            return None
        _, size, cut_off, after, lost = row
        if size != plan.switches.get(switch_class) or not _count(cut_off, plan.endpoints):
            return None
        if not (_bandwidth(after) and _bandwidth(lost)):
            return None
        impacts.append(FailureImpact(switch_class, size, cut_off, float(after), float(lost)))
    return tuple(impacts)


def expected_classes(plan: FabricPlan) -> tuple[SwitchClass, ...]:
    """The switch classes `failure_impacts` reports for `plan`, in its order."""
    if plan.endpoints == 0 or plan.switches.total == 0:
        return ()
    if plan.tiers == 1:
        return ("leaf",)
    return ("leaf", "spine", "core") if plan.tiers == 3 else ("leaf", "spine")


def _count(value: object, most: int) -> bool:
    return type(value) is int and 0 <= value <= most


def _bandwidth(value: object) -> bool:
    if type(value) is not float and type(value) is not int:
        return False
    return math.isfinite(value) and value >= 0


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:  # pragma: no cover - the package's own files
        return b""


def _version() -> str:
    from aiflang.resources import package_version

    return package_version()
