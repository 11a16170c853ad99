"""Every JSON, HTML and Markdown report says which aifc and which inputs produced it.

The hashes are checked against hashlib over the bytes on disk, and the
catalog's against the catalog files themselves; the reports stay
deterministic (two runs are byte-identical: no timestamps).
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

from click.testing import CliRunner

from aiflang.cli import main
from aiflang.resources import catalog_dir

DESIGN = """\
import "lib/parts.aif"

factory "tiny" {
  site { pue = 1.2, utility = 2 MW, power_price = 0.08 USD/kWh, build_cost = 10 million USD/MW }
  hall A {
    it_power = 1 MW
    positions = 10
    racks = 2 x GB200_NVL72
  }
}
"""
LIBRARY = "# A library with nothing in it but a comment.\n"


def _design(tmp_path: Path) -> Path:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "parts.aif").write_text(LIBRARY, encoding="utf-8")
    path = tmp_path / "design.aif"
    path.write_text(DESIGN, encoding="utf-8")
    return path


def _run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.stdout


def _catalog_sha256() -> str:
    digest = hashlib.sha256()
    for path in sorted(catalog_dir().glob("*.aif")):
        digest.update(f"<catalog>/{path.name}".encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def test_json_report_records_version_catalog_and_input_hashes(tmp_path: Path) -> None:
    design = _design(tmp_path)
    report = json.loads(_run("report", str(design), "--format", "json"))
    origin = report["provenance"]
    assert origin["aifc_version"] == version("aiflang")
    assert origin["catalog_sha256"] == _catalog_sha256()
    library = tmp_path / "lib" / "parts.aif"
    hashes = {Path(name).resolve(): digest for name, digest in origin["inputs"].items()}
    assert hashes == {
        design.resolve(): hashlib.sha256(design.read_bytes()).hexdigest(),
        library.resolve(): hashlib.sha256(library.read_bytes()).hexdigest(),
    }
    assert origin["settings"] == []


def test_a_changed_input_changes_its_hash_and_settings_are_recorded(tmp_path: Path) -> None:
    design = _design(tmp_path)
    before = json.loads(_run("report", str(design), "--format", "json"))["provenance"]
    design.write_text(DESIGN.replace("positions = 10", "positions = 12"), encoding="utf-8")
    after = json.loads(
        _run("report", str(design), "--format", "json", "--set", "halls.A.positions=14")
    )["provenance"]
    assert after["inputs"][str(design)] != before["inputs"][str(design)]
    assert after["catalog_sha256"] == before["catalog_sha256"]
    assert after["settings"] == ["halls.A.positions=14"]


def test_html_and_markdown_show_the_provenance_and_stay_deterministic(tmp_path: Path) -> None:
    design = _design(tmp_path)
    digest = hashlib.sha256(design.read_bytes()).hexdigest()
    for fmt in ("html", "md", "json"):
        first = _run("report", str(design), "--format", fmt)
        assert first == _run("report", str(design), "--format", fmt)
        assert digest in first and _catalog_sha256() in first
        assert f"aifc {version('aiflang')}" in first or fmt == "json"


def test_html_report_has_a_skip_link_and_a_dark_mode(tmp_path: Path) -> None:
    html = _run("report", str(_design(tmp_path)), "--format", "html")
    body = html.split("<body>", 1)[1]
    # The skip link is the first thing a keyboard reaches, and it lands on the main content.
    assert body.lstrip().startswith('<a class="skip" href="#content">Skip to content</a>')
    assert '<main id="content"' in body
    assert "@media (prefers-color-scheme: dark)" in html
    assert "color-scheme: light dark" in html
