"""A small on-disk cache for work that depends only on shipped files.

Building the LALR tables from the grammar and parsing the built-in catalog
cost more than checking a small design, and both depend only on files that
ship with the package (as does the unit table, kept as plain data so that a
run need not import a TOML parser). They are cached in the user's cache folder
(`$AIFC_CACHE_DIR`, else `$XDG_CACHE_HOME/aifc`, else `~/.cache/aifc`), never
next to the installed package; `AIFC_NO_CACHE=1` turns the cache off.

Guarantees, because the folder may sit on a shared machine or in a CI
workspace:
- entries are JSON text, decoded into plain data by the caller: nothing in
  the cache can run code (no pickle);
- the folder is created 0700 and entries 0600; a folder or entry that is a
  symbolic link, is owned by another user, or is writable by group or others
  is never read (nor written to): the work is done again instead;
- an entry's name is a hash of the package's code that produces it, the
  versions of Python and Lark, and the source it came from (the grammar, the
  catalog), so a changed source or a new aifc never reads an old entry.

A cache that cannot be read or written is ignored: the work is simply done
again.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

FORMAT = "4"  # bump when the layout of an entry changes
MAX_ENTRY_BYTES = 16 * 1024 * 1024
_PACKAGE = Path(__file__).resolve().parent


def enabled() -> bool:
    return os.environ.get("AIFC_NO_CACHE", "") in ("", "0")


def cache_dir() -> Path | None:
    """The cache folder (created 0700), or None when disabled or not safe to use."""
    if not enabled():
        return None
    explicit = os.environ.get("AIFC_CACHE_DIR")
    if explicit:
        return Path(explicit)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return Path(xdg) / "aifc" if xdg else Path.home() / ".cache" / "aifc"


@contextlib.contextmanager
def _folder() -> Iterator[int | None]:
    """A descriptor of the checked cache folder, or None; entries are opened relative to it.

    Holding the folder open means a folder swapped in after the check is
    never used.
    """
    base = cache_dir()
    descriptor: int | None = None
    if base is not None:
        try:
            base.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):
                os.mkdir(base, 0o700)
            descriptor = os.open(base, _DIRECTORY_FLAGS)
            info = os.fstat(descriptor)
            if not stat.S_ISDIR(info.st_mode) or not _trusted(info):
                os.close(descriptor)
                descriptor = None
            elif stat.S_IMODE(info.st_mode) & 0o077:
                os.fchmod(descriptor, 0o700)  # ours: close a folder an older aifc made 0755
        except OSError:
            if descriptor is not None:
                os.close(descriptor)
            descriptor = None
    try:
        yield descriptor
    finally:
        if descriptor is not None:
            os.close(descriptor)


_DIRECTORY_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)


def _trusted(info: os.stat_result) -> bool:
    """Owned by this user, and nobody else may write to it."""
    owner = os.geteuid() if hasattr(os, "geteuid") else info.st_uid
    return info.st_uid == owner and not stat.S_IMODE(info.st_mode) & 0o022


def key_of(*parts: str | bytes) -> str:
    """A hash of `parts` (the sources an entry comes from) and of the code that builds it."""
    digest = hashlib.sha256(_fingerprint())
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:40]


_FINGERPRINT: list[bytes] = []

# The modules whose code decides what an entry holds.
_PRODUCERS = (
    "cache.py",
    "records.py",
    "diagnostics/__init__.py",
    "syntax/codec.py",
    "syntax/tree.py",
    "syntax/parser.py",
    "syntax/build.py",
    "syntax/lalr.py",
    "syntax/recovery.py",
    "syntax/tables.py",
    "catalog/__init__.py",
)


def _fingerprint() -> bytes:
    if not _FINGERPRINT:
        digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{_lark_version()}\0".encode())
        for name in _PRODUCERS:
            with contextlib.suppress(OSError):
                digest.update(_PACKAGE.joinpath(name).read_bytes())
            digest.update(b"\0")
        _FINGERPRINT.append(digest.digest())
    return _FINGERPRINT[0]


def _lark_version() -> str:
    """Lark's version, read from its package without importing it.

    A run that finds its tables in the cache never needs Lark, whose import
    costs more than checking a small design.
    """
    import importlib.util
    import re

    spec = importlib.util.find_spec("lark")
    if spec is not None and spec.origin is not None:
        with contextlib.suppress(OSError):
            text = Path(spec.origin).read_text(encoding="utf-8")
            found = re.search(
                r"^__version__\s*(?::\s*\w+\s*)?=\s*['\"]([^'\"]+)['\"]", text, re.MULTILINE
            )
            if found is not None:
                return found.group(1)
    import lark  # pragma: no cover - a layout of Lark that hides its version

    return str(lark.__version__)


def _entry(name: str, key: str) -> str:
    return f"{name}-{key}.json"


def load(name: str, key: str) -> str | None:
    """The text stored under `name` and `key`, or None (missing, unsafe or unreadable)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    with _folder() as folder:
        if folder is None:
            return None
        try:
            descriptor = os.open(_entry(name, key), flags, dir_fd=folder)
        except OSError:
            return None
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode) or not _trusted(info):
                return None
            if info.st_size > MAX_ENTRY_BYTES:
                return None
            data = os.read(descriptor, info.st_size + 1)
            return data.decode("utf-8") if len(data) == info.st_size else None
        except (OSError, UnicodeDecodeError):
            return None
        finally:
            os.close(descriptor)


def store(name: str, key: str, text: str) -> None:
    """Store `text` under `name` and `key` (0600, atomically); failing to is not an error."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    temporary = f".{name}.{os.urandom(8).hex()}.tmp"
    with _folder() as folder:
        if folder is None:
            return
        try:
            descriptor = os.open(temporary, flags, 0o600, dir_fd=folder)
        except OSError:
            return
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(text.encode("utf-8"))
            os.replace(temporary, _entry(name, key), src_dir_fd=folder, dst_dir_fd=folder)
        except OSError:  # caching is an optimisation; failing to cache is not an error
            with contextlib.suppress(OSError):
                os.unlink(temporary, dir_fd=folder)


def prune(name: str, keep: int) -> None:
    """Remove the oldest entries under `name` beyond the newest `keep`.

    For entries keyed by the user's own designs (each edit may make a new
    one), so the folder does not grow without end. Failing to is not an error.
    """
    prefix, suffix = f"{name}-", ".json"
    with _folder() as folder:
        if folder is None:
            return
        try:
            found: list[tuple[float, str]] = []
            for entry in os.listdir(folder):
                if entry.startswith(prefix) and entry.endswith(suffix):
                    info = os.stat(entry, dir_fd=folder, follow_symlinks=False)
                    found.append((info.st_mtime, entry))
        except OSError:
            return
        found.sort(reverse=True)
        for _, entry in found[keep:]:
            with contextlib.suppress(OSError):
                os.unlink(entry, dir_fd=folder)
