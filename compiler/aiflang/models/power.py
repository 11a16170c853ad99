"""Power model: UPS redundancy, continuous-load derating, facility power, rack and node power.

Pure functions over SI floats (watts). Constants are registered assumptions
read through an `Assumptions` object, so a design can override them:

- `breaker_derating`: continuous load a breaker or busway may carry, as a
  fraction of its rating (NEC 80% rule).
- `air_rack_limit_w`: the heat an air-cooled rack can reject.
- `node_overhead`, `node_overhead_liquid`: node power over the sum of its
  GPUs, CPUs and NICs (memory, switches, fans, storage, conversion losses).
- `pue_liquid_low` ... `pue_air_high`: the band of plausible PUE per cooling
  medium, interpolated by the liquid share of the heat.

UPS redundancy notation (Schneider Electric White Paper 75, "Comparing UPS
System Design Configurations"): `N` (capacity only), `N+k` (parallel
redundant), `2N` and more generally `xN` (system plus system: x complete
systems, each able to carry the load), `2(N+k)` (two systems, each N+k), and
`a/b` (distributed redundant: a modules carry the load of b, as in 3/2 or
4/3, so usable = installed x b / a).
"""

from __future__ import annotations

import re
from typing import Literal

from aiflang.models.assumptions import Assumptions
from aiflang.models.derivation import Derivation
from aiflang.records import record, replace


@record
class Redundancy:
    """A parsed UPS redundancy scheme.

    `kind` is "N", "N+k", "xN", "2(N+k)" or "a/b"; `spare` is k, `systems` is
    x (2 for 2(N+k)), `carrying` and `installed` are b and a of a/b.
    """

    text: str
    kind: Literal["N", "N+k", "xN", "2(N+k)", "a/b"]
    spare: int = 0
    systems: int = 1
    carrying: int = 1
    installed: int = 1


_N_PLUS = re.compile(r"N\+(\d+)")
_X_N = re.compile(r"(\d+)N")
_TWO_N_PLUS = re.compile(r"2\(N\+(\d+)\)")
_DISTRIBUTED = re.compile(r"(\d+)/(\d+)")


def parse_redundancy(text: str) -> Redundancy:
    """Parse a redundancy scheme such as "N", "N+1", "2N", "2(N+1)" or "3/2".

    Raises ValueError with a readable message for anything else.
    """
    compact = re.sub(r"\s+", "", text).upper()
    if compact == "N":
        return Redundancy(text, "N")
    if match := _N_PLUS.fullmatch(compact):
        spare = int(match.group(1))
        if spare < 1:
            raise ValueError(f"redundancy {text!r}: N+k needs k >= 1")
        return Redundancy(text, "N+k", spare=spare)
    if match := _TWO_N_PLUS.fullmatch(compact):
        return Redundancy(text, "2(N+k)", spare=int(match.group(1)), systems=2)
    if match := _X_N.fullmatch(compact):
        systems = int(match.group(1))
        if systems < 1:
            raise ValueError(f"redundancy {text!r}: xN needs x >= 1")
        if systems == 1:
            return Redundancy(text, "N")
        return Redundancy(text, "xN", systems=systems)
    if match := _DISTRIBUTED.fullmatch(compact):
        installed, carrying = int(match.group(1)), int(match.group(2))
        if not installed > carrying >= 1:
            raise ValueError(
                f"redundancy {text!r}: distributed redundancy a/b needs a > b >= 1 "
                "(a modules carry the load of b)"
            )
        return Redundancy(text, "a/b", installed=installed, carrying=carrying)
    raise ValueError(
        f"unknown redundancy {text!r}: expected N, N+k, 2N (or xN), 2(N+k), or a/b such as 3/2"
    )


@record
class UpsCapacity:
    """What a UPS plant delivers under its redundancy scheme.

    `tolerated_failures` is a capacity view: how many modules may be lost
    while the remaining installed capacity still covers `usable_w`.
    """

    installed_w: float
    usable_w: float
    tolerated_failures: int
    redundancy: Redundancy
    derivation: Derivation


def ups_capacity(modules: int, module_w: float, redundancy: str) -> UpsCapacity:
    """Usable capacity of `modules` UPS modules of `module_w` each under `redundancy`."""
    if modules < 1:
        raise ValueError("a UPS plant needs at least one module")
    if module_w <= 0:
        raise ValueError("UPS module power must be positive")
    scheme = parse_redundancy(redundancy)
    installed_w = modules * module_w
    inputs: dict[str, float | str] = {
        "modules": modules,
        "module_w": module_w,
        "redundancy": scheme.text,
    }
    if scheme.kind == "N":
        usable_w, formula = installed_w, "usable = modules x module_w"
    elif scheme.kind == "N+k":
        if modules <= scheme.spare:
            raise ValueError(
                f"redundancy {scheme.text}: {modules} modules leave no capacity after "
                f"{scheme.spare} spare"
            )
        usable_w = (modules - scheme.spare) * module_w
        formula = "usable = (modules - k) x module_w"
        inputs["k"] = scheme.spare
    elif scheme.kind == "xN":
        if modules % scheme.systems:
            raise ValueError(
                f"redundancy {scheme.text}: {modules} modules do not split into "
                f"{scheme.systems} equal systems"
            )
        usable_w = installed_w / scheme.systems
        formula = "usable = modules x module_w / x"
        inputs["x"] = scheme.systems
    elif scheme.kind == "2(N+k)":
        per_side = modules // 2
        if modules % 2 or per_side <= scheme.spare:
            raise ValueError(
                f"redundancy {scheme.text}: needs an even number of modules, more than "
                f"{2 * scheme.spare}"
            )
        usable_w = (per_side - scheme.spare) * module_w
        formula = "usable = (modules / 2 - k) x module_w"
        inputs["k"] = scheme.spare
    else:
        if modules % scheme.installed:
            raise ValueError(
                f"redundancy {scheme.text}: {modules} modules are not a whole number of "
                f"groups of {scheme.installed}"
            )
        usable_w = installed_w * scheme.carrying / scheme.installed
        formula = "usable = modules x module_w x b / a"
        inputs["a"] = scheme.installed
        inputs["b"] = scheme.carrying
    tolerated = round((installed_w - usable_w) / module_w)
    return UpsCapacity(
        installed_w=installed_w,
        usable_w=usable_w,
        tolerated_failures=tolerated,
        redundancy=scheme,
        derivation=Derivation(formula, inputs),
    )


def ups_usable_w(modules: int, module_w: float, redundancy: str) -> float:
    """Usable watts of a UPS plant; see `ups_capacity`."""
    return ups_capacity(modules, module_w, redundancy).usable_w


@record
class DeratedCapacity:
    """A rated capacity, the continuous-load share it may carry, and that load."""

    rated_w: float
    derating: float
    continuous_w: float
    derivation: Derivation


def derated_capacity(
    rated_w: float, assumptions: Assumptions | None = None, *, derating: float | None = None
) -> DeratedCapacity:
    """Continuous load allowed on a breaker, busway, feeder or UPS plant rated `rated_w`.

    `derating` is the share given for this equipment (a hall's `derating`);
    without one, `breaker_derating` (the NEC 80% rule) applies.
    """
    if derating is None:
        if assumptions is None:
            raise ValueError("a derating or the assumptions that give breaker_derating")
        derating = assumptions.value("breaker_derating")
        derivation = Derivation(
            "continuous = rated x breaker_derating",
            {"rated_w": rated_w, "breaker_derating": derating},
            ("breaker_derating",),
        )
    else:
        derivation = Derivation(
            "continuous = rated x derating", {"rated_w": rated_w, "derating": derating}
        )
    return DeratedCapacity(rated_w, derating, rated_w * derating, derivation)


def it_load_derivation(
    racks: dict[str, tuple[int, float]], network_w: float, storage_w: float
) -> Derivation:
    """How a hall's IT load adds up: `racks` maps a rack type to (count, watts per rack)."""
    inputs: dict[str, float | str] = {}
    for name, (count, rack_w) in racks.items():
        inputs[f"{name}_count"] = count
        inputs[f"{name}_w"] = rack_w
    inputs |= {"network_w": network_w, "storage_w": storage_w}
    return Derivation("it_load = sum(racks x rack power) + network + storage", inputs)


def ups_continuous_derivation(plant: UpsCapacity, derating: float) -> Derivation:
    """How a UPS plant's continuous rating follows from its usable capacity and derating."""
    inputs = dict(plant.derivation.inputs)
    inputs |= {"usable_w": plant.usable_w, "derating": derating}
    return Derivation("continuous = usable x derating (the hall's derating, else 1)", inputs)


@record
class FacilityPower:
    """Facility power: IT power plus cooling and distribution overhead."""

    it_w: float
    pue: float
    facility_w: float
    derivation: Derivation


def facility_power(it_w: float, pue: float) -> FacilityPower:
    """Facility power = IT power x PUE. PUE below 1 is physically impossible."""
    if pue < 1.0:
        raise ValueError(f"PUE {pue} is below 1: a facility cannot use less than its IT load")
    return FacilityPower(
        it_w=it_w,
        pue=pue,
        facility_w=it_w * pue,
        derivation=Derivation("facility = it x pue", {"it_w": it_w, "pue": pue}),
    )


def facility_power_w(it_w: float, pue: float) -> float:
    """Facility watts for `it_w` of IT load at `pue`."""
    return facility_power(it_w, pue).facility_w


@record
class AirRackCheck:
    """The air-cooled share of a rack's heat against the air density limit."""

    rack_w: float
    air_w: float
    limit_w: float
    over_limit: bool
    derivation: Derivation


def check_air_rack(rack_w: float, liquid_fraction: float, assumptions: Assumptions) -> AirRackCheck:
    """Check the air share of a rack's heat (all of it for an air-cooled rack)."""
    if not 0.0 <= liquid_fraction <= 1.0:
        raise ValueError(f"liquid fraction {liquid_fraction} is outside 0..1")
    limit_w = assumptions.value("air_rack_limit_w")
    air_w = rack_w * (1.0 - liquid_fraction)
    return AirRackCheck(
        rack_w=rack_w,
        air_w=air_w,
        limit_w=limit_w,
        over_limit=air_w > limit_w,
        derivation=Derivation(
            "air heat = rack power x (1 - liquid share); over limit if air heat > air_rack_limit_w",
            {"rack_w": rack_w, "liquid_fraction": liquid_fraction, "air_rack_limit_w": limit_w},
            ("air_rack_limit_w",),
        ),
    )


@record
class NodePowerEstimate:
    """A node's power estimated from its parts."""

    parts_w: float
    overhead: float
    node_w: float
    derivation: Derivation


# A rack that sends at least this share of its heat to liquid has cold-plated
# trays: their GPUs and CPUs carry no heat sinks and the tray few fans.
LIQUID_COOLED_SHARE = 0.5


def holds_liquid_cooled_nodes(liquid_fraction: float) -> bool:
    """Whether a rack with this liquid share of its heat holds liquid-cooled nodes."""
    return liquid_fraction >= LIQUID_COOLED_SHARE


def node_power(
    gpus: int,
    gpu_tdp_w: float,
    cpus: int,
    cpu_tdp_w: float,
    nics_w: float,
    assumptions: Assumptions,
    *,
    liquid_cooled: bool = False,
) -> NodePowerEstimate:
    """Estimate node power: (GPUs x TDP + CPUs x TDP + NICs) x node overhead.

    The overhead factor covers what the parts list leaves out (memory,
    NVSwitches, fans, drives, power-supply losses); liquid-cooled trays have
    fewer fans and use `node_overhead_liquid`.
    """
    estimate = node_power_from_parts(
        gpus * gpu_tdp_w + cpus * cpu_tdp_w + nics_w, assumptions, liquid_cooled=liquid_cooled
    )
    name = estimate.derivation.assumptions[0]
    inputs: dict[str, float | str] = {
        "gpus": gpus,
        "gpu_tdp_w": gpu_tdp_w,
        "cpus": cpus,
        "cpu_tdp_w": cpu_tdp_w,
        "nics_w": nics_w,
        name: estimate.overhead,
    }
    return replace(
        estimate,
        derivation=Derivation(
            f"node = (gpus x gpu_tdp + cpus x cpu_tdp + nics) x {name}", inputs, (name,)
        ),
    )


def node_power_from_parts(
    parts_w: float, assumptions: Assumptions, *, liquid_cooled: bool = False
) -> NodePowerEstimate:
    """Node power from the sum of its GPU, CPU and NIC ratings: parts x overhead."""
    name = "node_overhead_liquid" if liquid_cooled else "node_overhead"
    overhead = assumptions.value(name)
    return NodePowerEstimate(
        parts_w=parts_w,
        overhead=overhead,
        node_w=parts_w * overhead,
        derivation=Derivation(
            f"node = parts x {name}", {"parts_w": parts_w, name: overhead}, (name,)
        ),
    )


PueVerdict = Literal["impossible", "below", "within", "above"]


@record
class PueCheck:
    """Where a declared PUE falls against the plausible band for its cooling mix.

    "below" is implausibly good for the cooling declared; "above" is
    plausible but worse than typical practice.
    """

    pue: float
    liquid_fraction: float
    low: float
    high: float
    verdict: PueVerdict
    derivation: Derivation


def check_pue(pue: float, liquid_fraction: float, assumptions: Assumptions) -> PueCheck:
    """Compare `pue` with the band interpolated by the liquid share of the heat."""
    if not 0.0 <= liquid_fraction <= 1.0:
        raise ValueError(f"liquid fraction {liquid_fraction} is outside 0..1")
    names = ("pue_liquid_low", "pue_liquid_high", "pue_air_low", "pue_air_high")
    liquid_low, liquid_high, air_low, air_high = (assumptions.value(n) for n in names)
    air_fraction = 1.0 - liquid_fraction
    low = liquid_fraction * liquid_low + air_fraction * air_low
    high = liquid_fraction * liquid_high + air_fraction * air_high
    verdict: PueVerdict
    if pue < 1.0:
        verdict = "impossible"
    elif pue < low:
        verdict = "below"
    elif pue > high:
        verdict = "above"
    else:
        verdict = "within"
    return PueCheck(
        pue=pue,
        liquid_fraction=liquid_fraction,
        low=low,
        high=high,
        verdict=verdict,
        derivation=Derivation(
            "band = liquid x [pue_liquid_low, pue_liquid_high] + (1 - liquid) x "
            "[pue_air_low, pue_air_high]",
            {
                "pue": pue,
                "liquid_fraction": liquid_fraction,
                "pue_liquid_low": liquid_low,
                "pue_liquid_high": liquid_high,
                "pue_air_low": air_low,
                "pue_air_high": air_high,
            },
            names,
        ),
    )
