"""Choose a parallelism plan: the fastest that fits memory, or check a declared one.

Candidates (Narayanan et al., SC 2021, section 3: tensor parallelism inside
a server, pipeline across servers, data parallelism over the rest;
Llama 3 and DeepSeek-V3 follow the same rule):

- tp: powers of two up to the scale-up domain that divide the heads;
- cp: 1, and powers of two that leave at least 2,048 tokens per rank;
- pp: powers of two and divisors of the layer count (uneven stages allowed);
- vp: 1, 2 or 4 virtual stages when pp > 1 and there are at least pp
  micro-batches (Megatron's interleaved schedule needs them);
- ep (mixture of experts): powers of two dividing the experts and the
  data-parallel x context-parallel ranks;
- dp: GPUs / (tp x pp x cp), rounded down (GPUs left over idle), at most
  the global batch in sequences;
- ZeRO-1 (distributed optimizer) with selective recomputation first; then
  full recomputation of the smallest share of layers that makes the plan
  fit (Megatron's recompute_num_layers); then FSDP (ZeRO-3) the same way.

The chosen plan has the shortest step time per token; ties go to fewer idle
GPUs, then to the smaller model-parallel size, then to the earlier candidate.

The search runs on every compilation, so it is bounded: every split gets a
floor of its step time per token (its compute and bubble with no
recomputation and no communication, which no plan of that split can beat),
the splits are visited from the lowest floor up, memory is checked before a
step is timed, and the search stops once the next floor passes the best
step found. It picks the plan the exhaustive search (`exhaustive_search`,
every fitting plan timed) picks; tests/models/test_training_search.py checks
both on a grid of models, clusters and declared plans. Results are
remembered per (model, job, cluster, precision, overrides, declared plan).

A caller may declare any part of the plan (`fixed`: tp, pp, vp, cp, ep, dp,
zero, micro_batch, recompute, which a design's `parallelism` block gives; and, from
the API only, grad_bytes 2 for gradients reduced in BF16; moe_sync and
moe_graphs, 0 or 1, for a mixture of experts' dispatcher and CUDA graphs; fp8_cs, 0 or 1,
for FP8 with per-tensor current scaling; etp 1 to fold whole experts over the tp ranks;
bucket, the parameters of a data-parallel gradient bucket where a recipe sets its own;
order, the order ranks are numbered in (tp-cp-ep-dp-pp, Megatron-Core's default, or
tp-cp-ep-pp-dp, which Megatron-Bridge's use_tp_pp_dp_mapping sets);
a design sets the first three through its assumptions);
the search then keeps those values and chooses the rest. The
declared values are checked first (GPUs, scale-up domain, heads, layers,
experts, sequence), and a plan that cannot fit says so with the numbers.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Hashable, Mapping

from aiflang.models.assumptions import Assumptions
from aiflang.models.training.calibration import precision_key
from aiflang.models.training.memory import (
    DEFAULT_ORDER,
    GRAD_BYTES,
    ORDERS,
    PP_INNER_ORDER,
    Memory,
    Plan,
    plan_memory,
    usable_bytes,
)
from aiflang.models.training.shapes import Cluster, Job, ModelShape
from aiflang.models.training.step import StepTime, compute_rates, compute_s, step_time_at
from aiflang.records import record

MIN_TOKENS_PER_CP_RANK = 2048


@record
class PlanChoice:
    """A plan with its step time and memory, or the reason no plan was found."""

    step: StepTime | None
    memory: Memory | None
    candidates: int = 0  # plans that fit memory and were timed
    issue: str = ""  # why nothing fits, in the designer's words
    help: str = ""


def _powers_of_two(limit: int) -> list[int]:
    out, value = [], 1
    while value <= limit:
        out.append(value)
        value *= 2
    return out


def _pipeline_sizes(layers: int, gpus: int) -> list[int]:
    """Powers of two and divisors of the layer count, at most the GPUs (found up to the
    square root, so a model of a hundred million layers costs no more than a small one)."""
    limit = min(layers, gpus)
    sizes = set(_powers_of_two(limit))
    for d in range(1, math.isqrt(layers) + 1):
        if layers % d == 0:
            sizes.update(x for x in (d, layers // d) if x <= limit)
    return sorted(sizes)


def plan_issues(
    model: ModelShape, job: Job, cluster: Cluster, fixed: Mapping[str, int | str]
) -> tuple[str, str]:
    """Why declared plan values cannot run, before any search (empty strings when they can)."""
    tp, pp, cp = (int(fixed.get(k, 1)) for k in ("tp", "pp", "cp"))
    dp = int(fixed.get("dp", 1))
    if tp * pp * cp * dp > cluster.gpus:
        return (
            f"the plan needs {tp * pp * cp * dp:,} GPUs (tp {tp} x pp {pp} x cp {cp} x dp {dp}); "
            f"the run has {cluster.gpus:,}",
            f"lower dp to {max(cluster.gpus // (tp * pp * cp), 1):,}, or leave dp out",
        )
    if tp > cluster.scale_up_domain:
        return (
            f"tp {tp} spans more than the scale-up domain of {cluster.scale_up_domain} GPUs",
            f"set tp to at most {cluster.scale_up_domain}, or use racks with a larger NVLink "
            "domain",
        )
    if model.heads % tp:
        return (
            f"tp {tp} does not divide the {model.heads} attention heads",
            "set tp to a divisor of the heads",
        )
    if pp > model.layers:
        return (
            f"pp {pp} is more than the {model.layers} layers",
            f"set pp to at most {model.layers}",
        )
    etp = int(fixed.get("etp", 0))
    if etp < 0 or (etp and "tp" in fixed and tp % etp):
        return (
            f"etp {etp} does not divide tp {tp}",
            "set etp to 1 (whole experts folded over the tp ranks), or leave it out",
        )
    bucket = float(fixed.get("bucket", 0))
    if not 0 <= bucket < math.inf:
        return (
            f"bucket {bucket:g} is not a parameter count",
            "set bucket to the parameters of a data-parallel gradient bucket, or leave it out",
        )
    order = str(fixed.get("order", DEFAULT_ORDER))
    if order not in ORDERS:
        return (
            f"order {order!r} is not a rank order the model knows",
            f"set order to {DEFAULT_ORDER} (Megatron-Core's default) or {PP_INNER_ORDER} "
            "(pipeline ranks inside the data-parallel ones), or leave it out",
        )
    ep = int(fixed.get("ep", 1))
    if ep > 1 and (not model.moe or model.experts % ep):
        return (
            f"ep {ep} needs a mixture of experts whose expert count it divides",
            "leave ep out, or set it to a divisor of the experts",
        )
    if job.sequence_length % cp:
        return (
            f"cp {cp} does not divide the sequence of {job.sequence_length:,} tokens",
            "set cp to a divisor of the sequence length",
        )
    return "", ""


def _better(
    candidate: StepTime, index: int, best: StepTime | None, best_index: int, gpus: int
) -> bool:
    """Whether `candidate` beats `best`: a shorter step per token, then fewer idle GPUs, then
    a smaller model-parallel size, then the earlier candidate in the order of the loops."""
    if best is None:
        return True
    per_token = candidate.total_s / candidate.tokens_per_step
    best_per_token = best.total_s / best.tokens_per_step
    if abs(per_token - best_per_token) > 1e-12 * best_per_token:
        return per_token < best_per_token
    key = (gpus - candidate.plan.gpus, candidate.plan.model_parallel, index)
    return key < (gpus - best.plan.gpus, best.plan.model_parallel, best_index)


def _per_token(step: StepTime) -> float:
    return step.total_s / step.tokens_per_step


def _options(fixed: Mapping[str, int | str], key: str, free: list[int]) -> list[int]:
    return [int(fixed[key])] if key in fixed else free


# (lower bound of seconds per token, loop index, tp, cp, pp, dp, ep, vp, micro-batches)
_Candidate = tuple[float, int, int, int, int, int, int, int, int]

# the overlap read by plans whose tp, cp, pp, dp or ep (in a candidate's order) is above 1
_OVERLAPS = (
    "train_tp_overlap",
    "train_cp_overlap",
    "train_pp_overlap",
    "train_dp_overlap",
    "train_ep_overlap",
)

_CACHE: OrderedDict[Hashable, tuple[PlanChoice, frozenset[str]]] = OrderedDict()
_CACHE_SIZE = 256


def clear_cache() -> None:
    """Forget the searches remembered so far (for timing the search itself)."""
    _CACHE.clear()


def search_plan(
    model: ModelShape,
    job: Job,
    cluster: Cluster,
    precision: str,
    a: Assumptions,
    fixed: Mapping[str, int | str] | None = None,
) -> PlanChoice:
    """The fastest plan that fits memory, among the candidates above that match `fixed`.

    Candidates are visited in the order of a lower bound of their step time
    per token (compute and bubble without recomputation or communication,
    which every plan pays at least); once the bound passes the best step
    found, no later candidate can win, and the search stops. It picks the
    plan `exhaustive_search` picks. The result is remembered per model, job,
    cluster, precision, assumption overrides and declared plan (the
    assumptions it read are marked used again on each recall).
    """
    fixed = dict(fixed or {})
    key = (
        model,
        job,
        cluster,
        precision,
        tuple(sorted(a.overrides.items())),
        tuple(sorted(fixed.items())),
    )
    hit = _CACHE.get(key)
    if hit is None:
        scratch = Assumptions(overrides=dict(a.overrides))
        choice = _search(model, job, cluster, precision, scratch, fixed, prune=True)
        hit = (choice, frozenset(scratch.used))
        _CACHE[key] = hit
        if len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    a.used.update(hit[1])
    return hit[0]


def exhaustive_search(
    model: ModelShape,
    job: Job,
    cluster: Cluster,
    precision: str,
    a: Assumptions,
    fixed: Mapping[str, int | str] | None = None,
) -> PlanChoice:
    """`search_plan` without the bound or the memory of past searches: every candidate that
    fits is timed (the reference the pruned search is tested against)."""
    return _search(model, job, cluster, precision, a, dict(fixed or {}), prune=False)


def _search(
    model: ModelShape,
    job: Job,
    cluster: Cluster,
    precision: str,
    a: Assumptions,
    fixed: Mapping[str, int | str],
    *,
    prune: bool,
) -> PlanChoice:
    usable = usable_bytes(cluster.memory_bits, a)
    rates = compute_rates(model, job, cluster, precision, a)
    ep_misfit: tuple[int, int] | None = None  # a declared ep that divides no dp x cp tried
    tps = [t for t in _powers_of_two(min(cluster.scale_up_domain, 64)) if model.heads % t == 0]
    cps = [c for c in _powers_of_two(32) if job.sequence_length // c >= MIN_TOKENS_PER_CP_RANK] or [
        1
    ]
    eps = [e for e in _powers_of_two(model.experts) if model.experts % e == 0] if model.moe else [1]
    micro = int(fixed.get("micro_batch", 1))
    grad_bytes = float(fixed.get("grad_bytes", GRAD_BYTES))
    moe_sync, moe_graphs, fp8_cs = _moe_stack(model, precision, a, fixed)
    etp = int(fixed.get("etp", 0))
    bucket = float(fixed.get("bucket", 0))
    order = str(fixed.get("order", DEFAULT_ORDER))
    seq = job.sequence_length
    candidates: list[_Candidate] = []
    for tp in _options(fixed, "tp", tps):
        for cp in _options(fixed, "cp", cps):
            for pp in _options(fixed, "pp", _pipeline_sizes(model.layers, cluster.gpus)):
                most = cluster.gpus // (tp * cp * pp)
                dp = min(int(fixed.get("dp", most)), most)
                if dp < 1 or dp * micro > job.global_batch:
                    continue
                m = max(1, -(-job.global_batch // (dp * micro)))
                # compute and bubble without recomputation: a floor under every step of this split
                floor = compute_s(model, job, rates, tp, pp, cp, dp, micro, m, 0.0)
                tokens = min(m * dp * micro, job.global_batch) * seq
                free_vps = [1] if pp == 1 or m < pp else [1, 2, 4]
                stage_layers = -(-model.layers // pp)
                for ep in _options(fixed, "ep", eps):
                    if (dp * cp) % ep:
                        ep_misfit = (ep, dp * cp)
                        continue
                    for vp in _options(fixed, "vp", free_vps):
                        if stage_layers < vp:
                            continue
                        bound = floor * (1.0 + (pp - 1) / (vp * m)) / tokens
                        candidates.append((bound, len(candidates), tp, cp, pp, dp, ep, vp, m))
    # the choice rests on the overlap of every kind of traffic some candidate has, whether
    # or not the bound leaves that candidate untimed
    for position, name in enumerate(_OVERLAPS, start=2):
        if any(c[position] > 1 for c in candidates):
            a.value(name)
    a.value("train_dp_overlap")
    a.value("train_dp_bucket_params")
    a.value("train_dp_bucket_params_per_rank")
    if prune:
        candidates.sort()
    best: StepTime | None = None
    best_index = -1
    best_memory: Memory | None = None
    timed = 0
    smallest = float("inf")
    for bound, index, tp, cp, pp, dp, ep, vp, _m in candidates:
        if prune and best is not None and bound > _per_token(best) * (1.0 + 1e-9):
            break  # sorted by the bound: nothing after this can be faster
        plan = Plan(
            tp,
            pp,
            cp,
            ep,
            dp,
            vp,
            1,
            micro,
            0.0,
            grad_bytes,
            moe_sync,
            moe_graphs,
            fp8_cs,
            etp,
            bucket,
            order,
        )
        fitted = _first_fit(model, job, plan, usable, fixed, precision)
        if fitted is None:
            if best is None:  # only read when nothing fits
                smallest = min(smallest, _least(model, job, plan, fixed, precision))
            continue
        plan, memory = fitted
        step = step_time_at(model, job, cluster, plan, a, rates)
        timed += 1
        if _better(step, index, best, best_index, cluster.gpus):
            best, best_index, best_memory = step, index, memory
    if best is None:
        what = "the declared plan does not" if fixed else "no parallelism plan can"
        if smallest == float("inf") and ep_misfit is not None and "ep" in fixed:
            ep, ranks = ep_misfit
            return PlanChoice(
                None,
                None,
                0,
                f"the declared plan does not split the run: ep {ep} must divide the "
                f"data-parallel x context-parallel ranks, {ranks:,} here",
                f"set ep to a divisor of {ranks:,}, or declare pp or dp so that "
                f"dp x cp is a multiple of {ep}",
            )
        if smallest < float("inf"):
            issue = (
                f"{what} fit: the leanest needs {smallest / 1e9:,.1f} GB per GPU, "
                f"{usable / 1e9:,.1f} GB is usable"
            )
        else:
            issue = (
                f"{what} split the run: {cluster.gpus:,} GPUs and a batch of "
                f"{job.global_batch:,} sequences leave some data-parallel rank no sequence"
            )
        return PlanChoice(
            None,
            None,
            0,
            issue,
            "raise pp or tp, shard the optimizer (zero = 3), use GPUs with more memory or a "
            "larger scale-up domain, or a shorter sequence"
            if fixed
            else "use GPUs with more memory, more GPUs, a larger scale-up domain, or a shorter "
            "sequence",
        )
    return PlanChoice(best, best_memory, timed)


def _first_fit(
    model: ModelShape,
    job: Job,
    plan: Plan,
    usable: float,
    fixed: Mapping[str, int | str],
    precision: str,
) -> tuple[Plan, Memory] | None:
    """The cheapest recomputation and sharding under which `plan` fits.

    ZeRO-1 (or the declared stage) first, recomputing in full only the share
    of layers that memory requires (memory falls linearly with the share);
    then ZeRO-3 the same way.
    """
    zeros = [int(fixed["zero"])] if "zero" in fixed else [1, 3]
    forced = fixed.get("recompute")
    for zero in zeros:
        if forced is not None:
            share = 1.0 if forced == "full" else 0.0
            candidate = _with(plan, zero, share)
            memory = plan_memory(model, job, candidate, precision)
            if memory.total <= usable:
                return candidate, memory
            continue
        lean = _with(plan, zero, 0.0)
        memory = plan_memory(model, job, lean, precision)
        if memory.total <= usable:
            return lean, memory
        full = plan_memory(model, job, _with(plan, zero, 1.0), precision)
        if full.total > usable:
            continue
        # memory(share) = memory(0) + share x (memory(1) - memory(0)) once any layer recomputes
        start = plan_memory(model, job, _with(plan, zero, 1e-9), precision).total
        share = (start - usable) / (start - full.total) if start > full.total else 1.0
        share = min(1.0, max(share, 0.0))
        share = math.ceil(share * 100.0) / 100.0  # whole percent, as layer counts round up
        candidate = _with(plan, zero, share)
        return candidate, plan_memory(model, job, candidate, precision)
    return None


def _least(
    model: ModelShape, job: Job, plan: Plan, fixed: Mapping[str, int | str], precision: str
) -> float:
    """Memory of `plan` at its leanest: the most sharding and recomputation `fixed` allows."""
    zero = int(fixed.get("zero", 3))
    share = 0.0 if fixed.get("recompute") == "selective" else 1.0
    return plan_memory(model, job, _with(plan, zero, share), precision).total


def _with(plan: Plan, zero: int, share: float) -> Plan:
    """`plan` with another ZeRO stage and recomputed share (a plain constructor call: cheaper
    than `dataclasses.replace` in the search's inner loop)."""
    return Plan(
        plan.tp,
        plan.pp,
        plan.cp,
        plan.ep,
        plan.dp,
        plan.vp,
        zero,
        plan.micro_batch,
        share,
        plan.grad_bytes,
        plan.moe_sync,
        plan.moe_graphs,
        plan.fp8_cs,
        plan.etp,
        plan.bucket,
        plan.order,
    )


def _moe_stack(
    model: ModelShape, precision: str, a: Assumptions, fixed: Mapping[str, int | str]
) -> tuple[bool, bool, bool]:
    """(dispatcher syncs with the host, expert GEMMs in CUDA graphs, FP8 scaled per tensor
    at each cast): the declared values, or the registered defaults
    (`train_moe_sync_dispatch`, `train_moe_cuda_graphs`, `train_fp8_current_scaling`)."""
    if not model.moe:
        return False, False, False
    sync = _flag(fixed, "moe_sync", a, "train_moe_sync_dispatch")
    graphs = _flag(fixed, "moe_graphs", a, "train_moe_cuda_graphs")
    current = precision_key(precision) == "fp8" and _flag(
        fixed, "fp8_cs", a, "train_fp8_current_scaling"
    )
    if not graphs:
        # read here so that the report lists the host constant the step will charge
        a.value(
            "train_host_s_per_local_expert_fp8_cs" if current else "train_host_s_per_local_expert"
        )
    return sync, graphs, current


def _flag(fixed: Mapping[str, int | str], key: str, a: Assumptions, name: str) -> bool:
    """A declared 0/1 plan key, or the registered assumption `name`; a value between 0 and 1
    counts as on from one half up."""
    declared = fixed.get(key)
    return (float(declared) if declared is not None else a.value(name)) >= 0.5


def choose_plan(
    model: ModelShape,
    job: Job,
    cluster: Cluster,
    precision: str,
    a: Assumptions,
    fixed: Mapping[str, int | str] | None = None,
) -> PlanChoice:
    """The fastest plan, within what the design declares of it (`fixed`: tp, pp, ...)."""
    if fixed:
        issue, fix = plan_issues(model, job, cluster, fixed)
        if issue:
            return PlanChoice(None, None, 0, issue, fix)
    return search_plan(model, job, cluster, precision, a, fixed)
