"""Read syntax values as typed values, checking form, unit, dimension and range.

Used by the elaborate pass. Every reader returns None after reporting a
diagnostic, so one bad value never stops the rest of the design from being
checked. Emits: E106 unit without a value, E203 wrong dimension, E204 unknown
unit, E210 invalid value, E216 wrong type of value.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from aiflang import units
from aiflang.diagnostics import Fix, Sink, codes, did_you_mean, replacements
from aiflang.syntax import tree as ast
from aiflang.syntax.schema import Attr

MAX_COUNT = 100_000_000  # no design holds more of anything than this (docs/limits.md)
# Every other number is 0 or within [1/MAX_MAGNITUDE, MAX_MAGNITUDE], so the models'
# products and quotients stay finite (docs/limits.md).
MAX_MAGNITUDE = 1e30


@dataclass(frozen=True, slots=True)
class PartRef:
    name: str
    count: int
    role: str | None
    ref: ast.Ref


def _describe(value: ast.Value) -> str:
    if isinstance(value, ast.Quantity):
        return "a plain number" if value.unit is None else f"a quantity in {value.unit}"
    if isinstance(value, ast.Ref):
        return f"the name `{value.name}`"
    if isinstance(value, ast.Multiplicity):
        return "a multiplicity (`N x ...`)"
    if isinstance(value, ast.ListValue):
        return "a list"
    if isinstance(value, ast.MapValue):
        return "a map `{ ... }`"
    if isinstance(value, ast.StringValue):
        return "a quoted label"
    if isinstance(value, ast.Ratio):
        return f"the ratio {value.text}"
    if isinstance(value, ast.Redundancy):
        return f"the redundancy {value.text}"
    if isinstance(value, ast.Uncertain):
        return "a range or distribution"
    return "a tagged value"


def _example_units(dimension: units.Dimension) -> str:
    examples = {
        units.POWER: "W, kW, MW",
        units.ENERGY: "kWh, MWh, GJ",
        units.DATA: "GB, TB, PB",
        units.BANDWIDTH: "Gbps, TB/s",
        units.COMPUTE_RATE: "TFLOPS, PFLOPS",
        units.MONEY: "USD",
        units.MONEY_PER_ENERGY: "USD/kWh",
        units.MONEY_PER_POWER: "USD/MW",
        units.MONEY_PER_GPU_TIME: "USD/GPU/year",
        units.TIME: "h, days, years",
        units.TOKEN_RATE: "tokens/s",
        units.LENGTH: "U, m, mm",
        units.MASS: "kg, t",
        units.AREA: "m^2",
        units.MASS_PER_AREA: "kg/m^2",
    }
    return examples.get(dimension, "")


class ValueReader:
    """Typed access to attribute values, reporting what does not fit."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    def wrong_form(
        self, attribute: ast.Attribute, expected: str, value: ast.Value | None = None
    ) -> None:
        shown = value if value is not None else attribute.value
        self.sink.error(
            codes.E216,
            f"`{attribute.name}` expects {expected}, found {_describe(shown)}",
            shown.span,
        )

    def finite(
        self, number: ast.Number, attribute: ast.Attribute, *, bounded: bool = True
    ) -> float | None:
        if not math.isfinite(number.value):
            self.sink.error(
                codes.E210,
                f"`{attribute.name}` = {number.text} is not a finite number",
                number.span,
                help="write an ordinary number such as 1.5 or 2.5e9",
            )
            return None
        magnitude = abs(number.value)
        if bounded and (magnitude > MAX_MAGNITUDE or 0 < magnitude < 1 / MAX_MAGNITUDE):
            self.sink.error(
                codes.E210,
                f"`{attribute.name}` = {number.text} is out of range",
                number.span,
                help=f"numbers in a design are 0 or between {1 / MAX_MAGNITUDE:g} "
                f"and {MAX_MAGNITUDE:g}",
            )
            return None
        return number.value

    def unit(self, quantity: ast.Quantity, attribute: ast.Attribute) -> units.Unit | None:
        if quantity.unit is None:
            return None
        try:
            return units.parse_unit(quantity.unit)
        except units.UnknownUnitError as error:
            hint = did_you_mean(error.suggestions)
            self.sink.error(
                codes.E204,
                f"unknown unit `{error.name}` in `{attribute.name}`",
                quantity.unit_span,
                help=hint or "see dsl/units.toml for the units the language knows",
                fixes=_unit_fixes(quantity, error.name, error.suggestions),
            )
        except units.UnitError as error:
            self.sink.error(codes.E204, str(error), quantity.unit_span)
        return None

    def quantity_si(
        self, attribute: ast.Attribute, dimension: units.Dimension, value: ast.Value | None = None
    ) -> float | None:
        """A quantity of `dimension`, in SI; plain numbers only for dimensionless."""
        node = value if value is not None else attribute.value
        if isinstance(node, ast.Ref) and _is_unit(node.name):
            self.sink.error(
                codes.E106,
                f"`{attribute.name}` has a unit, `{node.name}`, but no value",
                node.span,
                help=f"write the number before the unit: `{attribute.name} = 10 {node.name}`",
            )
            return None
        if not isinstance(node, ast.Quantity):
            expected = units.dimension_name(dimension)
            self.wrong_form(attribute, f"a quantity of {expected}", node)
            return None
        number = self.finite(node.number, attribute)
        if number is None:
            return None
        if node.unit is None:
            if dimension.is_dimensionless:
                return number
            self.sink.error(
                codes.E203,
                f"`{attribute.name}` expects {units.dimension_name(dimension)}, "
                "found a plain number without a unit",
                node.span,
                help=f"add a unit ({_example_units(dimension)}): "
                f"`{attribute.name} = {node.number.text} {_first_unit(dimension)}`",
            )
            return None
        unit = self.unit(node, attribute)
        if unit is None:
            return None
        if unit.dimension != dimension:
            self.sink.error(
                codes.E203,
                f"`{attribute.name}` expects {units.dimension_name(dimension)}, "
                f"found {units.dimension_name(unit.dimension)} ({node.unit})",
                node.unit_span,
                help=f"use a unit of {units.dimension_name(dimension)}: "
                f"{_example_units(dimension)}",
            )
            return None
        result = unit.to_reference(number)
        if not math.isfinite(result):
            self.sink.error(codes.E210, f"`{attribute.name}` overflows", node.span)
            return None
        if result < 0:
            self.sink.error(
                codes.E210,
                f"`{attribute.name}` is negative ({node.number.text} {node.unit})",
                node.span,
                help="quantities in a design are zero or positive",
            )
            return None
        return result

    def zero(self, attribute: ast.Attribute, example: str) -> None:
        """A zero where only a positive value means something: an error, never a default."""
        node = attribute.value
        if isinstance(node, ast.Multiplicity) and isinstance(node.item, ast.Quantity):
            node = node.item  # `4 x 0 Gbps`: the size of each is zero
        found = ""
        if isinstance(node, ast.Quantity):
            found = f", found {node.number.text}" + (f" {node.unit}" if node.unit else "")
        self.sink.error(
            codes.E210,
            f"`{attribute.name}` must be greater than zero{found}",
            node.span,
            help=f"write a positive value, e.g. `{example}`" if example else None,
        )

    def count_of(self, number: ast.Number, what: str, attribute: ast.Attribute) -> int | None:
        value = self.finite(number, attribute, bounded=False)
        if value is None:
            return None
        if value <= 0 or value != int(value) or value > MAX_COUNT:
            reason = (
                "not positive"
                if value <= 0
                else "not a whole number"
                if value != int(value)
                else f"over the limit of {MAX_COUNT:,}"
            )
            self.sink.error(
                codes.E210,
                f"{what} must be a positive whole number; {number.text} is {reason}",
                number.span,
                help=f"counts run from 1 to {MAX_COUNT:,}",
            )
            return None
        return int(value)

    def count(self, attribute: ast.Attribute) -> int | None:
        node = attribute.value
        if not isinstance(node, ast.Quantity) or node.unit not in (None, "GPU", "GPUs"):
            self.wrong_form(attribute, "a whole number")
            return None
        return self.count_of(node.number, f"`{attribute.name}`", attribute)

    def number(self, attribute: ast.Attribute) -> float | None:
        node = attribute.value
        if not isinstance(node, ast.Quantity) or node.unit is not None:
            self.wrong_form(attribute, "a plain number")
            return None
        value = self.finite(node.number, attribute)
        if value is not None and value <= 0:
            self.sink.error(
                codes.E210,
                f"`{attribute.name}` must be positive, found {node.number.text}",
                node.span,
            )
            return None
        return value

    def fraction(self, attribute: ast.Attribute, value: ast.Value | None = None) -> float | None:
        """`85%` or `0.85`, within 0..100%."""
        node = value if value is not None else attribute.value
        if not isinstance(node, ast.Quantity) or node.unit not in (None, "%"):
            self.wrong_form(attribute, "a percentage such as 80%", node)
            return None
        raw = self.finite(node.number, attribute)
        if raw is None:
            return None
        fraction = raw / 100 if node.unit == "%" else raw
        if not 0 <= fraction <= 1:
            shown = f"{node.number.text}%" if node.unit == "%" else node.number.text
            self.sink.error(
                codes.E210,
                f"`{attribute.name}` = {shown} is outside 0..100%",
                node.span,
                help="write a percentage between 0% and 100% (or a fraction 0..1)",
            )
            return None
        return fraction

    def string(self, attribute: ast.Attribute) -> str | None:
        node = attribute.value
        if isinstance(node, ast.StringValue):
            return node.text
        if isinstance(node, ast.Ref):
            return node.name
        self.wrong_form(attribute, "a quoted label")
        return None

    def choice(self, attribute: ast.Attribute, attr: Attr) -> str | None:
        node = attribute.value
        if not isinstance(node, ast.Ref):
            self.wrong_form(attribute, "one of " + ", ".join(attr.choices))
            return None
        if node.name not in attr.choices:
            import difflib

            close = difflib.get_close_matches(node.name, attr.choices, n=2)
            self.sink.error(
                codes.E210,
                f"`{attribute.name}` = {node.name} is not one of {', '.join(attr.choices)}",
                node.span,
                help=did_you_mean(close),
                fixes=replacements(node.span, close),
            )
            return None
        return node.name

    def ref(self, attribute: ast.Attribute) -> str | None:
        node = attribute.value
        if isinstance(node, ast.Ref):
            return node.name
        if isinstance(node, ast.StringValue):
            return node.text
        self.wrong_form(attribute, "a name")
        return None

    def boolean(self, attribute: ast.Attribute) -> bool | None:
        node = attribute.value
        if isinstance(node, ast.Ref) and node.name in ("true", "false"):
            return node.name == "true"
        self.wrong_form(attribute, "true or false")
        return None

    def parts(self, attribute: ast.Attribute) -> list[PartRef] | None:
        """`8 x H100`, `[8 x CX7 for compute, 2 x BF3 for frontend]`, or a bare name (1 x)."""
        node = attribute.value
        items: list[tuple[ast.Value, str | None]]
        if isinstance(node, ast.ListValue):
            items = [(item.value, item.role) for item in node.items]
        else:
            items = [(node, None)]
        result: list[PartRef] = []
        for value, role in items:
            if isinstance(value, ast.Ref):
                result.append(PartRef(value.name, 1, role, value))
                continue
            if not isinstance(value, ast.Multiplicity) or not isinstance(value.item, ast.Ref):
                self.wrong_form(attribute, "`N x name` or a list of them", value)
                return None
            count = self.count_of(value.count, f"the count of {value.item.name}", attribute)
            if count is None:
                return None
            result.append(PartRef(value.item.name, count, role, value.item))
        return result

    def modules(
        self, attribute: ast.Attribute, dimension: units.Dimension
    ) -> tuple[int, float] | None:
        """`4 x 1 MW` (count and size) or a single quantity (one module)."""
        node = attribute.value
        if isinstance(node, ast.Multiplicity) and isinstance(node.item, ast.Quantity):
            count = self.count_of(node.count, f"the number of `{attribute.name}`", attribute)
            size = self.quantity_si(attribute, dimension, node.item)
            if count is None or size is None:
                return None
            return count, size
        if isinstance(node, ast.Quantity):
            size = self.quantity_si(attribute, dimension)
            return None if size is None else (1, size)
        self.wrong_form(attribute, f"`N x {_first_unit(dimension)}` modules")
        return None

    def ratio(self, attribute: ast.Attribute) -> float | None:
        node = attribute.value
        if isinstance(node, ast.Ratio):
            if node.right <= 0 or node.left <= 0:
                self.sink.error(
                    codes.E210, f"ratio {node.text} must have positive terms", node.span
                )
                return None
            if not max(node.left, node.right) <= MAX_MAGNITUDE:  # also catches inf and nan
                self.sink.error(
                    codes.E210,
                    f"ratio {node.text} is out of range",
                    node.span,
                    help=f"ratio terms run up to {MAX_MAGNITUDE:g}",
                )
                return None
            if node.left < node.right:
                self.sink.error(
                    codes.E210,
                    f"oversubscription {node.text} is below 1:1",
                    node.span,
                    help="write downlinks:uplinks, e.g. 1:1 (non-blocking) or 3:1",
                )
                return None
            return node.left / node.right
        if isinstance(node, ast.Quantity) and node.unit is None:
            value = self.finite(node.number, attribute)
            if value is not None and value >= 1:
                return value
        self.wrong_form(attribute, "a ratio such as 1:1 or 3:1")
        return None

    def redundancy(self, attribute: ast.Attribute) -> str | None:
        node = attribute.value
        if isinstance(node, ast.Redundancy):
            text = node.text
            # Checked on the digits: int() refuses strings of thousands of digits.
            if any(len(run) > 9 or int(run) > MAX_COUNT for run in re.findall(r"\d+", text)):
                self.sink.error(
                    codes.E210,
                    f"redundancy {text if len(text) <= 40 else text[:37] + '...'} is out of range",
                    node.span,
                    help=f"module counts run from 1 to {MAX_COUNT:,}",
                )
                return None
            if "/" in text:
                carried, installed = (int(x) for x in text.split("/"))
                if not 0 < installed < carried:
                    self.sink.error(
                        codes.E210,
                        f"distributed redundancy {text} must be m/n with m > n > 0",
                        node.span,
                        help="3/2 means three modules carry the load of two",
                    )
                    return None
            return text
        if isinstance(node, ast.Ref) and node.name == "N":
            return "N"
        self.wrong_form(attribute, "a redundancy: N, N+1, 2N or 3/2")
        return None


def _first_unit(dimension: units.Dimension) -> str:
    return _example_units(dimension).split(",")[0] or "unit"


def _is_unit(name: str) -> bool:
    try:
        units.parse_unit(name)
    except units.UnitError:
        return False
    return True


def _unit_fixes(quantity: ast.Quantity, unknown: str, suggestions: list[str]) -> tuple[Fix, ...]:
    """The unit expression with its one unknown name replaced by each suggestion."""
    text = quantity.unit or ""
    pieces = re.split(r"([A-Za-z_$][A-Za-z0-9_$]*)", text)
    if pieces.count(unknown) != 1:
        return ()
    at = pieces.index(unknown)
    fixed = ["".join([*pieces[:at], s, *pieces[at + 1 :]]) for s in suggestions]
    return replacements(quantity.unit_span, fixed)
