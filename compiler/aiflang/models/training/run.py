"""A whole training run: plan, step time, failure-free time, goodput and wall time.

`estimate_run` chains the pieces of this package:

1. the plan (`search.choose_plan`): searched, keeping what the design declares;
2. the step (`step.step_time`), or, when the workload declares its MFU,
   tokens per step x FLOPs per token / (GPUs x peak x MFU), shown as compute;
3. solve time = tokens / tokens per step x step time;
4. goodput (`goodput.estimate_goodput`): Daly's wall time with interruptions
   at the published rate, checkpoints to the named storage and restarts;
5. GPU-hours = the run's GPUs x wall time (GPUs idle under the plan are held
   too); MFU = model FLOPs / (GPUs in the plan x peak x step time), failures
   excluded, as Llama 3 and PaLM report it.
"""

from __future__ import annotations

from collections.abc import Mapping

from aiflang.models.assumptions import Assumptions
from aiflang.models.derivation import Derivation
from aiflang.models.training.calibration import fraction_name
from aiflang.models.training.goodput import Goodput, estimate_goodput
from aiflang.models.training.memory import Memory, Plan
from aiflang.models.training.search import choose_plan
from aiflang.models.training.shapes import Cluster, Job, ModelShape
from aiflang.models.training.step import COLLECTIVES, StepTime, flops_per_token
from aiflang.records import record, replace

SECONDS_PER_HOUR = 3600.0


@record
class TrainingRun:
    """Everything the report says about one training workload."""

    plan: Plan
    memory: Memory
    step: StepTime
    steps: float
    flops: float  # model FLOPs of the whole run
    solve_time_s: float  # failure-free
    goodput: Goodput
    gpus: int  # allocated (the plan may leave some idle)
    mfu: float
    mfu_declared: bool
    candidates: int
    derivation: Derivation

    @property
    def wall_time_s(self) -> float:
        return self.goodput.wall_time_s

    @property
    def gpu_hours(self) -> float:
        return self.gpus * self.wall_time_s / SECONDS_PER_HOUR

    @property
    def tokens_per_s(self) -> float:
        return self.step.tokens_per_s


@record
class NoPlan:
    """Why a run could not be planned: the message and a fix, in the designer's words."""

    issue: str
    help: str
    declared: bool


def estimate_run(
    model: ModelShape,
    job: Job,
    cluster: Cluster,
    precision: str,
    assumptions: Assumptions,
    *,
    plan: Mapping[str, int | str] | None = None,
    mfu: float | None = None,
    storage_bps: float | None = None,
) -> TrainingRun | NoPlan:
    """Plan and time a run; `NoPlan` when no plan (within what is declared) fits.

    `plan` holds the declared parts of the plan (tp, pp, vp, cp, ep, dp, zero,
    micro_batch, recompute); the search chooses the rest.
    """
    if cluster.gpus < 1:
        raise ValueError("a training run needs at least one GPU")
    if cluster.peak_flops <= 0:
        raise ValueError(f"the GPU has no {precision} compute figure")
    if mfu is not None and not 0.0 < mfu <= 1.0:
        raise ValueError(f"MFU {mfu} is outside (0, 1]")
    choice = choose_plan(model, job, cluster, precision, assumptions, plan)
    if choice.step is None or choice.memory is None:
        return NoPlan(choice.issue, choice.help, plan is not None)
    step = choice.step
    per_token = flops_per_token(model, job)
    step_flops = step.tokens_per_step * per_token
    if mfu is not None:
        declared_s = step_flops / (step.plan.gpus * cluster.peak_flops * mfu)
        step = replace(
            step,
            compute_s=declared_s,
            host_s=0.0,
            step_host_s=0.0,
            bubble_s=0.0,
            exposed_s=dict.fromkeys(COLLECTIVES, 0.0),
            mfu=mfu,
        )
    steps = job.tokens / step.tokens_per_step
    solve = steps * step.total_s
    goodput = estimate_goodput(
        gpus=cluster.gpus,
        solve_time_s=solve,
        total_params=model.params,
        storage_bps=storage_bps,
        assumptions=assumptions,
    )
    inputs: dict[str, float | str] = {
        "plan": step.plan.describe(),
        "recompute": step.plan.recompute,
        "microbatches": step.microbatches,
        "tokens": job.tokens,
        "tokens_per_step": step.tokens_per_step,
        "flops_per_token": per_token,
        "step_s": step.total_s,
        "compute_s": step.compute_s,
        "host_s": step.host_s,
        "step_host_s": step.step_host_s,
        "bubble_s": step.bubble_s,
        **{f"exposed_{name}_s": value for name, value in step.exposed_s.items()},
        "gpus": cluster.gpus,
        "gpus_in_plan": step.plan.gpus,
        "peak_flops_per_gpu": cluster.peak_flops,
        "compute_fraction": step.compute_fraction,
        "scale_up_domain": cluster.scale_up_domain,
        "scale_out_bps_per_gpu": cluster.scale_out_bps,
        "oversubscription": cluster.oversubscription,
        "ettr": goodput.ettr,
    }
    used: tuple[str, ...]
    if mfu is not None:
        inputs["mfu_declared"] = mfu
        formula = (
            "step = tokens_per_step x flops_per_token / (gpus_in_plan x peak x mfu) (declared "
            "MFU); time = tokens / tokens_per_step x step / ettr"
        )
        used = ()
    else:
        formula = (
            "step = compute + host_s + step_host_s + bubble + exposed tp/cp/pp/dp/ep "
            "communication; compute = tokens_per_step x flops_per_token / (gpus_in_plan x peak "
            "x compute_fraction); step_host_s = train_step_host_s (once a step); "
            "time = tokens / tokens_per_step x step / ettr; mfu = flops / (gpus_in_plan x peak "
            "x step)"
        )
        used = (
            fraction_name(cluster.family, precision),
            "scale_up_efficiency",
            "scale_out_efficiency",
            "train_dp_overlap",
            "train_dp_bucket_params",
            "train_dp_bucket_params_per_rank",
            "train_tp_overlap",
            "train_step_host_s",
        )
    return TrainingRun(
        plan=step.plan,
        memory=choice.memory,
        step=step,
        steps=steps,
        flops=job.tokens * per_token,
        solve_time_s=solve,
        goodput=goodput,
        gpus=cluster.gpus,
        mfu=step.mfu,
        mfu_declared=mfu is not None,
        candidates=choice.candidates,
        derivation=Derivation(formula, inputs, used),
    )
