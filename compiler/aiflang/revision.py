"""Read files as they were at a git revision (`aifc compare --base REF`).

`RevisionReader(file, ref)` finds the repository that holds `file`, checks
that `ref` names a commit, and reads any file of that repository as it was
at `ref` (`git show REF:path`), so a design and its imports are compiled as
they were at the base. Problems (no git, not a repository, an unknown
revision, a file the revision lacks) raise `RevisionError` with one line for
the command line to print; git's own output never reaches the user raw.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

GIT_TIMEOUT_S = 30


class RevisionError(Exception):
    """A file cannot be read at the revision: the message is one line for the user."""


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    git = shutil.which("git")
    if git is None:
        raise RevisionError("--base needs git, and git is not installed")
    try:
        return subprocess.run(
            [git, "-C", str(folder), *args],
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise RevisionError(f"git did not answer: {error}") from None


class RevisionReader:
    """Files of the repository holding `file`, as they were at revision `ref`."""

    def __init__(self, file: Path, ref: str) -> None:
        if ref.startswith("-"):
            raise RevisionError(f"--base {ref}: not a revision")
        folder = file.resolve().parent
        top = _git(folder, "rev-parse", "--show-toplevel")
        if top.returncode != 0:
            raise RevisionError(f"--base: {file} is not in a git repository")
        self.top = Path(top.stdout.decode("utf-8", "replace").strip()).resolve()
        commit = _git(self.top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
        if commit.returncode != 0:
            raise RevisionError(f"--base {ref}: no such revision in {self.top}")
        self.ref = ref
        self.commit = commit.stdout.decode("ascii", "replace").strip()
        self.file = file.resolve()
        if self.read(self.file) is None:
            raise RevisionError(
                f"--base {ref}: {self.relative(self.file)} does not exist at {ref} "
                "(a new design has no base to compare with)"
            )

    def relative(self, path: Path) -> str:
        """`path` relative to the repository's top, with forward slashes."""
        return path.resolve().relative_to(self.top).as_posix()

    def read(self, path: Path) -> bytes | None:
        """The bytes of `path` at the revision, or None if it did not exist there."""
        try:
            relative = self.relative(path)
        except ValueError:
            return None  # outside the repository: not part of the revision
        shown = _git(self.top, "show", f"{self.commit}:{relative}")
        return shown.stdout if shown.returncode == 0 else None
