"""Count the fleet: the factory's GPUs by model and the power they share.

Afterwards `facts.fleet` holds the `Fleet` the throughput and cost estimates
both read (GPUs, GPU prices and scale-up domains by model, IT load and
facility power), so the two never count it apart.

Needs: the design; `facts.it_load_w` and `facts.facility_power_w` from the
power check when it has run. Without them (an analysis run on its own) the
IT load is the racks' power, the fabrics' switch and optics power and the
storage power, and the facility power that times the PUE. Emits nothing.
"""

from __future__ import annotations

from collections import Counter

from aiflang.analyses.facts import Facts, Fleet
from aiflang.diagnostics import Sink
from aiflang.frontend.design import Design


def count_fleet(design: Design, facts: Facts, sink: Sink) -> None:
    """Record the design's fleet in `facts.fleet`."""
    facts.fleet = factory_fleet(design, facts)


def fleet_of(design: Design, facts: Facts) -> Fleet:
    """The fleet the pipeline counted, or a count of it now."""
    return facts.fleet if facts.fleet is not None else factory_fleet(design, facts)


def factory_fleet(design: Design, facts: Facts) -> Fleet:
    """Count the GPUs by model and find the IT and facility power to share among them."""
    by_model: Counter[str] = Counter()
    domains: dict[str, int] = {}
    for placed in design.placed_nodes():
        for gpu_part in placed.node.gpus:
            by_model[gpu_part.name] += placed.nodes * gpu_part.count
            domain = placed.rack.scale_up_domain or placed.node.gpu_count
            domains[gpu_part.name] = max(domains.get(gpu_part.name, 0), domain)
    if facts.it_load_w > 0:
        it_w, basis = facts.it_load_w, "power check"
    else:
        rack_w = sum(p.racks * p.rack.power.used_w for p in design.placed_racks())
        network_w = sum(f.switch_power_w + f.optics_power_w for f in facts.fabrics)
        it_w = rack_w + network_w + sum(s.power_w for s in design.storage)
        basis = "parts"
    facility_w = facts.facility_power_w if facts.facility_power_w > 0 else it_w * design.site.pue
    gpus = design.components.gpus
    return Fleet(
        gpus=sum(by_model.values()),
        by_model=dict(by_model),
        domain_by_model=domains,
        price_usd_by_model={
            name: gpus[name].price_usd if name in gpus else None for name in by_model
        },
        it_load_w=it_w,
        facility_power_w=facility_w,
        it_basis=basis,
    )
