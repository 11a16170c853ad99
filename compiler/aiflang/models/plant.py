"""Plant model: what named facility plant adds to a hall's power, heat and floor.

Pure functions over SI floats. Its constants (in the one table of
`aiflang.models.defaults`):

- `storage_rack_units`: rack space one storage rack gives its appliances.
- `battery_runtime_min_s`: the ride-through a UPS battery plant should give
  at the hall's IT load.

The overhead of named plant (UPS conversion losses, chiller compressors,
dry-cooler fans, CDU pumps) over the IT load is the part of PUE the plant
accounts for; `plant_pue` adds it up. docs/models.md states the rules.
"""

from __future__ import annotations

import math

from aiflang.models.assumptions import Assumptions
from aiflang.models.derivation import Derivation
from aiflang.records import record


def storage_positions(total_height_m: float, assumptions: Assumptions) -> int:
    """Rack positions for appliances of `total_height_m` stacked in storage racks."""
    per_rack = assumptions.value("storage_rack_units")
    if total_height_m <= 0:
        return 0
    return math.ceil(total_height_m / per_rack - 1e-9)


def ups_losses_w(load_w: float, efficiency: float) -> float:
    """Conversion losses of a UPS delivering `load_w` at `efficiency`: load x (1/eff - 1)."""
    if not 0.0 < efficiency <= 1.0:
        raise ValueError(f"UPS efficiency {efficiency} is outside (0, 1]")
    return load_w * (1.0 / efficiency - 1.0)


def chiller_power_w(heat_w: float, cop: float) -> float:
    """Electrical input of chillers removing `heat_w` at coefficient of performance `cop`."""
    if cop <= 0:
        raise ValueError(f"COP {cop} must be positive")
    return heat_w / cop


def runtime_s(energy_j: float, load_w: float) -> float:
    """How long `energy_j` of battery carries `load_w` (infinite for no load)."""
    return math.inf if load_w <= 0 else energy_j / load_w


@record
class PlantOverhead:
    """Power named plant draws on top of the IT load, by item, and the PUE it implies."""

    it_w: float
    ups_losses_w: float
    cooling_w: float  # chillers, dry-cooler fans, CDU pumps
    pue: float
    derivation: Derivation


def plant_pue(it_w: float, ups_losses: float, cooling_w: float) -> PlantOverhead:
    """(IT + UPS losses + cooling plant input) / IT: the PUE the named plant alone implies."""
    pue = 1.0 if it_w <= 0 else (it_w + ups_losses + cooling_w) / it_w
    return PlantOverhead(
        it_w=it_w,
        ups_losses_w=ups_losses,
        cooling_w=cooling_w,
        pue=pue,
        derivation=Derivation(
            "plant PUE = (IT + UPS losses + cooling plant input) / IT",
            {"it_w": it_w, "ups_losses_w": ups_losses, "cooling_w": cooling_w},
        ),
    )
