"""A one-line progress bar with rate and ETA, for a terminal only.

`ProgressBar(stream)` draws on `stream` (stderr) when it is a terminal and
stays silent otherwise, so logs and pipes never see carriage returns. It
redraws at most every `interval` seconds; the rate is of this run's
variants (resumed ones count as done but not in the rate).
"""

from __future__ import annotations

import time
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


def line(done: int, total: int, rate: float, width: int = 30) -> str:
    """The bar's text: `[#####.....]  512/1,000  51%  120.3/s  ETA 00:04`."""
    share = done / total if total else 1.0
    filled = round(width * share)
    eta = (total - done) / rate if rate > 0 else None
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {done:,}/{total:,} {share:4.0%} "
        f"{rate:,.1f}/s ETA {_duration(eta) if eta is not None else '--:--'}"
    )


class ProgressBar:
    """Call with (done, total) as variants finish; `close()` ends the line."""

    def __init__(self, stream: TextIO, *, interval: float = 0.2) -> None:
        self.stream = stream
        self.enabled = bool(getattr(stream, "isatty", lambda: False)())
        self.interval = interval
        self.started = time.monotonic()
        self.first: int | None = None
        self.last_draw = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self.first is None:
            self.first = done
            self.started = now
        if now - self.last_draw < self.interval and done < total:
            return
        self.last_draw = now
        elapsed = now - self.started
        rate = (done - self.first) / elapsed if elapsed > 0 else 0.0
        self.stream.write("\r" + line(done, total, rate))
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        if self.enabled and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
