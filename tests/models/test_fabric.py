"""Fabric sizing against published reference architectures and hand calculations."""

from __future__ import annotations

import pytest

from aiflang.models.assumptions import Assumptions
from aiflang.models.fabric import (
    FabricInput,
    SwitchModel,
    TierCounts,
    effective_radix,
    leaf_downlinks_for,
    plan_fabric,
)

QM9700 = SwitchModel("QM9700", 64, 400e9)  # NVIDIA QM97X0 manual: 64 x 400 Gb/s
Q3400 = SwitchModel("Q3400", 144, 800e9, breakout_ways=2)  # NVIDIA XDR switch manual
SN5600 = SwitchModel("SN5600", 64, 800e9, breakout_ways=2)


def rail_fabric(nodes: int, switch: SwitchModel, speed: float, rails: int = 8, **kw: object):
    return plan_fabric(
        FabricInput("compute", "rail_optimized", nodes * rails, speed, switch, rails=rails, **kw)
    )


def test_dgx_h100_superpod_4su_127_nodes() -> None:
    # NVIDIA DGX SuperPOD H100 reference architecture (RA-11333-001): 4 SUs, 127 DGX H100,
    # 8 x 400G NDR rails per node, QM9700: 32 leaf and 16 spine compute switches.
    plan = rail_fabric(127, QM9700, 400e9)
    assert plan.tiers == 2
    assert plan.switches == TierCounts(leaf=32, spine=16, core=0)
    assert plan.links.endpoint_leaf == 1016
    assert plan.links.leaf_spine == 1024  # leaf uplinks cabled for the full SU
    assert plan.links_leaf_to_spine == 2
    assert plan.issues == ()


# NVIDIA DGX SuperPOD B200 reference architecture, "Larger DGX SuperPOD component counts":
# (SUs, nodes, leaf, spine, core, node-leaf, leaf-spine, spine-core cables); QM9700, 8 rails.
B200_TABLE = [
    (2, 64, 16, 8, 0, 512, 512, 0),
    (4, 128, 32, 16, 0, 1024, 1024, 0),
    (8, 256, 64, 32, 0, 2048, 2048, 0),
    (16, 512, 128, 128, 64, 4096, 4096, 4096),
    (32, 1024, 256, 256, 128, 8192, 8192, 8192),
    (64, 2048, 512, 512, 256, 16384, 16384, 16384),
]


@pytest.mark.parametrize(("sus", "nodes", "leaf", "spine", "core", "nl", "ls", "sc"), B200_TABLE)
def test_dgx_b200_superpod_table(
    sus: int, nodes: int, leaf: int, spine: int, core: int, nl: int, ls: int, sc: int
) -> None:
    plan = rail_fabric(nodes, QM9700, 400e9)
    assert plan.tiers == (3 if core else 2)
    assert plan.switches == TierCounts(leaf, spine, core)
    assert (plan.links.endpoint_leaf, plan.links.leaf_spine, plan.links.spine_core) == (nl, ls, sc)


# NVIDIA DGX SuperPOD B300 with Quantum-X800 InfiniBand RA (RA-11339-001), Table 3:
# (SUs, nodes, leaf, spine, node-leaf, leaf-spine); Q3400 144 x 800G, 8 x 800G per node.
# The 18 and 36 spines (not 16 and 32) come from balancing: 72 uplinks per leaf must
# spread evenly over the spines.
B300_XDR_TABLE = [
    (1, 72, 8, 4, 576, 576),
    (2, 144, 16, 8, 1152, 1152),
    (4, 288, 32, 18, 2304, 2304),
    (8, 576, 64, 36, 4608, 4608),
    (18, 1296, 144, 72, 10368, 10368),
]


@pytest.mark.parametrize(("sus", "nodes", "leaf", "spine", "nl", "ls"), B300_XDR_TABLE)
def test_dgx_b300_xdr_superpod_table(
    sus: int, nodes: int, leaf: int, spine: int, nl: int, ls: int
) -> None:
    plan = rail_fabric(nodes, Q3400, 800e9)
    assert plan.tiers == 2
    assert plan.switches == TierCounts(leaf, spine, 0)
    assert (plan.links.endpoint_leaf, plan.links.leaf_spine) == (nl, ls)


def test_b300_xdr_18_su_is_the_two_tier_limit() -> None:
    # 144^2 / 2 = 10,368 endpoints: one more node needs a third tier.
    assert rail_fabric(1296, Q3400, 800e9).max_endpoints == 10368
    assert rail_fabric(1297, Q3400, 800e9).tiers == 3


def test_gb200_su_hand_calculation() -> None:
    # Hand calculation (the GB200 RA switch table was not found): 8 NVL72 racks = 576 GPUs,
    # one 400G port each, 4 rails (4 NICs per compute tray), Q3400 broken out 2 ways =
    # 288 x 400G. Leaf: 144 down, 144 up; 144 endpoints per rail -> 1 leaf per rail;
    # 576 uplinks / 288 = 2 spines (2 divides 144: balanced, 72 links per leaf-spine pair).
    plan = plan_fabric(FabricInput("gb200", "rail_optimized", 576, 400e9, Q3400, rails=4))
    assert plan.leaf_radix == 288
    assert plan.switches == TierCounts(4, 2, 0)
    assert plan.links_leaf_to_spine == 72
    # Transceivers: 576 endpoint ends + 2 x 576 switch-switch ends = 1,728 ends, two per
    # twin-port module = 864 switch-side; 576 NIC-side. Optics: 864 x 15 W + 576 x 9 W.
    assert plan.transceivers.switch_side == 864
    assert plan.transceivers.nic_side == 576
    assert plan.optics_power_w == pytest.approx(864 * 15 + 576 * 9)


def test_capacity_formulas() -> None:
    assert leaf_downlinks_for(64, 1.0) == 32
    assert leaf_downlinks_for(64, 3.0) == 48
    assert leaf_downlinks_for(64, 2.0) == 42  # floor(64 * 2 / 3)
    two = plan_fabric(FabricInput("f", "fat_tree", 2048, 400e9, QM9700))
    assert (two.tiers, two.max_endpoints) == (2, 64**2 // 2)
    three = plan_fabric(FabricInput("f", "fat_tree", 2049, 400e9, QM9700))
    assert (three.tiers, three.max_endpoints) == (3, 64**3 // 4)


def test_single_switch() -> None:
    plan = plan_fabric(FabricInput("f", "fat_tree", 40, 400e9, QM9700))
    assert plan.tiers == 1
    assert plan.switches == TierCounts(1, 0, 0)
    assert plan.bisection_bps == 20 * 400e9
    assert plan.max_switch_hops == 1


def test_e301_declared_tiers_too_few() -> None:
    plan = plan_fabric(FabricInput("f", "fat_tree", 4096, 400e9, QM9700, tiers=2))
    [issue] = plan.issues
    assert issue.code == "E301"
    assert "serves at most 2,048 endpoints at 1:1" in issue.help
    assert "4,096" in issue.help
    assert "tiers = 3" in issue.help


def test_e301_beyond_three_tiers() -> None:
    plan = plan_fabric(FabricInput("f", "fat_tree", 65537, 400e9, QM9700))
    assert plan.tiers == 3
    assert [i.code for i in plan.issues] == ["E301"]


def test_e302_speed_without_breakout() -> None:
    plan = plan_fabric(FabricInput("f", "fat_tree", 256, 200e9, SN5600))
    assert [i.code for i in plan.issues] == ["E302"]
    assert "4-way breakout" in plan.issues[0].help
    assert effective_radix(SN5600, 400e9) == (128, True)
    assert effective_radix(SN5600, 200e9) == (64, False)


def test_e304_and_w303_declared_counts() -> None:
    declared = {"leaf": 30, "spine": 20}
    plan = rail_fabric(127, QM9700, 400e9, declared_switches=declared)
    codes = {i.code: i for i in plan.issues}
    assert "needs 32" in codes["E304"].message
    assert "4 are spare" in codes["W303"].message


def test_e303_no_endpoints() -> None:
    plan = plan_fabric(FabricInput("f", "fat_tree", 0, 400e9, QM9700))
    assert [i.code for i in plan.issues] == ["E303"]
    assert plan.switches.total == 0


def test_oversubscribed_bisection_and_bandwidth() -> None:
    # 3:1 on 64 ports: 48 down, 16 up; 4,800 endpoints -> 100 leaves, 1,600 uplinks;
    # spines: ceil(1600/64) = 25 -> smallest divisor of 16 >= 25 does not exist in 2 tiers
    # (100 leaves > 64), so 3 tiers. Bisection = 100 x 16 links x 400G / 2 = 320 Tb/s.
    plan = plan_fabric(FabricInput("f", "fat_tree", 4800, 400e9, QM9700, oversubscription=3.0))
    assert (plan.leaf_downlinks, plan.leaf_uplinks) == (48, 16)
    assert plan.switches.leaf == 100
    assert plan.bisection_bps == 100 * 16 * 400e9 / 2
    assert plan.bandwidth_per_endpoint_bps == pytest.approx(400e9 / 3)
    assert plan.leaf_oversubscription == 3.0


def test_halls_get_their_own_leaves() -> None:
    # 40 endpoints in each of two halls on 64-port leaves at 1:1: one leaf per hall
    # (a leaf does not serve two halls), 2 leaves x 32 uplinks / 64 = 1 spine.
    plan = plan_fabric(FabricInput("f", "fat_tree", 80, 400e9, QM9700, halls={"A": 40, "B": 40}))
    assert plan.tiers == 2
    assert plan.switches.leaf == 4  # 40 > 32 downlinks: two leaves per hall
    assert {g.hall for g in plan.leaf_groups} == {"A", "B"}


def test_switch_power_declared_or_estimated() -> None:
    powered = SwitchModel("QM9700", 64, 400e9, power_w=1720.0)
    plan = rail_fabric(127, powered, 400e9)
    assert plan.switch_power_w == 48 * 1720.0
    estimated = rail_fabric(127, QM9700, 400e9)
    assert estimated.switch_power_w == pytest.approx(48 * 25.6e12 * 30e-12)


def test_assumption_override_changes_transceivers() -> None:
    assumptions = Assumptions(overrides={"fabric_switch_transceiver_links": 1})
    plan = plan_fabric(FabricInput("f", "fat_tree", 40, 400e9, QM9700), assumptions)
    assert plan.transceivers.switch_side == 40
    assert "fabric_switch_transceiver_links" in assumptions.used


def test_three_tier_core_count_uses_a_balanceable_spine_uplink_count() -> None:
    # 1,000,000 GPUs at 400G on Q3400 (144 x 800G, split 2 ways: radix 288), 4 rails.
    # Hand calculation: 144 downlinks per leaf, 6,948 leaves, pods of 144 leaves ->
    # 49 pods of 144 spines. The pods' leaves bring 142 links down to each spine; 142
    # has no divisor near ceil(49 x 142 / 288) = 25, so the spine uses 144 uplinks:
    # ceil(49 x 144 / 288) = 25 -> 36 cores per group (36 divides 144), 144 groups.
    q3400 = SwitchModel("Q3400", ports=144, port_speed_bps=800e9, breakout_ways=2)
    plan = plan_fabric(FabricInput("c", "rail_optimized", 1_000_000, 400e9, q3400, rails=4))
    assert plan.tiers == 3
    assert (plan.switches.leaf, plan.switches.spine, plan.switches.core) == (6948, 7056, 5184)
    assert plan.switches.core < plan.switches.spine
    assert plan.links.spine_core == 7056 * 144
    assert plan.links.spine_core <= plan.switches.core * 288


def test_a_leaf_gives_up_a_downlink_when_that_balances_onto_fewer_spines() -> None:
    # 4,608 endpoints at 400G on SN5600 (64 x 800G split 2 ways: radix 128) at 2:1.
    # The ratio allows 85 down / 43 up; 43 is prime, so 55 leaves x 43 uplinks
    # (2,365 links, at least 19 spines of 128 ports) must spread over 43 spines.
    # With 84 down / 44 up: 55 leaves x 44 = 2,420 links, at least 19 spines,
    # and 22 divides 44: 55 + 22 = 77 switches instead of 55 + 43 = 98.
    sn5600 = SwitchModel("SN5600", ports=64, port_speed_bps=800e9, breakout_ways=2)
    plan = plan_fabric(FabricInput("s", "fat_tree", 4608, 400e9, sn5600, oversubscription=2.0))
    assert (plan.leaf_downlinks, plan.leaf_uplinks) == (84, 44)
    assert (plan.switches.leaf, plan.switches.spine) == (55, 22)
    assert plan.leaf_oversubscription <= 2.0
    # When the most downlinks already give the fewest switches, they are kept.
    plan = plan_fabric(FabricInput("s", "fat_tree", 9216, 400e9, sn5600, oversubscription=2.0))
    assert (plan.leaf_downlinks, plan.switches.leaf, plan.switches.spine) == (85, 109, 43)


def test_many_halls_of_a_few_sizes_keep_their_own_leaf_groups() -> None:
    # 300 halls of 40 endpoints and 300 of 100 on 64-port leaves at 1:1 (32 down):
    # 2 leaves (20 + 20) per small hall, 4 (25 x 4) per large one. Halls of the same
    # size are placed once; every hall still gets its own groups, in design order.
    halls = {f"h{i}": 40 if i % 2 else 100 for i in range(600)}
    plan = plan_fabric(
        FabricInput("f", "fat_tree", sum(halls.values()), 400e9, QM9700, halls=halls)
    )
    assert plan.switches.leaf == 300 * 2 + 300 * 4
    assert [g.hall for g in plan.leaf_groups] == list(halls)
    by_hall = {g.hall: (g.count, g.endpoints_per_leaf) for g in plan.leaf_groups}
    assert by_hall["h1"] == (2, 20) and by_hall["h0"] == (4, 25)
    usable = sum(g.count * min(g.endpoints_per_leaf, plan.leaf_uplinks) for g in plan.leaf_groups)
    assert plan.bisection_bps == usable * plan.link_speed_bps / 2


def test_the_downlink_search_winner_names_its_halls() -> None:
    # The search of fewer downlinks per leaf (see above) on a fabric split over two
    # halls: the winning plan is the one planned hall by hall.
    sn5600 = SwitchModel("SN5600", ports=64, port_speed_bps=800e9, breakout_ways=2)
    whole = plan_fabric(FabricInput("s", "fat_tree", 4608, 400e9, sn5600, oversubscription=2.0))
    split = plan_fabric(
        FabricInput(
            "s",
            "fat_tree",
            4608,
            400e9,
            sn5600,
            oversubscription=2.0,
            halls={"A": 2304, "B": 2304},
        )
    )
    assert whole.leaf_downlinks == 84
    assert {g.hall for g in split.leaf_groups} == {"A", "B"}
    assert split.switches.leaf == sum(g.count for g in split.leaf_groups)
