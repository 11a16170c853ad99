"""The power, cooling, space and redundancy check, against hand-computed figures.

Rack figures from the built-in catalog: GB200_NVL72 draws 132 kW, 85% to
liquid (112.2 kW liquid, 19.8 kW air), 72 GPUs; DGX_H100_rack draws 40.8 kW
on air, 32 GPUs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aiflang import report as rp
from aiflang.analyses.facts import Facts
from aiflang.diagnostics import Diagnostic
from aiflang.driver import compile_source

MW = 1e6
KW = 1e3


def run(tmp_path: Path, text: str) -> tuple[Facts, list[Diagnostic]]:
    compilation = compile_source(text)
    assert compilation.facts, [str(d) for d in compilation.sink.sorted()]
    power = [d for d in compilation.sink.sorted() if d.code[1] == "4" or d.code == "E210"]
    return compilation.facts[0], power


def design(hall: str, *, site: str = "pue = 1.2, utility = 100 MW", extra: str = "") -> str:
    return f'factory "t" {{\n  site {{ {site} }}\n{hall}\n{extra}\n}}\n'


def hall(body: str, name: str = "A") -> str:
    return f"  hall {name} {{\n{body}\n  }}"


def codes(diagnostics: list[Diagnostic]) -> list[str]:
    return [d.code for d in diagnostics]


def only(diagnostics: list[Diagnostic], code: str) -> Diagnostic:
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, [f"{d.code} {d.message}" for d in diagnostics]
    return found[0]


def failure(report: rp.HallReport, part: str) -> rp.Failure:
    return next(f for f in report.failures if f.part == part)


# Redundancy arithmetic -------------------------------------------------------
@pytest.mark.parametrize(
    ("ups", "redundancy", "usable_w"),
    [
        ("5 x 1 MW", "N+1", 4 * MW),  # (5 - 1) x 1 MW
        ("4 x 1 MW", "2N", 2 * MW),  # half of what is installed
        ("3 x 1 MW", "3/2", 2 * MW),  # three modules carry the load of two
        ("4 x 1 MW", "N", 4 * MW),
        ("6 x 500 kW", "N+2", 2 * MW),  # (6 - 2) x 0.5 MW
    ],
)
def test_ups_usable_at_redundancy(
    tmp_path: Path, ups: str, redundancy: str, usable_w: float
) -> None:
    body = f"    it_power = 2 MW\n    ups = {ups}\n    redundancy = {redundancy}\n"
    body += "    positions = 10\n    racks = 2 x DGX_H100_rack"
    facts, _ = run(tmp_path, design(hall(body)))
    report = facts.halls[0]
    assert report.ups_usable_w == pytest.approx(usable_w)
    assert report.ups_continuous_w == pytest.approx(usable_w)  # no derating declared
    assert report.power_limit_w == pytest.approx(min(2 * MW, usable_w))
    assert "halls.A.ups_usable_w" in facts.derivations


def test_hall_derating_limits_the_ups(tmp_path: Path) -> None:
    # 5 x 1 MW at N+1 = 4 MW usable; 80% continuous = 3.2 MW, against 3.2 MW of it_power
    body = "    it_power = 3.2 MW\n    ups = 5 x 1 MW\n    redundancy = N+1\n    derating = 80%\n"
    body += "    positions = 10\n    racks = 2 x DGX_H100_rack"
    facts, diagnostics = run(tmp_path, design(hall(body)))
    assert facts.halls[0].ups_continuous_w == pytest.approx(3.2 * MW)
    assert "W404" not in codes(diagnostics)


def test_ups_below_it_capacity_is_e409(tmp_path: Path) -> None:
    body = "    it_power = 3 MW\n    ups = 4 x 1 MW\n    redundancy = 2N\n"
    body += "    positions = 10\n    racks = 2 x DGX_H100_rack"
    _, diagnostics = run(tmp_path, design(hall(body)))
    error = only(diagnostics, "E409")
    assert "delivers 2 MW at 2N, below its 3 MW of IT capacity" in error.message
    # 6 x 1 MW at 2N = 3 MW
    assert error.help is not None and "install 6 x 1 MW" in error.help


def test_oversized_ups_is_w404(tmp_path: Path) -> None:
    body = "    it_power = 2 MW\n    ups = 4 x 1 MW\n    redundancy = N+1\n"
    body += "    positions = 10\n    racks = 2 x DGX_H100_rack"
    _, diagnostics = run(tmp_path, design(hall(body)))
    assert "3 MW continuous, 50% more than its 2 MW" in only(diagnostics, "W404").message


def test_modules_that_do_not_split_are_reported(tmp_path: Path) -> None:
    body = "    it_power = 1 MW\n    ups = 3 x 1 MW\n    redundancy = 2N\n"
    body += "    positions = 10\n    racks = 2 x DGX_H100_rack"
    facts, diagnostics = run(tmp_path, design(hall(body)))
    assert "cannot run at 2N" in only(diagnostics, "E210").message
    assert facts.halls[0].ups_usable_w is None


# Hall IT load ----------------------------------------------------------------
def test_hall_over_capacity_is_e402_with_numbers(tmp_path: Path) -> None:
    # 16 x 132 kW = 2.112 MW + 150 kW storage = 2.262 MW against 2 MW:
    # 262 kW over, two 132 kW racks cover it.
    body = "    it_power = 2 MW\n    ups = 3 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { liquid = 3 MW, air = 1 MW }\n    positions = 20\n"
    body += "    racks = 16 x GB200_NVL72"
    storage = "  storage fast {\n    power = 150 kW\n    hall = A\n  }"
    facts, diagnostics = run(tmp_path, design(hall(body), extra=storage))
    error = only(diagnostics, "E402")
    assert error.message == 'hall "A" draws 2.26 MW, over its 2 MW of IT capacity'
    assert error.notes[0] == "16 x GB200_NVL72 at 132 kW = 2.11 MW; storage fast 150 kW"
    assert error.help == (
        "raise it_power to 2.26 MW, or move 2 racks of GB200_NVL72 to another hall"
    )
    assert error.span is not None and error.span.line == 4  # the `it_power = ...` line
    report = facts.halls[0]
    assert report.it_load_w == pytest.approx(2.262 * MW)
    assert report.storage_w == pytest.approx(150 * KW)
    assert report.liquid_load_w == pytest.approx(16 * 112.2 * KW)
    assert report.air_load_w == pytest.approx(16 * 19.8 * KW + 150 * KW)
    assert report.headroom.power_w == pytest.approx(-262 * KW)


def test_ups_binding_is_e402_with_modules_needed(tmp_path: Path) -> None:
    # 4 x 1 MW at N+1 = 3 MW; 24 racks draw 3.168 MW; 5 modules give 4 MW
    body = "    it_power = 4 MW\n    ups = 4 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { liquid = 3 MW, air = 1 MW }\n    positions = 30\n"
    body += "    racks = 24 x GB200_NVL72"
    _, diagnostics = run(tmp_path, design(hall(body)))
    error = only(diagnostics, "E402")
    assert "draws 3.17 MW, over the 3 MW its UPS plant carries" in error.message
    assert error.help == (
        "install 5 x 1 MW UPS modules, or move 2 racks of GB200_NVL72 to another hall"
    )


def test_storage_without_a_hall_goes_to_the_first_hall(tmp_path: Path) -> None:
    body = "    it_power = 1 MW\n    ups = 2 x 1 MW\n    redundancy = N+1\n    positions = 10"
    halls = hall(body) + "\n" + hall(body, "B")
    facts, _ = run(tmp_path, design(halls, extra="  storage bulk { power = 200 kW }"))
    assert [h.storage_w for h in facts.halls] == [200 * KW, 0.0]
    assert facts.it_load_w == pytest.approx(200 * KW)


def test_network_power_and_racks_from_the_fabric_pass_count(tmp_path: Path) -> None:
    from aiflang.analyses.power import check_power
    from aiflang.diagnostics import Sink

    body = "    it_power = 1 MW\n    ups = 2 x 1 MW\n    redundancy = N+1\n    positions = 4\n"
    body += "    racks = 2 x DGX_H100_rack"
    compilation = compile_source(design(hall(body)), analyse=False)
    facts, sink = Facts(), Sink()
    facts.network_power_by_hall_w = {"A": 100 * KW}
    facts.network_racks_by_hall = {"A": 3}
    check_power(compilation.designs[0], facts, sink)
    report = facts.halls[0]
    assert report.it_load_w == pytest.approx(2 * 40.8 * KW + 100 * KW)
    assert report.air_load_w == pytest.approx(report.it_load_w)
    # 2 racks + 3 network racks in 4 positions
    error = next(d for d in sink.diagnostics if d.code == "E407")
    assert error.message == 'hall "A" needs 5 positions, over its 4'
    assert error.notes == ("2 x DGX_H100_rack + 3 network racks = 5",)


# Cooling ---------------------------------------------------------------------
def test_air_cooled_132_kw_rack_is_e405(tmp_path: Path) -> None:
    rack = "rack hot {\n  nodes = 18 x GB200_tray\n  power = 132 kW\n  cooling = air\n}\n"
    body = "    it_power = 1 MW\n    ups = 2 x 1 MW\n    redundancy = N+1\n    positions = 10\n"
    body += "    racks = 2 x hot"
    _, diagnostics = run(tmp_path, rack + design(hall(body)))
    error = only(diagnostics, "E405")
    assert error.message.startswith("rack `hot` sends 132 kW of heat to air, over the")
    assert error.span is not None and error.span.line == 1


def test_liquid_over_capacity_is_e403_and_air_is_e404(tmp_path: Path) -> None:
    # liquid 16 x 112.2 kW = 1.7952 MW > 1.5 MW; air 16 x 19.8 kW = 316.8 kW > 300 kW
    body = "    it_power = 3 MW\n    ups = 4 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { liquid = 1.5 MW, air = 300 kW }\n    positions = 20\n"
    body += "    racks = 16 x GB200_NVL72"
    _, diagnostics = run(tmp_path, design(hall(body)))
    liquid = only(diagnostics, "E403")
    assert (
        liquid.message
        == 'hall "A" sends 1.8 MW of heat to liquid, over its 1.5 MW of liquid cooling'
    )
    # 295.2 kW over at 112.2 kW per rack: 3 racks
    assert (
        liquid.help
        == "raise liquid cooling to 1.8 MW, or move 3 racks of GB200_NVL72 to another hall"
    )
    air = only(diagnostics, "E404")
    assert "317 kW of heat to air, over its 300 kW" in air.message
    assert air.help is not None and "move 1 rack of GB200_NVL72" in air.help


def test_liquid_racks_without_liquid_cooling_are_e403(tmp_path: Path) -> None:
    body = "    it_power = 3 MW\n    ups = 4 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { air = 1 MW }\n    positions = 20\n    racks = 16 x GB200_NVL72"
    _, diagnostics = run(tmp_path, design(hall(body)))
    assert "1.8 MW of liquid-cooled heat and no liquid cooling" in only(diagnostics, "E403").message


def test_cdus_limit_liquid_capacity(tmp_path: Path) -> None:
    # 3 x 1 MW CDUs at N+1 = 2 MW usable, below the declared 2.6 MW
    body = "    it_power = 3 MW\n    ups = 4 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { liquid = 2.6 MW, air = 0.6 MW }\n    cdus = 3 x 1 MW\n"
    body += "    cdu_redundancy = N+1\n    positions = 20\n    racks = 16 x GB200_NVL72"
    facts, _ = run(tmp_path, design(hall(body)))
    assert facts.halls[0].liquid_capacity_w == pytest.approx(2 * MW)


def test_implausibly_low_pue_is_w403(tmp_path: Path) -> None:
    # all air: band 1.1 (pue_air_low) to 1.58
    body = "    it_power = 1 MW\n    ups = 2 x 1 MW\n    redundancy = N+1\n    positions = 10\n"
    body += "    racks = 2 x DGX_H100_rack"
    _, diagnostics = run(tmp_path, design(hall(body), site="pue = 1.02"))
    assert "PUE 1.02 is below the 1.1" in only(diagnostics, "W403").message


# Facility --------------------------------------------------------------------
def test_facility_over_utility_is_e406(tmp_path: Path) -> None:
    # 16 x 132 kW = 2.112 MW x PUE 1.5 = 3.168 MW > 3 MW
    body = "    it_power = 3 MW\n    ups = 4 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { liquid = 2.6 MW, air = 0.6 MW }\n    positions = 20\n"
    body += "    racks = 16 x GB200_NVL72"
    facts, diagnostics = run(tmp_path, design(hall(body), site="pue = 1.5, utility = 3 MW"))
    assert facts.it_load_w == pytest.approx(2.112 * MW)
    assert facts.facility_power_w == pytest.approx(3.168 * MW)
    error = only(diagnostics, "E406")
    assert error.message == "the facility draws 3.17 MW, over its 3 MW utility feed"
    # IT 3 MW / 1.5 = 2 MW; PUE 3 / 2.112 = 1.4204 -> 1.42
    assert error.help == (
        "cut IT load to 2 MW, or bring PUE down to 1.42, or raise utility to 3.17 MW"
    )
    assert error.span is not None and error.span.line == 2
    assert "capacity.facility_power_w" in facts.derivations


def test_capacity_totals(tmp_path: Path) -> None:
    body = "    it_power = 3 MW\n    ups = 4 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { liquid = 2.6 MW, air = 0.6 MW }\n    positions = 20\n"
    body += "    racks = [16 x GB200_NVL72, 2 x DGX_H100_rack]"
    facts, _ = run(tmp_path, design(hall(body), site="pue = 1.2, utility = 10 MW"))
    capacity = facts.capacity
    assert capacity is not None
    assert capacity.gpus == 16 * 72 + 2 * 32
    assert capacity.gpus_by_model == {"GB200": 1152, "H100": 64}
    # dense BF16: GB200 2.5 PFLOP/s, H100 989.4 TFLOP/s
    assert capacity.peak_flops["bf16"] == pytest.approx(1152 * 2.5e15 + 64 * 989.4e12)
    assert capacity.it_power_w == pytest.approx(2.112 * MW + 81.6 * KW)
    assert capacity.facility_power_w == pytest.approx(1.2 * (2.112 * MW + 81.6 * KW))
    assert capacity.racks == 18 and capacity.positions == 20
    assert capacity.utility_w == pytest.approx(10 * MW)
    assert sum(capacity.gpus_by_generation.values()) == 1216


# Space -----------------------------------------------------------------------
def test_racks_over_positions_is_e407(tmp_path: Path) -> None:
    body = "    it_power = 1 MW\n    ups = 2 x 1 MW\n    redundancy = N+1\n    positions = 10\n"
    body += "    racks = 12 x DGX_H100_rack"
    _, diagnostics = run(tmp_path, design(hall(body)))
    error = only(diagnostics, "E407")
    assert error.message == 'hall "A" needs 12 positions, over its 10'
    assert error.help == "raise positions to 12, or move 2 racks of DGX_H100_rack to another hall"


def test_floor_loading_is_e408(tmp_path: Path) -> None:
    rack = (
        "rack heavy {\n  nodes = 4 x DGX_H100\n  cooling = air\n  weight = 1500 kg\n"
        "  footprint = 1 m^2\n}\n"
    )
    body = "    it_power = 1 MW\n    ups = 2 x 1 MW\n    redundancy = N+1\n    positions = 10\n"
    body += "    racks = 2 x heavy\n    floor_loading = 1200 kg/m^2"
    _, diagnostics = run(tmp_path, rack + design(hall(body)))
    assert 'loads the floor of hall "A" at 1,500 kg/m^2' in only(diagnostics, "E408").message


# Headroom --------------------------------------------------------------------
def test_headroom_and_binding_constraint(tmp_path: Path) -> None:
    # load 16 x 132 kW = 2.112 MW; limit 3 MW: 888 kW left = 6 racks by power;
    # liquid (2.6 - 1.7952) / 0.1122 = 7.17 -> 7; air (0.6 - 0.3168) / 0.0198 = 14.3 -> 14;
    # positions 20 - 16 = 4: positions bind at 4, stranding 888 - 4 x 132 = 360 kW.
    body = "    it_power = 3 MW\n    ups = 4 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { liquid = 2.6 MW, air = 0.6 MW }\n    positions = 20\n"
    body += "    racks = 16 x GB200_NVL72"
    facts, diagnostics = run(tmp_path, design(hall(body)))
    room = facts.halls[0].headroom
    assert room.power_w == pytest.approx(888 * KW)
    assert room.power == pytest.approx(0.296)
    assert room.liquid_w == pytest.approx(2.6 * MW - 1.7952 * MW)
    assert room.air_w == pytest.approx(0.6 * MW - 316.8 * KW)
    assert room.positions == 4
    assert room.fits == [rp.HeadroomFit(rack="GB200_NVL72", more_racks=4, binding="positions")]
    warning = only(diagnostics, "W402")
    assert "strands 360 kW of power: room for 6 more GB200_NVL72" in warning.message


def test_headroom_binding_by_utility(tmp_path: Path) -> None:
    # utility 3 MW at PUE 1.2 leaves 2.5 MW of IT; 2.112 MW used: 388 kW = 2 more racks
    body = "    it_power = 4 MW\n    ups = 5 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { liquid = 4 MW, air = 1 MW }\n    positions = 40\n"
    body += "    racks = 16 x GB200_NVL72"
    facts, _ = run(tmp_path, design(hall(body), site="pue = 1.2, utility = 3 MW"))
    fit = facts.halls[0].headroom.fits[0]
    assert (fit.more_racks, fit.binding) == (2, "utility")


def test_stranded_positions_is_w402(tmp_path: Path) -> None:
    # 1 MW holds 7 racks of 132 kW (924 kW); 20 positions leave 13 empty
    body = "    it_power = 1 MW\n    ups = 2 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { liquid = 1 MW, air = 0.2 MW }\n    positions = 20\n"
    body += "    racks = 7 x GB200_NVL72"
    _, diagnostics = run(tmp_path, design(hall(body)))
    assert "strands 13 of its 20 positions" in only(diagnostics, "W402").message


# N-1 -------------------------------------------------------------------------
def test_n_minus_one_ups_module_at_n(tmp_path: Path) -> None:
    # 4 x 1 MW at N: one module lost leaves 3 MW for 3.168 MW: 168 kW over, 2 racks shed
    body = "    it_power = 4 MW\n    ups = 4 x 1 MW\n    redundancy = N\n"
    body += "    cooling = { liquid = 3 MW, air = 1 MW }\n    positions = 30\n"
    body += "    racks = 24 x GB200_NVL72"
    facts, diagnostics = run(tmp_path, design(hall(body)))
    lost = failure(facts.halls[0], "ups module")
    assert lost.capacity_lost_w == pytest.approx(1 * MW)
    assert (lost.racks_affected, lost.gpus_affected) == (2, 144)
    warning = only(diagnostics, "W401")
    assert warning.message == (
        'hall "A" has no UPS redundancy (N): one failed module sheds 2 x GB200_NVL72 (144 GPUs)'
    )


def test_n_minus_one_ups_module_at_n_plus_one_loses_nothing(tmp_path: Path) -> None:
    body = "    it_power = 4 MW\n    ups = 5 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { liquid = 3 MW, air = 1 MW }\n    positions = 30\n"
    body += "    racks = 24 x GB200_NVL72"
    facts, diagnostics = run(tmp_path, design(hall(body)))
    lost = failure(facts.halls[0], "ups module")
    assert lost.capacity_lost_w == 0.0
    assert (lost.racks_affected, lost.gpus_affected) == (0, 0)
    assert "W401" not in codes(diagnostics)


def test_n_minus_one_cdu(tmp_path: Path) -> None:
    # 3 x 1 MW CDUs at N: one lost leaves 2 MW for 24 x 112.2 kW = 2.6928 MW of liquid heat;
    # 692.8 kW over at 112.2 kW per rack: 7 racks (504 GPUs)
    body = "    it_power = 4 MW\n    ups = 5 x 1 MW\n    redundancy = N+1\n"
    body += "    cooling = { liquid = 3 MW, air = 1 MW }\n    cdus = 3 x 1 MW\n"
    body += "    positions = 30\n    racks = 24 x GB200_NVL72"
    facts, diagnostics = run(tmp_path, design(hall(body)))
    lost = failure(facts.halls[0], "cdu")
    assert lost.capacity_lost_w == pytest.approx(1 * MW)
    assert (lost.racks_affected, lost.gpus_affected) == (7, 504)
    assert "one failed CDU leaves 2 MW of liquid cooling" in only(diagnostics, "W405").message


def test_n_minus_one_feed(tmp_path: Path) -> None:
    # 2 x 2 MW feeds at 80% (breaker_derating): one left carries 1.6 MW; the hall draws
    # 16 x 40.8 kW = 652.8 kW x 1.2 = 783.4 kW, so nothing sheds; a single feed sheds all
    body = "    it_power = 1 MW\n    ups = 2 x 1 MW\n    redundancy = N+1\n    feeds = {feeds}\n"
    body += "    positions = 20\n    racks = 16 x DGX_H100_rack"
    facts, diagnostics = run(tmp_path, design(hall(body.replace("{feeds}", "2 x 2 MW"))))
    lost = failure(facts.halls[0], "feed")
    assert (lost.capacity_lost_w, lost.racks_affected) == (2 * MW, 0)
    assert "W401" not in codes(diagnostics)
    facts, diagnostics = run(tmp_path, design(hall(body.replace("{feeds}", "1 x 2 MW"))))
    lost = failure(facts.halls[0], "feed")
    assert (lost.racks_affected, lost.gpus_affected) == (16, 512)
    assert (
        "has a single feed: its failure takes down 16 racks (512 GPUs)"
        in only(diagnostics, "W401").message
    )


def test_hall_without_ups_is_w401(tmp_path: Path) -> None:
    body = "    it_power = 1 MW\n    positions = 10\n    racks = 2 x DGX_H100_rack"
    facts, diagnostics = run(tmp_path, design(hall(body)))
    assert (
        "declares no UPS: a power interruption takes down 2 racks (64 GPUs)"
        in only(diagnostics, "W401").message
    )
    assert failure(facts.halls[0], "ups").racks_affected == 2
    assert facts.halls[0].ups_usable_w is None
    assert facts.halls[0].power_limit_w == pytest.approx(1 * MW)


def test_two_feeds_that_cannot_carry_the_hall_alone_are_w401(tmp_path: Path) -> None:
    # 200 x GB200_NVL72 = 26.4 MW of IT, 31.68 MW of draw at PUE 1.2. Two 25 MW feeds at
    # 80% carry 40 MW; one alone 20 MW: 11.68 MW of draw over, 9.733 MW of IT, so
    # ceil(9.733 / 0.132) = 74 racks (5,328 GPUs) shed. Three feeds would carry it.
    body = "    it_power = 30 MW\n    ups = 8 x 5 MW\n    redundancy = N+1\n"
    body += "    feeds = 2 x 25 MW\n    cooling = { liquid = 30 MW, air = 6 MW }\n"
    body += "    positions = 250\n    racks = 200 x GB200_NVL72"
    facts, diagnostics = run(tmp_path, design(hall(body)))
    lost = failure(facts.halls[0], "feed")
    assert (lost.racks_affected, lost.gpus_affected) == (74, 5328)
    warning = only(diagnostics, "W401")
    assert warning.message == 'hall "A": one failed feed sheds 74 x GB200_NVL72 (5,328 GPUs)'
    assert warning.help is not None and warning.help.startswith("use 3 x 25 MW feeds")
    assert warning.span is not None and warning.span.line == 7  # the feeds line


@pytest.mark.parametrize(
    "body",
    [
        # UPS at N (one module lost sheds racks), CDUs at N, two feeds too small for one
        "    it_power = 4 MW\n    ups = 4 x 1 MW\n    redundancy = N\n    feeds = 2 x 2 MW\n"
        "    cooling = { liquid = 3 MW, air = 1 MW }\n    cdus = 3 x 1 MW\n"
        "    positions = 30\n    racks = 24 x GB200_NVL72",
        # a single feed, no UPS
        "    it_power = 1 MW\n    feeds = 1 x 2 MW\n    positions = 20\n"
        "    racks = 16 x DGX_H100_rack",
        # N+1 everywhere, feeds sized for one failure: nothing sheds, nothing is said
        "    it_power = 4 MW\n    ups = 5 x 1 MW\n    redundancy = N+1\n    feeds = 3 x 4 MW\n"
        "    cooling = { liquid = 3 MW, air = 1 MW }\n    cdus = 4 x 1 MW\n"
        "    cdu_redundancy = N+1\n    positions = 30\n    racks = 24 x GB200_NVL72",
    ],
)
def test_every_failure_that_sheds_load_is_a_warning_naming_it(tmp_path: Path, body: str) -> None:
    facts, diagnostics = run(tmp_path, design(hall(body)))
    warned = {
        "ups": "W401",
        "ups module": "W401",
        "feed": "W401",
        "cdu": "W405",
    }
    for lost in facts.halls[0].failures:
        found = [d for d in diagnostics if d.code == warned[lost.part]]
        if lost.gpus_affected == 0 and lost.racks_affected == 0:
            continue
        shed = f"{lost.gpus_affected:,} GPU"
        assert any(shed in d.message for d in found), (lost, [d.message for d in found])


def test_budgets_group_racks_and_storage_by_hall_in_one_pass(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Thousands of halls must not each scan every placed rack: each placed rack's
    # hall is read once, not once per hall, and each hall still gets its own racks.
    from aiflang.analyses.hall_budget import build_budgets
    from aiflang.frontend.design import Design, PlacedRacks

    halls = "\n".join(
        hall(f"    it_power = 1 MW\n    positions = 8\n    racks = {n} x GB200_NVL72", f"H{n}")
        for n in range(1, 6)
    )
    storage = "  storage s { capacity = 1 PB, power = 20 kW, hall = H3 }"
    compilation = compile_source(design(halls, extra=storage))
    (built,) = compilation.designs
    reads = 0

    class Counted:
        def __init__(self, placed: PlacedRacks) -> None:
            self.placed, self.rack, self.racks = placed, placed.rack, placed.racks

        @property
        def hall(self) -> object:
            nonlocal reads
            reads += 1
            return self.placed.hall

    original = Design.placed_racks
    monkeypatch.setattr(Design, "placed_racks", lambda self: (Counted(p) for p in original(self)))
    budgets = build_budgets(built, {}, {})
    assert reads == 5  # one per placed rack type; a scan per hall would read 25
    assert [[(line.rack.name, line.count) for line in b.lines] for b in budgets] == [
        [("GB200_NVL72", n)] for n in range(1, 6)
    ]
    assert [[s.name for s in b.storage] for b in budgets] == [[], [], ["s"], [], []]
