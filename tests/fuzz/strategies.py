"""Hypothesis strategies for well-formed random designs, as .aif text.

A `DesignSpec` is drawn first and rendered second, so a property can change
one thing (the rack count of a hall) and compare the two compilations. The
designs are syntactically valid and use only names from the built-in
catalog (or components they define), so they pass the front end and reach
every analysis; whether they fit their power, cooling and space is left to
chance, which is the point.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

from hypothesis import strategies as st

GPUS = ["A100", "H100", "H200", "B200", "B300", "GB200", "GB300", "MI300X", "MI325X", "MI355X"]
NODES = ["DGX_H100", "DGX_H200", "HGX_H200", "DGX_B200", "DGX_B300", "MI300X_8", "MI355X_8"]
CATALOG_RACKS = ["GB200_NVL72", "GB300_NVL72", "DGX_H100_rack"]
SWITCHES = ["QM9700", "Q3400", "SN5600", "TH5_51T"]
TRANSCEIVERS = ["OSFP_800G_SR8", "OSFP_800G_DR8", "OSFP_400G_SR4", "QSFP112_400G_SR4"]
NICS = ["CX7", "CX8", "BF3"]
CPUS = ["Grace", "Xeon_8480C", "Xeon_8570", "EPYC_9654"]
PRECISIONS = ["bf16", "fp16", "fp8", "fp4", "tf32"]
REDUNDANCIES = ["N", "N+1", "N+2", "2N", "3/2"]


def examples(default: int) -> int:
    """How many examples a fuzz test runs: AIFC_FUZZ_EXAMPLES, else `default`."""
    return int(os.environ.get("AIFC_FUZZ_EXAMPLES", default))


@dataclass(frozen=True)
class HallSpec:
    name: str
    it_power_kw: int
    ups_modules: int
    ups_module_kw: int
    redundancy: str
    liquid_kw: int
    air_kw: int
    positions: int
    racks: tuple[tuple[int, str], ...]  # (count, rack type)


@dataclass(frozen=True)
class DesignSpec:
    name: str
    pue: str
    utility_mw: int
    components: tuple[str, ...]
    halls: tuple[HallSpec, ...]
    blocks: tuple[str, ...] = field(default=())  # storage, fabrics, workloads, finance

    def with_racks(self, hall: int, entry: int, count: int) -> DesignSpec:
        """The same design with another count for one rack entry of one hall."""
        target = self.halls[hall]
        racks = list(target.racks)
        racks[entry] = (count, racks[entry][1])
        halls = list(self.halls)
        halls[hall] = replace(target, racks=tuple(racks))
        return replace(self, halls=tuple(halls))

    def render(self) -> str:
        lines = [*self.components, f'factory "{self.name}" {{']
        lines += [
            "  site {",
            f"    utility     = {self.utility_mw} MW",
            f"    pue         = {self.pue}",
            "    power_price = 0.08 USD/kWh",
            "    build_cost  = 12 million USD/MW",
            "  }",
        ]
        for hall in self.halls:
            racks = ", ".join(f"{count} x {rack}" for count, rack in hall.racks)
            racks = f"[{racks}]" if len(hall.racks) > 1 else racks
            cooling = []
            if hall.liquid_kw:
                cooling.append(f"liquid = {hall.liquid_kw} kW")
            if hall.air_kw:
                cooling.append(f"air = {hall.air_kw} kW")
            lines += [
                f"  hall {hall.name} {{",
                f"    it_power   = {hall.it_power_kw} kW",
                f"    ups        = {hall.ups_modules} x {hall.ups_module_kw} kW",
                f"    redundancy = {hall.redundancy}",
                f"    cooling    = {{ {', '.join(cooling)} }}",
                f"    positions  = {hall.positions}",
                f"    racks      = {racks}",
                "  }",
            ]
        lines += [*self.blocks, "}", ""]
        return "\n".join(lines)


@st.composite
def custom_components(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A node and a rack defined in the design, from catalog parts."""
    gpu = draw(st.sampled_from(GPUS))
    gpus = draw(st.sampled_from([1, 2, 4, 8]))
    compute_nic = draw(st.sampled_from(["CX7", "CX8"]))
    nics = draw(st.integers(1, gpus))
    cpu = draw(st.sampled_from(CPUS))
    node = [
        "node fuzz_node {",
        f"  gpus = {gpus} x {gpu}",
        f"  cpus = {draw(st.integers(1, 2))} x {cpu}",
        f"  nics = [{nics} x {compute_nic} for compute, 1 x BF3 for frontend]",
    ]
    if draw(st.booleans()):
        node.append(f"  power = {draw(st.integers(1, 20))} kW")
    node.append("}")
    nodes = draw(st.integers(1, 18))
    rack = ["rack fuzz_rack {", f"  nodes = {nodes} x fuzz_node"]
    cooling = draw(st.sampled_from(["", "air", "liquid", "liquid 85%", "liquid 50%"]))
    if cooling:
        rack.append(f"  cooling = {cooling}")
    if draw(st.booleans()):
        rack.append(f"  power = {draw(st.integers(1, 150))} kW")
    rack.append("}")
    return [*node, *rack], ["fuzz_rack"]


@st.composite
def halls(draw: st.DrawFn, rack_types: list[str]) -> tuple[HallSpec, ...]:
    count = draw(st.integers(1, 3))
    found = []
    for index in range(count):
        entries = draw(
            st.lists(
                st.tuples(st.integers(1, 400), st.sampled_from(rack_types)),
                min_size=1,
                max_size=2,
                unique_by=lambda entry: entry[1],
            )
        )
        redundancy = draw(st.sampled_from(REDUNDANCIES))
        # N+k needs more than k modules, 2N an even count, 3/2 a multiple of 3.
        modules = draw(st.integers(1, 6)) * {"2N": 2, "3/2": 3}.get(redundancy, 1)
        modules += {"N+1": 1, "N+2": 2}.get(redundancy, 0)
        found.append(
            HallSpec(
                name="ABC"[index],
                it_power_kw=draw(st.integers(100, 60_000)),
                ups_modules=modules,
                ups_module_kw=draw(st.integers(250, 5_000)),
                redundancy=redundancy,
                liquid_kw=draw(st.sampled_from([0, 500, 5_000, 50_000])),
                air_kw=draw(st.sampled_from([100, 1_000, 10_000])),
                positions=draw(st.integers(1, 1_000)),
                racks=tuple(entries),
            )
        )
    return tuple(found)


@st.composite
def fabric(draw: st.DrawFn, name: str, role: str) -> list[str]:
    lines = [
        f"  fabric {name} {{",
        f"    technology = {draw(st.sampled_from(['infiniband', 'ethernet']))}",
        f"    connects   = {role}",
        f"    topology   = {draw(st.sampled_from(['fat_tree', 'rail_optimized']))}",
        f"    leaf       = {draw(st.sampled_from(SWITCHES))}",
    ]
    if draw(st.booleans()):
        lines.append(f"    spine      = {draw(st.sampled_from(SWITCHES))}")
    if draw(st.booleans()):
        lines.append(f"    core       = {draw(st.sampled_from(SWITCHES))}")
    if draw(st.booleans()):
        lines.append(f"    tiers      = {draw(st.integers(1, 3))}")
    if draw(st.booleans()):
        ratio = draw(st.sampled_from(["1:1", "2:1", "3:1", "4:1", "5:4"]))
        lines.append(f"    oversubscription = {ratio}")
    if draw(st.booleans()):
        lines.append(f"    transceiver = {draw(st.sampled_from(TRANSCEIVERS))}")
    lines.append("  }")
    return lines


@st.composite
def workloads(draw: st.DrawFn) -> list[str]:
    lines: list[str] = []
    if draw(st.booleans()):
        lines += [
            '  train "fuzz-train" {',
            f"    params    = {draw(st.integers(1, 2000))} billion",
            f"    tokens    = {draw(st.integers(1, 40))} trillion",
            f"    precision = {draw(st.sampled_from(PRECISIONS))}",
            f"    mfu       = {draw(st.integers(1, 100))}%",
        ]
        if draw(st.booleans()):
            lines.append(f"    gpus      = {draw(st.integers(1, 100_000))}")
        lines.append("  }")
    if draw(st.booleans()):
        lines += [
            '  serve "fuzz-serve" {',
            f"    params        = {draw(st.integers(1, 2000))} billion",
            f"    precision     = {draw(st.sampled_from(PRECISIONS))}",
            f"    input_tokens  = {draw(st.integers(1, 100_000))}",
            f"    output_tokens = {draw(st.integers(1, 10_000))}",
        ]
        if draw(st.booleans()):
            lines.append(f"    user_rate     = {draw(st.integers(1, 500))} tokens/s")
        lines.append("  }")
    return lines


@st.composite
def designs(draw: st.DrawFn) -> DesignSpec:
    """A random well-formed factory."""
    components: list[str] = []
    rack_types = list(CATALOG_RACKS)
    if draw(st.booleans()):
        custom, names = draw(custom_components())
        components += custom
        rack_types += names
    drawn_halls = draw(halls(rack_types))
    blocks: list[str] = []
    if draw(st.booleans()):
        blocks += [
            "  storage fast {",
            f"    capacity  = {draw(st.integers(1, 500))} PB",
            f"    bandwidth = {draw(st.integers(1, 50))} TB/s",
            f"    power     = {draw(st.integers(1, 2_000))} kW",
            f"    hall      = {draw(st.sampled_from([h.name for h in drawn_halls]))}",
            "  }",
        ]
    if draw(st.booleans()):
        blocks += draw(fabric("compute", "compute"))
    if draw(st.booleans()):
        blocks += draw(fabric("frontend", "frontend"))
    blocks += draw(workloads())
    if draw(st.booleans()):
        blocks += [
            "  finance {",
            f"    horizon          = {draw(st.integers(1, 15))} years",
            f"    software_license = {draw(st.integers(0, 10_000))} USD/GPU/year",
            f"    utilization      = {draw(st.integers(1, 100))}%",
            "  }",
        ]
    return DesignSpec(
        name=draw(st.from_regex(r"[a-z][a-z0-9-]{0,11}", fullmatch=True)),
        pue=draw(st.sampled_from(["1.05", "1.1", "1.2", "1.35", "1.6", "2"])),
        utility_mw=draw(st.integers(1, 2_000)),
        components=tuple(components),
        halls=drawn_halls,
        blocks=tuple(blocks),
    )
