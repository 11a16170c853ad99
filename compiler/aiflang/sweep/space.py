"""The design space of a sweep: varied inputs and the variants drawn from them.

An axis varies one input, named by a `--set` path (`halls.A.racks`,
`site.power_price`, `assumptions.hbm_usable_fraction`). Its values are

- a list of alternatives, each a value as it would be written in the file:
  `[16 x GB200_NVL72, 16 x GB300_NVL72]`;
- a range with a step: `1.1..1.4 step 0.1`, `2..4 MW step 0.5` (the unit
  applies to the ends and the step);
- a continuous distribution, sampled: a range without a step,
  `0.06..0.09 USD/kWh` (uniform), `uniform(A, B)`, `normal(MEAN, SD)`,
  `triangular(LOW, MODE, HIGH)`, each argument a number with an optional
  unit, all in the same unit (`normal(40%, 5%)`).

Lists and stepped ranges form a grid (their Cartesian product); the
continuous axes are sampled `samples` times, by Latin hypercube (default) or
plain random sampling, and the same samples are used at every grid point,
so two grid points are compared on equal draws. Everything is a function
of the seed: the same axes, samples and seed give the same variants, in the
same order, on any machine.
"""

from __future__ import annotations

import itertools
import math
import random
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from aiflang.models.distributions import ARGUMENTS, KINDS, Distribution, problem, value_text

METHODS = ("lhs", "random")
MAX_STEPS = 100_000  # values of one stepped range (docs/limits.md)
_NUMBER = r"[+-]?(?:[0-9][0-9_]*(?:\.(?!\.)[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?"
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
_SCALED = rf"({_NUMBER})(?:\s+(thousand|million|billion|trillion))?"
_UNIT = r"%|[A-Za-z$][A-Za-z0-9_$]*(?:\^[0-9]+)?(?:[/*][A-Za-z$][A-Za-z0-9_$]*(?:\^[0-9]+)?)*"
_QUANTITY = re.compile(rf"\s*{_SCALED}\s*({_UNIT})?\s*")
_RANGE = re.compile(
    rf"\s*{_SCALED}\s*\.\.\s*{_SCALED}\s*({_UNIT})?\s*(?:\bstep\s+{_SCALED}\s*({_UNIT})?\s*)?"
)
_CALL = re.compile(r"\s*([a-z_]+)\s*\((.*)\)\s*", re.S)


class SpaceError(ValueError):
    """A `--vary` that cannot be read, said in one line."""


@dataclass(frozen=True, slots=True)
class Axis:
    """One varied input: a `--set` path and either its values or its distribution."""

    path: str
    values: tuple[str, ...] = ()
    distribution: Distribution | None = None

    @property
    def continuous(self) -> bool:
        return self.distribution is not None


@dataclass(frozen=True, slots=True)
class Variant:
    """One point of the design space: its index and the value text of each axis."""

    index: int
    values: tuple[tuple[str, str], ...]  # (path, value text), in axis order


def _scaled(number: str, scale: str | None) -> float:
    value = float(number.replace("_", "")) * (_SCALES[scale] if scale else 1.0)
    if not math.isfinite(value):  # 1e400 reads as infinity: no value to sample or step
        written = f"{number} {scale}" if scale else number
        raise SpaceError(f"`{written}` is too large")
    return value


def _split_top(text: str) -> list[str]:
    """Split at commas outside brackets, braces, parentheses and quotes."""
    parts, depth, quoted, current = [], 0, False, ""
    for char in text:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in "[{(":
            depth += 1
        elif not quoted and char in "]})":
            depth -= 1
        if char == "," and depth == 0 and not quoted:
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return parts


def parse_distribution(text: str) -> Distribution | None:
    """A range without a step or a `kind(...)` call, or None when `text` is neither."""
    match = _RANGE.fullmatch(text)
    if match is not None and match.group(6) is None:
        low = _scaled(match.group(1), match.group(2))
        high = _scaled(match.group(3), match.group(4))
        if not low <= high:
            raise SpaceError(f"`{text.strip()}`: the low end is above the high end")
        return Distribution("uniform", (low, high), match.group(5))
    call = _CALL.fullmatch(text)
    if call is None:
        return None
    kind, inside = call.group(1), call.group(2)
    if kind not in KINDS:
        raise SpaceError(f"`{kind}(...)`: a distribution is one of {', '.join(KINDS)}")
    arguments = _split_top(inside)
    if len(arguments) != ARGUMENTS[kind]:
        raise SpaceError(f"`{kind}(...)` takes {ARGUMENTS[kind]} values, found {len(arguments)}")
    numbers: list[float] = []
    units: set[str | None] = set()
    for argument in arguments:
        quantity = _QUANTITY.fullmatch(argument)
        if quantity is None:
            raise SpaceError(f"`{kind}(...)`: `{argument}` is not a number with a unit")
        numbers.append(_scaled(quantity.group(1), quantity.group(2)))
        units.add(quantity.group(3))
    written = {u for u in units if u is not None}
    if len(written) > 1:
        raise SpaceError(f"`{text.strip()}`: write every value in the same unit")
    unit = written.pop() if written else None
    distribution = Distribution(kind, tuple(numbers), unit)
    _check(distribution, text)
    return distribution


def _check(distribution: Distribution, text: str) -> None:
    found = problem(distribution.kind, distribution.parameters)
    if found is not None:
        raise SpaceError(f"`{text.strip()}`: {found}")


def _stepped(text: str) -> tuple[str, ...] | None:
    match = _RANGE.fullmatch(text)
    if match is None or match.group(6) is None:
        return None
    low = _scaled(match.group(1), match.group(2))
    high = _scaled(match.group(3), match.group(4))
    step = _scaled(match.group(6), match.group(7))
    unit = match.group(5) or match.group(8)
    if match.group(5) and match.group(8) and match.group(5) != match.group(8):
        raise SpaceError(f"`{text.strip()}`: write the ends and the step in the same unit")
    if step <= 0:
        raise SpaceError(f"`{text.strip()}`: the step must be positive")
    if high < low:
        raise SpaceError(f"`{text.strip()}`: the low end is above the high end")
    count = math.floor((high - low) / step + 1e-9) + 1
    if count > MAX_STEPS:
        raise SpaceError(
            f"`{text.strip()}`: {count:,} steps, over the limit of {MAX_STEPS:,}; use a larger step"
        )
    # Computed from the index, not by adding steps, so no rounding drift accumulates.
    return tuple(value_text(low + i * step, unit) for i in range(count))


def parse_axis(text: str) -> Axis:
    """Read one `--vary PATH=VALUES`."""
    path, equals, spec = text.partition("=")
    path, spec = path.strip(), spec.strip()
    if not equals or not path or not spec:
        raise SpaceError(
            f"--vary {text}: write PATH=VALUES, e.g. 'site.pue=[1.2, 1.3]' "
            "or 'site.power_price=0.06..0.09 USD/kWh'"
        )
    if spec.startswith("[") and spec.endswith("]"):
        values = _split_top(spec[1:-1])
        if values and not values[-1]:
            values.pop()  # a trailing comma, as a list in a file may have
        if not values:
            raise SpaceError(f"--vary {path}: the list of values is empty")
        if not all(values):
            raise SpaceError(f"--vary {path}: an empty value between commas in `{spec}`")
        return Axis(path, values=tuple(values))
    try:
        stepped = _stepped(spec)
        if stepped is not None:
            return Axis(path, values=stepped)
        distribution = parse_distribution(spec)
    except SpaceError as error:
        raise SpaceError(f"--vary {path}: {error}") from None
    if distribution is None:
        raise SpaceError(
            f"--vary {path}={spec}: give a list [A, B], a range LOW..HIGH (with `step S` "
            "for a grid), or uniform(...), normal(...), triangular(...)"
        )
    return Axis(path, distribution=distribution)


def unit_samples(count: int, dimensions: int, seed: int, method: str) -> list[list[float]]:
    """`count` points in the unit cube of `dimensions`, by Latin hypercube or at random.

    A Latin hypercube (McKay, Beckman and Conover, 1979) puts exactly one
    point in each of `count` equal slices of every dimension.
    """
    rng = random.Random(seed)
    if method == "random":
        return [[rng.random() for _ in range(dimensions)] for _ in range(count)]
    columns = []
    for _ in range(dimensions):
        slices = list(range(count))
        rng.shuffle(slices)
        columns.append([(s + rng.random()) / count for s in slices])
    return [[column[i] for column in columns] for i in range(count)]


def variants(
    axes: Sequence[Axis], *, samples: int | None, seed: int, method: str = "lhs"
) -> Iterator[Variant]:
    """Every variant of the space, in a fixed order: grid points, then samples within each."""
    if method not in METHODS:
        raise SpaceError(f"--method {method}: one of {', '.join(METHODS)}")
    grid = [a for a in axes if not a.continuous]
    continuous = [a for a in axes if a.continuous]
    if continuous and not samples:
        raise SpaceError(f"{continuous[0].path} is sampled from a distribution: give --samples N")
    draws: list[list[str]] = [[]]
    if continuous:
        assert samples is not None
        draws = [
            [
                axis.distribution.text(axis.distribution.value(u))
                for axis, u in zip(continuous, point, strict=True)
                if axis.distribution is not None
            ]
            for point in unit_samples(samples, len(continuous), seed, method)
        ]
    index = 0
    order = {a.path: i for i, a in enumerate(axes)}
    for point in itertools.product(*(a.values for a in grid)):
        for draw in draws:
            by_path = {**dict(zip((a.path for a in grid), point, strict=True))}
            by_path.update(zip((a.path for a in continuous), draw, strict=True))
            values = tuple(sorted(by_path.items(), key=lambda item: order[item[0]]))
            yield Variant(index, values)
            index += 1


def space_size(axes: Sequence[Axis], samples: int | None) -> int:
    """How many variants `variants` yields."""
    size = math.prod(len(a.values) for a in axes if not a.continuous)
    return size * (samples or 1) if any(a.continuous for a in axes) else size
