"""Optics by distance: the part a fabric names is checked against its runs, or picked by them.

A 128-GPU pod of 16 DGX H100 (128 ConnectX-7 400G compute endpoints) on a
rail-optimized, non-blocking QM9700 fabric: 128 endpoint-leaf links and 256
leaf-spine links, so 128 + 2 x 256 = 640 switch ends (320 twin-port modules)
and 128 NIC ends.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aiflang.driver import build_reports, compile_file
from aiflang.report import FabricReport, Report

DESIGN = """
factory "pod" {{
  site {{ pue = 1.3 }}
  hall A {{
    it_power   = 200 kW
    ups        = 3 x 100 kW
    redundancy = N+1
    cooling    = {{ air = 220 kW }}
    positions  = 8
    racks      = 4 x DGX_H100_rack
  }}
  fabric compute {{
    technology = infiniband
    connects   = compute
    topology   = rail_optimized
    leaf       = {leaf}
{optics}
  }}
}}
"""


def report(tmp_path: Path, optics: str, leaf: str = "QM9700") -> tuple[Report, list[str]]:
    path = tmp_path / "pod.aif"
    path.write_text(DESIGN.format(optics=optics, leaf=leaf), encoding="utf-8")
    compilation = compile_file(path)
    (result,) = build_reports(compilation)
    return result, [f"{d.code} {d.message}" for d in compilation.sink.sorted() if d.is_error]


def compute(result: Report) -> FabricReport:
    (fabric,) = result.fabrics
    assert fabric.links.endpoint_leaf == 128 and fabric.links.leaf_spine == 256
    return fabric


def test_a_named_part_keeps_working_without_a_distance(tmp_path: Path) -> None:
    result, errors = report(tmp_path, "    transceiver = OSFP_800G_SR8")
    fabric = compute(result)
    assert errors == [] and fabric.transceiver == "OSFP_800G_SR8"
    # 640 switch ends on twin-port modules (320) + 128 NIC modules; 15 W and 9 W (assumption).
    assert fabric.transceivers == 320 + 128
    assert fabric.optics_power_w == pytest.approx(320 * 15 + 128 * 9)


def test_a_named_part_that_does_not_reach_is_an_error(tmp_path: Path) -> None:
    _, errors = report(tmp_path, "    transceiver = OSFP_800G_SR8\n    distance    = 80 m")
    assert errors == [
        "E308 fabric 'compute': transceiver `OSFP_800G_SR8` reaches 50 m, short of the 80 m "
        "the fabric's runs span"
    ]


def test_the_distance_picks_the_lowest_power_per_link(tmp_path: Path) -> None:
    # 2 m: the passive twin-port DAC (0 W) beats every module; one cable per two links.
    result, errors = report(tmp_path, "    distance = 2 m")
    fabric = compute(result)
    assert errors == [] and fabric.transceiver == "DAC_800G_2m"
    assert fabric.transceivers == (128 + 256) // 2 and fabric.optics_power_w == 0
    # 40 m: copper is out; LPO (9 W for two links) beats multimode SR8 (15 W for two).
    result, _ = report(tmp_path, "    distance = 40 m")
    fabric = compute(result)
    assert fabric.transceiver == "LPO_800G"
    assert fabric.optics_power_w == pytest.approx(320 * 9 + 128 * 9)
    # 1 km: only the 2 km 2xFR4 reaches; its power is unpublished, so the default counts.
    result, _ = report(tmp_path, "    distance = 1 km")
    fabric = compute(result)
    assert fabric.transceiver == "OSFP_800G_2FR4"
    assert fabric.optics_power_w == pytest.approx(320 * 15 + 128 * 9)


def test_no_part_reaches_is_an_error(tmp_path: Path) -> None:
    _, errors = report(tmp_path, "    distance = 10 km")
    assert errors == [
        "E308 fabric 'compute': no transceiver or cable in scope reaches 10 km at 400 Gbps links"
    ]


def test_co_packaged_optics_switches_need_no_switch_side_modules(tmp_path: Path) -> None:
    # A QM9700 with its optics on the package: only the 128 NIC-side modules remain.
    cpo = "switch QM9700_CPO extends QM9700 {\n  co_packaged_optics = true\n}\n"
    path = tmp_path / "pod.aif"
    path.write_text(
        cpo + DESIGN.format(optics="    transceiver = OSFP_800G_SR8", leaf="QM9700_CPO"),
        encoding="utf-8",
    )
    (result,) = build_reports(compile_file(path))
    fabric = compute(result)
    assert fabric.transceivers == 128
    assert fabric.optics_power_w == pytest.approx(128 * 9)
