"""Quotient-graph analyses against the expanded graph and the closed form."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from aiflang.models.fabric import FabricInput, FabricPlan, SwitchClass, SwitchModel, plan_fabric
from aiflang.models.topology import (
    EXPANDED_NODE_LIMIT,
    HALVES,
    GraphTooLarge,
    Half,
    analyze_topology,
    build_expanded,
    build_quotient,
    expanded_bisection_bps,
    failure_impacts,
    hop_counts,
    quotient_bisection_bps,
    single_points_of_failure,
    to_dot,
    to_graphml,
)

QM9700 = SwitchModel("QM9700", 64, 400e9)


def _uniform(plan: FabricPlan) -> bool:
    """Every leaf equally loaded and halves that split classes evenly."""
    if plan.issues or len(plan.leaf_groups) != 1:
        return False
    if plan.tiers == 3 and plan.pods > 1:
        return plan.pods % 2 == 0 and plan.switches.leaf % plan.pods == 0
    return plan.switches.leaf % 2 == 0


@st.composite
def small_fabrics(draw: st.DrawFn) -> FabricPlan:
    radix = draw(st.integers(4, 16))
    oversubscription = float(draw(st.integers(1, 3)))
    tiers = draw(st.sampled_from([2, 3]))
    topology = draw(st.sampled_from(["fat_tree", "rail_optimized"]))
    rails = draw(st.integers(1, 4)) if topology == "rail_optimized" else 1
    leaves_per_rail = draw(st.integers(1, 6))
    per_leaf = draw(st.integers(1, radix))
    plan = plan_fabric(
        FabricInput(
            "f",
            topology,
            rails * leaves_per_rail * per_leaf,
            100e9,
            SwitchModel("s", radix, 100e9),
            rails=rails,
            oversubscription=oversubscription,
            tiers=tiers,
        )
    )
    assume(_uniform(plan))
    return plan


def _expanded_after(plan: FabricPlan, switch_class: SwitchClass) -> float:
    """Max-flow on the expanded graph after the failure, in the half where it costs more."""
    return min(
        expanded_bisection_bps(plan, build_expanded(plan, failed=switch_class, half=half))
        for half in HALVES
    )


@settings(max_examples=60, deadline=None)
@given(small_fabrics())
def test_quotient_equals_expanded_equals_closed_form(plan: FabricPlan) -> None:
    quotient = quotient_bisection_bps(plan)
    expanded = expanded_bisection_bps(plan, build_expanded(plan))
    assert quotient == expanded == plan.bisection_bps
    for impact in failure_impacts(plan):
        assert _expanded_after(plan, impact.switch_class) == impact.bisection_bps_after
        assert impact.bisection_bps_after + impact.bisection_lost_bps == plan.bisection_bps


@st.composite
def uneven_fabrics(draw: st.DrawFn) -> FabricPlan:
    """Fabrics whose pods, halves or leaf loads need not split evenly."""
    radix = draw(st.integers(4, 20))
    rails = draw(st.integers(1, 4))
    plan = plan_fabric(
        FabricInput(
            "f",
            "rail_optimized",
            draw(st.integers(rails, 8 * radix)),
            100e9,
            SwitchModel("s", radix, 100e9),
            rails=rails,
            oversubscription=float(draw(st.integers(1, 3))),
            tiers=draw(st.sampled_from([2, 3])),
        )
    )
    assume(not plan.issues and plan.endpoints + plan.switches.total <= 2000)
    return plan


@settings(max_examples=40, deadline=None)
@given(uneven_fabrics(), st.sampled_from([None, "leaf", "spine", "core"]), st.sampled_from(HALVES))
def test_split_quotient_is_exact_on_uneven_fabrics(
    plan: FabricPlan, failed: SwitchClass | None, half: Half
) -> None:
    """The refined classes form an equitable partition: max-flow equals the expanded graph's,
    with any switch class failed in either half."""
    assume(failed != "core" or plan.tiers == 3)
    expanded = build_expanded(plan, failed=failed, half=half)
    assert quotient_bisection_bps(plan, failed, half) == expanded_bisection_bps(plan, expanded)


def test_core_failure_behind_spines_with_spare_uplinks() -> None:
    """The example the closed form got wrong: 3 tiers, 7 leaves per pod, radix 16.

    224 endpoints (4 rails x 4 leaves of 14) on 16 leaves with 8 uplinks each, one
    to each of the 8 spines of their pod; a spine gets 7 leaf links and has 8
    uplinks, 4 to each of the 2 cores of its group. Losing core 0 of group 0
    leaves spine 0 of every pod 4 uplinks for its 7 leaf links: 3 links lost per
    pod, 2 pods per half, 6 of the 112 links across the cut: 10.6 Tb/s. The
    closed form counted the cores' capacity per pod as a whole: 11.2 Tb/s.
    """
    plan = plan_fabric(
        FabricInput(
            "f", "rail_optimized", 224, 100e9, SwitchModel("s", 16, 100e9), rails=4, tiers=3
        )
    )
    assert (plan.pods, plan.leaves_per_pod, plan.spines_per_pod) == (4, 7, 8)
    assert (plan.cores_per_group, plan.links_spine_to_core, plan.spine_uplinks) == (2, 4, 8)
    assert plan.bisection_bps == pytest.approx(11.2e12)
    (core,) = [i for i in failure_impacts(plan) if i.switch_class == "core"]
    assert core.bisection_bps_after == pytest.approx(10.6e12)
    assert core.bisection_lost_bps == pytest.approx(0.6e12)
    assert _expanded_after(plan, "core") == core.bisection_bps_after


def test_quotient_is_a_handful_of_nodes_at_any_scale() -> None:
    small = plan_fabric(FabricInput("f", "rail_optimized", 256, 400e9, QM9700, rails=8))
    large = plan_fabric(FabricInput("f", "rail_optimized", 16384, 400e9, QM9700, rails=8))
    assert build_quotient(small).number_of_nodes() == 3
    assert build_quotient(large).number_of_nodes() == 4
    assert build_quotient(large, split=True).number_of_nodes() == 7


def test_b200_16su_analysis() -> None:
    # 16 SUs of DGX B200 (4,096 GPUs, QM9700): 128 leaves, 128 spines, 64 cores, 4 pods.
    plan = plan_fabric(FabricInput("c", "rail_optimized", 4096, 400e9, QM9700, rails=8))
    analysis = analyze_topology(plan)
    assert analysis.connected
    assert analysis.bisection_bps == 4096 * 400e9 / 2
    leaf, spine, core = analysis.failures
    # A leaf holds 32 endpoints; losing it removes 32 links from one half.
    assert (leaf.endpoints_cut_off, leaf.bisection_lost_bps) == (32, 32 * 400e9)
    # A spine: the 32 leaves of its pod each lose their one link to it.
    assert spine.bisection_lost_bps == 32 * 400e9
    # A core: 2 per group, each spine j loses 16 of its 32 uplinks, in every pod (4 pods).
    assert core.bisection_lost_bps == 4 * 16 * 400e9 / 2
    assert analysis.single_points_of_failure == ()
    assert analysis.single_homed_endpoints == 4096
    assert analysis.hops.max_switch_hops == 5


def test_hop_counts_hand_calculation() -> None:
    # 2 leaves of 2 endpoints, 2 tiers: of 12 ordered pairs 4 share a leaf (1 hop), 8 cross
    # a spine (3 hops): mean = (4 + 24) / 12.
    plan = plan_fabric(FabricInput("f", "fat_tree", 4, 100e9, SwitchModel("s", 4, 100e9), tiers=2))
    hops = hop_counts(plan)
    assert hops.max_switch_hops == 3
    assert hops.mean_switch_hops == pytest.approx(28 / 12)


def test_single_points_of_failure() -> None:
    one_switch = plan_fabric(FabricInput("f", "fat_tree", 10, 400e9, QM9700))
    assert [s.switch_class for s in single_points_of_failure(one_switch)] == ["leaf"]
    # 4-port leaves at 3:1 have one uplink, so the whole fabric hangs on one spine.
    thin = plan_fabric(
        FabricInput("f", "fat_tree", 9, 100e9, SwitchModel("s", 4, 100e9), oversubscription=3.0)
    )
    assert thin.switches.spine == 1
    [spof] = single_points_of_failure(thin)
    assert (spof.switch_class, spof.endpoints_affected) == ("spine", 9)
    healthy = plan_fabric(FabricInput("f", "rail_optimized", 1016, 400e9, QM9700, rails=8))
    assert single_points_of_failure(healthy) == ()


def test_uneven_loading_quotient_matches_the_expanded_graph() -> None:
    # 127 nodes on 4 leaves per rail: 24 leaves of 32 endpoints, 8 of 31, separate classes.
    # The closed form halves the leaves' capacity: 1,016 links / 2 = 508 (203.2 Tb/s).
    # The cut through the expanded graph puts the first 16 leaves (512 endpoints) against
    # 8 x 32 + 8 x 31 = 504: 504 links cross it (201.6 Tb/s), and the quotient agrees.
    plan = plan_fabric(FabricInput("c", "rail_optimized", 1016, 400e9, QM9700, rails=8))
    assert {g.endpoints_per_leaf for g in plan.leaf_groups} == {32, 31}
    assert plan.bisection_bps == 1016 * 400e9 / 2
    quotient = quotient_bisection_bps(plan)
    assert quotient == expanded_bisection_bps(plan, build_expanded(plan)) == 504 * 400e9


def test_expanded_graph_is_refused_above_the_limit() -> None:
    plan = plan_fabric(FabricInput("c", "rail_optimized", 32768, 400e9, QM9700, rails=8))
    with pytest.raises(GraphTooLarge) as error:
        build_expanded(plan)
    assert error.value.limit == EXPANDED_NODE_LIMIT
    assert error.value.nodes == 32768 + 1024 + 1024 + 512


def test_expanded_graph_counts() -> None:
    plan = plan_fabric(FabricInput("c", "rail_optimized", 1016, 400e9, QM9700, rails=8))
    graph = build_expanded(plan)
    kinds = [d["kind"] for _, d in graph.nodes(data=True)]
    assert (kinds.count("endpoints"), kinds.count("leaf"), kinds.count("spine")) == (1016, 32, 16)
    assert sum(d["links"] for *_, d in graph.edges(data=True)) == plan.links.total


def test_graphml_and_dot() -> None:
    plan = plan_fabric(FabricInput('a "quoted" fabric', "fat_tree", 4096, 400e9, QM9700))
    graph = build_quotient(plan)
    graphml = to_graphml(graph)
    assert graphml.startswith("<graphml") or "<graphml" in graphml
    assert 'attr.name="flow_units"' in graphml
    dot = to_dot(graph)
    assert dot.startswith('graph "a \\"quoted\\" fabric" {')
    assert '"spine" -- "core" [label="4096 links"];' in dot
    assert dot.rstrip().endswith("}")


def test_the_analysis_of_an_equal_plan_is_remembered_and_a_changed_one_is_not() -> None:
    plan = plan_fabric(FabricInput("f", "fat_tree", 2048, 400e9, QM9700))
    again = plan_fabric(FabricInput("f", "fat_tree", 2048, 400e9, QM9700))
    assert analyze_topology(plan) is analyze_topology(again)
    other = plan_fabric(FabricInput("f", "fat_tree", 2048, 400e9, QM9700, oversubscription=2.0))
    found = analyze_topology(other)
    assert found is not analyze_topology(plan)
    assert found.bisection_bps == pytest.approx(analyze_topology(plan).bisection_bps / 2, rel=0.05)
