"""Degraded modes: for each single failure already listed, what the factory still produces.

The power and cooling analyses list, per hall, one failed UPS module, CDU
or feed (or a hall without a UPS) and the GPUs whose racks shed load; the
fabric analysis lists one failed switch of each tier, the GPUs it cuts off
and the share of bisection bandwidth it takes. For each of those failures:

- GPUs lost are taken from every workload in proportion to its GPUs
  (`gpus_lost x workload GPUs / factory GPUs`): the model knows the hall
  and the switch, not which job's racks sit behind them;
- a `serve` workload loses whole replicas: `ceil(lost GPUs / GPUs per
  replica)` of them, so tokens/s fall by that share of its replicas; lost
  tokens are valued at the workload's own cost per million tokens, per
  hour of outage;
- a `train` workload runs on the GPUs left, `time x G / (G - lost)`. A
  lost spine of the compute fabric it runs on stretches its step to the
  training model's own step with one spine lost (`step_s_spine_lost /
  step_s`: the plan's exposed communication over the bandwidth the spines
  have left). Where the model has no such figure (a lost core, or a run
  whose `mfu` is declared), a lost share `s` of bisection bandwidth
  stretches the step to `1 / (1 - s)`, treating every step as bound by the
  fabric: an upper bound (said in `basis`). A switch that cuts endpoints
  off (a leaf) takes its own uplinks with them, so it costs GPUs, not
  bandwidth; a failure in another fabric than the run's costs it no
  bandwidth. Its extra cost is its cost times the added share of time.

A frontend (north-south) fabric carries requests, not training steps: the
GPUs it cuts off are lost to serving only. A storage fabric feeds training
data and checkpoints, not requests: the GPUs it cuts off are lost to
training only. A compute fabric's are lost to both. Serving is not slowed
by a lost spine or core: a replica's traffic stays in its scale-up domain
when it fits there (`gpus_per_replica` no larger than the domain), which
is where this model places it.

Needs: size_fabrics, check_power, estimate_throughput, estimate_cost.
Emits no diagnostics.
"""

from __future__ import annotations

import math

from aiflang import report as rp
from aiflang.analyses.facts import Facts
from aiflang.diagnostics import Sink
from aiflang.frontend.design import Design

SECONDS_PER_HOUR = 3600.0
GPU_BASIS = "on the GPUs left: time x G / (G - lost)"
MODEL_BASIS = "the training model's step with one spine lost: time x step_s_spine_lost / step_s"
FABRIC_BASIS = (
    "time x 1 / (1 - bisection lost), treating every step as fabric-bound (an upper bound: "
    "the training model's lost-spine step covers one spine of a run it plans)"
)


def _share_lost(lost_gpus: float, gpus: int) -> float:
    return lost_gpus / gpus if gpus else 0.0


def _serve(serve: rp.ServeReport, lost: float) -> rp.DegradedWorkload:
    replicas = max(serve.replicas, 1)
    per_replica = max(serve.gpus_per_replica, 1)
    replicas_lost = min(replicas, math.ceil(lost / per_replica - 1e-9)) if lost > 0 else 0
    surviving = serve.tokens_per_s * (replicas - replicas_lost) / replicas
    tokens_lost = serve.tokens_per_s - surviving
    price = serve.cost_per_million_tokens_usd
    return rp.DegradedWorkload(
        name=serve.name,
        kind="serve",
        gpus_lost=lost,
        tokens_per_s=surviving,
        tokens_per_s_lost=tokens_lost,
        lost_cost_usd_per_hour=(
            tokens_lost * SECONDS_PER_HOUR * price / 1e6 if price is not None else None
        ),
    )


def _fabric_factor(
    train: rp.TrainReport, bisection_lost: float, fabric: str | None, spine: bool
) -> tuple[float, str]:
    """How much longer a step takes with the part down, and how that was found."""
    if fabric is None or bisection_lost <= 0:
        return 1.0, ""
    if train.fabric is not None and train.fabric != fabric:
        return 1.0, ""  # the run's traffic does not cross this fabric
    if spine and train.fabric == fabric and train.step_s_spine_lost is not None and train.step_s:
        return train.step_s_spine_lost / train.step_s, MODEL_BASIS
    return (1 / (1 - bisection_lost) if bisection_lost < 1 else math.inf), FABRIC_BASIS


def _train(train: rp.TrainReport, lost: float, fabric_factor: float) -> rp.DegradedWorkload:
    left = train.gpus - lost
    gpu_factor = train.gpus / left if left > 0 else math.inf
    factor = gpu_factor * fabric_factor
    time = train.time_s * factor if math.isfinite(factor) else None
    added = time - train.time_s if time is not None else None
    extra = (
        train.cost_usd * (factor - 1)
        if train.cost_usd is not None and math.isfinite(factor)
        else None
    )
    return rp.DegradedWorkload(
        name=train.name,
        kind="train",
        gpus_lost=lost,
        time_s=time,
        time_added_s=added,
        extra_cost_usd=extra,
    )


def _mode(
    facts: Facts,
    part: str,
    location: str,
    gpus_lost: int,
    bisection_lost: float,
    fabric: str | None,
    *,
    serving_hit: bool = True,
    training_hit: bool = True,
) -> rp.DegradedMode:
    gpus = facts.capacity.gpus if facts.capacity is not None else 0
    share = _share_lost(gpus_lost, gpus)
    serve_share = share if serving_hit else 0.0
    train_share = share if training_hit else 0.0
    workloads = [_serve(s, serve_share * s.gpus) for s in facts.serve]
    bases = {GPU_BASIS}
    for train in facts.train:
        factor, how = _fabric_factor(train, bisection_lost, fabric, part == "spine switch")
        bases.add(how)
        workloads.append(_train(train, train_share * train.gpus, factor))
    served = [w for w in workloads if w.kind == "serve"]
    trained = [w for w in workloads if w.kind == "train" and w.time_added_s is not None]
    lost_cost = [w.lost_cost_usd_per_hour for w in served]
    order = (GPU_BASIS, MODEL_BASIS, FABRIC_BASIS)
    basis = "; ".join(b for b in order if b in bases) if facts.train else ""
    return rp.DegradedMode(
        name=f"{location} {part}",
        part=part,
        location=location,
        gpus_lost=gpus_lost,
        bisection_lost=bisection_lost,
        tokens_per_s=sum(w.tokens_per_s or 0.0 for w in served) if served else None,
        tokens_per_s_lost=sum(w.tokens_per_s_lost or 0.0 for w in served) if served else None,
        lost_cost_usd_per_hour=(
            sum(c for c in lost_cost if c is not None) if served and None not in lost_cost else None
        ),
        train_time_added_s=max((w.time_added_s or 0.0 for w in trained), default=None),
        basis=basis,
        workloads=workloads,
    )


def degraded_modes(design: Design, facts: Facts, sink: Sink) -> None:
    """Fill `facts.degraded_modes`, one row per listed single failure."""
    if facts.capacity is None:
        return
    for hall in facts.halls:
        for failure in hall.failures:
            facts.degraded_modes.append(
                _mode(facts, failure.part, f"hall {hall.name}", failure.gpus_affected, 0.0, None)
            )
    connects = {f.name: f.connects for f in design.fabrics}
    for fabric in facts.fabrics:
        topology = facts.topologies.get(fabric.name)
        impacts = topology.failures if topology is not None else ()
        for index, failure in enumerate(fabric.failures):
            lost_share = impacts[index].bisection_lost_share if index < len(impacts) else 0.0
            # A leaf that cuts endpoints off takes its own uplinks with them: the GPUs left
            # keep their bandwidth, so only a failure that cuts nothing off slows the rest.
            role = connects.get(fabric.name)
            compute = role == "compute" and failure.gpus_affected == 0
            facts.degraded_modes.append(
                _mode(
                    facts,
                    failure.part,
                    f"fabric {fabric.name}",
                    failure.gpus_affected,
                    lost_share if compute else 0.0,
                    fabric.name if compute else None,
                    serving_hit=role != "storage",
                    training_hit=role != "frontend",
                )
            )
