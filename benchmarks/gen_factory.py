"""Generate GB200 NVL72 factories of a given GPU count as .aif text.

Each factory spreads its racks over ten halls, with a rail-optimized
InfiniBand compute fabric (Q3400 at 2 x 400 Gb/s per port, or QM9700) and a
3:1 Ethernet frontend fabric on SN5600. Hall capacities (IT power, cooling,
UPS modules, positions) are sized from the racks plus the network the
compiler derives, with a margin, so the designs validate clean.

    python benchmarks/gen_factory.py 100000 -o /tmp/gb200-100k.aif
    python benchmarks/gen_factory.py --all /tmp/factories
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "compiler"))

SIZES = {"1k": 1_000, "10k": 10_000, "100k": 100_000, "500k": 500_000, "1m": 1_000_000}
HALLS = 10
GPUS_PER_RACK = 72
RACK_W = 132_000.0
LIQUID_SHARE = 0.85
MARGIN = 1.15  # capacity over the computed load
UPS_MODULE_W = 3_000_000.0
UPS_DERATING = 0.8  # continuous-load derating of the UPS plant, declared in each hall
PUE = 1.2


def hall_names(count: int = HALLS) -> list[str]:
    return [chr(ord("A") + i) for i in range(count)]


def rack_split(gpus: int, halls: int = HALLS) -> list[int]:
    """Racks per hall: enough NVL72 racks for `gpus`, spread as evenly as possible."""
    racks = max(1, math.ceil(gpus / GPUS_PER_RACK))
    base, extra = divmod(racks, halls)
    return [base + (1 if i < extra else 0) for i in range(halls)]


def _mw(watts: float) -> str:
    return f"{math.ceil(watts / 1e4) / 100:g} MW"


def render(
    gpus: int,
    switch: str = "Q3400",
    network_w: dict[str, float] | None = None,
    network_racks: dict[str, int] | None = None,
) -> str:
    """The .aif text of a factory of about `gpus` GPUs (whole racks)."""
    network_w = network_w or {}
    network_racks = network_racks or {}
    names = hall_names()
    split = rack_split(gpus)
    lines = [
        f"# GB200 NVL72 factory of {sum(split) * GPUS_PER_RACK:,} GPUs in {HALLS} halls,",
        f"# rail-optimized {switch} compute fabric and an SN5600 frontend (generated).",
        f'factory "gb200-{gpus}" {{',
    ]
    total_it = 0.0
    halls: list[str] = []
    for name, racks in zip(names, split, strict=True):
        if racks == 0:
            continue
        rack_w = racks * RACK_W
        net_w = network_w.get(name, 0.0)
        it_w = (rack_w + net_w) * MARGIN
        total_it += it_w
        # Cooling and positions sized so that power is what binds: the margin left for
        # more racks is matched by liquid, air and floor space, so nothing is stranded.
        liquid = it_w * LIQUID_SHARE
        air = it_w * (1 - LIQUID_SHARE) + net_w
        more_racks = math.ceil((it_w - rack_w - net_w) / RACK_W)
        positions = racks + network_racks.get(name, 0) + more_racks + 1
        # N+1 modules whose continuous rating (derated) covers the IT capacity.
        active = max(4, math.ceil(it_w / (UPS_MODULE_W * UPS_DERATING)))
        module_w = it_w / (UPS_DERATING * active)
        halls += [
            f"  hall {name} {{",
            f"    it_power   = {_mw(it_w)}",
            f"    ups        = {active + 1} x {math.ceil(module_w / 1e3)} kW",
            "    redundancy = N+1",
            f"    derating   = {UPS_DERATING:.0%}",
            f"    cooling    = {{ liquid = {_mw(liquid)}, air = {_mw(air)} }}",
            f"    positions  = {positions}",
            f"    racks      = {racks} x GB200_NVL72",
            "  }",
            "",
        ]
    lines += [
        "  site {",
        f"    utility     = {_mw(total_it * PUE * 1.05)}",
        f"    pue         = {PUE}",
        "    power_price = 0.08 USD/kWh",
        "    build_cost  = 17.5 million USD/MW",
        "  }",
        "",
        *halls,
        "  fabric compute {",
        "    technology       = infiniband",
        "    connects         = compute",
        "    topology         = rail_optimized",
        "    oversubscription = 1:1",
        f"    leaf             = {switch}",
        f"    spine            = {switch}",
        f"    core             = {switch}",
        "  }",
        "",
        "  fabric frontend {",
        "    technology       = ethernet",
        "    connects         = frontend",
        "    topology         = fat_tree",
        "    oversubscription = 3:1",
        "    leaf             = SN5600",
        "    spine            = SN5600",
        "    core             = SN5600",
        "  }",
        "",
        '  train "llama3-405b" {',
        "    params    = 405 billion",
        "    tokens    = 15.6 trillion",
        "    precision = bf16",
        "    mfu       = 40%",
        "  }",
        "",
        '  serve "llama3-70b" {',
        "    params        = 70 billion",
        "    precision     = fp8",
        "    input_tokens  = 2048",
        "    output_tokens = 256",
        "    user_rate     = 30 tokens/s",
        "  }",
        "",
        "  finance {",
        "    horizon          = 5 years",
        "    software_license = 4500 USD/GPU/year",
        "    utilization      = 80%",
        "  }",
        "}",
    ]
    return "\n".join(lines) + "\n"


def generate(gpus: int, switch: str = "Q3400") -> str:
    """Render, size the network with the compiler, and render again with its load."""
    from aiflang.driver import compile_file

    draft = render(gpus, switch)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "draft.aif"
        path.write_text(draft, encoding="utf-8")
        compilation = compile_file(path)
    if not compilation.facts:
        return draft
    facts = compilation.facts[0]
    return render(gpus, switch, facts.network_power_by_hall_w, facts.network_racks_by_hall)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gpus", nargs="?", type=int, help="GPU count (rounded up to racks)")
    parser.add_argument("-o", "--output", help="write here (default: stdout)")
    parser.add_argument("--switch", default="Q3400", choices=["Q3400", "QM9700"])
    parser.add_argument("--all", metavar="FOLDER", help="write every benchmark size here")
    args = parser.parse_args(argv)
    if args.all:
        folder = Path(args.all)
        folder.mkdir(parents=True, exist_ok=True)
        for label, gpus in SIZES.items():
            (folder / f"gb200-{label}.aif").write_text(generate(gpus, args.switch), "utf-8")
        return 0
    if args.gpus is None or args.gpus < 1:
        parser.error("give a positive GPU count or --all FOLDER")
    text = generate(args.gpus, args.switch)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
