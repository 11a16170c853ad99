"""The N-1 figures of a fabric, cached on disk: the same figures, no networkx when warm.

A damaged, foreign or forged entry is never trusted: the analysis runs
again and gives the figures a fresh run gives.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from aiflang import cache
from aiflang.analyses import topology_cache
from aiflang.analyses.topology_cache import cached_failure_impacts, key_of
from aiflang.driver import compile_file
from aiflang.models.fabric import FabricInput, FabricPlan, SwitchModel, plan_fabric
from aiflang.models.topology import failure_impacts

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference_designs" / "gb200_two_su.aif"
QM9700 = SwitchModel("QM9700", 64, 400e9)  # NVIDIA QM97X0 manual: 64 x 400 Gb/s


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "cache"
    monkeypatch.setenv("AIFC_CACHE_DIR", str(path))
    monkeypatch.delenv("AIFC_NO_CACHE", raising=False)
    return path


def three_tier() -> FabricPlan:
    return plan_fabric(FabricInput("f", "fat_tree", 40_000, 400e9, QM9700, tiers=3))


def entry(folder: Path, plan: FabricPlan) -> Path:
    return folder / f"topology-{key_of(plan)}.json"


def test_a_cached_entry_gives_the_same_figures(folder: Path) -> None:
    plan = three_tier()
    fresh = failure_impacts(plan)
    assert [i.switch_class for i in fresh] == ["leaf", "spine", "core"]
    assert cached_failure_impacts(plan) == fresh  # a miss: computed and stored
    assert entry(folder, plan).is_file()
    assert cached_failure_impacts(plan) == fresh  # a hit: read back


def test_the_key_follows_the_plan() -> None:
    a = three_tier()
    b = plan_fabric(FabricInput("f", "fat_tree", 40_001, 400e9, QM9700, tiers=3))
    assert key_of(a) == key_of(three_tier())
    assert key_of(a) != key_of(b)


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[]",
        '{"failures": {}}',
        '{"failures": []}',  # the plan has three switch classes
        '{"failures": [["leaf", 1, 0, 1.0, 1.0]]}',
        '{"failures": [["core", 1, 0, 1.0, 1.0], ["spine", 1, 0, 1.0, 1.0], ["leaf", 1, 0, 1, 1]]}',
        "[" * 100_000,
    ],
)
def test_a_damaged_or_foreign_entry_is_computed_again(folder: Path, text: str) -> None:
    plan = three_tier()
    fresh = failure_impacts(plan)
    folder.mkdir(mode=0o700)
    path = entry(folder, plan)
    path.write_text(text)
    path.chmod(0o600)
    assert cached_failure_impacts(plan) == fresh


@pytest.mark.parametrize(
    ("field", "value"),
    [(1, 10**9), (2, -1), (2, True), (2, 1.5), (3, float("nan")), (3, -1.0), (4, "1"), (4, 1e400)],
)
def test_a_forged_figure_is_not_trusted(folder: Path, field: int, value: object) -> None:
    plan = three_tier()
    fresh = failure_impacts(plan)
    rows = json.loads(topology_cache.encode(fresh))["failures"]
    rows[0][field] = value
    folder.mkdir(mode=0o700)
    path = entry(folder, plan)
    path.write_text(json.dumps({"failures": rows}))
    path.chmod(0o600)
    assert cached_failure_impacts(plan) == fresh


def test_without_the_cache_nothing_is_written(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIFC_NO_CACHE", "1")
    plan = three_tier()
    assert cached_failure_impacts(plan) == failure_impacts(plan)
    assert not folder.exists()


def test_old_entries_are_pruned(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(topology_cache, "KEEP", 2)
    plans = [plan_fabric(FabricInput("f", "fat_tree", n, 400e9, QM9700)) for n in (100, 200, 300)]
    for age, plan in enumerate(plans):
        cached_failure_impacts(plan)
        os.utime(entry(folder, plan), (1_000 + age, 1_000 + age))
    cached_failure_impacts(plan_fabric(FabricInput("f", "fat_tree", 400, 400e9, QM9700)))
    left = sorted(p.name for p in folder.glob("topology-*.json"))
    assert len(left) == 2
    assert entry(folder, plans[0]).name not in left and entry(folder, plans[1]).name not in left


def test_the_report_is_the_same_warm_or_cold(folder: Path) -> None:
    cold = compile_file(REFERENCE).facts[0].topologies
    warm = compile_file(REFERENCE).facts[0].topologies
    assert len(list(folder.glob("topology-*.json"))) == len(cold) == 2
    for name, analysis in cold.items():
        assert warm[name].failures == analysis.failures == failure_impacts(analysis.plan)


def test_a_warm_validate_does_not_import_networkx(folder: Path) -> None:
    probe = (
        "import sys; from pathlib import Path; from aiflang.driver import compile_file; "
        f"c = compile_file(Path({str(REFERENCE)!r})); "
        "print(c.counts.errors, 'networkx' in sys.modules)"
    )
    env = {**os.environ, "AIFC_CACHE_DIR": str(folder)}
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
        ).stdout.split()
        for _ in range(2)
    ]
    assert runs == [["0", "True"], ["0", "False"]]
    assert cache.enabled()
