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
from dataclasses import dataclass
from typing import Literal

from aiflang.models.assumptions import Assumptions, register
from aiflang.models.explain import Explanation

register(
    "breaker_derating",
    0.8,
    "%",
    "continuous load a breaker, busway or feeder may carry, as a fraction of its rating",
    "NEC (NFPA 70) 210.19(A)(1) and 215.2(A)(1): conductors and overcurrent devices are sized "
    "at 125% of the continuous load, i.e. a continuous load of at most 80% of the rating",
    minimum=0.5,
    maximum=1.0,
)
register(
    "air_rack_limit_w",
    50e3,
    "kW",
    "heat an air-cooled rack can reject (the air share of a rack's power)",
    "Chatsworth Products (2026), 'When do you need liquid cooling for AI infrastructure': "
    "liquid is evaluated from about 30 kW per cabinet and becomes the practical choice at "
    "40-50 kW; CoolNet (2025): 20-30 kW is achievable with optimized air and containment. "
    "The default takes the top of the 40-50 kW band because NVIDIA's DGX H100 SuperPOD "
    "reference architecture deploys air-cooled racks of 4 systems (40.8 kW) with hot-aisle "
    "containment; above 50 kW air alone is not a credible design",
    minimum=5e3,
    maximum=150e3,
)
register(
    "node_overhead",
    1.5,
    "",
    "air-cooled node power over the sum of its GPU, CPU and NIC ratings",
    "derived: DGX H100 10.2 kW max / (8 x 700 W GPUs + 2 x 350 W Xeon 8480C + about 350 W "
    "of NICs = 6.65 kW) = 1.53; DGX B200 14.3 kW / (8 x 1000 W + 2 x 350 W + 350 W = 9.05 kW) "
    "= 1.58 (NVIDIA DGX H100 and DGX B200 user guides; Intel ARK)",
    minimum=1.0,
    maximum=3.0,
)
register(
    "node_overhead_liquid",
    1.3,
    "",
    "liquid-cooled node power over the sum of its GPU, CPU and NIC ratings",
    "derived: GB200 NVL72 about 132 kW / (72 x 1200 W GPUs + 36 x 300 W Grace + about "
    "4.5 kW of NICs = 101.7 kW) = 1.30, NVLink switch trays included (NVIDIA DGX GB200 user "
    "guide; MLPerf system descriptions for the 1200 W TGP)",
    minimum=1.0,
    maximum=3.0,
)
register(
    "pue_liquid_low",
    1.05,
    "",
    "lowest plausible PUE for a facility cooled entirely by direct liquid cooling",
    "NREL, 'High-Performance Computing Data Center Power Usage Effectiveness' (Energy Systems "
    "Integration Facility): a chiller-less data center with component-level warm-water liquid "
    "cooling, designed for an annualized PUE of 1.06 or better, measured 1.036; 1.05 keeps "
    "a little above that best measured case",
    minimum=1.0,
    maximum=2.0,
)
register(
    "pue_liquid_high",
    1.15,
    "",
    "typical upper PUE for a facility cooled entirely by direct liquid cooling",
    "estimate: between the 1.036 measured at NREL's warm-water liquid-cooled ESIF data center "
    "and the 1.2 or less that NREL gives for data centers focused on efficiency (NREL, "
    "'High-Performance Computing Data Center Power Usage Effectiveness')",
    minimum=1.0,
    maximum=3.0,
)
register(
    "pue_air_low",
    1.1,
    "",
    "lowest plausible PUE for an air-cooled facility (best hyperscale practice)",
    "Google, 'Data center efficiency' (google.com/about/datacenters/efficiency): fleet-wide "
    "trailing twelve-month PUE of about 1.10 across its large data centers",
    minimum=1.0,
    maximum=2.0,
)
register(
    "pue_air_high",
    1.58,
    "",
    "typical upper PUE for an air-cooled facility (industry average)",
    "Uptime Institute Intelligence, 'Large data centers are mostly more efficient, analysis "
    "confirms' (Nov 2023), from the Global Data Center Survey: industry-average annual PUE "
    "1.58 in 2023, between 1.55 and 1.59 since 2020",
    minimum=1.0,
    maximum=4.0,
)


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class UpsCapacity:
    """What a UPS plant delivers under its redundancy scheme.

    `tolerated_failures` is a capacity view: how many modules may be lost
    while the remaining installed capacity still covers `usable_w`.
    """

    installed_w: float
    usable_w: float
    tolerated_failures: int
    redundancy: Redundancy
    explanation: Explanation


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
        explanation=Explanation(formula, inputs),
    )


def ups_usable_w(modules: int, module_w: float, redundancy: str) -> float:
    """Usable watts of a UPS plant; see `ups_capacity`."""
    return ups_capacity(modules, module_w, redundancy).usable_w


@dataclass(frozen=True, slots=True)
class DeratedCapacity:
    """A rated capacity and the continuous load it may carry."""

    rated_w: float
    continuous_w: float
    explanation: Explanation


def derated_capacity(rated_w: float, assumptions: Assumptions) -> DeratedCapacity:
    """Continuous load allowed on a breaker, busway or feeder rated `rated_w`."""
    derating = assumptions.value("breaker_derating")
    return DeratedCapacity(
        rated_w=rated_w,
        continuous_w=rated_w * derating,
        explanation=Explanation(
            "continuous = rated x breaker_derating",
            {"rated_w": rated_w, "breaker_derating": derating},
            ("breaker_derating",),
        ),
    )


@dataclass(frozen=True, slots=True)
class FacilityPower:
    """Facility power: IT power plus cooling and distribution overhead."""

    it_w: float
    pue: float
    facility_w: float
    explanation: Explanation


def facility_power(it_w: float, pue: float) -> FacilityPower:
    """Facility power = IT power x PUE. PUE below 1 is physically impossible."""
    if pue < 1.0:
        raise ValueError(f"PUE {pue} is below 1: a facility cannot use less than its IT load")
    return FacilityPower(
        it_w=it_w,
        pue=pue,
        facility_w=it_w * pue,
        explanation=Explanation("facility = it x pue", {"it_w": it_w, "pue": pue}),
    )


def facility_power_w(it_w: float, pue: float) -> float:
    """Facility watts for `it_w` of IT load at `pue`."""
    return facility_power(it_w, pue).facility_w


@dataclass(frozen=True, slots=True)
class AirRackCheck:
    """The air-cooled share of a rack's heat against the air density limit."""

    rack_w: float
    air_w: float
    limit_w: float
    over_limit: bool
    explanation: Explanation


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
        explanation=Explanation(
            "air heat = rack power x (1 - liquid share); over limit if air heat > air_rack_limit_w",
            {"rack_w": rack_w, "liquid_fraction": liquid_fraction, "air_rack_limit_w": limit_w},
            ("air_rack_limit_w",),
        ),
    )


@dataclass(frozen=True, slots=True)
class NodePowerEstimate:
    """A node's power estimated from its parts."""

    parts_w: float
    overhead: float
    node_w: float
    explanation: Explanation


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
    name = "node_overhead_liquid" if liquid_cooled else "node_overhead"
    overhead = assumptions.value(name)
    parts_w = gpus * gpu_tdp_w + cpus * cpu_tdp_w + nics_w
    return NodePowerEstimate(
        parts_w=parts_w,
        overhead=overhead,
        node_w=parts_w * overhead,
        explanation=Explanation(
            f"node = (gpus x gpu_tdp + cpus x cpu_tdp + nics) x {name}",
            {
                "gpus": gpus,
                "gpu_tdp_w": gpu_tdp_w,
                "cpus": cpus,
                "cpu_tdp_w": cpu_tdp_w,
                "nics_w": nics_w,
                name: overhead,
            },
            (name,),
        ),
    )


PueVerdict = Literal["impossible", "below", "within", "above"]


@dataclass(frozen=True, slots=True)
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
    explanation: Explanation


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
        explanation=Explanation(
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
