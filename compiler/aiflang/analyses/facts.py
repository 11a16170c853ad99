"""What the analyses found about one design: typed results, kept out of the model.

Each analysis fills its own fields; later analyses read earlier ones (the
power check reads the fabric's switch power, the fleet the power check's
load, the throughput and cost estimates the fleet). The report is built
from these facts. Sections are report models (`aiflang.report`), so the
JSON contract has one definition; the heavier working objects (fabric
plans, topology analyses) sit beside them for renderers that need more than
the JSON.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiflang import report as rp
from aiflang.frontend.design import Design
from aiflang.models.assumptions import REGISTRY, Assumptions
from aiflang.models.derivation import Derivation
from aiflang.records import field, record

if TYPE_CHECKING:
    from aiflang.analyses.bill import BillLine
    from aiflang.models.fabric import FabricPlan
    from aiflang.models.topology import TopologyAnalysis


@record
class Fleet:
    """The factory's GPUs by model, their scale-up domains, and the power they share.

    Counted once (`aiflang.analyses.fleet`), after the power check, and read
    by the throughput and cost estimates.
    """

    gpus: int
    by_model: dict[str, int]
    domain_by_model: dict[str, int]
    price_usd_by_model: dict[str, float | None]
    it_load_w: float
    facility_power_w: float
    it_basis: str  # "power check" or "parts"

    def model_for(self) -> str | None:
        """The GPU model workloads run on: the only one, or the most numerous (ties by name)."""
        if not self.by_model:
            return None
        return min(self.by_model, key=lambda name: (-self.by_model[name], name))

    @property
    def it_power_per_gpu_w(self) -> float:
        return self.it_load_w / self.gpus if self.gpus else 0.0


@record(frozen=False)
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
    plant: list[rp.PlantReport] = field(default_factory=list)
    it_load_w: float = 0.0
    facility_power_w: float = 0.0
    fleet: Fleet | None = None
    train: list[rp.TrainReport] = field(default_factory=list)
    serve: list[rp.ServeReport] = field(default_factory=list)
    cost: rp.CostReport | None = None
    # The priced items of the cost estimate, line by line (the bill of materials reads them).
    bill: list[BillLine] = field(default_factory=list)
    bom: rp.BomReport | None = None
    requirements: list[rp.RequirementReport] = field(default_factory=list)
    degraded_modes: list[rp.DegradedMode] = field(default_factory=list)
    derivations: dict[str, Derivation] = field(default_factory=dict)

    def record_derivation(self, key: str, derivation: Derivation) -> None:
        """Record how the figure at report path `key` was computed."""
        self.derivations[key] = derivation


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
            low=REGISTRY[name].low,
            high=REGISTRY[name].high,
        )
        for name in used
        if name in REGISTRY
    ]
    explain = {
        key: rp.DerivationReport(
            formula=e.formula, inputs=dict(e.inputs), assumptions=list(e.assumptions)
        )
        for key, e in sorted(facts.derivations.items())
    }
    return {
        "capacity": facts.capacity,
        "halls": facts.halls,
        "plant": facts.plant,
        "fabrics": facts.fabrics,
        "train": facts.train,
        "serve": facts.serve,
        "cost": facts.cost,
        "bom": facts.bom,
        "requirements": facts.requirements,
        "degraded_modes": facts.degraded_modes,
        "assumptions": assumptions,
        "explain": explain,
    }
