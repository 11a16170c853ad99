"""Reading inputs and writing outputs safely, on anyone's machine.

Writing (`write_text`, `write_bytes`): a regular file, or a path that does not exist yet, is
replaced atomically (a temporary file in the same folder, then a rename), so
readers see the old file or the new one, never half. The new file keeps the
old one's permission bits (and owner, where allowed); a new file gets the
usual 0666 less the umask. A symbolic link is written through: its target is
replaced and the link stays. Anything that is not a regular file (a device,
a FIFO, a terminal) is written through and never replaced; `/dev/stdout`,
`/dev/fd/N` and links to them are written to the descriptor itself, so the
output lands where the stream stands.
Read-only files are refused. A temporary file is removed on SIGTERM, SIGHUP
and SIGINT as well as on errors; the process then ends as the signal asks.

Reading (`read_limited`): only regular files, opened without blocking (a
FIFO would hang) and never read past a limit (`/proc` files claim size 0).

Other problems surface as `OSError` (the caller turns them into one line and
exit code 2); `WriteRefused` says why a write was refused.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import stat
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # signal and threading are imported when a file is written
    import signal
    from typing import TypeAlias

    _Handler: TypeAlias = Callable[[int, FrameType | None], Any] | int | signal.Handlers

# Paths whose files are not ordinary files even when they look like one
# (`/dev/stdout` names whatever the shell redirected to): written through.
_SPECIAL_PREFIXES = ("/dev/", "/proc/")
_STANDARD_STREAMS = {"/dev/stdout": 1, "/dev/stderr": 2}
_PROC_DESCRIPTOR = re.compile(r"/proc/(self|\d+)/fd/(\d+)")
_DEV_DESCRIPTOR = re.compile(r"/dev/fd/(\d+)")
_CLEANUP_SIGNALS = ("SIGTERM", "SIGHUP", "SIGINT")  # those the platform has


class WriteRefused(OSError):
    """A write that would be unsafe: a read-only file, a file changed meanwhile."""


class NotRegularFile(OSError):
    """An input that is not a regular file (a FIFO, a device, a folder)."""


class TooLarge(OSError):
    """An input over the size limit; `size` is its size, or the limit plus one if unknown."""

    def __init__(self, path: Path, size: int) -> None:
        super().__init__(errno.EFBIG, f"{size:,} bytes", str(path))
        self.size = size


class _Interrupted(BaseException):
    """A signal arrived while a temporary file existed."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of the regular file `path`, refusing anything else or over `limit` bytes.

    Raises `NotRegularFile`, `TooLarge` or another `OSError`.
    """
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFile(errno.EINVAL, "not a regular file", str(path))
        if info.st_size > limit:
            raise TooLarge(path, info.st_size)
        chunks: list[bytes] = []
        remaining = limit + 1  # one byte past the limit tells "too large" from "exactly at it"
        while remaining > 0:
            chunk = os.read(descriptor, min(remaining, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise TooLarge(path, max(info.st_size, len(data)))
        return data
    finally:
        os.close(descriptor)


def first_outside(files: list[Path], root: Path) -> Path | None:
    """The first of `files` that, with every link followed, lies outside `root`."""
    boundary = Path(os.path.realpath(root))
    for file in files:
        if not Path(os.path.realpath(file)).is_relative_to(boundary):
            return file
    return None


def is_read_only(info: os.stat_result, path: Path) -> bool:
    """No write bit at all, or no write access for this user (root ignores modes)."""
    return stat.S_IMODE(info.st_mode) & 0o222 == 0 or not os.access(path, os.W_OK)


def write_text(path: Path, text: str, *, expected: bytes | None = None) -> None:
    """Write `text` (UTF-8, `\\n` line ends) to `path` as described in the module docstring.

    With `expected`, `path` must still hold exactly those bytes when it is
    replaced (the formatter read them); otherwise `WriteRefused` and nothing
    changes.
    """
    write_bytes(path, text.encode("utf-8"), expected=expected)


def write_bytes(path: Path, data: bytes, *, expected: bytes | None = None) -> None:
    """Write `data` to `path` as `write_text` does (binary outputs: XLSX, Parquet)."""
    inherited = _inherited_descriptor(path)
    if inherited is not None or _writes_through(path):
        if expected is not None:
            raise WriteRefused(errno.EINVAL, "not a regular file", str(path))
        if inherited is not None:
            # `/dev/stdout` and its kin: write to the stream itself, so output the
            # shell or the process wrote before (or writes after) keeps its place.
            for stream in (sys.stdout, sys.stderr):
                with contextlib.suppress(Exception):
                    stream.flush()
            _write_all(inherited, data)
            return
        with open(path, "wb") as handle:
            handle.write(data)
        return
    target = Path(os.path.realpath(path))
    if target.is_symlink():  # a loop of links, or one realpath could not follow
        raise OSError(errno.ELOOP, "too many levels of symbolic links", str(path))
    try:
        info: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is None and expected is not None:
        raise WriteRefused(errno.ENOENT, "removed while being formatted; not written", str(path))
    if info is not None and is_read_only(info, target):
        raise WriteRefused(errno.EACCES, "the file is read-only; not written", str(path))
    with _temporary(target, info) as (descriptor, temporary):
        _write_all(descriptor, data)
        os.fsync(descriptor)
        if expected is not None and _current(target, len(expected)) != expected:
            raise WriteRefused(
                errno.EAGAIN, "changed while being formatted; not written", str(path)
            )
        os.replace(temporary, target)


def _inherited_descriptor(path: Path) -> int | None:
    """The open descriptor `path` names (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`,
    or a link to one), or None."""
    current = os.path.abspath(path)
    for _ in range(8):  # a chain of links, followed a few steps
        named = _STANDARD_STREAMS.get(current)
        if named is not None:
            return named
        match = _PROC_DESCRIPTOR.fullmatch(current)
        if match is not None and match.group(1) in ("self", str(os.getpid())):
            return int(match.group(2))
        match = _DEV_DESCRIPTOR.fullmatch(current)
        if match is not None:
            return int(match.group(1))
        if not os.path.islink(current):
            return None
        target = os.readlink(current)
        current = os.path.normpath(os.path.join(os.path.dirname(current), target))
    return None


def _writes_through(path: Path) -> bool:
    """True for outputs that must be written in place, never replaced."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return True
    absolute = os.path.abspath(path)
    resolved = os.path.realpath(path)
    return any(p.startswith(_SPECIAL_PREFIXES) for p in (absolute, resolved))


def _current(target: Path, size: int) -> bytes | None:
    """What `target` holds now, read no further than one byte past `size`."""
    try:
        with open(target, "rb") as handle:
            return handle.read(size + 1)
    except OSError:
        return None


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(descriptor, view)
        view = view[written:]


@contextlib.contextmanager
def _temporary(target: Path, info: os.stat_result | None) -> Iterator[tuple[int, Path]]:
    """A new file beside `target`, with `target`'s mode; removed unless renamed away."""
    temporary = target.parent / f".{target.name}.{os.urandom(4).hex()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    flags |= getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    with _signals_clean_up():
        try:
            # 0o666 lets the umask decide a new file's mode, as `>` in a shell does.
            descriptor = os.open(temporary, flags, 0o666)
        except OSError:
            raise  # nothing was created
        except BaseException:
            _remove(temporary)  # a signal inside open(): the file may exist
            raise
        try:
            if info is not None:
                _keep_owner_and_mode(descriptor, info)
            yield descriptor, temporary
        except BaseException:
            _remove(temporary)
            raise
        finally:
            os.close(descriptor)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


def _keep_owner_and_mode(descriptor: int, info: os.stat_result) -> None:
    if hasattr(os, "fchown") and (info.st_uid, info.st_gid) != (os.geteuid(), os.getegid()):
        # Only root may give a file away; others keep their own ownership.
        with contextlib.suppress(OSError):
            os.fchown(descriptor, info.st_uid, info.st_gid)
    os.fchmod(descriptor, stat.S_IMODE(info.st_mode))


@contextlib.contextmanager
def _signals_clean_up() -> Iterator[None]:
    """Turn SIGTERM, SIGHUP and SIGINT into an exception while a temporary file exists.

    The exception unwinds through the clean-up; then the signal is delivered
    again to its previous handler, so the process ends as it would have. A
    signal that was ignored stays ignored.
    """
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise _Interrupted(signum)

    previous: dict[int, _Handler] = {}
    for signum in (getattr(signal, n) for n in _CLEANUP_SIGNALS if hasattr(signal, n)):
        handler = signal.getsignal(signum)
        if handler is not None and handler != signal.SIG_IGN:
            previous[signum] = handler
            signal.signal(signum, interrupt)
    try:
        yield
    except _Interrupted as interrupted:
        _restore(previous)
        previous = {}
        signal.raise_signal(interrupted.signum)
        # The previous handler returned: the write was abandoned all the same.
        raise InterruptedError(errno.EINTR, "interrupted; not written") from None
    finally:
        _restore(previous)


def _restore(
    handlers: dict[int, _Handler],
) -> None:
    import signal

    for signum, handler in handlers.items():
        signal.signal(signum, handler)
