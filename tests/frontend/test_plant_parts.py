"""Plant by model in halls, power shelves in racks, storage built from appliances."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiflang.driver import compile_file
from aiflang.frontend import design as dm


def design(tmp_path: Path, text: str) -> tuple[dm.Design | None, list[str]]:
    path = tmp_path / "d.aif"
    path.write_text(text, encoding="utf-8")
    compilation = compile_file(path, analyse=False)
    found = [f"{d.code} {d.message}" for d in compilation.diagnostics if d.is_error]
    return (compilation.designs[0] if compilation.designs else None), found


HALL = """
factory "f" {{
  site {{ pue = 1.2 }}
  hall A {{
    it_power  = 6 MW
    positions = 40
{plant}
  }}
{extra}
}}
"""


def test_a_hall_names_plant_by_model_or_by_size(tmp_path: Path) -> None:
    plant = """    ups        = 6 x Galaxy_VXL_1250
    redundancy = N+1
    cdus       = 4 x CoolChip_CDU_2300
    chillers   = 3 x Chiller_Centrifugal_1100t
    generators = 4 x Cummins_DQKAN
    batteries  = 2 x Tesla_Megapack_2XL
    busways    = 12 x Starline_T5_800A"""
    built, errors = design(tmp_path, HALL.format(plant=plant, extra=""))
    assert errors == [] and built is not None
    (hall,) = built.halls
    assert hall.ups is not None
    assert (hall.ups.count, hall.ups.size, hall.ups.part) == (6, 1.25e6, "Galaxy_VXL_1250")
    assert hall.cdus is not None and (hall.cdus.count, hall.cdus.size) == (4, 2.3e6)
    assert hall.chillers is not None and hall.chillers.size == pytest.approx(3868e3)
    assert hall.generators is not None and hall.generators.size == 2.5e6
    assert hall.batteries is not None and hall.batteries.size == pytest.approx(3.9e6 * 3600)
    assert hall.busways is not None and hall.busways.size == pytest.approx(575e3)
    # The parts a hall names are in the design's components, with their figures.
    assert built.components.ups["Galaxy_VXL_1250"].efficiency == pytest.approx(0.975)
    assert built.components.chillers["Chiller_Centrifugal_1100t"].cop == 6.0


def test_anonymous_modules_still_work(tmp_path: Path) -> None:
    built, errors = design(tmp_path, HALL.format(plant="    ups = 4 x 1 MW", extra=""))
    assert errors == [] and built is not None
    ups = built.halls[0].ups
    assert ups is not None and (ups.count, ups.size, ups.part) == (4, 1e6, None)


@pytest.mark.parametrize(
    ("plant", "expected"),
    [
        ("    ups = 6 x Galaxy_VXX_1250", "E201 unknown ups `Galaxy_VXX_1250`"),
        (
            "    ups = 6 x CoolChip_CDU_2300",
            "E202 `ups` expects a ups, but `CoolChip_CDU_2300` is a cdu",
        ),
        ("    cdus = 4 x MW", "E106 `cdus` has a unit, `MW`, but no value"),
        ("    batteries = 2 x 1 MW", "E203 `batteries` expects energy, found power (MW)"),
    ],
)
def test_wrong_plant_is_a_located_error(tmp_path: Path, plant: str, expected: str) -> None:
    path = tmp_path / "d.aif"
    path.write_text(HALL.format(plant=plant, extra=""), encoding="utf-8")
    found = [f"{d.code} {d.message}" for d in compile_file(path, analyse=False).diagnostics]
    assert any(message.startswith(expected) for message in found), found


SHELF = """
power_shelf shelf {{
  output     = 33 kW
  efficiency = 95%
  source     = "test"
}}
node tray {{
  gpus  = 4 x GB200
  power = {tray}
}}
rack r {{
  nodes            = 18 x tray
  power_shelves    = 8 x shelf
  shelf_redundancy = {redundancy}
}}
"""
SHELF_HALL = HALL.format(plant="    racks = 1 x r", extra="")


def shelves(tray: str, redundancy: str) -> str:
    return SHELF.format(tray=tray, redundancy=redundancy) + SHELF_HALL


def test_power_shelves_bound_the_parts_and_add_their_losses(tmp_path: Path) -> None:
    built, errors = design(tmp_path, shelves("6 kW", "2N"))
    assert errors == [] and built is not None
    rack = built.components.racks["r"]
    assert rack.shelf_output_w == 132e3  # 8 x 33 kW at 2N
    assert rack.power.derived_w == pytest.approx(18 * 6e3 / 0.95)
    _, errors = design(tmp_path, shelves("7.5 kW", "2N"))
    assert errors == [
        "E401 rack `r`: its parts draw 135 kW, over the 132 kW its power shelves deliver at 2N"
    ]
    _, errors = design(tmp_path, shelves("6 kW", "3N"))
    assert errors == ["E210 rack `r`: 8 power shelves cannot run at 3N"]


APPLIANCE = """
appliance flash {
  capacity       = 1 PB
  raw_capacity   = 1.2 PB
  bandwidth      = 50 GB/s
  power          = 1.5 kW
  height         = 2 U
  price          = 400000 USD
  source         = "test"
}
"""


def test_storage_sums_its_appliances(tmp_path: Path) -> None:
    storage = "  storage fast {\n    appliances = 22 x flash\n    hall = A\n  }"
    built, errors = design(tmp_path, APPLIANCE + HALL.format(plant="", extra=storage))
    assert errors == [] and built is not None
    (fast,) = built.storage
    assert fast.capacity_bytes == 22e15
    assert fast.bandwidth_bytes_per_s == 22 * 50e9
    assert fast.power_w == 22 * 1.5e3
    assert fast.price_usd == 22 * 400e3
    # 44 U of appliances fill two 42U storage racks.
    assert fast.positions == 2
    assert [(p.name, p.count) for p in fast.appliances] == [("flash", 22)]


def test_declared_storage_figures_win_when_the_appliances_cover_them(tmp_path: Path) -> None:
    storage = (
        "  storage fast {\n    appliances = 10 x flash\n    capacity = 8 PB\n"
        "    power = 20 kW\n    positions = 2\n    hall = A\n  }"
    )
    built, errors = design(tmp_path, APPLIANCE + HALL.format(plant="", extra=storage))
    assert errors == [] and built is not None
    (fast,) = built.storage
    assert (fast.capacity_bytes, fast.power_w, fast.positions) == (8e15, 20e3, 2)
    assert fast.bandwidth_bytes_per_s == 10 * 50e9  # not declared: summed
