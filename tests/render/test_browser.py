"""The HTML report in a real browser: headless Chromium renders the summary and
the SVG charts, and a screenshot of the page is non-trivial."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from aiflang import report as rp
from aiflang.render.html import render_html

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs /usr/bin/chromium (apt-get install chromium)"
)


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_rendered_dom_and_screenshot(make_report: Callable[..., rp.Report], tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    page.write_text(render_html(make_report()), encoding="utf-8")

    dom = _chromium(tmp_path / "profile-dom", "--dump-dom", page.as_uri())
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    summary = html.split('id="summary"')[1].split("</section>")[0]
    for figure in ("1,632", "4.52 MW", "5.42 MW", "3 M tokens/s", "$140 M", "$200 M"):
        assert figure in summary, figure
    assert html.count("<svg") == 5
    assert "<rect" in html and "625 leaf switches" in html

    shot = tmp_path / "report.png"
    result = _chromium(
        tmp_path / "profile-shot", "--window-size=1280,2000", f"--screenshot={shot}", page.as_uri()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    data = shot.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(data[16:20], "big")
    height = int.from_bytes(data[20:24], "big")
    assert (width, height) == (1280, 2000)
    assert len(data) > 50_000  # a blank page of that size compresses to a few kB
