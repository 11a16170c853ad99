"""The wheel carries the grammar, unit table, starter, catalog and templates.

The installed smoke test (build, install into a fresh virtualenv, run
`aifc validate` and `aifc report` outside the checkout) lives in .ci/run;
this test checks the wheel's contents and that the packaged data is what
`aiflang.resources` finds first.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling")
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("aiflang-*.whl")
    return built


def test_wheel_holds_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for required in (
        "aiflang/__init__.py",
        "aiflang/api.py",
        "aiflang/py.typed",
        "aiflang/cli.py",
        "aiflang/_data/dsl/aif.lark",
        "aiflang/_data/dsl/units.toml",
        "aiflang/_data/dsl/starter.aif",
        "aiflang/_data/templates/report.html",
        "aiflang/catalog/gpus.aif",
        "aiflang/catalog/switches.aif",
        "aiflang/catalog/power.aif",
    ):
        assert required in names, required
    # No generic top-level names and nothing named like the stdlib `aifc` module.
    tops = {name.split("/")[0] for name in names}
    assert {t for t in tops if not t.startswith("aiflang")} == set(), tops


def test_packaged_data_wins_over_the_checkout(wheel: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(tmp_path)
    code = (
        "import aiflang, aiflang.resources as r;"
        "print(aiflang.__file__); print(r.data_path('dsl', 'aif.lark'))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    module_file, grammar = completed.stdout.split()
    assert module_file.startswith(str(tmp_path))
    assert grammar == str(tmp_path / "aiflang" / "_data" / "dsl" / "aif.lark")
