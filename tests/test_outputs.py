"""Writing outputs: `-o`, `fmt` and `init` on anyone's machine.

Regular files (and new paths) are replaced atomically, keeping their mode;
new files honour the umask; symbolic links are written through to their
target; devices, FIFOs and `/dev/stdout` are written in place and never
replaced; read-only files and files changed meanwhile are refused; a signal
leaves no temporary file behind; an unwritable folder is exit 2, not 3.
"""

from __future__ import annotations

import contextlib
import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiflang.cli import main

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference_designs" / "gb200_two_su.aif"
UNFORMATTED = "node n{gpus=8 x H100}\n"
FORMATTED = "node n {\n  gpus = 8 x H100\n}\n"


def run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
    old = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)
    return result.exit_code, result.stdout, result.stderr


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def umask(value: int) -> Iterator[None]:
    old = os.umask(value)
    try:
        yield
    finally:
        os.umask(old)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# Modes and links -------------------------------------------------------------


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_new_outputs_honour_the_umask(tmp_path: Path, mask: int, expected: int) -> None:
    design = tmp_path / "d.aif"
    design.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    with umask(mask):
        assert run("report", str(design), "-o", str(tmp_path / "r.md"))[0] == 0
        assert run("compare", str(design), str(design), "-o", str(tmp_path / "c.txt"))[0] == 0
        assert run("init", cwd=tmp_path)[0] == 0
    for name in ("r.md", "c.txt", "starter.aif"):
        assert mode(tmp_path / name) == expected, name


def test_existing_outputs_keep_their_mode(tmp_path: Path) -> None:
    design = tmp_path / "d.aif"
    design.write_text(UNFORMATTED, encoding="utf-8")
    design.chmod(0o664)
    report = tmp_path / "r.json"
    report.write_text("old", encoding="utf-8")
    report.chmod(0o640)
    with umask(0o077):
        assert run("fmt", str(design))[0] == 0
        assert run("report", str(REFERENCE), "-o", str(report))[0] == 0
    assert design.read_text(encoding="utf-8") == FORMATTED and mode(design) == 0o664
    assert report.read_text(encoding="utf-8").startswith("{") and mode(report) == 0o640


def test_outputs_write_through_symbolic_links(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o644)
    link = tmp_path / "link.md"
    link.symlink_to("real.md")
    assert run("report", str(REFERENCE), "-o", str(link))[0] == 0
    assert link.is_symlink() and os.readlink(link) == "real.md"
    assert target.read_text(encoding="utf-8").startswith("## AI factory report")
    assert mode(target) == 0o644


def test_fmt_formats_the_target_of_a_link(tmp_path: Path) -> None:
    target = tmp_path / "real.aif"
    target.write_text(UNFORMATTED, encoding="utf-8")
    link = tmp_path / "link.aif"
    link.symlink_to("real.aif")
    assert run("fmt", str(link))[0] == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8") == FORMATTED
    assert leftovers(tmp_path) == []


# Files that are not regular files -----------------------------------------------


def test_a_fifo_is_written_through_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "out.md"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        code, _, err = run("report", str(REFERENCE), "--format", "md", "-o", str(fifo))
        received = os.read(reader, 1 << 16)
    finally:
        os.close(reader)
    assert code == 0, err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert received.startswith(b"## AI factory report")
    assert leftovers(tmp_path) == []


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_a_device_is_written_through_not_replaced(tmp_path: Path) -> None:
    # A private copy of /dev/null (character device 1:3): what `-o /dev/null` meets.
    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    code, _, err = run("report", str(REFERENCE), "-o", str(device))
    assert code == 0, err
    assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert leftovers(tmp_path) == []


def test_a_link_to_standard_output_is_written_through(tmp_path: Path) -> None:
    # `/dev/stdout` is a link to /proc/self/fd/1; a private link of the same kind
    # shows the same behaviour without touching the system's /dev.
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    command = ["report", str(REFERENCE), "--format", "md", "-o", str(link)]
    completed = subprocess.run(
        [sys.executable, "-m", "aiflang", *command],
        capture_output=True,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.startswith(b"## AI factory report")
    assert link.is_symlink() and os.readlink(link) == "/proc/self/fd/1"


def test_standard_output_keeps_what_the_stream_wrote_before_and_after(tmp_path: Path) -> None:
    # `{ echo header; aifc report -o /dev/stdout; echo trailer; } > out`: the report
    # goes where the stream stands, neither truncating the header nor overwritten.
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    out = tmp_path / "out.md"
    aifc = f"{sys.executable} -m aiflang report {REFERENCE} --format md -o {link}"
    script = f"{{ echo header; {aifc}; echo trailer; }} > {out}"
    completed = subprocess.run(["sh", "-c", script], capture_output=True, check=False)
    assert completed.returncode == 0, completed.stderr
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "header" and lines[1].startswith("## AI factory report")
    assert lines[-1] == "trailer"


# fmt: read-only files, concurrent edits, signals, encodings ---------------------


def test_fmt_refuses_a_read_only_file(tmp_path: Path) -> None:
    path = tmp_path / "d.aif"
    path.write_text(UNFORMATTED, encoding="utf-8")
    path.chmod(0o444)
    code, _, err = run("fmt", str(path))
    assert code == 2 and err.strip().count("\n") == 0 and "read-only" in err
    assert path.read_text(encoding="utf-8") == UNFORMATTED and mode(path) == 0o444
    assert leftovers(tmp_path) == []


def test_report_refuses_to_replace_a_read_only_file(tmp_path: Path) -> None:
    output = tmp_path / "r.html"
    output.write_text("keep", encoding="utf-8")
    output.chmod(0o444)
    code, _, err = run("report", str(REFERENCE), "-o", str(output))
    assert code == 2 and "read-only" in err
    assert output.read_text(encoding="utf-8") == "keep"


def test_fmt_keeps_an_edit_made_while_it_formatted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import aiflang.syntax.formatter as formatter

    path = tmp_path / "d.aif"
    path.write_text(UNFORMATTED, encoding="utf-8")
    edited = "node n{gpus=8 x H200}\n"
    real = formatter.format_source

    def format_while_someone_saves(text: str, file: str = "<input>") -> str:
        path.write_text(edited, encoding="utf-8")  # an editor saves meanwhile
        return real(text, file)

    monkeypatch.setattr(formatter, "format_source", format_while_someone_saves)
    code, _, err = run("fmt", str(path))
    assert code == 2 and "changed while" in err
    assert path.read_text(encoding="utf-8") == edited
    assert leftovers(tmp_path) == []


def test_fmt_killed_while_writing_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "d.aif"
    path.write_text(UNFORMATTED, encoding="utf-8")
    # SIGTERM arrives at the last moment: the temporary file is written, not yet renamed.
    script = textwrap.dedent(
        """
        import os, signal, sys
        from aiflang.cli import main
        real_replace = os.replace
        def replace(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGTERM)
            real_replace(*args, **kwargs)
        os.replace = replace
        main(["fmt", sys.argv[1]])
        """
    )
    completed = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, check=False
    )
    assert completed.returncode == -signal.SIGTERM, completed.stderr
    assert leftovers(tmp_path) == []
    assert path.read_text(encoding="utf-8") == UNFORMATTED


def test_fmt_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "d.aif"
    original = b"node n{gpus=8 x H100}  # caf\xe9\n"
    path.write_bytes(original)
    code, _, err = run("fmt", str(path))
    assert code == 1 and "E101" in err and "not valid UTF-8" in err
    assert path.read_bytes() == original
    code, _, err = run("fmt", "--check", str(path))
    assert code == 1 and "E101" in err


# Folders that cannot be written ----------------------------------------------------


@contextlib.contextmanager
def read_only_folder(folder: Path) -> Iterator[None]:
    """A folder no new file can be created in, for root too (immutable) when possible."""
    if os.geteuid() == 0:
        if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
            pytest.skip("cannot make a folder read-only for root here (no chattr +i)")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_fmt_and_init_in_a_read_only_folder_exit_2(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "d.aif"
    path.write_text(UNFORMATTED, encoding="utf-8")
    with read_only_folder(folder):
        code, _, err = run("fmt", str(path))
        assert code == 2 and err.strip().count("\n") == 0 and "cannot write" in err, err
        code, _, err = run("init", cwd=folder)
        assert code == 2 and err.strip().count("\n") == 0 and "cannot write" in err, err
        code, _, err = run("report", str(REFERENCE), "-o", str(folder / "r.html"))
        assert code == 2 and "cannot write" in err, err
    assert path.read_text(encoding="utf-8") == UNFORMATTED
