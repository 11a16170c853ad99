"""The progress bar: drawn on a terminal only, with rate and time left."""

from __future__ import annotations

import io

from aiflang.sweep.progress import ProgressBar, line


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_shows_share_rate_and_eta() -> None:
    text = line(300, 1000, 50.0, width=10)
    # 700 left at 50 a second: 14 s.
    assert text == "[###.......] 300/1,000  30% 50.0/s ETA 00:14"
    assert line(0, 10, 0.0, width=4).endswith("ETA --:--")
    assert "1:00:00" in line(0, 3600, 1.0)


def test_it_draws_on_a_terminal_and_stays_silent_elsewhere() -> None:
    pipe = io.StringIO()
    bar = ProgressBar(pipe, interval=0)
    bar(5, 10)
    bar(10, 10)
    bar.close()
    assert pipe.getvalue() == ""
    terminal = Terminal()
    bar = ProgressBar(terminal, interval=0)
    bar(5, 10)
    bar(10, 10)
    bar.close()
    drawn = terminal.getvalue()
    assert drawn.startswith("\r[") and "10/10 100%" in drawn and drawn.endswith("\n")
