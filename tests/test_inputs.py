"""Reading inputs from a pull request: links that leave the project, FIFOs, devices.

A design path (named or found in a folder) that is a symbolic link to a file
outside the project root is refused; imports must be regular files and are
read with the size limit enforced while reading; a file that did not parse
as a design shows at most its first offending line in any output.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from aiflang.cli import main
from aiflang.driver import compile_file
from aiflang.syntax.parser import MAX_FILE_BYTES

SECRET = "c2VjcmV0LXRva2Vu"
GIT_CONFIG = (
    "[core]\n"
    "\trepositoryformatversion = 0\n"
    '[http "https://github.com/"]\n'
    f"\textraheader = AUTHORIZATION: basic {SECRET}\n"
)
DESIGN = "node n {\n  gpus = 8 x H100\n}\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def checkout(tmp_path: Path) -> Path:
    """A repository whose designs folder holds a link to its git configuration."""
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text(GIT_CONFIG, encoding="utf-8")
    designs = tmp_path / "designs"
    designs.mkdir()
    (designs / "ok.aif").write_text(DESIGN, encoding="utf-8")
    (designs / "evil.aif").symlink_to("../.git/config")
    return designs


def test_a_folder_walk_refuses_a_link_that_leaves_the_folder(tmp_path: Path) -> None:
    designs = checkout(tmp_path)
    code, out, err = run("validate", str(designs))
    assert code == 2 and err.strip().count("\n") == 0
    assert "evil.aif" in err and "outside" in err
    assert SECRET not in out + err


def test_an_explicit_path_refuses_a_link_that_leaves_its_folder(tmp_path: Path) -> None:
    designs = checkout(tmp_path)
    report = tmp_path / "reports" / "evil.html"
    report.parent.mkdir()
    code, out, err = run("report", str(designs / "evil.aif"), "-o", str(report))
    assert code == 2 and "outside" in err and not report.exists()
    for command in (["fmt", "--check"], ["graph"], ["validate"]):
        code, out, err = run(*command, str(designs / "evil.aif"))
        assert code == 2 and "outside" in err, command
        assert SECRET not in out + err
    code, out, err = run("compare", str(designs / "ok.aif"), str(designs / "evil.aif"))
    assert code == 2 and SECRET not in out + err


def test_a_root_that_holds_the_target_does_not_let_a_link_out(tmp_path: Path) -> None:
    # CI runs with --root . (the checkout), which holds .git: the link still leaves designs/.
    designs = checkout(tmp_path)
    for args in (
        ["validate", "--root", str(tmp_path), str(designs)],
        ["validate", "--root", str(tmp_path), str(designs / "evil.aif")],
        ["report", "--root", str(tmp_path), str(designs / "evil.aif")],
    ):
        code, out, err = run(*args)
        assert code == 2 and "outside" in err and SECRET not in out + err, args


def test_a_link_inside_its_folder_is_followed(tmp_path: Path) -> None:
    designs = checkout(tmp_path)
    (designs / "evil.aif").unlink()
    (designs / "alias.aif").symlink_to("ok.aif")
    (designs / "sub").mkdir()
    (designs / "sub" / "deep.aif").write_text(DESIGN, encoding="utf-8")
    (designs / "deep.aif").symlink_to("sub/deep.aif")
    code, out, _ = run("validate", str(designs / "alias.aif"))
    assert code == 0, out
    code, out, _ = run("validate", str(designs))
    assert code == 0 and "in 4 files" in out
    # A library elsewhere in the project is imported, not linked in.
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "shared.aif").write_text(DESIGN, encoding="utf-8")
    (designs / "shared.aif").symlink_to("../lib/shared.aif")
    code, _, err = run("validate", "--root", str(tmp_path), str(designs))
    assert code == 2 and "shared.aif" in err


def test_a_file_that_did_not_parse_shows_only_its_first_offending_line(tmp_path: Path) -> None:
    # Even when such a file is read (inside the root, named on purpose), its
    # diagnostics quote one line of it, not every line that fails to parse.
    path = tmp_path / "config.aif"
    path.write_text(GIT_CONFIG, encoding="utf-8")
    code, out, err = run("validate", str(path))
    assert code == 1 and "[core]" in out
    assert SECRET not in out + err
    code, out, _ = run("validate", "--format", "json", str(path))
    snippets = [d["snippet"] for d in json.loads(out)["diagnostics"]]
    assert snippets[0] == "[core]" and all(s is None for s in snippets[1:]), snippets
    for fmt in ("html", "md", "json"):
        code, out, _ = run("report", str(path), "--format", fmt)
        assert code == 1 and SECRET not in out, fmt


def test_a_design_that_parses_keeps_every_snippet(tmp_path: Path) -> None:
    path = tmp_path / "d.aif"
    path.write_text("node a {\n  gpus = 8 x H10\n}\nnode b {\n  gpus = 8 x H20\n}\n")
    code, out, _ = run("validate", "--format", "json", str(path))
    snippets = [d["snippet"] for d in json.loads(out)["diagnostics"]]
    assert code == 1 and snippets == ["  gpus = 8 x H10", "  gpus = 8 x H20"]


def run_limited(*args: str) -> subprocess.CompletedProcess[str]:
    """`aifc` in a child with 2 GiB of address space and 60 s, so a bug fails, not hangs."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    return subprocess.run(
        [sys.executable, "-m", "aiflang", *args],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=limit,
        check=False,
    )


def test_importing_a_fifo_is_an_error_not_a_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.aif")
    design = tmp_path / "d.aif"
    design.write_text('import "pipe.aif"\n' + DESIGN, encoding="utf-8")
    completed = run_limited("validate", str(design))
    assert completed.returncode == 1, completed.stderr
    assert "E213" in completed.stdout and "not a regular file" in completed.stdout


def test_importing_a_device_is_an_error_not_a_memory_error(tmp_path: Path) -> None:
    design = tmp_path / "d.aif"
    up = "../" * len(tmp_path.parts)
    design.write_text(f'import "{up}dev/zero"\n' + DESIGN, encoding="utf-8")
    completed = run_limited("validate", "--root", "/", str(design))
    assert completed.returncode == 1, completed.stderr
    assert "E213" in completed.stdout and "not a regular file" in completed.stdout


def test_an_import_over_the_size_limit_names_its_size(tmp_path: Path) -> None:
    (tmp_path / "big.aif").write_bytes(b"#" * (3 * MAX_FILE_BYTES))
    design = tmp_path / "d.aif"
    design.write_text('import "big.aif"\n' + DESIGN, encoding="utf-8")
    (found,) = compile_file(design).sink.sorted()
    assert found.code == "E108"
    assert found.message == (
        f"file is {3 * MAX_FILE_BYTES:,} bytes, over the limit of {MAX_FILE_BYTES:,} bytes"
    )
