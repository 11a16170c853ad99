"""The public Python API: aiflang.compile, Result, __version__, cheap import, docs/api.md."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import aiflang
from aiflang.cli import main

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference_designs" / "gb200_two_su.aif"

SMALL = """\
factory "pod" {
  site { pue = 1.3, utility = 2 MW, power_price = 0.08 USD/kWh }

  hall main {
    it_power   = 1 MW
    ups        = 3 x 500 kW
    redundancy = N+1
    cooling    = { air = 1.1 MW }
    positions  = 32
    racks      = 16 x DGX_H100_rack
  }
}
"""


def test_version_is_the_packages() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert aiflang.__version__ == project["version"]
    assert {"compile", "Result", "__version__"} <= set(dir(aiflang))
    with pytest.raises(AttributeError):
        aiflang.no_such_name  # noqa: B018


def test_import_loads_nothing_heavy() -> None:
    code = (
        "import sys, aiflang, aiflang.cli\n"
        "heavy = [m for m in ('pydantic', 'networkx', 'lark', 'jinja2', 'aiflang.api',"
        " 'aiflang.driver') if m in sys.modules]\n"
        "print(heavy)\n"
        "aiflang.compile\n"
        "print('aiflang.api' in sys.modules, 'pydantic' in sys.modules)\n"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    # The API loads on first use; the report's classes need no pydantic.
    assert completed.stdout.splitlines() == ["[]", "True False"]


def test_compile_a_file_matches_the_command_line() -> None:
    result = aiflang.compile(REFERENCE)
    assert result.valid and result.counts.errors == 0 and result.diagnostics == []
    assert result.factories == ["gb200-two-su"]
    (report,) = result.reports
    assert report is result.report() is result.report("gb200-two-su")
    assert report.capacity is not None and report.capacity.gpus == 1152
    runner = CliRunner()
    cli = runner.invoke(main, ["report", str(REFERENCE), "--format", "json"])
    assert json.loads(result.to_json()) == json.loads(cli.stdout)
    assert repr(result).endswith("valid, 0 errors, 0 warnings, factories ['gb200-two-su']>")


def test_compile_text_without_writing_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "lib.aif").write_text(
        "rack my_rack {\n  nodes   = 4 x DGX_H100\n  cooling = air\n}\n", encoding="utf-8"
    )
    text = 'import "lib.aif"\n' + SMALL
    written: list[str] = []
    original = Path.write_text

    def spy(self: Path, *args: object, **kwargs: object) -> int:
        written.append(str(self))
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", spy)
    result = aiflang.compile(text, root=tmp_path)
    assert written == [] and sorted(p.name for p in tmp_path.iterdir()) == ["lib.aif"]
    assert result.valid, [d.message for d in result.diagnostics]
    assert any(file.endswith("lib.aif") for file in result.compilation.sources)
    report = result.report("pod")
    assert report.capacity is not None and report.capacity.gpus == 16 * 4 * 8
    # The import leaves the root: a finding, not an exception.
    outside = aiflang.compile('import "../elsewhere.aif"\n' + SMALL, root=tmp_path)
    assert not outside.valid and [d.code for d in outside.diagnostics] == ["E212"]


def test_design_problems_are_findings_not_exceptions() -> None:
    result = aiflang.compile(SMALL.replace("DGX_H100_rack", "DGX_H100_rak"))
    assert not result.valid and result.counts.errors == 1
    (finding,) = result.diagnostics
    assert finding.code == "E201" and "DGX_H100_rack" in (finding.help or "")
    assert result.report("pod").valid is False


def test_misuse_of_the_api_raises(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        aiflang.compile(tmp_path / "missing.aif")
    with pytest.raises(ValueError, match="did you mean 'maintenance_fraction'"):
        aiflang.compile(SMALL, overrides={"maintenance_fractoin": 0.1})
    with pytest.raises(ValueError, match="outside"):
        aiflang.compile(SMALL, overrides={"maintenance_fraction": 0.9})
    with pytest.raises(ValueError, match="is power"):
        aiflang.compile(SMALL, overrides={"air_rack_limit_w": "40 kWh"})
    with pytest.raises(LookupError, match="did you mean 'pod'"):
        aiflang.compile(SMALL).report("pods")
    with pytest.raises(LookupError, match="no factory"):
        aiflang.compile("node n {\n  gpus = 8 x H100\n}\n").report()


def test_overrides_change_the_figures_by_hand() -> None:
    base = aiflang.compile(SMALL).report()
    doubled = aiflang.compile(SMALL, overrides={"maintenance_fraction": "8%"}).report()
    assert base.cost is not None and doubled.cost is not None
    maintenance = base.cost.opex_usd_per_year["maintenance"]
    assert maintenance > 0
    # 4% of hardware capex by default; 8% doubles it.
    assert doubled.cost.opex_usd_per_year["maintenance"] == pytest.approx(2 * maintenance)
    (entry,) = [a for a in doubled.assumptions if a.name == "maintenance_fraction"]
    assert entry.overridden and entry.value == 0.08
    limit = aiflang.compile(SMALL, overrides={"air_rack_limit_w": "45 kW"}).report()
    (rack,) = [a for a in limit.assumptions if a.name == "air_rack_limit_w"]
    assert rack.value == 45_000 and rack.overridden


def test_repr_html_frames_each_factory_report() -> None:
    html = aiflang.compile(SMALL)._repr_html_()
    assert html.startswith("<iframe srcdoc=") and html.count("<iframe") == 1
    assert "&lt;!DOCTYPE html&gt;" in html and "pod: AI factory report" in html
    assert "<style" not in html  # the report's styles stay inside its frame


def test_the_wheel_declares_its_types() -> None:
    assert (ROOT / "compiler" / "aiflang" / "py.typed").is_file()


def test_docs_api_examples_run(tmp_path: Path) -> None:
    """Every Python block of docs/api.md runs from the checkout, as a reader would run it."""
    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert len(blocks) >= 2
    for index, block in enumerate(blocks):
        script = tmp_path / f"example{index}.py"
        script.write_text(block, encoding="utf-8")
        completed = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=120
        )
        assert completed.returncode == 0, completed.stderr
        for line in block.splitlines():
            shown = re.search(r"print\(.*\)\s+# (.+)$", line)
            if shown and not shown.group(1).startswith("<"):
                assert shown.group(1) in completed.stdout, (line, completed.stdout)


def test_the_version_is_read_without_importlib_metadata() -> None:
    # Reading it must give what importlib.metadata gives, and not import it: it loads
    # the email, zip and archive modules, more than a small validate costs.
    from importlib import metadata

    from aiflang.resources import package_version

    assert package_version() == metadata.version("aiflang")
    program = (
        "import sys\nfrom aiflang.resources import package_version\n"
        "print(package_version(), 'importlib.metadata' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == [metadata.version("aiflang"), "False"]


def test_an_odd_dist_info_is_left_to_importlib_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from importlib import metadata

    from aiflang import resources

    odd = tmp_path / "aiflang-9.9.dist-info"  # no METADATA: not trusted, not read
    odd.mkdir()
    monkeypatch.setattr(sys, "path", [str(tmp_path), *sys.path])
    resources.package_version.cache_clear()
    try:
        assert resources.package_version() == metadata.version("aiflang")
        (odd / "METADATA").write_text("Metadata-Version: 2.1\nName: aiflang\nVersion: 9.9\n\n")
        resources.package_version.cache_clear()
        assert resources.package_version() == "9.9" == metadata.version("aiflang")
    finally:
        resources.package_version.cache_clear()
