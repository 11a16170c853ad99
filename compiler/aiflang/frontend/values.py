"""Read syntax values as typed values, checking form, unit, dimension and range.

Used by the elaborate pass. Every reader returns None after reporting a
diagnostic, so one bad value never stops the rest of the design from being
checked. Emits: E106 unit without a value, E203 wrong dimension, E204 unknown
unit, E210 invalid value, E216 wrong type of value.
"""

from __future__ import annotations

import math
import re

from aiflang import units
from aiflang.diagnostics import Fix, Sink, codes, did_you_mean, replacements
from aiflang.frontend.hints import (
    REDUNDANCY_FORMS,
    add_a_unit,
    choice_help,
    choice_matches,
    dimension_words,
    plain_name,
    redundancy_guess,
    scale_word,
    units_for,
)
from aiflang.records import record
from aiflang.syntax import tree as ast
from aiflang.syntax.build import shorten
from aiflang.syntax.schema import Attr

MAX_COUNT = 100_000_000  # no design holds more of anything than this (docs/limits.md)
# Every other number is 0 or within [1/MAX_MAGNITUDE, MAX_MAGNITUDE], so the models'
# products and quotients stay finite (docs/limits.md).
MAX_MAGNITUDE = 1e30


@record
class PartRef:
    name: str
    count: int
    role: str | None
    ref: ast.Ref


def _describe(value: ast.Value) -> str:
    if isinstance(value, ast.Quantity):
        return "a plain number" if value.unit is None else f"a quantity in {shorten(value.unit)}"
    if isinstance(value, ast.Ref):
        return f"the name `{shorten(value.name)}`"
    if isinstance(value, ast.Multiplicity):
        return f"a count of things, `{shorten(written(value))}`"
    if isinstance(value, ast.ListValue):
        return "a list"
    if isinstance(value, ast.MapValue):
        return "a map `{ ... }`"
    if isinstance(value, ast.StringValue):
        return "a quoted label"
    if isinstance(value, ast.Ratio):
        return f"the ratio {shorten(value.text)}"
    if isinstance(value, ast.Redundancy):
        return f"the redundancy {shorten(value.text)}"
    if isinstance(value, ast.Uncertain):
        return "a range or distribution"
    return f"`{shorten(written(value))}`"


def written(value: ast.Value) -> str:
    """A short value as the designer wrote it (`liquid 85%`, `16 x nvl72`), for messages."""
    if isinstance(value, ast.Ref):
        return value.name
    if isinstance(value, ast.Quantity):
        number = value.number.text + (f" {value.number.scale}" if value.number.scale else "")
        if value.unit is None:
            return number
        adjacent = value.unit == "%" or value.unit_span.offset == value.number.span.end_offset
        return f"{number}{value.unit}" if adjacent else f"{number} {value.unit}"
    if isinstance(value, ast.Tagged):
        argument = (
            written(value.argument) if isinstance(value.argument, ast.Quantity) else "{ ... }"
        )
        joined = "" if argument.startswith(("+", "-")) else " "
        return f"{value.tag.name}{joined}{argument}"
    if isinstance(value, ast.Multiplicity):
        return f"{value.count.text} x {written(value.item)}"
    if isinstance(value, ast.StringValue):
        return f'"{value.text}"'
    if isinstance(value, ast.Ratio | ast.Redundancy):
        return value.text
    if isinstance(value, ast.ListValue):
        return "[ ... ]"
    return "{ ... }"


class ValueReader:
    """Typed access to attribute values, reporting what does not fit."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    def wrong_form(
        self,
        attribute: ast.Attribute,
        expected: str,
        value: ast.Value | None = None,
        *,
        example: str,
        message: str | None = None,
    ) -> None:
        """E216: the value has the wrong shape; the help shows the right one (`example`)."""
        shown = value if value is not None else attribute.value
        if isinstance(shown, ast.Invalid):
            return  # the parser reported it; every reader ends here and returns None
        self.sink.error(
            codes.E216,
            message or f"`{attribute.name}` expects {expected}, found {_describe(shown)}",
            shown.span,
            help=f"write `{example}`",
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
            if error.name in ("user", "users") and attribute.name == "user_rate":
                rate = quantity.unit.rsplit("/", 1)[0]
                self.sink.error(
                    codes.E204,
                    f"`user_rate` is already per user: `/{error.name}` is not a unit",
                    quantity.unit_span,
                    help=f"write `user_rate = {quantity.number.text} {rate}`: the rate one "
                    "user sees",
                )
                return None
            hint = did_you_mean(error.suggestions)
            self.sink.error(
                codes.E204,
                f"unknown unit `{shorten(error.name)}` in `{attribute.name}`",
                quantity.unit_span,
                help=hint or "see dsl/units.toml for the units the language knows",
                fixes=_unit_fixes(quantity, error.name, error.suggestions),
            )
        except units.UnitError as error:
            self.sink.error(codes.E204, str(error), quantity.unit_span)
        return None

    def quantity_si(
        self,
        attribute: ast.Attribute,
        dimension: units.Dimension,
        value: ast.Value | None = None,
        *,
        kind: str | None = None,
    ) -> float | None:
        """A quantity of `dimension`, in SI; plain numbers only for dimensionless.

        `kind` is the block the attribute belongs to: it orders the units a
        help line offers (MW for a hall, kW for a rack, W for a GPU).
        """
        node = value if value is not None else attribute.value
        choices = units_for(kind, attribute.name, dimension)
        if isinstance(node, ast.Ref) and is_unit(node.name):
            self.sink.error(
                codes.E106,
                f"`{attribute.name}` has a unit, `{node.name}`, but no value",
                node.span,
                help=f"write the number before the unit: `{attribute.name} = 10 {node.name}`",
            )
            return None
        if not isinstance(node, ast.Quantity):
            example = f"{attribute.name} = 10" + (f" {choices[0]}" if choices else "")
            expected = f"a quantity of {dimension_words(dimension)}"
            self.wrong_form(attribute, expected, node, example=example)
            return None
        number = self.finite(node.number, attribute)
        if number is None:
            return None
        if node.unit is None:
            if dimension.is_dimensionless:
                return number
            self.sink.error(
                codes.E203,
                f"`{attribute.name}` expects {dimension_words(dimension)}, "
                "found a plain number without a unit",
                node.span,
                help=add_a_unit(kind, attribute.name, node.number.text, dimension),
            )
            return None
        if dimension.is_dimensionless and self._scale_slip(attribute, node):
            return None
        unit = self.unit(node, attribute)
        if unit is None:
            return None
        if unit.dimension != dimension:
            fits = ", ".join(choices) if choices else "a unit of that dimension"
            self.sink.error(
                codes.E203,
                f"`{attribute.name}` expects {dimension_words(dimension)}, "
                f"found {dimension_words(unit.dimension)} ({shorten(node.unit)})",
                node.unit_span,
                help=f"use a unit of {dimension_words(dimension)}: {fits}",
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
            unit = "" if not node.unit else node.unit if node.unit == "%" else f" {node.unit}"
            found = f", found {node.number.text}{unit}"
        self.sink.error(
            codes.E210,
            f"`{attribute.name}` must be greater than zero{found}",
            node.span,
            help=f"write a positive value, e.g. `{example}`" if example else None,
        )

    def _scale_slip(self, attribute: ast.Attribute, node: ast.Quantity) -> bool:
        """`params = 70B`: a scale letter where a plain number belongs. Reports it if so."""
        word = scale_word(node.unit or "")
        if word is None:
            return False
        self.sink.error(
            codes.E216,
            f"`{attribute.name}` = {node.number.text}{node.unit}: `{node.unit}` reads as a unit "
            "here, not a scale",
            node.span,
            help=f"write `{attribute.name} = {node.number.text} {word}`",
        )
        return True

    def _not_parts(self, attribute: ast.Attribute, value: ast.Value) -> None:
        """E216 for a value that should be `N x name`, with the likely fix."""
        if (
            isinstance(value, ast.Quantity)
            and value.unit is not None
            and plain_name(value.unit)
            and not is_unit(value.unit)
        ):
            count, name = value.number.text, shorten(value.unit)
            self.wrong_form(
                attribute,
                "",
                value,
                example=f"{attribute.name} = {count} x {value.unit}",
                message=f"`{attribute.name}` = {count} {name}: a count of things is written "
                f"`{count} x {name}`",
            )
            return
        name = value.name if isinstance(value, ast.Ref) else "name"
        self.wrong_form(
            attribute,
            "`N x name` or a list of them",
            value,
            example=f"{attribute.name} = 2 x {name}",
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
            if isinstance(node, ast.Quantity) and self._scale_slip(attribute, node):
                return None
            shown = node.number.text if isinstance(node, ast.Quantity) else "12"
            self.wrong_form(attribute, "a whole number", example=f"{attribute.name} = {shown}")
            return None
        return self.count_of(node.number, f"`{attribute.name}`", attribute)

    def number(self, attribute: ast.Attribute) -> float | None:
        node = attribute.value
        if not isinstance(node, ast.Quantity) or node.unit is not None:
            if isinstance(node, ast.Quantity) and self._scale_slip(attribute, node):
                return None
            self.wrong_form(attribute, "a plain number", example=f"{attribute.name} = 1.2")
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
            self.wrong_form(
                attribute, "a percentage such as 80%", node, example=f"{attribute.name} = 80%"
            )
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
        self.wrong_form(attribute, "a quoted label", example=f'{attribute.name} = "text"')
        return None

    def choice(self, attribute: ast.Attribute, attr: Attr) -> str | None:
        node = attribute.value
        if not isinstance(node, ast.Ref):
            self.wrong_form(
                attribute,
                "one of " + ", ".join(attr.choices),
                example=f"{attribute.name} = {attr.choices[0]}",
            )
            return None
        if node.name not in attr.choices:
            self.sink.error(
                codes.E210,
                f"`{attribute.name}` = {shorten(node.name)} is not a {attribute.name} aifc knows",
                node.span,
                help=choice_help(node.name, attr.choices),
                fixes=replacements(node.span, choice_matches(node.name, attr.choices)),
            )
            return None
        return node.name

    def ref(self, attribute: ast.Attribute) -> str | None:
        node = attribute.value
        if isinstance(node, ast.Ref):
            return node.name
        if isinstance(node, ast.StringValue):
            return node.text
        self.wrong_form(attribute, "a name", example=f"{attribute.name} = A")
        return None

    def boolean(self, attribute: ast.Attribute) -> bool | None:
        node = attribute.value
        if isinstance(node, ast.Ref) and node.name in ("true", "false"):
            return node.name == "true"
        self.wrong_form(attribute, "true or false", example=f"{attribute.name} = true")
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
                self._not_parts(attribute, value)
                return None
            count = self.count_of(value.count, f"the count of {value.item.name}", attribute)
            if count is None:
                return None
            result.append(PartRef(value.item.name, count, role, value.item))
        return result

    def modules(
        self, attribute: ast.Attribute, dimension: units.Dimension, *, kind: str | None = None
    ) -> tuple[int, float] | None:
        """`4 x 1 MW` (count and size) or a single quantity (one module)."""
        node = attribute.value
        if isinstance(node, ast.Multiplicity) and isinstance(node.item, ast.Quantity):
            count = self.count_of(node.count, f"the number of `{attribute.name}`", attribute)
            size = self.quantity_si(attribute, dimension, node.item, kind=kind)
            if count is None or size is None:
                return None
            return count, size
        if isinstance(node, ast.Quantity):
            size = self.quantity_si(attribute, dimension, kind=kind)
            return None if size is None else (1, size)
        unit = (units_for(kind, attribute.name, dimension) or ["MW"])[0]
        self.wrong_form(
            attribute, f"`N x 1 {unit}` modules", example=f"{attribute.name} = 4 x 1 {unit}"
        )
        return None

    def plant(
        self, attribute: ast.Attribute, dimension: units.Dimension
    ) -> tuple[int, float | None, str | None] | None:
        """`4 x 1 MW` or `6 x Galaxy_VXL_1250`: the count, and the size or the part's name.

        A bare quantity or name is one unit. The size of a named part is read
        from its definition by the caller.
        """
        node = attribute.value
        count = 1
        item: ast.Value = node
        if isinstance(node, ast.Multiplicity):
            counted = self.count_of(node.count, f"the number of `{attribute.name}`", attribute)
            if counted is None:
                return None
            count, item = counted, node.item
        if isinstance(item, ast.Ref) and not is_unit(item.name):
            return count, None, item.name
        if isinstance(item, ast.Quantity | ast.Ref):
            size = self.quantity_si(attribute, dimension, item, kind="hall")
            return None if size is None else (count, size, None)
        unit = (units_for("hall", attribute.name, dimension) or ["MW"])[0]
        self.wrong_form(
            attribute,
            f"`N x 1 {unit}` or `N x name` of a part",
            example=f"{attribute.name} = 4 x 1 {unit}",
        )
        return None

    def breakouts(self, attribute: ast.Attribute) -> list[tuple[int, float]] | None:
        """`2 x 400 Gbps` or a list of splits: `[2 x 400 Gbps, 4 x 200 Gbps]`."""
        node = attribute.value
        values = [item.value for item in node.items] if isinstance(node, ast.ListValue) else [node]
        result: list[tuple[int, float]] = []
        for value in values:
            if not isinstance(value, ast.Multiplicity) or not isinstance(value.item, ast.Quantity):
                self.wrong_form(
                    attribute,
                    "`N x quantity` or a list of them",
                    value,
                    example=f"{attribute.name} = [2 x 400 Gbps, 4 x 200 Gbps]",
                )
                return None
            ways = self.count_of(value.count, "a breakout's port count", attribute)
            lane = self.quantity_si(attribute, units.BANDWIDTH, value.item)
            if ways is None or lane is None:
                return None
            result.append((ways, lane))
        if not result:
            self.wrong_form(
                attribute,
                "at least one split",
                example=f"{attribute.name} = 2 x 400 Gbps",
            )
            return None
        return result

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
        self.wrong_form(attribute, "a ratio such as 1:1 or 3:1", example=f"{attribute.name} = 3:1")
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
        guess = redundancy_guess(node, written(node))
        if guess is not None:
            self.sink.error(
                codes.E216,
                f"`{attribute.name}` = {shorten(written(node))} is not a redundancy aifc reads",
                node.span,
                help=f"did you mean `{guess}`? (redundancies are written {REDUNDANCY_FORMS})",
                fixes=replacements(node.span, [guess]),
            )
            return None
        self.wrong_form(
            attribute, f"a redundancy ({REDUNDANCY_FORMS})", example=f"{attribute.name} = N+1"
        )
        return None


def is_unit(name: str) -> bool:
    """Whether `name` is a unit of the unit table (`kW`), not a name of the design."""
    return units.is_known_unit(name)


def _unit_fixes(quantity: ast.Quantity, unknown: str, suggestions: list[str]) -> tuple[Fix, ...]:
    """The unit expression with its one unknown name replaced by each suggestion."""
    text = quantity.unit or ""
    pieces = re.split(r"([A-Za-z_$][A-Za-z0-9_$]*)", text)
    if pieces.count(unknown) != 1:
        return ()
    at = pieces.index(unknown)
    fixed = ["".join([*pieces[:at], s, *pieces[at + 1 :]]) for s in suggestions]
    return replacements(quantity.unit_span, fixed)
