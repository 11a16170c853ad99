"""Derived values for a block, from the compiled design and the analyses' facts.

What an editor shows beside a block: a node's power from its parts, a
rack's GPUs and power, a hall's load against its capacity, a fabric's
switch counts, a workload's headline figure. Every figure is the one the
report prints (the same facts and the same formatters); nothing is
computed here. A block the compiler could not analyse (errors upstream)
has no derived values.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiflang.driver import Compilation
from aiflang.frontend.design import Power
from aiflang.render import figures as fig
from aiflang.report import HallReport
from aiflang.syntax import tree as ast


@dataclass(frozen=True, slots=True)
class Derived:
    """A short line for an inlay hint and the longer lines for a hover."""

    hint: str
    lines: tuple[str, ...]


def _design_index(compilation: Compilation, factory: ast.Block | None, name: str) -> int | None:
    """The design a block belongs to: its factory's, or for a shared part the first using it."""
    for index, design in enumerate(compilation.designs):
        if factory is not None:
            if design.name == factory.name:
                return index
            continue
        parts = design.components
        if name in parts.nodes or name in parts.racks:
            return index
    return None


def _power(power: Power) -> tuple[str, str]:
    if power.declared_w is not None and power.derived_w:
        return (
            f"{fig.power(power.declared_w)} declared",
            f"power {fig.power(power.declared_w)} declared; "
            f"{fig.power(power.derived_w)} from its parts",
        )
    if power.declared_w is not None:
        return f"{fig.power(power.declared_w)} declared", f"power {fig.power(power.declared_w)}"
    used = power.derived_w or 0.0
    return f"{fig.power(used)} from parts", f"power {fig.power(used)} from its parts"


def derived(
    compilation: Compilation, block: ast.Block, factory: ast.Block | None
) -> Derived | None:
    """The derived values of `block` (inside `factory`, or at the top of the file)."""
    if block.name is None and block.kind != "site":
        return None
    index = _design_index(compilation, factory, block.name or "")
    if index is None:
        return None
    design = compilation.designs[index]
    facts = compilation.facts[index] if index < len(compilation.facts) else None
    name = block.name or ""
    if block.kind == "node" and name in design.components.nodes:
        node = design.components.nodes[name]
        short, long = _power(node.power)
        gpus = fig.plural(node.gpu_count, "GPU")
        return Derived(f"{gpus} · {short}", (f"{gpus} per node", long))
    if block.kind == "rack" and name in design.components.racks:
        rack = design.components.racks[name]
        short, long = _power(rack.power)
        gpus = fig.plural(design.rack_gpus(rack), "GPU")
        return Derived(f"{gpus} · {short}", (f"{gpus} per rack", long))
    if facts is None:
        return None
    if block.kind == "factory" and facts.capacity is not None:
        capacity = facts.capacity
        gpus = fig.plural(capacity.gpus, "GPU")
        return Derived(
            f"{gpus} · IT {fig.power(capacity.it_power_w)}",
            (
                f"{gpus} in {fig.plural(capacity.racks, 'rack')}",
                f"IT load {fig.power(capacity.it_power_w)}; facility "
                f"{fig.power(capacity.facility_power_w)}",
            ),
        )
    if block.kind == "hall":
        return _hall(facts.halls, name)
    if block.kind == "fabric":
        for report in facts.fabrics:
            if report.name == name:
                tiers = report.switches
                counts = [f"{tiers.leaf} leaf", f"{tiers.spine} spine"]
                if tiers.core:
                    counts.append(f"{tiers.core} core")
                switches = " · ".join(counts) + " switches"
                return Derived(
                    switches,
                    (
                        switches + f" ({report.tiers}-tier {report.topology.replace('_', ' ')})",
                        f"{fig.count(report.endpoints)} endpoints at "
                        f"{fig.bandwidth(report.endpoint_speed_bps)}",
                        f"{fig.count(report.transceivers)} transceivers; bisection "
                        f"{fig.bandwidth(report.bisection_bps)}",
                    ),
                )
    if block.kind == "train":
        for train in facts.train:
            if train.name == name:
                text = f"{fig.duration(train.time_s)} on {fig.plural(train.gpus, 'GPU')}"
                return Derived(text, (text, f"{fig.gpu_hours(train.gpu_hours)}"))
    if block.kind == "serve":
        for serve in facts.serve:
            if serve.name == name:
                text = f"{fig.token_rate(serve.tokens_per_s)}"
                return Derived(
                    text,
                    (
                        f"{text} on {fig.plural(serve.gpus, 'GPU')}",
                        f"{fig.tokens_per_mw(serve.tokens_per_s_per_mw)}; "
                        f"{fig.joules_per_token(serve.joules_per_token)}",
                    ),
                )
    return None


def _hall(halls: list[HallReport], name: str) -> Derived | None:
    for hall in halls:
        if hall.name == name:
            limit = hall.power_limit_w or hall.it_capacity_w
            share = hall.it_load_w / limit if limit else 0.0
            load = f"{fig.power(hall.it_load_w)} of {fig.power(limit)} ({fig.percent(share)})"
            return Derived(
                load,
                (
                    f"IT load {load}",
                    f"{fig.plural(hall.gpus, 'GPU')} in {fig.plural(hall.racks, 'rack')}; "
                    f"{hall.positions} positions",
                    f"headroom {fig.power(hall.headroom.power_w)} "
                    f"({fig.percent(hall.headroom.power)})",
                ),
            )
    return None
