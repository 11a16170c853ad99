"""Units and quantities of the .aif language, from the table in dsl/units.toml.

What this module guarantees:

- A `Quantity` holds its value in the reference unit of its base dimensions:
  W for power, s for time, bit for data, USD for money, FLOP, token, GPU,
  m, kg and K. Derived dimensions combine them: energy is W*s (= J),
  bandwidth is bit/s. `1500 kW` and `1.5 MW` give equal quantities.
- Data is stored in bits, so 1 B = 8 bit. JSON report fields named
  `*_bytes` therefore divide the stored value by 8; `*_bps` fields are the
  stored bandwidth as is.
- Unit names are case-sensitive: `MB` is a megabyte and `Mb` a megabit.
- Unit expressions join names with `/` and `*`, read left to right, so
  `USD/GPU/year` is (USD / GPU) / year; a name may carry a whole exponent
  (`m^2`). `%` is the dimensionless factor 0.01.
- A year is 365 days (8760 h); a month is 30.4375 days.
- `degC` is a scale with an offset: `25 degC` is 298.15 K. Inside a compound
  expression it counts as a temperature difference (factor 1, no offset).
- An unknown name raises `UnknownUnitError` with close matches; a malformed
  expression raises `UnitSyntaxError`; dimensions that do not agree raise
  `DimensionError`. All three are `ValueError`s.
- `format_quantity` prints a value in a unit picked for its size, to a
  number of significant digits ("1.5 MW", "800 Gbps", "$4.50 M").
- The table is read once, on first use; importing this module reads no file.
  `Dimension` and `Quantity` can be fields of pydantic models.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from aiflang.records import record

# `typing` stays out of the import path (it costs milliseconds); type
# checkers treat any name TYPE_CHECKING as true.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

# The largest exponent a unit name may carry (`m^2`, `m^3` are the real ones).
MAX_UNIT_EXPONENT = 9

__all__ = [
    "AREA",
    "BANDWIDTH",
    "COMPUTE",
    "COMPUTE_RATE",
    "DATA",
    "DIMENSIONLESS",
    "ENERGY",
    "ENERGY_PER_TOKEN",
    "GPU_COUNT",
    "GPU_TIME",
    "LENGTH",
    "MASS",
    "MASS_PER_AREA",
    "MONEY",
    "MONEY_PER_ENERGY",
    "MONEY_PER_GPU",
    "MONEY_PER_GPU_TIME",
    "MONEY_PER_POWER",
    "MONEY_PER_TIME",
    "MONEY_PER_TOKEN",
    "POWER",
    "POWER_PER_AREA",
    "POWER_PER_GPU",
    "TEMPERATURE",
    "TIME",
    "TOKENS",
    "TOKEN_RATE",
    "TOKEN_RATE_PER_POWER",
    "Dimension",
    "DimensionError",
    "Quantity",
    "Unit",
    "UnitError",
    "UnitSyntaxError",
    "UnknownUnitError",
    "base_dimensions",
    "convert",
    "dimension_name",
    "format_number",
    "format_percent",
    "format_quantity",
    "parse_unit",
    "plural",
    "quantity",
    "unit_names",
]


# --------------------------------------------------------------------------
# Errors


class UnitError(ValueError):
    """Base class of every unit and dimension error."""


def _shorten(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


class UnknownUnitError(UnitError):
    """A name in a unit expression is not in the unit table."""

    def __init__(self, name: str, suggestions: list[str]) -> None:
        self.name = name
        self.suggestions = suggestions
        message = f"unknown unit '{_shorten(name)}'"
        if suggestions:
            message += "; did you mean " + " or ".join(f"'{s}'" for s in suggestions) + "?"
        if any(s.lower() == name.lower() for s in suggestions):
            message += " (unit names are case-sensitive: MB is a megabyte, Mb a megabit)"
        super().__init__(message)


class UnitSyntaxError(UnitError):
    """A unit expression is malformed (empty, a dangling `/`, a bad exponent)."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        self.reason = reason
        super().__init__(f"malformed unit expression '{_shorten(text)}': {reason}")


class DimensionError(UnitError):
    """Two dimensions that must agree do not (e.g. energy where power is expected)."""

    def __init__(self, message: str, expected: Dimension, actual: Dimension) -> None:
        self.expected = expected
        self.actual = actual
        super().__init__(message)


# --------------------------------------------------------------------------
# Dimensions


class Dimension(Mapping[str, int]):
    """Exponents over the base dimensions, e.g. energy = {power: 1, time: 1}.

    Immutable and hashable; base dimensions with exponent 0 are left out, so
    the dimensionless `Dimension()` is an empty (and therefore falsy)
    mapping; test `is_dimensionless` rather than truth.
    """

    __slots__ = ("_exponents", "_hash")

    _exponents: tuple[tuple[str, int], ...]
    _hash: int

    def __init__(
        self, exponents: Mapping[str, int] | Iterable[tuple[str, int]] = (), /, **named: int
    ) -> None:
        merged = dict(exponents)
        merged.update(named)
        items: list[tuple[str, int]] = []
        for base, exponent in merged.items():
            if exponent != int(exponent):
                raise TypeError(f"exponent of {base} must be a whole number, not {exponent!r}")
            if exponent:
                items.append((base, int(exponent)))
        items.sort()
        self._exponents = tuple(items)
        self._hash = hash(self._exponents)

    @classmethod
    def _from_sorted(cls, items: tuple[tuple[str, int], ...]) -> Dimension:
        dimension = object.__new__(cls)
        dimension._exponents = items
        dimension._hash = hash(items)
        return dimension

    @property
    def exponents(self) -> tuple[tuple[str, int], ...]:
        """(base dimension, exponent) pairs, sorted by base name, no zeros."""
        return self._exponents

    @property
    def is_dimensionless(self) -> bool:
        return not self._exponents

    def __getitem__(self, base: str) -> int:
        for name, exponent in self._exponents:
            if name == base:
                return exponent
        raise KeyError(base)

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._exponents)

    def __len__(self) -> int:
        return len(self._exponents)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Dimension):
            return self._exponents == other._exponents
        if isinstance(other, Mapping):
            return dict(self._exponents) == {k: v for k, v in other.items() if v}
        return NotImplemented

    def __hash__(self) -> int:
        return self._hash

    def _combine(self, other: Dimension, sign: int) -> Dimension:
        merged = dict(self._exponents)
        for base, exponent in other._exponents:
            merged[base] = merged.get(base, 0) + sign * exponent
        return Dimension._from_sorted(tuple(sorted((b, e) for b, e in merged.items() if e)))

    def __mul__(self, other: Dimension) -> Dimension:
        if not isinstance(other, Dimension):
            return NotImplemented
        return self._combine(other, 1)

    def __truediv__(self, other: Dimension) -> Dimension:
        if not isinstance(other, Dimension):
            return NotImplemented
        return self._combine(other, -1)

    def __pow__(self, power: int) -> Dimension:
        if power != int(power):
            raise TypeError(f"a dimension can only be raised to a whole power, not {power!r}")
        power = int(power)
        return Dimension._from_sorted(
            tuple((b, e * power) for b, e in self._exponents) if power else ()
        )

    def __repr__(self) -> str:
        inner = ", ".join(f"{base}={exponent}" for base, exponent in self._exponents)
        return f"Dimension({inner})"

    def __str__(self) -> str:
        return dimension_name(self)

    def __reduce__(self) -> tuple[type[Dimension], tuple[dict[str, int]]]:
        return (Dimension, (dict(self._exponents),))

    # pydantic integration, so models may hold a Dimension or a Quantity.
    # pydantic_core is imported only when pydantic builds a schema.
    @classmethod
    def __get_pydantic_core_schema__(cls, source_type: Any, handler: Any) -> Any:
        from pydantic_core import core_schema

        return core_schema.no_info_plain_validator_function(
            cls._coerce,
            serialization=core_schema.plain_serializer_function_ser_schema(dict),
        )

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        return {"type": "object", "additionalProperties": {"type": "integer"}}

    @classmethod
    def _coerce(cls, value: object) -> Dimension:
        if isinstance(value, Dimension):
            return value
        if isinstance(value, Mapping):
            return cls(value)
        raise TypeError(f"expected a mapping of base dimension to exponent, not {value!r}")


DIMENSIONLESS = Dimension()
POWER = Dimension(power=1)
TIME = Dimension(time=1)
ENERGY = Dimension(power=1, time=1)
DATA = Dimension(data=1)
BANDWIDTH = Dimension(data=1, time=-1)
COMPUTE = Dimension(flop=1)
COMPUTE_RATE = Dimension(flop=1, time=-1)
MONEY = Dimension(money=1)
MONEY_PER_ENERGY = Dimension(money=1, power=-1, time=-1)
MONEY_PER_POWER = Dimension(money=1, power=-1)
MONEY_PER_TIME = Dimension(money=1, time=-1)
MONEY_PER_GPU = Dimension(money=1, gpu=-1)
MONEY_PER_GPU_TIME = Dimension(money=1, gpu=-1, time=-1)
MONEY_PER_TOKEN = Dimension(money=1, token=-1)
GPU_COUNT = Dimension(gpu=1)
GPU_TIME = Dimension(gpu=1, time=1)
TOKENS = Dimension(token=1)
TOKEN_RATE = Dimension(token=1, time=-1)
TOKEN_RATE_PER_POWER = Dimension(token=1, time=-1, power=-1)
ENERGY_PER_TOKEN = Dimension(power=1, time=1, token=-1)
POWER_PER_GPU = Dimension(power=1, gpu=-1)
POWER_PER_AREA = Dimension(power=1, length=-2)
LENGTH = Dimension(length=1)
AREA = Dimension(length=2)
MASS = Dimension(mass=1)
MASS_PER_AREA = Dimension(mass=1, length=-2)
TEMPERATURE = Dimension(temperature=1)

_DIMENSION_NAMES: dict[Dimension, str] = {
    DIMENSIONLESS: "dimensionless",
    POWER: "power",
    TIME: "time",
    ENERGY: "energy",
    DATA: "data",
    BANDWIDTH: "bandwidth",
    COMPUTE: "compute",
    COMPUTE_RATE: "compute rate",
    MONEY: "money",
    MONEY_PER_ENERGY: "money per energy",
    MONEY_PER_POWER: "money per power",
    MONEY_PER_TIME: "money per time",
    MONEY_PER_GPU: "money per GPU",
    MONEY_PER_GPU_TIME: "money per GPU per time",
    MONEY_PER_TOKEN: "money per token",
    GPU_COUNT: "GPU count",
    GPU_TIME: "GPU time",
    TOKENS: "tokens",
    TOKEN_RATE: "token rate",
    TOKEN_RATE_PER_POWER: "token rate per power",
    ENERGY_PER_TOKEN: "energy per token",
    POWER_PER_GPU: "power per GPU",
    POWER_PER_AREA: "power per area",
    LENGTH: "length",
    AREA: "area",
    MASS: "mass",
    MASS_PER_AREA: "mass per area",
    TEMPERATURE: "temperature",
}


def dimension_name(dimension: Dimension) -> str:
    """A readable name: "power", "money per energy", or else a formula such
    as "money/(power*time)" over the base dimension names."""
    name = _DIMENSION_NAMES.get(dimension)
    if name is not None:
        return name
    return _formula(dimension, {base: base for base in dimension})


def _formula(dimension: Dimension, symbols: Mapping[str, str]) -> str:
    """`dimension` as numerator/denominator, e.g. "USD/(W*s)"; bases in table order."""
    order = {base: index for index, base in enumerate(base_dimensions())}
    ranked = sorted(dimension.exponents, key=lambda item: (order.get(item[0], len(order)), item))

    def product(items: list[tuple[str, int]]) -> str:
        return "*".join(symbols[b] + (f"^{e}" if e != 1 else "") for b, e in items)

    numerator = product([(b, e) for b, e in ranked if e > 0]) or "1"
    below = [(b, -e) for b, e in ranked if e < 0]
    if not below:
        return numerator
    denominator = product(below)
    return f"{numerator}/({denominator})" if len(below) > 1 else f"{numerator}/{denominator}"


# --------------------------------------------------------------------------
# Units and the unit table


@record
class Unit:
    """A parsed unit expression: value in reference units = number * factor + offset."""

    text: str
    factor: float
    dimension: Dimension
    offset: float = 0.0

    def to_reference(self, number: float) -> float:
        """`number` of this unit, in the reference unit of its dimension."""
        return number * self.factor + self.offset

    def from_reference(self, value: float) -> float:
        """A value in reference units, as a number of this unit."""
        return (value - self.offset) / self.factor


class _UnitTable:
    """The parsed units.toml: base dimensions and every unit by name."""

    __slots__ = ("base_symbols", "units")

    def __init__(self, base_symbols: dict[str, str], units: dict[str, Unit]) -> None:
        self.base_symbols = base_symbols  # base dimension -> reference symbol, in table order
        self.units = units


def _raw_unit_table(source: bytes) -> dict[str, Any]:
    """units.toml as plain data: from the on-disk cache when an entry for these bytes is
    there (JSON, checked for shape), else parsed and stored; importing and running the TOML
    parser cost more than the rest of a small design's checks of units."""
    import json

    from aiflang import cache

    key = cache.key_of(b"units.toml", source)
    text = cache.load("units", key)
    if text is not None:
        try:
            raw = json.loads(text)
        except ValueError:
            raw = None
        if (
            isinstance(raw, dict)
            and isinstance(raw.get("dimensions"), dict)
            and isinstance(raw.get("units"), dict)
            and all(isinstance(group, dict) for group in raw["units"].values())
        ):
            return raw
    import tomllib

    raw = tomllib.loads(source.decode("utf-8"))
    cache.store("units", key, json.dumps(raw))
    return raw


@functools.lru_cache(maxsize=1)
def _unit_table() -> _UnitTable:
    from aiflang.resources import data_path

    path = data_path("dsl", "units.toml")
    raw = _raw_unit_table(path.read_bytes())
    base_symbols = {str(base): str(symbol) for base, symbol in raw["dimensions"].items()}
    units: dict[str, Unit] = {}
    for group_name, group in raw["units"].items():
        group = dict(group)
        exponents = group.pop("dimension")
        for base in exponents:
            if base not in base_symbols:
                raise ValueError(f"{path}: group {group_name} uses unknown dimension {base!r}")
        dimension = Dimension(exponents)
        for unit_name, spec in group.items():
            if unit_name in units:
                raise ValueError(f"{path}: unit {unit_name!r} is defined twice")
            if isinstance(spec, dict):
                factor, offset = float(spec["factor"]), float(spec.get("offset", 0.0))
            else:
                factor, offset = float(spec), 0.0
            units[unit_name] = Unit(unit_name, factor, dimension, offset)
    return _UnitTable(base_symbols, units)


def base_dimensions() -> tuple[str, ...]:
    """The base dimensions, in the table's order (power, time, data, ...)."""
    return tuple(_unit_table().base_symbols)


def unit_names() -> frozenset[str]:
    """Every unit name the table knows (for completion and documentation)."""
    return frozenset(_unit_table().units)


def units_of(dimension: Dimension) -> list[str]:
    """The simple unit names of `dimension`, smallest first (for completion).

    Compound expressions (`USD/kWh`) are built by the designer from these;
    for a compound dimension the ladder of display units is offered instead.
    """
    table = _unit_table().units
    simple = [u for u in table.values() if u.dimension == dimension and u.offset == 0.0]
    names = list(_UNIT_LADDERS.get(dimension, ()))
    names += [u.text for u in sorted(simple, key=lambda u: (u.factor, u.text))]
    # A compound dimension: each of its base dimensions in its usual units, divided out.
    above = [b for b, e in dimension.exponents if e == 1]
    below = [b for b, e in dimension.exponents if e == -1]
    if dimension == MONEY_PER_ENERGY:
        names += ["USD/kWh", "USD/MWh"]
    elif above and below and len(above) + len(below) == len(dimension.exponents):
        word = {"time": ["s", "h", "year"], "power": ["kW", "MW"], "data": ["GB", "TB"]}
        for top in _words(Dimension({above[0]: 1}), word, above[0]):
            for bottoms in _combinations([_words(Dimension({b: 1}), word, b) for b in below]):
                names.append("/".join([top, *bottoms]))
    return list(dict.fromkeys(names))


def _words(dimension: Dimension, usual: dict[str, list[str]], base: str) -> list[str]:
    if base in usual:
        return usual[base]
    found = [u.text for u in _unit_table().units.values() if u.dimension == dimension]
    return found[:1]


def _combinations(options: list[list[str]]) -> list[list[str]]:
    combos: list[list[str]] = [[]]
    for choices in options:
        combos = [[*combo, choice] for combo in combos for choice in choices]
    return combos


# --------------------------------------------------------------------------
# Parsing unit expressions

_NAME_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz$")
_NAME_CHARS = _NAME_START | frozenset("0123456789_")
_DIGITS = frozenset("0123456789")


# With MAX_UNIT_EXPONENT, a bound that keeps a unit's factor a finite float: the
# largest factor in the table (1e18) to the 9th power is 1e162, and eight such
# terms stay finite or overflow to infinity (reported as out of range), never an
# OverflowError.
MAX_UNIT_TERMS = 8


def _scan(text: str) -> list[tuple[str, str, int]]:
    """Split a unit expression into (operator, name, exponent) terms; the
    first term's operator is "*". Raises UnitSyntaxError, also past the
    limits on terms (`MAX_UNIT_TERMS`) and exponents (`MAX_UNIT_EXPONENT`)."""
    terms: list[tuple[str, str, int]] = []
    operator: str | None = "*"  # the operator before the next name; None right after a name
    position, end = 0, len(text)
    while True:
        while position < end and text[position].isspace():
            position += 1
        if position == end:
            break
        char = text[position]
        if char in "*/":
            if operator is not None:
                raise UnitSyntaxError(text, f"'{char}' needs a unit name before it")
            operator = char
            position += 1
            continue
        if operator is None:
            raise UnitSyntaxError(text, "unit names must be joined by '/' or '*'")
        if char == "%":
            name_end = position + 1
        elif char in _NAME_START:
            name_end = position + 1
            while name_end < end and text[name_end] in _NAME_CHARS:
                name_end += 1
        else:
            raise UnitSyntaxError(text, f"unexpected {char!r}")
        name = text[position:name_end]
        position = name_end
        while position < end and text[position].isspace():
            position += 1
        exponent = 1
        if position < end and text[position] == "^":
            digits_start = position + 1
            digits_end = digits_start + (digits_start < end and text[digits_start] in "+-")
            while digits_end < end and text[digits_end] in _DIGITS:
                digits_end += 1
            exponent_text = text[digits_start:digits_end]
            digits = exponent_text.lstrip("+-")
            if not digits:
                raise UnitSyntaxError(text, f"'^' after {_shorten(name)} needs a whole number")
            # Bounded before int(): Python refuses over 4,300 digits, and a large
            # power overflows the unit's factor.
            if len(digits) > 2 or int(digits) > MAX_UNIT_EXPONENT:
                shown = text if len(text) <= 40 else text[:37] + "..."
                raise UnitSyntaxError(
                    shown, f"exponents run from 1 to {MAX_UNIT_EXPONENT} (as in m^2, m^3)"
                )
            exponent = int(exponent_text)
            position = digits_end
        terms.append((operator, name, exponent))
        if len(terms) > MAX_UNIT_TERMS:
            raise UnitSyntaxError(
                text, f"{MAX_UNIT_TERMS + 1} or more unit names, over the limit of {MAX_UNIT_TERMS}"
            )
        operator = None
    if not terms:
        raise UnitSyntaxError(text, "no unit name")
    if operator is not None:
        raise UnitSyntaxError(text, f"'{operator}' needs a unit name after it")
    return terms


@functools.lru_cache(maxsize=1024)
def parse_unit(text: str) -> Unit:
    """Parse a unit expression such as `kW`, `USD/kWh`, `USD/GPU/year`, `kg/m^2`, `%`.

    `/` and `*` apply left to right; a name may carry an exponent `^N`.
    """
    units = _unit_table().units
    terms = _scan(text)
    factor = 1.0
    exponents: dict[str, int] = {}
    for operator, name, exponent in terms:
        unit = units.get(name)
        if unit is None:
            raise UnknownUnitError(name, _suggest(name, units))
        power = -exponent if operator == "/" else exponent
        factor *= unit.factor**power
        for base, base_exponent in unit.dimension.exponents:
            exponents[base] = exponents.get(base, 0) + base_exponent * power
    # An offset (degC) applies only to the unit alone, not inside a compound.
    only_unit = units[terms[0][1]] if len(terms) == 1 and terms[0][2] == 1 else None
    offset = only_unit.offset if only_unit is not None else 0.0
    dimension = Dimension._from_sorted(tuple(sorted((b, e) for b, e in exponents.items() if e)))
    return Unit(text.strip(), factor, dimension, offset)


def is_known_unit(text: str) -> bool:
    """Whether `parse_unit(text)` would succeed: a unit expression of known names. Asked
    of every plant reference, so it never looks for close spellings as a refusal does."""
    try:
        terms = _scan(text)
    except UnitError:
        return False
    units = _unit_table().units
    return all(name in units for _, name, _ in terms)


def _suggest(name: str, known: Iterable[str]) -> list[str]:
    """Close matches for an unknown unit name: same letters in another case
    first, then the nearest spellings."""
    import difflib

    if len(name) > 64:  # no unit is that long; comparing costs time for nothing
        return []
    known = sorted(known)
    folded = name.casefold()
    same_letters = [k for k in known if k.casefold() == folded]
    by_folded: dict[str, list[str]] = {}
    for k in known:
        by_folded.setdefault(k.casefold(), []).append(k)
    near: list[str] = []
    for match in difflib.get_close_matches(folded, list(by_folded), n=4, cutoff=0.6):
        near.extend(k for k in by_folded[match] if k not in same_letters)
    return (same_letters + near)[:3]


# --------------------------------------------------------------------------
# Quantities


@record
class Quantity:
    """A value in the reference units of `dimension` (W, s, bit, USD, ...)."""

    value: float
    dimension: Dimension = DIMENSIONLESS

    @property
    def is_dimensionless(self) -> bool:
        return self.dimension.is_dimensionless

    def to(self, unit_text: str) -> float:
        """The value as a number of `unit_text`; DimensionError if it does not fit."""
        unit = parse_unit(unit_text)
        if unit.dimension != self.dimension:
            raise DimensionError(
                f"cannot express {dimension_name(self.dimension)} in {unit_text}"
                f" ({dimension_name(unit.dimension)})",
                expected=unit.dimension,
                actual=self.dimension,
            )
        return unit.from_reference(self.value)

    def require(self, dimension: Dimension) -> Quantity:
        """Return self if it has `dimension`, else raise DimensionError."""
        if self.dimension != dimension:
            raise DimensionError(
                f"expected {dimension_name(dimension)}, got {dimension_name(self.dimension)}",
                expected=dimension,
                actual=self.dimension,
            )
        return self

    def format(self, precision: int = 3, *, unit: str | None = None) -> str:
        return format_quantity(self.value, self.dimension, precision, unit=unit)

    def __str__(self) -> str:
        return self.format()

    def _same_dimension(self, other: Quantity | float, verb: str) -> float:
        if isinstance(other, Quantity):
            if other.dimension != self.dimension:
                raise DimensionError(
                    f"cannot {verb} {dimension_name(self.dimension)}"
                    f" and {dimension_name(other.dimension)}",
                    expected=self.dimension,
                    actual=other.dimension,
                )
            return other.value
        if not self.dimension.is_dimensionless:
            raise DimensionError(
                f"cannot {verb} {dimension_name(self.dimension)} and a plain number",
                expected=self.dimension,
                actual=DIMENSIONLESS,
            )
        return float(other)

    def __add__(self, other: Quantity | float) -> Quantity:
        return Quantity(self.value + self._same_dimension(other, "add"), self.dimension)

    __radd__ = __add__

    def __sub__(self, other: Quantity | float) -> Quantity:
        return Quantity(self.value - self._same_dimension(other, "subtract"), self.dimension)

    def __rsub__(self, other: Quantity | float) -> Quantity:
        return Quantity(self._same_dimension(other, "subtract") - self.value, self.dimension)

    def __mul__(self, other: Quantity | float) -> Quantity:
        if isinstance(other, Quantity):
            return Quantity(self.value * other.value, self.dimension * other.dimension)
        return Quantity(self.value * other, self.dimension)

    __rmul__ = __mul__

    def __truediv__(self, other: Quantity | float) -> Quantity:
        if isinstance(other, Quantity):
            return Quantity(self.value / other.value, self.dimension / other.dimension)
        return Quantity(self.value / other, self.dimension)

    def __rtruediv__(self, other: float) -> Quantity:
        return Quantity(other / self.value, DIMENSIONLESS / self.dimension)

    def __pow__(self, power: int) -> Quantity:
        return Quantity(self.value**power, self.dimension**power)

    def __neg__(self) -> Quantity:
        return Quantity(-self.value, self.dimension)

    def __abs__(self) -> Quantity:
        return Quantity(abs(self.value), self.dimension)

    def __lt__(self, other: Quantity | float) -> bool:
        return self.value < self._same_dimension(other, "compare")

    def __le__(self, other: Quantity | float) -> bool:
        return self.value <= self._same_dimension(other, "compare")

    def __gt__(self, other: Quantity | float) -> bool:
        return self.value > self._same_dimension(other, "compare")

    def __ge__(self, other: Quantity | float) -> bool:
        return self.value >= self._same_dimension(other, "compare")


def quantity(number: float, unit_text: str | None = None) -> Quantity:
    """`number` of `unit_text` as a Quantity; no unit means dimensionless."""
    if unit_text is None or not unit_text.strip():
        return Quantity(float(number), DIMENSIONLESS)
    unit = parse_unit(unit_text)
    return Quantity(unit.to_reference(number), unit.dimension)


def convert(number: float, from_unit: str, to_unit: str) -> float:
    """`number` of `from_unit` as a number of `to_unit` (same dimension)."""
    return quantity(number, from_unit).to(to_unit)


# --------------------------------------------------------------------------
# Formatting


def _round_significant(value: float, digits: int) -> float:
    return float(f"{value:.{digits - 1}e}") if value else 0.0


def _plain(value: float, digits: int, *, strip: bool = True) -> str:
    """`value` to `digits` significant digits in fixed point with thousands
    separators; trailing zeros dropped unless `strip` is false."""
    rounded = _round_significant(value, digits)
    if rounded == 0:
        return "0"
    exponent = int(f"{rounded:.{digits - 1}e}".rsplit("e", 1)[1])
    decimals = max(0, digits - 1 - exponent)
    text = f"{rounded:,.{decimals}f}"
    if strip and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _scientific(value: float, digits: int) -> str:
    mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}e{int(exponent)}"


def format_number(value: float, precision: int | None = None) -> str:
    """A plain number with thousands separators: 14000 -> "14,000".

    Without `precision`, whole numbers print exactly and others to 6
    significant digits; with it, to `precision` significant digits.
    """
    if not math.isfinite(value):
        return str(value)
    if precision is None:
        if value == int(value) and abs(value) < 1e18:
            return f"{int(value):,}"
        precision = 6
    return _plain(value, precision)


def plural(count: float, word: str) -> str:
    """`count` and `word`, made plural unless the count is one: "1 rack", "2 switches"."""
    if count == 1:
        return f"{format_number(count)} {word}"
    ending = "es" if word.endswith(("s", "x", "ch", "sh")) else "s"
    return f"{format_number(count)} {word}{ending}"


def format_percent(fraction: float, precision: int = 3) -> str:
    """A fraction as a percentage: 0.85 -> "85%"."""
    return f"{_plain(fraction * 100, precision)}%"


# Display units, smallest first: the largest one the value reaches is used.
_UNIT_LADDERS: dict[Dimension, tuple[str, ...]] = {
    POWER: ("W", "kW", "MW", "GW"),
    ENERGY: ("Wh", "kWh", "MWh", "GWh", "TWh"),
    TIME: ("us", "ms", "s", "min", "h", "day", "year"),
    DATA: ("B", "kB", "MB", "GB", "TB", "PB", "EB"),
    BANDWIDTH: ("bps", "kbps", "Mbps", "Gbps", "Tbps", "Pbps"),
    COMPUTE: ("FLOP",),
    COMPUTE_RATE: ("FLOPS", "GFLOPS", "TFLOPS", "PFLOPS", "EFLOPS", "ZFLOPS"),
    ENERGY_PER_TOKEN: ("J/token", "kJ/token"),
    POWER_PER_GPU: ("W/GPU", "kW/GPU"),
    POWER_PER_AREA: ("W/m^2", "kW/m^2"),
    LENGTH: ("mm", "m", "km"),
    AREA: ("m^2",),
    MASS: ("kg", "t"),
    MASS_PER_AREA: ("kg/m^2",),
}
_PLURALS = {"day": "days", "year": "years"}

# Counts shown with a scale letter: "2.3 M tokens/s". (unit, label)
_SCALED_COUNTS: dict[Dimension, tuple[str, str]] = {
    TOKENS: ("tokens", "tokens"),
    TOKEN_RATE: ("tokens/s", "tokens/s"),
    TOKEN_RATE_PER_POWER: ("tokens/s/MW", "tokens/s/MW"),
    GPU_TIME: ("GPU*h", "GPU-hours"),
}
_SCALE_LETTERS = (("", 1.0), ("k", 1e3), ("M", 1e6), ("B", 1e9), ("T", 1e12))

# Money: (unit, multiplier, suffix): "$0.08/kWh", "$0.42/M tokens".
_MONEY_DISPLAY: dict[Dimension, tuple[str, float, str]] = {
    MONEY: ("USD", 1.0, ""),
    MONEY_PER_ENERGY: ("USD/kWh", 1.0, "/kWh"),
    MONEY_PER_POWER: ("USD/MW", 1.0, "/MW"),
    MONEY_PER_TIME: ("USD/year", 1.0, "/year"),
    MONEY_PER_GPU: ("USD/GPU", 1.0, "/GPU"),
    MONEY_PER_GPU_TIME: ("USD/GPU/year", 1.0, "/GPU/year"),
    MONEY_PER_TOKEN: ("USD/token", 1e6, "/M tokens"),
}
_MONEY_SCALES = (("k", 1e3), ("M", 1e6), ("B", 1e9), ("T", 1e12))


def _format_money(amount: float, precision: int) -> str:
    """ "$950", "$4,500", "$0.08", "$2.50", "$17.5 k", "$1.23 M", "$4.50 B"."""
    rounded = _round_significant(abs(amount), precision)
    sign = "-" if amount < 0 and rounded else ""
    if rounded < 1e4:
        if rounded == int(rounded):
            return f"{sign}${int(rounded):,}"
        text = _plain(rounded, precision)
        decimals = len(text.partition(".")[2])
        if decimals < 2:
            text = f"{rounded:,.2f}"
        return f"{sign}${text}"
    letter, scale = _pick_scale(rounded, _MONEY_SCALES, precision)
    return f"{sign}${_plain(rounded / scale, precision, strip=False)} {letter}"


def _pick_scale(
    magnitude: float, ladder: Iterable[tuple[str, float]], precision: int
) -> tuple[str, float]:
    """The largest (name, factor) step in which `magnitude`, rounded to
    `precision` significant digits, is at least 1; else the smallest step."""
    steps = list(ladder)
    chosen = steps[0]
    for step in steps:
        if _round_significant(magnitude / step[1], precision) >= 1:
            chosen = step
    return chosen


def format_quantity(
    value_si: float, dimension: Dimension, precision: int = 3, *, unit: str | None = None
) -> str:
    """A value in reference units, printed in a sensible unit to `precision`
    significant digits, trailing zeros dropped: 1.5e6 W -> "1.5 MW",
    8e11 bit/s -> "800 Gbps", 6.4e11 bit -> "80 GB", 4.5e6 USD -> "$4.50 M".

    Bandwidth prints in bits per second, data (memory, storage) in bytes.
    `unit` forces the display unit (e.g. unit="USD/GPU/h" -> "$2.31/GPU/h").
    """
    if precision < 1:
        raise ValueError("precision must be at least 1")
    if unit is not None:
        return _format_in_unit(value_si, dimension, precision, unit)
    if not math.isfinite(value_si):
        return f"{value_si} {_reference_formula(dimension)}".rstrip()

    money = _MONEY_DISPLAY.get(dimension)
    if money is not None:
        unit_text, multiplier, suffix = money
        amount = parse_unit(unit_text).from_reference(value_si) * multiplier
        return _format_money(amount, precision) + suffix

    ladder = _UNIT_LADDERS.get(dimension)
    if ladder is not None:
        return _format_on_ladder(value_si, ladder, precision)

    scaled = _SCALED_COUNTS.get(dimension)
    if scaled is not None:
        unit_text, label = scaled
        number = parse_unit(unit_text).from_reference(value_si)
        letter, scale = _pick_scale(abs(number), _SCALE_LETTERS, precision)
        prefix = f"{letter} " if letter else ""
        return f"{_signed(number / scale, precision)} {prefix}{label}"

    if dimension == TEMPERATURE:
        return f"{_plain(parse_unit('degC').from_reference(value_si), precision)} °C"
    if dimension == GPU_COUNT:
        return f"{format_number(value_si)} GPU" + ("" if value_si == 1 else "s")
    if dimension.is_dimensionless:
        if value_si == int(value_si) and abs(value_si) < 1e15:
            return format_number(value_si)
        return _plain(value_si, precision)
    return f"{_signed(value_si, precision)} {_reference_formula(dimension)}"


def _format_on_ladder(value_si: float, ladder: tuple[str, ...], precision: int) -> str:
    steps = [(name, parse_unit(name).factor) for name in ladder]
    name, factor = _pick_scale(abs(value_si), steps, precision)
    text = _signed(value_si / factor, precision)
    if name in _PLURALS and text != "1":
        name = _PLURALS[name]
    return f"{text} {name}"


def _signed(number: float, precision: int) -> str:
    """`number` to `precision` significant digits; scientific notation when
    it is a million or more, or under a thousandth; never "-0"."""
    magnitude = _round_significant(abs(number), precision)
    if magnitude == 0:
        return "0"
    if magnitude >= 1e6 or magnitude < 1e-3:
        text = _scientific(magnitude, precision)
    else:
        text = _plain(magnitude, precision)
    return f"-{text}" if number < 0 else text


def _format_in_unit(value_si: float, dimension: Dimension, precision: int, unit_text: str) -> str:
    unit = parse_unit(unit_text)
    if unit.dimension != dimension:
        raise DimensionError(
            f"cannot show {dimension_name(dimension)} in {unit_text}"
            f" ({dimension_name(unit.dimension)})",
            expected=unit.dimension,
            actual=dimension,
        )
    number = unit.from_reference(value_si)
    text = unit.text
    for money_name in ("USD", "$"):
        if text.startswith(money_name) and dimension.get("money") == 1:
            return _format_money(number, precision) + text[len(money_name) :]
    return f"{_plain(number, precision)} {text}"


def reference_unit(dimension: Dimension) -> str:
    """The reference (SI base) unit of `dimension` as a formula, such as "W" or "bit/s"."""
    return _reference_formula(dimension)


def _reference_formula(dimension: Dimension) -> str:
    """The reference unit of `dimension` as a formula: "USD/(W*s)"."""
    if dimension.is_dimensionless:
        return ""
    return _formula(dimension, _unit_table().base_symbols)
