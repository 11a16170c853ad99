"""Training model: plan, step time, goodput and wall time of a training run.

Modules, bottom to top:
- `shapes`: the model's shape, the job (tokens, sequence, batch) and the
  cluster (GPUs, scale-up domain, scale-out bandwidth, fabric);
- `calibration`: achieved compute fractions per GPU generation and precision;
- `memory`: a parallelism plan and its memory per GPU;
- `step`: step time = compute + bubble + exposed communication;
- `search`: the fastest plan that fits, or a declared plan checked;
- `goodput`: interruptions, checkpoints, restarts, Daly's wall time, ETTR;
- `run`: the chain of all of them for one workload (a declared MFU replaces
  the step-time model's compute, bubble and communication).
"""

from aiflang.models.training.goodput import (
    CheckpointEstimate,
    Goodput,
    daly_interval,
    estimate_checkpoint,
    estimate_goodput,
)
from aiflang.models.training.memory import Memory, Plan, plan_memory
from aiflang.models.training.run import NoPlan, TrainingRun, estimate_run
from aiflang.models.training.search import (
    PlanChoice,
    choose_plan,
    exhaustive_search,
    plan_issues,
    search_plan,
)
from aiflang.models.training.shapes import (
    Cluster,
    Job,
    ModelShape,
    job_for,
    shape_from_params,
)
from aiflang.models.training.step import StepTime, flops_per_token, step_time, training_flops

__all__ = [
    "CheckpointEstimate",
    "Cluster",
    "Goodput",
    "Job",
    "Memory",
    "ModelShape",
    "NoPlan",
    "Plan",
    "PlanChoice",
    "StepTime",
    "TrainingRun",
    "choose_plan",
    "daly_interval",
    "estimate_checkpoint",
    "estimate_goodput",
    "estimate_run",
    "exhaustive_search",
    "flops_per_token",
    "job_for",
    "plan_issues",
    "plan_memory",
    "search_plan",
    "shape_from_params",
    "step_time",
    "training_flops",
]
