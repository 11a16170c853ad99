"""What the analyses found about one design: typed results, kept out of the model.

Each analysis fills its own fields; later analyses read earlier ones (the
power check reads the fabric's switch power, the cost estimate reads the
power budget). The report is built from these facts. Sections are report
models (`aiflang.report`) so the JSON contract has one definition;
the heavier working objects (fabric plans, topology analyses) sit beside
them for renderers that need more than the JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiflang import report as rp
from aiflang.frontend.design import Design
from aiflang.models.assumptions import REGISTRY, Assumptions
from aiflang.models.explain import Explanation

if TYPE_CHECKING:
    from aiflang.analyses.bill import BillLine
    from aiflang.models.fabric import FabricPlan
    from aiflang.models.topology import TopologyAnalysis


@dataclass(slots=True)
class Facts:
    assumptions: Assumptions = field(default_factory=Assumptions)
    fabrics: list[rp.FabricReport] = field(default_factory=list)
    fabric_plans: dict[str, FabricPlan] = field(default_factory=dict)
    topologies: dict[str, TopologyAnalysis] = field(default_factory=dict)
    # Network power by hall, from the fabric pass, for the power check.
    network_power_by_hall_w: dict[str, float] = field(default_factory=dict)
    network_racks_by_hall: dict[str, int] = field(default_factory=dict)
    # Where each fabric's switches stand: fabric -> tier -> hall -> switches (as sized).
    switches_by_hall: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    # Each fabric's optics by hall (NIC side where the endpoints are, switch side by link
    # ends), apportioned so the halls add up to the fabric's transceivers.
    transceivers_by_hall: dict[str, dict[str, int]] = field(default_factory=dict)
    capacity: rp.Capacity | None = None
    halls: list[rp.HallReport] = field(default_factory=list)
    it_load_w: float = 0.0
    facility_power_w: float = 0.0
    train: list[rp.TrainReport] = field(default_factory=list)
    serve: list[rp.ServeReport] = field(default_factory=list)
    cost: rp.CostReport | None = None
    # The priced items of the cost estimate, line by line (the bill of materials reads them).
    bill: list[BillLine] = field(default_factory=list)
    bom: rp.BomReport | None = None
    requirements: list[rp.RequirementReport] = field(default_factory=list)
    explanations: dict[str, Explanation] = field(default_factory=dict)

    def explain(self, key: str, explanation: Explanation) -> None:
        """Record how the figure at report path `key` was computed."""
        self.explanations[key] = explanation


def report_sections(design: Design, facts: Facts) -> dict[str, Any]:
    """The computed sections of the report, before diagnostics are known."""
    used = sorted(facts.assumptions.used | set(facts.assumptions.overrides))
    assumptions = [
        rp.AssumptionReport(
            name=name,
            value=facts.assumptions.overrides.get(name, REGISTRY[name].default),
            default=REGISTRY[name].default,
            unit=REGISTRY[name].unit,
            overridden=name in facts.assumptions.overrides,
            description=REGISTRY[name].description,
            source=REGISTRY[name].source,
        )
        for name in used
        if name in REGISTRY
    ]
    explain = {
        key: rp.ExplanationReport(
            formula=e.formula, inputs=dict(e.inputs), assumptions=list(e.assumptions)
        )
        for key, e in sorted(facts.explanations.items())
    }
    return {
        "capacity": facts.capacity,
        "halls": facts.halls,
        "fabrics": facts.fabrics,
        "train": facts.train,
        "serve": facts.serve,
        "cost": facts.cost,
        "bom": facts.bom,
        "requirements": facts.requirements,
        "assumptions": assumptions,
        "explain": explain,
    }
