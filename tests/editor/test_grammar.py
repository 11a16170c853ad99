"""The editor grammars stay in step with the language, and the VS Code
extension's tests run where Node.js is installed."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from aiflang.pygments_lexer import BLOCK_KINDS
from aiflang.syntax.schema import BLOCKS

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "editors" / "vscode"


def _grammar() -> dict[str, object]:
    data = json.loads((EXTENSION / "syntaxes" / "aif.tmLanguage.json").read_text("utf-8"))
    assert isinstance(data, dict)
    return data


def test_both_grammars_know_every_block_kind() -> None:
    repository = _grammar()["repository"]
    assert isinstance(repository, dict)
    match = re.search(r"\\b\(([a-z|]+)\)", repository["block"]["match"])
    assert match is not None
    assert set(match.group(1).split("|")) == set(BLOCKS)
    assert set(BLOCK_KINDS) == set(BLOCKS)


def test_the_extension_manifest() -> None:
    manifest = json.loads((EXTENSION / "package.json").read_text("utf-8"))
    (language,) = manifest["contributes"]["languages"]
    assert language["id"] == "aif" and language["extensions"] == [".aif"]
    (grammar,) = manifest["contributes"]["grammars"]
    assert (EXTENSION / grammar["path"]).is_file()
    assert grammar["scopeName"] == _grammar()["scopeName"] == "source.aif"
    assert (EXTENSION / manifest["main"]).is_file()
    assert (EXTENSION / language["configuration"]).is_file()
    # Versions are pinned, so a package built today is built the same way tomorrow.
    for group in ("dependencies", "devDependencies"):
        for name, version in manifest[group].items():
            assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{name} {version} is not pinned"
    assert (EXTENSION / "package-lock.json").is_file()


@pytest.mark.skipif(
    shutil.which("npm") is None or not (EXTENSION / "node_modules").is_dir(),
    reason="needs Node.js and `npm ci` in editors/vscode (CI runs it)",
)
def test_the_grammar_tests_pass() -> None:
    result = subprocess.run(
        ["npm", "test", "--silent"], cwd=EXTENSION, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "every one scoped" in result.stdout
