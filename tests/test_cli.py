"""The command line: exit codes, output formats, and hostile input end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiflang.cli import main

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference_designs" / "gb200_two_su.aif"


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    runner = CliRunner()
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = runner.invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_validate_reference_design_is_clean() -> None:
    code, out, _ = run("validate", str(REFERENCE))
    assert code == 0, out
    assert "valid: 0 errors" in out


def test_errors_exit_1_with_a_rustc_style_message(tmp_path: Path) -> None:
    path = write(tmp_path, "d.aif", "node n {\n  gpus  = 8 x H100\n  power = 12 MWh\n}\n")
    code, out, _ = run("validate", str(path))
    assert code == 1
    assert "error[E203]: `power` expects power, found energy (MWh)" in out
    assert f"--> {path}:3:" in out or "d.aif:3:" in out
    assert "3 |   power = 12 MWh" in out
    assert "= help: use a unit of power: kW, W, MW" in out  # a node: kW first


def test_json_envelope(tmp_path: Path) -> None:
    path = write(tmp_path, "d.aif", "node n {\n  gpus = 8 x H10\n}\n")
    code, out, _ = run("validate", "--format", "json", str(path))
    assert code == 1
    data = json.loads(out)
    assert data["format_version"] == "1.0" and data["valid"] is False
    assert data["error_count"] == 1 and data["warning_count"] == 0
    (diagnostic,) = data["diagnostics"]
    assert diagnostic["code"] == "E201" and "did you mean `H100`" in diagnostic["help"]
    assert (
        diagnostic["range"]["start"]["line"] == 2 and diagnostic["range"]["start"]["column"] == 14
    )
    assert diagnostic["snippet"] == "  gpus = 8 x H10"


def test_sarif_and_github_formats(tmp_path: Path) -> None:
    path = write(tmp_path, "d.aif", "node n {\n  gpus = 8 x H10\n}\n")
    code, out, _ = run("validate", "--format", "sarif", "d.aif", cwd=tmp_path)
    assert code == 1
    log = json.loads(out)
    assert log["version"] == "2.1.0"
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "aifc" and driver["informationUri"].startswith("https://")
    assert any(rule["id"] == "E201" for rule in driver["rules"])
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "E201" and result["level"] == "error"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "d.aif"
    assert location["region"]["startLine"] == 2 and location["region"]["startColumn"] == 14
    assert "primaryLocationLineHash" in result["partialFingerprints"]
    code, out, _ = run("validate", "--format", "github", str(path))
    assert code == 1
    assert out.startswith(f"::error file={path},line=2,col=14,")
    assert "title=E201::unknown gpu `H10`" in out


def test_usage_errors_exit_2_with_one_line(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path / "missing.aif"))
    assert code == 2 and err.strip().count("\n") == 0 and "no such file" in err
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run("validate", str(empty))
    assert code == 2 and "holds no .aif files" in err


def test_folders_are_searched_recursively(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "a.aif", "node a {\n  gpus = 8 x H100\n}\n")
    write(tmp_path, "b.aif", "node b {\n  gpus = 8 x H999\n}\n")
    code, out, _ = run("validate", str(tmp_path))
    assert code == 1 and "in 2 files" in out and "H999" in out


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02",
        b"\xff\xfe\xfd",
        os.urandom(2000),
        b"{" * 10_000,
        b"node n { gpus = 1e308 x H100 }",
        b'factory "f" { site { pue = 0 } }',
        b"rack r { nodes = 2 x r }",
        ("node \u0410 { gpus = 8 x H100 }").encode(),  # Cyrillic A looks like a Latin A
        b"x" * 2_000_000,
        b"# " + b"y" * (11 * 1024 * 1024),
    ],
    ids=[
        "empty",
        "binary",
        "bad-utf8",
        "random",
        "deep",
        "huge-count",
        "pue-0",
        "self-rack",
        "confusable",
        "2MB-line",
        "10MB-file",
    ],
)
def test_hostile_input_never_tracebacks(tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path, "h.aif", content)
    code, out, err = run("validate", str(path))
    assert code in (0, 1, 2), (code, out, err)
    assert "Traceback" not in out + err and "internal error" not in out + err


def test_explain_and_catalog() -> None:
    code, out, _ = run("explain", "E203")
    assert code == 0 and "wrong dimension" in out
    code, _, _ = run("explain", "E999")
    assert code == 2
    code, out, _ = run("catalog")
    assert code == 0 and "GB300" in out and "QM9700" in out
    code, out, _ = run("catalog", "H100")
    assert code == 0 and "3.35 TB/s" in out and "source" in out
    code, _, _ = run("catalog", "nope")
    assert code == 2


def test_fmt_check_and_in_place(tmp_path: Path) -> None:
    path = write(tmp_path, "d.aif", "node n{gpus=8 x H100}\n")
    code, _, err = run("fmt", "--check", str(path))
    assert code == 1 and "would reformat" in err
    code, _, _ = run("fmt", str(path))
    assert code == 0 and path.read_text() == "node n {\n  gpus = 8 x H100\n}\n"
    code, _, _ = run("fmt", "--check", str(path))
    assert code == 0


def test_init_writes_a_valid_starter(tmp_path: Path) -> None:
    code, out, _ = run("init", cwd=tmp_path)
    assert code == 0 and (tmp_path / "starter.aif").exists()
    code, out, _ = run("validate", str(tmp_path / "starter.aif"))
    assert code == 0, out
    code, _, err = run("init", cwd=tmp_path)
    assert code == 2 and "already exists" in err


def test_schema_is_json_schema() -> None:
    code, out, _ = run("schema")
    schema = json.loads(out)
    assert code == 0 and schema["title"] == "Report"
    for section in ("capacity", "halls", "fabrics", "train", "serve", "cost"):
        assert section in schema["properties"]


def test_internal_errors_exit_3_without_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aiflang.driver

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(aiflang.driver, "compile_file", broken)
    path = write(tmp_path, "d.aif", "node n {\n  gpus = 8 x H100\n}\n")
    runner = CliRunner()
    result = runner.invoke(main, ["validate", str(path)])
    assert result.exit_code == 3
    assert "internal error: RuntimeError: boom" in result.stderr
    assert "Traceback" not in result.stderr


def test_import_name_is_not_the_stdlib_aifc_module() -> None:
    # Python 3.11 and 3.12 ship a deprecated stdlib module named `aifc`; the
    # package is `aiflang` so the two never collide.
    completed = subprocess.run(
        [sys.executable, "-c", "import aiflang.cli; print(aiflang.__file__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert completed.stdout.strip().endswith(os.path.join("aiflang", "__init__.py"))
    assert "lib/python3" not in completed.stdout or "site-packages" in completed.stdout


def test_a_broken_design_still_gets_a_report(tmp_path: Path) -> None:
    # The parser recovers the factory from an unclosed block: its report names it.
    path = write(tmp_path, "broken.aif", 'factory "f" {\n  site { pue = 1.2 }\n')
    out = tmp_path / "r.json"
    code, _, _ = run("report", str(path), "--format", "json", "-o", str(out))
    assert code == 1
    data = json.loads(out.read_text())
    assert data["valid"] is False and data["error_count"] == 1
    assert data["diagnostics"][0]["code"] == "E104" and data["factory"] == "f"
    # A file that cannot even be decoded gets a report of that error, titled by its file.
    path = write(tmp_path, "binary.aif", b"factory \xff")
    code, md, _ = run("report", str(path), "--format", "md")
    assert code == 1 and "AI factory report: " in md and "binary.aif" in md and "E101" in md
    library = write(tmp_path, "lib.aif", "node n {\n  gpus = 8 x H100\n}\n")
    code, _, err = run("report", str(library))
    assert code == 2 and "no factory to report on" in err


@pytest.mark.parametrize(
    "args",
    [("report", "."), ("graph", "."), ("compare", ".", "x.aif"), ("compare", "x.aif", ".")],
    ids=["report", "graph", "compare-a", "compare-b"],
)
def test_a_folder_where_one_file_belongs_exits_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    write(tmp_path, "x.aif", REFERENCE.read_text(encoding="utf-8"))
    write(tmp_path, "y.aif", REFERENCE.read_text(encoding="utf-8"))
    code, _, err = run(*args, cwd=tmp_path)
    assert code == 2, err
    assert err.strip().count("\n") == 0 and "is a folder (2 .aif files)" in err
    assert "internal error" not in err


@pytest.mark.parametrize("name", ["report.pdf", "report.csv", "report.yaml"])
def test_report_refuses_an_output_extension_it_cannot_write(tmp_path: Path, name: str) -> None:
    code, _, err = run("report", str(REFERENCE), "-o", str(tmp_path / name))
    assert code == 2 and "cannot write a ." in err and "--format" in err
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize(
    ("name", "start"),
    [("r.json", "{"), ("r.md", "## AI factory report"), ("r.html", "<!DOCTYPE html>")],
)
def test_report_format_follows_a_known_extension(tmp_path: Path, name: str, start: str) -> None:
    code, _, _ = run("report", str(REFERENCE), "-o", str(tmp_path / name))
    assert code == 0 and (tmp_path / name).read_text(encoding="utf-8").startswith(start)


def test_compare_and_graph_infer_their_format_from_the_extension(tmp_path: Path) -> None:
    code, _, err = run("compare", str(REFERENCE), str(REFERENCE), "-o", str(tmp_path / "c.pdf"))
    assert code == 2 and "cannot write a .pdf file" in err
    code, _, _ = run("compare", str(REFERENCE), str(REFERENCE), "-o", str(tmp_path / "c.json"))
    assert code == 0 and json.loads((tmp_path / "c.json").read_text())["format_version"]
    code, _, _ = run("graph", str(REFERENCE), "-o", str(tmp_path / "g.graphml"))
    assert code == 0 and (tmp_path / "g.graphml").read_text().startswith("<graphml")
    code, _, err = run("graph", str(REFERENCE), "-o", str(tmp_path / "g.png"))
    assert code == 2 and "cannot write a .png file" in err


def test_ctrl_c_exits_130_not_the_invalid_design_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aiflang.driver

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(aiflang.driver, "compile_file", interrupted)
    path = write(tmp_path, "d.aif", "node n {\n  gpus = 8 x H100\n}\n")
    result = CliRunner().invoke(main, ["validate", str(path)])
    assert result.exit_code == 130
    assert "interrupted" in result.stderr and "Traceback" not in result.stderr


def test_a_real_sigint_exits_130(tmp_path: Path) -> None:
    """The signal itself, delivered to a running `aifc validate` process."""
    path = write(tmp_path, "d.aif", "node n {\n  gpus = 8 x H100\n}\n")
    script = (
        "import os, signal, time, sys\n"
        "import aiflang.driver\n"
        "def slow(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    time.sleep(30)\n"
        "aiflang.driver.compile_file = slow\n"
        "from aiflang.cli import main\n"
        "sys.argv = ['aifc', 'validate', sys.argv[1]]\n"
        "main()\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60
    )
    assert completed.returncode == 130, completed.stderr
    assert "Traceback" not in completed.stderr


def test_force_color_colours_piped_output(tmp_path: Path) -> None:
    path = write(tmp_path, "d.aif", "node n {\n  gpus = 8 x H10\n}\n")
    env = {**os.environ, "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    aifc = [sys.executable, "-m", "aiflang"]
    forced = subprocess.run([*aifc, "validate", str(path)], capture_output=True, text=True, env=env)
    assert forced.returncode == 1
    assert "\033[1;31merror[E201]\033[0m" in forced.stdout
    assert "\033[1;31minvalid\033[0m" in forced.stdout
    env.pop("FORCE_COLOR")
    plain = subprocess.run([*aifc, "validate", str(path)], capture_output=True, text=True, env=env)
    assert "\033[" not in plain.stdout and "error[E201]" in plain.stdout


def test_compare_shows_why_a_side_is_invalid(tmp_path: Path) -> None:
    broken = write(
        tmp_path,
        "broken.aif",
        'factory "z" {\n  site { pue = 1.2 }\n  hall A {\n    it_power  = 1 MW\n'
        "    positions = 4\n    racks     = 2 x nope\n  }\n}\n",
    )
    code, out, _ = run("compare", str(broken), str(REFERENCE))
    assert code == 1
    assert "a: z (" in out and "INVALID: 1 error" in out
    assert "error[E201]" in out and "unknown rack `nope`" in out
    assert "z (INVALID)" in out.splitlines()[out.splitlines().index("") + 1]


def test_compare_reads_a_saved_json_report(tmp_path: Path) -> None:
    saved = tmp_path / "saved.json"
    code, _, _ = run("report", str(REFERENCE), "--format", "json", "-o", str(saved))
    assert code == 0
    code, out, _ = run("compare", str(saved), str(REFERENCE), "--format", "json")
    assert code == 0
    rows = {row["key"]: row for row in json.loads(out)["rows"]}
    assert rows["gpus"]["a"] == rows["gpus"]["b"] == 1152 and rows["gpus"]["ratio"] == 1
    assert rows["tco_usd"]["a"] is not None and rows["tco_usd"]["ratio"] == 1
    not_a_report = write(tmp_path, "other.json", '{"name": "x"}')
    code, _, err = run("compare", str(not_a_report), str(REFERENCE))
    assert code == 2 and "not an aifc JSON report" in err
    garbage = write(tmp_path, "garbage.json", "{nope")
    code, _, err = run("compare", str(garbage), str(REFERENCE))
    assert code == 2 and "cannot read a JSON report" in err


def test_compare_and_graph_accept_root(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "lib").mkdir(parents=True)
    (project / "designs").mkdir()
    write(project / "lib", "parts.aif", "# shared parts\n")
    text = REFERENCE.read_text(encoding="utf-8")
    design = write(project / "designs", "d.aif", 'import "../lib/parts.aif"\n' + text)
    # Without a root, the design's folder is the project and the import leaves it.
    code, out, _ = run("compare", str(design), str(design))
    assert code == 1 and "E212" in out
    code, out, _ = run("compare", str(design), str(design), "--root", str(project))
    assert code == 0 and "INVALID" not in out
    code, _, err = run("graph", str(design))
    assert code == 2 and "run `aifc validate`" in err
    code, out, _ = run("graph", str(design), "--root", str(project))
    assert code == 0 and out.startswith("graph ")
