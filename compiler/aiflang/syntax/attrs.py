"""The vocabulary of the language schema: value forms, attributes, block specs.

`aiflang.syntax.schema` assembles the block kinds from these; the attributes
every catalog part shares (where its figures come from, their date, whether
they are published) are defined here once.
"""

from __future__ import annotations

import enum

from aiflang import units
from aiflang.records import record
from aiflang.units import Dimension


class Form(enum.Enum):
    """The shape a value must have."""

    QUANTITY = "quantity"  # number with a unit of `dimension`
    COUNT = "count"  # a positive whole number
    NUMBER = "number"  # a plain number (pue)
    FRACTION = "fraction"  # 85% or 0.85
    STRING = "string"  # "text"
    CHOICE = "choice"  # one of `choices`
    REF = "ref"  # the name of a definition of `ref_kind`
    PARTS = "parts"  # `N x name` or a list of them, optionally `for role`
    MODULES = "modules"  # `N x quantity` or a quantity (one module)
    BREAKOUTS = "breakouts"  # `N x quantity` or a list of them: `[2 x 400 Gbps, 4 x 200 Gbps]`
    PLANT = "plant"  # `N x quantity` or `N x name` of a plant item (`6 x Galaxy_VXL_1250`)
    RATIO = "ratio"  # 3:1 (or a number: 3 means 3:1)
    REDUNDANCY = "redundancy"  # N, N+1, 2N, 3/2
    MEDIA = "media"  # { liquid = 2.6 MW, air = 0.6 MW }
    COOLING = "cooling"  # air | liquid | liquid 85%
    SCALE_UP = "scale_up"  # nvlink { domain = 72 } | nvlink
    SWITCH_COUNTS = "switch_counts"  # { leaf = 32, spine = 16 }
    BOOL = "bool"  # true | false
    PRECISION_FRACTIONS = "precision_fractions"  # { fp8 = 65%, fp4 = 50% }
    PARALLELISM = "parallelism"  # { tp = 8, ep = 8, pp = 2 }


@record
class Attr:
    name: str
    form: Form
    doc: str
    dimension: Dimension | None = None
    ref_kind: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    required: bool = False
    example: str = ""
    positive: bool = False  # zero is not a value of it (a rate or period the models divide by)


@record
class BlockSpec:
    kind: str
    doc: str
    attrs: dict[str, Attr]
    children: tuple[str, ...] = ()
    named: bool = True  # must carry a name or label
    component: bool = False  # a reusable definition that may stand at the top of a file


def attrs(*items: Attr) -> dict[str, Attr]:
    """Attributes keyed by name, in the order given (the documentation's order)."""
    return {a.name: a for a in items}


# How sure a figure is: the vendor's own document, a relay of it (press,
# analysts, resellers), an announced product that is not shipping, or our
# own estimate with its reasoning in the entry.
STATUSES = ("published", "secondary", "preliminary", "estimate")

SOURCE = Attr("source", Form.STRING, "where the figures come from")
URL = Attr("url", Form.STRING, "address of the main source")
DATE = Attr("date", Form.STRING, "when the figures were published, e.g. 2025-06")
STATUS = Attr(
    "status",
    Form.CHOICE,
    "how sure the figures are: published, secondary, preliminary or estimate",
    choices=STATUSES,
)
PRICE = Attr("price", Form.QUANTITY, "indicative unit price", units.MONEY)
PRICE_SOURCE = Attr("price_source", Form.STRING, "where the price comes from")
POWER = Attr("power", Form.QUANTITY, "power draw (maximum)", units.POWER)
HEIGHT = Attr("height", Form.QUANTITY, "height (e.g. 2 U)", units.LENGTH)
WEIGHT = Attr("weight", Form.QUANTITY, "weight", units.MASS)
FOOTPRINT = Attr("footprint", Form.QUANTITY, "floor area", units.AREA)
VENDOR = Attr("vendor", Form.STRING, "manufacturer")

# Every catalog part carries these: price, then where its figures come from.
PROVENANCE = (PRICE, PRICE_SOURCE, VENDOR, STATUS, DATE, URL, SOURCE)
