"""What to suggest when a value does not fit: the fix a designer expects, in their words.

The value readers (`aiflang.frontend.values`) call these to word their help
lines: the units that fit an attribute, most plausible first (MW for a
hall's IT capacity, kW for a rack, W for a GPU); the form a kind of value
is written in; and the readings of common slips (`16 GB200_NVL72` for a
count of racks, `70B` for a model size, `n+1` or `2N+1` for a redundancy,
`FP8` for a precision, `tokens/s/user` for a per-user rate). No help line
speaks of the compiler's own terms ("tagged value", "dimensionless").
"""

from __future__ import annotations

from aiflang import units
from aiflang.frontend.scope import close_matches
from aiflang.syntax import tree as ast

# Units of each dimension, the usual first.
_BY_DIMENSION: dict[units.Dimension, tuple[str, ...]] = {
    units.POWER: ("kW", "MW", "W"),
    units.ENERGY: ("MWh", "kWh", "GJ"),
    units.DATA: ("GB", "TB", "PB"),
    units.BANDWIDTH: ("Gbps", "TB/s", "GB/s"),
    units.COMPUTE_RATE: ("TFLOPS", "PFLOPS"),
    units.MONEY: ("USD",),
    units.MONEY_PER_ENERGY: ("USD/kWh", "USD/MWh"),
    units.MONEY_PER_POWER: ("USD/MW", "USD/kW"),
    units.MONEY_PER_GPU_TIME: ("USD/GPU/year", "USD/GPU/h"),
    units.TIME: ("years", "days", "h"),
    units.TOKEN_RATE: ("tokens/s",),
    units.LENGTH: ("U", "m", "mm"),
    units.MASS: ("kg", "t"),
    units.AREA: ("m^2",),
    units.MASS_PER_AREA: ("kg/m^2",),
    units.TOKENS: ("tokens",),
}

# Where the size of the thing sets the unit: a hall in MW, a rack in kW, a part in W.
_BY_ATTRIBUTE: dict[tuple[str, str], tuple[str, ...]] = {
    ("site", "utility"): ("MW", "kW"),
    ("hall", "it_power"): ("MW", "kW"),
    ("hall", "ups"): ("MW", "kW"),
    ("hall", "feeds"): ("MW", "kW"),
    ("hall", "cooling"): ("MW", "kW"),
    ("hall", "cdus"): ("MW", "kW"),
    ("rack", "power"): ("kW", "MW"),
    ("node", "power"): ("kW", "W"),
    ("storage", "power"): ("kW", "MW"),
    ("gpu", "tdp"): ("W", "kW"),
    ("cpu", "tdp"): ("W", "kW"),
    ("nic", "power"): ("W",),
    ("switch", "power"): ("W", "kW"),
    ("transceiver", "power"): ("W",),
    ("gpu", "memory"): ("GB", "TB"),
    ("gpu", "memory_bandwidth"): ("TB/s", "GB/s"),
    ("storage", "capacity"): ("PB", "TB"),
    ("storage", "bandwidth"): ("TB/s", "GB/s"),
    ("finance", "horizon"): ("years", "months"),
}

# Scale letters people write after a count: `70B` parameters, `15T` tokens.
_SCALE_LETTERS = {"K": "thousand", "k": "thousand", "M": "million", "B": "billion"}
_SCALE_LETTERS |= {"G": "billion", "T": "trillion"}

REDUNDANCY_FORMS = "N, N+1, N+2, 2N or 3/2"


def dimension_words(dimension: units.Dimension) -> str:
    """A dimension as a designer says it: "power", "a plain number" (never "dimensionless")."""
    if dimension.is_dimensionless:
        return "a plain number"
    return units.dimension_name(dimension)


def units_for(kind: str | None, attribute: str, dimension: units.Dimension) -> list[str]:
    """Units that fit `attribute` of a `kind` block, most plausible first."""
    preferred = list(_BY_ATTRIBUTE.get((kind or "", attribute), ()))
    for unit in _BY_DIMENSION.get(dimension, ()):
        if unit not in preferred:
            preferred.append(unit)
    return preferred


def add_a_unit(kind: str | None, attribute: str, number: str, dimension: units.Dimension) -> str:
    """The help for a number without its unit: `it_power = 3 MW` (or kW)."""
    options = units_for(kind, attribute, dimension)
    if not options:
        return f"add a unit of {dimension_words(dimension)}"
    others = f" (or {', '.join(options[1:])})" if len(options) > 1 else ""
    return f"add a unit: `{attribute} = {number} {options[0]}`{others}"


def scale_word(unit: str) -> str | None:
    """`billion` for a `B` written after a count (`70B`), else None."""
    return _SCALE_LETTERS.get(unit)


def plain_name(unit: str) -> bool:
    """Whether a unit expression is one bare name (`GB200_NVL72`), not `kW/m^2`."""
    return unit.replace("_", "a").isalnum()


def choice_matches(value: str, choices: tuple[str, ...]) -> list[str]:
    """The choices `value` probably meant: the same but for case, else close spellings."""
    exact = [c for c in choices if c.casefold() == value.casefold()]
    return exact or close_matches(value, list(choices), n=2)


def choice_help(value: str, choices: tuple[str, ...]) -> str:
    """Did-you-mean across case and spelling, then every supported value."""
    close = choice_matches(value, choices)
    listed = ", ".join(choices)
    if close:
        return f"did you mean {' or '.join(f'`{c}`' for c in close)}? (one of {listed})"
    return f"write one of {listed}"


def redundancy_guess(value: ast.Value, text: str) -> str | None:
    """What a malformed redundancy probably meant: `n+1` -> `N+1`, `2n` -> `2N`."""
    if isinstance(value, ast.Ref | ast.Tagged | ast.Quantity):
        upper = text.replace(" ", "").upper()
        if upper == "N" or (upper.startswith("N+") and upper[2:].isdigit()):
            return upper
        if upper.endswith("N") and upper[:-1].isdigit():
            return upper
    return None


def source_text(value: ast.Value, text: str | None) -> str:
    """The value as written, when the source is at hand (for messages)."""
    span = value.span
    if text is None or span.end_offset <= span.offset:
        return ""
    return text[span.offset : span.end_offset]
