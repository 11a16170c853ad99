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


def _metadata(wheel: Path) -> str:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
        return archive.read(name).decode("utf-8")


def test_wheel_carries_the_licence_and_pep639_metadata(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    (licence,) = [n for n in names if n.endswith(".dist-info/licenses/LICENSE")]
    text = zipfile.ZipFile(wheel).read(licence).decode("utf-8")
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert text == (ROOT / "LICENSE").read_text(encoding="utf-8")
    metadata = _metadata(wheel)
    headers = [line for line in metadata.splitlines() if ": " in line]
    # PEP 639: metadata 2.4 or later, an SPDX expression and the file, no licence classifier.
    (version,) = [h.split(": ")[1] for h in headers if h.startswith("Metadata-Version")]
    assert tuple(int(p) for p in version.split(".")) >= (2, 4)
    assert "License-Expression: Apache-2.0" in headers
    assert "License-File: LICENSE" in headers
    classifiers = {line.split(": ", 1)[1] for line in headers if line.startswith("Classifier: ")}
    assert not any(c.startswith("License ::") for c in classifiers)
    for wanted in (
        "Typing :: Typed",
        "Environment :: Console",
        "Programming Language :: Python :: 3.11",
        "Topic :: Software Development :: Compilers",
    ):
        assert wanted in classifiers, wanted
    urls = {
        line.split(": ", 1)[1].split(",")[0] for line in headers if line.startswith("Project-URL")
    }
    assert {"Homepage", "Source", "Issues", "Changelog", "Documentation"} <= urls


def test_sdist_carries_licence_changelog_and_action(tmp_path: Path) -> None:
    pytest.importorskip("build")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "build",
            "--sdist",
            "--no-isolation",
            "-o",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    import tarfile

    (sdist,) = tmp_path.glob("aiflang-*.tar.gz")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "action.yml", "README.md", "pyproject.toml"} <= names


def test_changelog_names_the_current_version() -> None:
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "## [Unreleased]" in changelog
    assert f"## [{version}] - " in changelog


def test_pre_commit_docs_name_the_current_version() -> None:
    """docs/ci.md pins `rev: vX.Y.Z`: that must be the version this checkout carries."""
    import re
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
    docs = (ROOT / "docs" / "ci.md").read_text(encoding="utf-8")
    revs = set(re.findall(r"rev: v(\S+)", docs))
    assert revs == {version}, revs
