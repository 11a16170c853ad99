"""The optics of a fabric: the transceiver or cable it names, or the one its distance picks.

A fabric may name its part (`transceiver = OSFP_800G_DR8`), give the
longest run its links must span (`distance = 30 m`), or both. With a
distance and no part, the part is picked among every transceiver and cable
the design can reach (its own definitions, imports, the catalog): those
that fit a switch cage (`end` switch or any), reach the distance, and whose
speed is a whole multiple of the fabric's link speed. The pick has the
lowest power per link (a module's power over the links it carries; for a
copper cable both ends' power), then the lowest price per link, then the
name; parts without a published power come last. docs/models.md states the
rule.

Needs: the design's transceivers (elaboration builds every one in scope
when a fabric asks for a pick). Emits: E308 (the named part does not reach
the distance, or no part in scope does).
"""

from __future__ import annotations

import math

from aiflang import units
from aiflang.diagnostics import Sink, codes, did_you_mean, replacements
from aiflang.frontend.design import Design, Fabric, Transceiver
from aiflang.models.assumptions import Assumptions
from aiflang.records import record


@record
class OpticsChoice:
    """The fabric's part (None: the assumed default modules) and whether its distance picked it."""

    part: Transceiver | None
    picked: bool = False

    @property
    def copper(self) -> bool:
        return self.part is not None and self.part.is_cable


def _links_per_part(part: Transceiver, link_speed_bps: float) -> int | None:
    """Links one part carries, or None when its speed is not a whole multiple of the link's."""
    if link_speed_bps <= 0 or part.speed_bps < link_speed_bps * (1 - 1e-9):
        return None
    ratio = part.speed_bps / link_speed_bps
    if not math.isclose(ratio, round(ratio), rel_tol=1e-9):
        return None
    return max(1, round(ratio))


def power_per_link(part: Transceiver, link_speed_bps: float) -> float | None:
    """Watts per link: a module's power over its links; both ends of a copper cable."""
    links = _links_per_part(part, link_speed_bps)
    if links is None or part.power_w is None:
        return None
    ends = 2 if part.is_cable else 1
    return ends * part.power_w / links


def _rank(part: Transceiver, link_speed_bps: float) -> tuple[bool, float, bool, float, str]:
    links = _links_per_part(part, link_speed_bps) or 1
    power = power_per_link(part, link_speed_bps)
    price = None if part.price_usd is None else part.price_usd / links
    return (power is None, power or 0.0, price is None, price or 0.0, part.name)


def _length(metres: float) -> str:
    return units.format_quantity(metres, units.LENGTH)


def choose_optics(
    design: Design, fabric: Fabric, link_speed_bps: float, sink: Sink
) -> OpticsChoice:
    """The fabric's named part, checked against its distance, or the part its distance picks."""
    parts = design.components.transceivers
    distance = fabric.distance_m
    named = parts.get(fabric.transceiver) if fabric.transceiver else None
    if named is not None or distance is None:
        if named is not None and distance is not None and (named.reach_m or 0.0) < distance:
            reach = _length(named.reach_m) if named.reach_m else "an unknown reach"
            close = [p.name for p in _candidates(design, distance, link_speed_bps)][:3]
            sink.error(
                codes.E308,
                f"fabric {fabric.name!r}: transceiver `{named.name}` reaches {reach}, short of "
                f"the {_length(distance)} the fabric's runs span",
                fabric.span_of("transceiver"),
                help=did_you_mean(close)
                or "name a part that reaches the distance, or shorten the runs",
                fixes=replacements(
                    fabric.attr_spans.get("transceiver"), [f"transceiver = {n}" for n in close]
                ),
            )
        return OpticsChoice(named)
    found = _candidates(design, distance, link_speed_bps)
    if not found:
        speed = units.format_quantity(link_speed_bps, units.BANDWIDTH)
        sink.error(
            codes.E308,
            f"fabric {fabric.name!r}: no transceiver or cable in scope reaches "
            f"{_length(distance)} at {speed} links",
            fabric.span_of("distance"),
            help="define one with its `reach` (a `transceiver` block), or name one with "
            "`transceiver = ...`",
        )
        return OpticsChoice(None)
    return OpticsChoice(found[0], picked=True)


def _candidates(design: Design, distance: float, link_speed_bps: float) -> list[Transceiver]:
    fitting = [
        part
        for part in design.components.transceivers.values()
        if part.end in ("switch", "any")
        and part.reach_m is not None
        and part.reach_m >= distance * (1 - 1e-9)
        and _links_per_part(part, link_speed_bps) is not None
    ]
    return sorted(fitting, key=lambda part: _rank(part, link_speed_bps))


def optics_assumptions(
    base: Assumptions, choice: OpticsChoice, link_speed_bps: float
) -> Assumptions:
    """The design's assumptions, with the chosen part's power and links per part in force."""
    overrides = dict(base.overrides)
    part = choice.part
    if part is not None:
        if part.power_w is not None:
            overrides["fabric_switch_transceiver_power_w"] = part.power_w
        elif part.is_cable:
            overrides["fabric_switch_transceiver_power_w"] = 0.0  # unpublished: counted as none
        links = _links_per_part(part, link_speed_bps)
        if links is not None:
            overrides["fabric_switch_transceiver_links"] = links
        elif part.speed_bps > 0:
            overrides["fabric_switch_transceiver_links"] = max(
                1, round(part.speed_bps / link_speed_bps)
            )
    return Assumptions(overrides=overrides, used=base.used)
