"""The syntax model: what the designer wrote, with a span on every node.

Nodes are frozen dataclasses; spans are excluded from equality so that two
texts that differ only in layout compare equal (the formatter relies on it).
Values keep their source spelling (`1_000`, `2.5e9`, `USD/kWh`) so the
formatter can print them back unchanged.
"""

from __future__ import annotations

from aiflang.diagnostics import Span
from aiflang.records import field, record

_NOSPAN = Span("<none>", 0, 0, 0, 0)


def _span() -> Span:
    return field(default=_NOSPAN, compare=False, repr=False)


@record
class Number:
    """A number with its optional scale word: `17.5 million`."""

    value: float  # the number times its scale word
    text: str  # as written, without the scale word
    scale: str | None = None
    span: Span = _span()


@record
class Quantity:
    """A number with an optional unit expression: `132 kW`, `85%`, `72`."""

    number: Number
    unit: str | None = None
    span: Span = _span()
    unit_span: Span = _span()


@record
class Ref:
    """A bare name used as a value: `infiniband`, `compute`, `bf16`."""

    name: str
    span: Span = _span()


@record
class Multiplicity:
    """`18 x gb200_tray` or `4 x 1 MW`."""

    count: Number
    item: Ref | Quantity
    span: Span = _span()


@record
class Tagged:
    """A name with an argument: `nvlink { domain = 72 }`, `liquid 85%`."""

    tag: Ref
    argument: Quantity | MapValue
    span: Span = _span()


@record
class StringValue:
    text: str  # unquoted
    span: Span = _span()


@record
class Ratio:
    """`3:1`."""

    left: float
    right: float
    text: str
    span: Span = _span()


@record
class Redundancy:
    """`N+1`, `2N`, `3/2` (the plain `N` is a `Ref`)."""

    text: str
    span: Span = _span()


@record
class ListItem:
    value: Value
    role: str | None = None
    span: Span = _span()
    role_span: Span = _span()


@record
class ListValue:
    items: tuple[ListItem, ...]
    span: Span = _span()


@record
class MapValue:
    entries: tuple[Attribute, ...]
    span: Span = _span()


@record
class Invalid:
    """A value the parser had to repair (`power =` with nothing after it, or over a limit).

    Its error is already reported; later passes skip it without a word, so one
    mistake is reported once.
    """

    span: Span = _span()


@record
class Uncertain:
    """`0.06..0.09 USD/kWh` (kind `range`) or `normal(40%, 5%)` (kind as written).

    A range's two ends carry the unit written after the high end.
    """

    kind: str
    arguments: tuple[Quantity, ...]
    span: Span = _span()
    kind_span: Span = _span()


Value = (
    Quantity
    | Ref
    | Multiplicity
    | Tagged
    | StringValue
    | Ratio
    | Redundancy
    | ListValue
    | MapValue
    | Invalid
    | Uncertain
)


@record
class Attribute:
    name: str
    value: Value
    span: Span = _span()
    name_span: Span = _span()


@record
class PathSegment:
    name: str
    quoted: bool = False
    span: Span = _span()


@record
class Require:
    """`require halls.A.headroom.power >= 10% "keep 10% power headroom"`."""

    path: tuple[PathSegment, ...]
    operator: str
    value: Value
    message: str | None = None
    span: Span = _span()


@record
class Import:
    path: str
    span: Span = _span()


@record
class Block:
    """`kind name extends base { entries }`; name and base are optional."""

    kind: str
    name: str | None
    entries: tuple[Entry, ...]
    quoted_name: bool = False
    extends: str | None = None
    doc: str | None = field(default=None, compare=False)
    span: Span = _span()
    kind_span: Span = _span()
    name_span: Span = _span()
    extends_span: Span = _span()
    close_span: Span = _span()


Entry = Block | Attribute | Require | Import


@record
class Comment:
    text: str  # including the leading '#'
    line: int
    column: int
    offset: int


@record
class Module:
    """One parsed file."""

    file: str
    entries: tuple[Entry, ...]
    comments: tuple[Comment, ...] = field(default=(), compare=False)
    span: Span = _span()
