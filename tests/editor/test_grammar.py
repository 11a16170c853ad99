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
    match = re.search(r"\\b\(([a-z_|]+)\)", repository["block"]["match"])
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


# The TextMate grammar against the Pygments lexer: on every reference design,
# each token the lexer finds must carry the matching TextMate scope. The
# assertions are written as vscode-tmgrammar-test cases (one `#   ^^^ scope`
# line per token) in a temporary folder, so the two grammars check each other.

_PUNCTUATION = {
    "{": "punctuation.section.block.aif",
    "}": "punctuation.section.block.aif",
    "[": "punctuation.section.brackets.aif",
    "]": "punctuation.section.brackets.aif",
    ",": "punctuation.separator.aif",
    ";": "punctuation.separator.aif",
    ".": "punctuation.accessor.aif",
}


def _scope(token: object, text: str, previous: str) -> str | None:
    """The TextMate scope a Pygments token must have, or None for whitespace."""
    from pygments.token import Comment, Keyword, Name, Number, Operator, Punctuation, String

    if not text.strip():
        return None
    if token in Comment:
        return "comment.line.number-sign.aif"
    if token in String:
        return "string.quoted.double.aif"
    if token is Keyword.Declaration:
        return "storage.type.block.aif"
    if token is Name.Class:
        return (
            "entity.other.inherited-class.aif" if previous == "extends" else "entity.name.type.aif"
        )
    if token is Name.Attribute:
        return "variable.other.property.aif"
    if token is Keyword.Type:
        return "keyword.other.unit.aif"
    if token is Operator.Word:
        return "keyword.operator.times.aif"
    if token is Keyword.Namespace:
        return f"keyword.control.{text}.aif"
    if token is Keyword.Constant:
        kind = "boolean" if text in ("true", "false") else "redundancy"
        return f"constant.language.{kind}.aif"
    if token is Keyword:
        return f"keyword.other.{text}.aif"
    if token in Number:
        if ":" in text:
            return "constant.numeric.ratio.aif"
        return "constant.numeric.scale.aif" if text.isalpha() else "constant.numeric.aif"
    if token is Operator:
        return "keyword.operator." + ("assignment" if text == "=" else "comparison") + ".aif"
    if token in Punctuation:
        return _PUNCTUATION[text]
    if token is Name:
        return "variable.other.name.aif"
    raise AssertionError(f"no TextMate scope for {token} {text!r}")


def _assertion_case(source: str, title: str) -> str:
    from aiflang.pygments_lexer import AifLexer

    out = [f'# SYNTAX TEST "source.aif" "{title}"']
    lines = source.split("\n")
    assertions: dict[int, list[str]] = {}
    line, column, previous = 0, 0, ""
    for token, text in AifLexer().get_tokens(source):
        for piece_index, piece in enumerate(text.split("\n")):
            if piece_index:
                line, column = line + 1, 0
            scope = _scope(token, piece, previous)
            if scope is not None:
                marks = (
                    "#" + " " * (column - 1) + "^" * len(piece)
                    if column > 0
                    else "# <" + "-" * len(piece)
                )
                assertions.setdefault(line, []).append(f"{marks} {scope}")
            column += len(piece)
        if text.strip():
            previous = text.strip()
    for index, text in enumerate(lines):
        out.append(text)
        out.extend(assertions.get(index, []))
    return "\n".join(out)


@pytest.mark.skipif(
    shutil.which("npx") is None or not (EXTENSION / "node_modules").is_dir(),
    reason="needs Node.js and `npm ci` in editors/vscode (CI runs it)",
)
def test_the_textmate_grammar_agrees_with_the_lexer_on_every_reference_design(
    tmp_path: Path,
) -> None:
    designs = sorted((ROOT / "reference_designs").glob("*.aif"))
    for design in designs:
        case = _assertion_case(design.read_text(encoding="utf-8"), design.name)
        (tmp_path / f"{design.stem}.test.aif").write_text(case, encoding="utf-8")
    result = subprocess.run(
        [
            "npx", "--no-install", "vscode-tmgrammar-test", "--compact",
            "-g", str(EXTENSION / "syntaxes" / "aif.tmLanguage.json"),
            str(tmp_path / "*.test.aif"),
        ],
        cwd=EXTENSION, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]
    assert result.stdout.count("run successfuly") == len(designs)
