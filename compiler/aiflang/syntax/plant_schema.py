"""Block kinds of facility plant and storage building blocks.

UPS modules, CDUs, chillers, dry coolers, generators, batteries, busway,
rack power shelves and storage appliances: catalog parts a hall, a rack or
a storage system names by model (`ups = 6 x Galaxy_VXL_1250`). What the
checks do with their ratings is documented in docs/models.md.
"""

from __future__ import annotations

from aiflang import units
from aiflang.syntax.attrs import (
    FOOTPRINT,
    HEIGHT,
    POWER,
    PROVENANCE,
    WEIGHT,
    Attr,
    BlockSpec,
    Form,
    attrs,
)


def _rating(doc: str, example: str, name: str = "rating") -> Attr:
    return Attr(
        name, Form.QUANTITY, doc, units.POWER, required=True, example=example, positive=True
    )


PLANT_BLOCKS: tuple[BlockSpec, ...] = (
    BlockSpec(
        "ups",
        "a UPS module or frame",
        attrs(
            _rating("output rating of one module (kW at unity power factor)", "rating = 1250 kW"),
            Attr("efficiency", Form.FRACTION, "double-conversion efficiency at its rated load"),
            Attr("eco_efficiency", Form.FRACTION, "efficiency in its high-efficiency mode"),
            FOOTPRINT,
            WEIGHT,
            *PROVENANCE,
        ),
        component=True,
    ),
    BlockSpec(
        "cdu",
        "a coolant distribution unit",
        attrs(
            _rating("heat it moves from the technology loop", "capacity = 2300 kW", "capacity"),
            Attr("pump_power", Form.QUANTITY, "electrical input of its pumps", units.POWER),
            Attr(
                "placement",
                Form.CHOICE,
                "where it stands: in_rack, in_row (takes rack positions) or facility",
                choices=("in_rack", "in_row", "facility"),
            ),
            Attr("positions", Form.COUNT, "rack positions it takes in the hall (in-row units)"),
            FOOTPRINT,
            WEIGHT,
            *PROVENANCE,
        ),
        component=True,
    ),
    BlockSpec(
        "chiller",
        "a chiller",
        attrs(
            _rating("cooling capacity at rated conditions", "capacity = 1.6 MW", "capacity"),
            Attr(
                "cop",
                Form.NUMBER,
                "coefficient of performance: heat removed per unit of electrical input",
            ),
            Attr(
                "condenser",
                Form.CHOICE,
                "how it rejects heat: air or water",
                choices=("air", "water"),
            ),
            FOOTPRINT,
            WEIGHT,
            *PROVENANCE,
        ),
        component=True,
    ),
    BlockSpec(
        "dry_cooler",
        "a dry cooler (fluid cooler without compressors)",
        attrs(
            _rating("heat rejected at design conditions", "capacity = 1 MW", "capacity"),
            Attr("fan_power", Form.QUANTITY, "electrical input of its fans", units.POWER),
            Attr("adiabatic", Form.BOOL, "has adiabatic (evaporative) pre-cooling"),
            FOOTPRINT,
            WEIGHT,
            *PROVENANCE,
        ),
        component=True,
    ),
    BlockSpec(
        "generator",
        "a standby generator set",
        attrs(
            _rating("electrical output in its rating class", "rating = 2500 kW"),
            Attr(
                "rating_class",
                Form.CHOICE,
                "standby, prime, continuous or data_center_continuous (ISO 8528-1)",
                choices=("standby", "prime", "continuous", "data_center_continuous"),
            ),
            FOOTPRINT,
            WEIGHT,
            *PROVENANCE,
        ),
        component=True,
    ),
    BlockSpec(
        "battery",
        "a battery cabinet or energy storage unit",
        attrs(
            Attr(
                "energy",
                Form.QUANTITY,
                "usable energy",
                units.ENERGY,
                required=True,
                example="energy = 3.9 MWh",
            ),
            Attr("power", Form.QUANTITY, "largest discharge power", units.POWER),
            Attr("chemistry", Form.STRING, "cell chemistry"),
            FOOTPRINT,
            WEIGHT,
            *PROVENANCE,
        ),
        component=True,
    ),
    BlockSpec(
        "busway",
        "a busway run (overhead power distribution)",
        attrs(
            _rating("rating at its voltage, unity power factor", "rating = 575 kW"),
            *PROVENANCE,
        ),
        component=True,
    ),
    BlockSpec(
        "power_shelf",
        "a rack power shelf (AC to DC bus bar)",
        attrs(
            _rating("DC output with every supply installed", "output = 33 kW", "output"),
            Attr("efficiency", Form.FRACTION, "conversion efficiency, AC in to DC out"),
            HEIGHT,
            WEIGHT,
            *PROVENANCE,
        ),
        component=True,
    ),
    BlockSpec(
        "appliance",
        "a storage building block (an all-flash appliance, enclosure or node)",
        attrs(
            Attr(
                "capacity",
                Form.QUANTITY,
                "usable capacity",
                units.DATA,
                required=True,
                example="capacity = 1.1 PB",
            ),
            Attr("raw_capacity", Form.QUANTITY, "raw flash capacity", units.DATA),
            Attr("bandwidth", Form.QUANTITY, "read bandwidth", units.BANDWIDTH),
            Attr("write_bandwidth", Form.QUANTITY, "write bandwidth", units.BANDWIDTH),
            POWER,
            HEIGHT,
            WEIGHT,
            *PROVENANCE,
        ),
        component=True,
    ),
)
