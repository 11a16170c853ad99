"""The plant check against hand calculations: losses and PUE, heat, generators, batteries."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiflang.diagnostics import Diagnostic
from aiflang.driver import build_reports, compile_file
from aiflang.report import Report

DESIGN = """
factory "f" {{
  site {{ pue = {pue} }}
  hall A {{
    it_power   = 2 MW
    ups        = 3 x Galaxy_VXL_1250
    redundancy = N+1
    chillers   = {chillers}
    chiller_redundancy = N+1
    generators = 2 x Cummins_DQKAN
    generator_redundancy = N+1
    batteries  = 1 x Tesla_Megapack_2XL
    positions  = 48
    racks      = 40 x DGX_H100_rack
  }}
}}
"""


def compiled(
    tmp_path: Path, pue: float = 1.3, chillers: str = "2 x Chiller_Centrifugal_1100t"
) -> tuple[Report, list[Diagnostic]]:
    path = tmp_path / "d.aif"
    path.write_text(DESIGN.format(pue=pue, chillers=chillers), encoding="utf-8")
    compilation = compile_file(path)
    (report,) = build_reports(compilation)
    return report, [d for d in compilation.diagnostics if d.code in ("W406", "E412", "E413")]


def test_named_plant_gives_losses_and_the_pue_it_implies(tmp_path: Path) -> None:
    report, findings = compiled(tmp_path)
    assert findings == []
    (plant,) = report.plant
    it_w = 40 * 40.8e3  # 1,632 kW
    assert report.halls[0].it_load_w == pytest.approx(it_w)
    # Galaxy VXL: 97.5% double conversion -> losses = IT x (1/0.975 - 1).
    assert plant.ups_losses_w == pytest.approx(it_w * (1 / 0.975 - 1))  # 41.8 kW
    # The centrifugal chiller's COP of 6 on all of the hall's heat.
    assert plant.cooling_plant_w == pytest.approx(it_w / 6.0)  # 272 kW
    assert plant.plant_pue == pytest.approx((it_w + it_w * (1 / 0.975 - 1) + it_w / 6) / it_w)
    assert plant.plant_pue == pytest.approx(1.1923, abs=1e-4)
    # One 3,868 kW chiller at N+1; one 2.5 MW generator at N+1; 3.9 MWh of battery.
    assert plant.heat_rejection_w == pytest.approx(3868e3)
    assert plant.generators_w == pytest.approx(2.5e6)
    assert plant.battery_runtime_s == pytest.approx(3.9e6 * 3600 / it_w)
    assert plant.parts == {
        "ups": "Galaxy_VXL_1250",
        "chillers": "Chiller_Centrifugal_1100t",
        "generators": "Cummins_DQKAN",
        "batteries": "Tesla_Megapack_2XL",
    }
    assert "plant.pue" in report.explain and "plant.A.plant_pue" in report.explain


def test_a_site_pue_below_the_plant_is_warned(tmp_path: Path) -> None:
    _, findings = compiled(tmp_path, pue=1.15)
    (warning,) = findings
    assert warning.code == "W406"
    assert warning.message == "PUE 1.15 is below the 1.19 the named plant alone implies"


def test_heat_and_generators_over_their_plant_are_errors(tmp_path: Path) -> None:
    # Two 1 MW chillers at N+1 carry 1 MW of the 1.63 MW; the hall's draw at PUE 1.6
    # is 2.61 MW, over one 2.5 MW generator (two at N+1).
    _, findings = compiled(tmp_path, pue=1.6, chillers="2 x 1 MW")
    codes = sorted(d.code for d in findings)
    assert codes == ["E412", "E413"]


def test_plant_leaves_designs_without_plant_alone(tmp_path: Path) -> None:
    path = tmp_path / "d.aif"
    path.write_text(
        'factory "f" {\n  site { pue = 1.3 }\n  hall A {\n    it_power = 100 kW\n'
        "    positions = 4\n    racks = 2 x DGX_H100_rack\n  }\n}\n",
        encoding="utf-8",
    )
    (report,) = build_reports(compile_file(path))
    assert report.plant == []
