"""A realistic report built by hand: two halls, two fabrics, one training run,
two serve workloads, costs, assumptions and derivations, so the renderers
are tested without waiting on the analyses."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from aiflang import report as rp

YEAR_S = 365.25 * 86400


def _position(line: int, column: int) -> rp.Position:
    return rp.Position(file="designs/two_halls.aif", line=line, column=column, byte=line * 40)


def sample_report(factory: str = "two-halls", hall: str = "A", doc: str | None = None) -> rp.Report:
    halls = [
        rp.HallReport(
            name=hall,
            it_load_w=2.62e6,
            it_capacity_w=3e6,
            ups_usable_w=3e6,
            liquid_load_w=2.1e6,
            air_load_w=0.52e6,
            liquid_capacity_w=2.4e6,
            air_capacity_w=0.8e6,
            network_w=84e3,
            storage_w=150e3,
            racks=16,
            network_racks=2,
            positions=40,
            gpus=1152,
            headroom=rp.Headroom(
                power_w=0.38e6,
                power=0.1267,
                liquid_w=0.3e6,
                air_w=0.28e6,
                positions=22,
                fits=[rp.HeadroomFit(rack="GB200_NVL72", more_racks=2, binding="liquid")],
            ),
            failures=[
                rp.Failure(part="ups module", capacity_lost_w=0.0, note="N+1 covers it"),
                rp.Failure(part="cdu", capacity_lost_w=0.6e6, gpus_affected=288, racks_affected=4),
            ],
        ),
        rp.HallReport(
            name="B",
            it_load_w=1.9e6,
            it_capacity_w=1.8e6,
            liquid_load_w=0.0,
            air_load_w=1.9e6,
            air_capacity_w=2.0e6,
            racks=60,
            positions=64,
            gpus=480,
            headroom=rp.Headroom(power_w=-0.1e6, power=-0.0556, positions=4),
        ),
    ]
    fabrics = [
        rp.FabricReport(
            name="compute",
            technology="infiniband",
            topology="rail_optimized",
            endpoints=1152,
            endpoint_speed_bps=400e9,
            rails=4,
            tiers=2,
            switches=rp.TierCounts(leaf=8, spine=4, core=0),
            links=rp.LinkCounts(endpoint_leaf=1152, leaf_spine=1152, spine_core=0),
            transceivers=2880,
            cables=2304,
            bisection_bps=230.4e12,
            bandwidth_per_endpoint_bps=400e9,
            oversubscription=1.0,
            max_hops=3,
            switch_power_w=36e3,
            optics_power_w=36288.0,
            failures=[rp.Failure(part="leaf switch", gpus_affected=144, note="bisection -25%")],
            endpoints_by_hall={hall: 1152},
            single_homed_endpoints=1152,
            mean_hops=2.75,
        ),
        rp.FabricReport(
            name="frontend",
            technology="ethernet",
            topology="fat_tree",
            endpoints=40000,
            endpoint_speed_bps=200e9,
            tiers=3,
            switches=rp.TierCounts(leaf=625, spine=400, core=100),
            links=rp.LinkCounts(endpoint_leaf=40000, leaf_spine=20000, spine_core=12800),
            transceivers=105600,
            bisection_bps=2e15,
            oversubscription=3.0,
        ),
    ]
    train = [
        rp.TrainReport(
            name="llama3-405b",
            gpus=1152,
            gpu_model="GB200",
            precision="bf16",
            mfu=0.4,
            flops=3.79e25,
            time_s=41.9 * 86400,
            gpu_hours=1.158e6,
            energy_j=1.3e13,
            cost_usd=4.1e6,
        )
    ]
    serve = [
        rp.ServeReport(
            name="llama3-70b",
            gpus=1000,
            gpu_model="GB200",
            precision="fp8",
            gpus_per_replica=4,
            replicas=250,
            batch=64,
            tokens_per_s=2.3e6,
            tokens_per_s_per_mw=1.0e6,
            joules_per_token=1.2,
            user_rate_tokens_per_s=30.0,
            time_to_first_token_s=0.21,
            cost_per_million_tokens_usd=0.42,
        ),
        rp.ServeReport(
            name="mixtral-8x22b",
            gpus=600,
            gpu_model="H100",
            precision="fp8",
            gpus_per_replica=8,
            replicas=75,
            tokens_per_s=0.7e6,
            tokens_per_s_per_mw=0.5e6,
            joules_per_token=2.0,
            cost_per_million_tokens_usd=0.9,
        ),
    ]
    cost = rp.CostReport(
        capex_usd={
            "total": 1.4e8,
            "accelerated_systems": 0.9e8,
            "network": 0.15e8,
            "storage": 0.05e8,
            "facility": 0.3e8,
        },
        opex_usd_per_year={
            "total": 1.2e7,
            "energy": 2.6e6,
            "software": 7.2e6,
            "maintenance": 2.2e6,
        },
        depreciation_usd_per_year={"total": 2.6e7, "accelerated_systems": 1.8e7, "facility": 0.8e7},
        horizon_s=5 * YEAR_S,
        tco_usd=2.0e8,
        cost_per_gpu_hour_usd=2.35,
        missing_prices=["SN5600"],
    )
    return rp.Report(
        factory=factory,
        file="designs/two_halls.aif",
        doc=doc,
        valid=False,
        error_count=1,
        warning_count=1,
        diagnostics=[
            rp.DiagnosticReport(
                code="E402",
                severity="error",
                summary='hall "B" draws 1.9 MW, over its 1.8 MW of IT capacity',
                detail="note: 60 x hgx at 31.7 kW = 1.9 MW",
                help="raise it_power to 1.9 MW, or move 4 racks to another hall",
                range=rp.Range(
                    filename="designs/two_halls.aif", start=_position(51, 5), end=_position(51, 20)
                ),
                snippet="    it_power = 1.8 MW",
            ),
            rp.DiagnosticReport(
                code="W310", severity="warning", summary="fabric frontend is 3:1 oversubscribed"
            ),
        ],
        capacity=rp.Capacity(
            gpus=1632,
            gpus_by_model={"GB200": 1152, "H100": 480},
            gpus_by_generation={"blackwell": 1152, "hopper": 480},
            it_power_w=4.52e6,
            facility_power_w=5.424e6,
            utility_w=6e6,
            peak_flops={"fp64": 7.5e16, "bf16": 3.07e18, "fp8": 6.1e18, "fp4": 1.15e19},
            hbm_bytes=2.6e14,
            racks=76,
            positions=104,
        ),
        halls=halls,
        fabrics=fabrics,
        train=train,
        serve=serve,
        cost=cost,
        requirements=[
            rp.RequirementReport(
                path=f"halls.{hall}.headroom.power",
                operator=">=",
                expected=0.1,
                actual=0.1267,
                passed=True,
                message="keep 10% power headroom",
            ),
            rp.RequirementReport(
                path="capacity.gpus", operator="==", expected=2000, actual=1632, passed=False
            ),
        ],
        assumptions=[
            rp.AssumptionReport(
                name="pue",
                value=1.2,
                default=1.3,
                unit="",
                overridden=True,
                description="facility power over IT power",
                source="Uptime Institute Global Data Center Survey 2023",
            ),
            rp.AssumptionReport(
                name="fabric_nic_transceiver_power_w",
                value=9.0,
                default=9.0,
                unit="W",
                overridden=False,
                description="power of one NIC-side transceiver (400G OSFP)",
                source="NVIDIA LinkX transceiver pages: 400G OSFP (NIC side) 9 W max",
            ),
        ],
        explain={
            "capacity.gpus": rp.DerivationReport(
                formula="sum of GPUs per rack x racks", inputs={"GB200_NVL72": 16, "HGX_H100": 60}
            ),
            "capacity.facility_power_w": rp.DerivationReport(
                formula="facility = it x pue",
                inputs={"it_w": 4.52e6, "pue": 1.2},
                assumptions=["pue"],
            ),
            "fabrics.compute.transceivers": rp.DerivationReport(
                formula="transceivers = nic side + switch side",
                inputs={"links": 1152, "topology": "rail_optimized"},
                assumptions=["fabric_nic_transceiver_power_w"],
            ),
            "serve.llama3-70b.tokens_per_s": rp.DerivationReport(
                formula="tokens_per_s = replicas x replica rate",
                inputs={"replicas": 250, "replica_tokens_per_s": 9200.0},
            ),
            "cost.tco_usd": rp.DerivationReport(
                formula="TCO = capex + horizon x opex",
                inputs={"capex_usd": 1.4e8, "opex_usd_per_year": 1.2e7, "horizon_s": 5 * YEAR_S},
            ),
        },
    )


@pytest.fixture
def make_report() -> Callable[..., rp.Report]:
    return sample_report
