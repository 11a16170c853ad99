"""Goodput of a long run: interruptions, checkpoints, restarts and the wall-clock time.

- Interruptions arrive at a rate per GPU: the job's mean time between
  interruptions is M = `train_mtbf_per_gpu` / GPUs. Llama 3 405B saw 419
  unexpected interruptions in a 54-day snapshot on 16,384 H100 GPUs (Llama 3
  Herd of Models, section 3.3.4): 54 x 24 h x 16,384 / 419 = 50,680 GPU-hours
  per interruption, one every 3.1 h for the job.
- A checkpoint writes `checkpoint_size_per_param` bytes per parameter (BF16
  weights and FP32 master weights, momentum and variance: 14 B) at the
  storage system's bandwidth: C = size / bandwidth.
- A restart costs R = `train_restart_s` (detection, relaunch, collective
  set-up) + reading the checkpoint back at the same bandwidth.
- The checkpoint interval is Daly's optimum ("A higher order estimate of the
  optimum checkpoint interval for restart dumps", FGCS 2006):
  T = sqrt(2CM) x [1 + sqrt(C / 2M) / 3 + (C / 2M) / 9] - C for C < 2M,
  else M (Young's first-order form is sqrt(2CM), CACM 1974).
- Daly's wall time for a solve time T_s (the failure-free training time):
  W = M x e^(R/M) x (e^((T + C)/M) - 1) x T_s / T. The effective training
  time ratio is ETTR = T_s / W.

A run without storage to checkpoint to is charged restarts and lost work at
Daly's interval for a write of zero length (which degenerates to losing half
an interval): its ETTR is an upper bound, and the explanation says so.
"""

from __future__ import annotations

import math

from aiflang.models.assumptions import Assumptions
from aiflang.models.derivation import Derivation
from aiflang.records import record

_MAX_EXPONENT = 500.0  # e^500 is about 1e217: any wall time beyond it is "never"


@record
class CheckpointEstimate:
    """Size and write time of one full checkpoint."""

    size_bits: float
    time_s: float
    slow: bool
    derivation: Derivation


def estimate_checkpoint(
    total_params: float, storage_bandwidth_bps: float, assumptions: Assumptions
) -> CheckpointEstimate:
    """Checkpoint time = params x checkpoint size per param / storage write bandwidth."""
    if storage_bandwidth_bps <= 0:
        raise ValueError("storage bandwidth must be positive")
    per_param_bits = assumptions.value("checkpoint_size_per_param")
    warn_s = assumptions.value("checkpoint_warn_s")
    size_bits = total_params * per_param_bits
    time_s = size_bits / storage_bandwidth_bps
    return CheckpointEstimate(
        size_bits=size_bits,
        time_s=time_s,
        slow=time_s > warn_s,
        derivation=Derivation(
            "time = total_params x checkpoint_size_per_param / storage_bandwidth; "
            "slow if time > checkpoint_warn_s",
            {
                "total_params": total_params,
                "checkpoint_size_per_param_bits": per_param_bits,
                "storage_bandwidth_bps": storage_bandwidth_bps,
                "checkpoint_warn_s": warn_s,
            },
            ("checkpoint_size_per_param", "checkpoint_warn_s"),
        ),
    )


def daly_interval(checkpoint_s: float, mtbf_s: float) -> float:
    """Daly's optimum compute time between checkpoints."""
    if checkpoint_s >= 2.0 * mtbf_s:
        return mtbf_s
    ratio = checkpoint_s / (2.0 * mtbf_s)
    interval = (
        math.sqrt(2.0 * checkpoint_s * mtbf_s) * (1.0 + math.sqrt(ratio) / 3.0 + ratio / 9.0)
        - checkpoint_s
    )
    # a free checkpoint would be taken continuously; keep the interval positive and finite
    return max(interval, 1e-6 * mtbf_s)


@record
class Goodput:
    """Interruptions, checkpoints and the wall time they make of a solve time."""

    gpus: int
    solve_time_s: float
    mtbf_s: float
    checkpoint_s: float
    restart_s: float
    interval_s: float
    wall_time_s: float
    interruptions: float
    storage_bps: float | None
    derivation: Derivation

    @property
    def ettr(self) -> float:
        if not 0 < self.wall_time_s < math.inf:
            return 0.0
        return self.solve_time_s / self.wall_time_s

    @property
    def finishes(self) -> bool:
        """False when interruptions outpace restarts and checkpoints: no wall time exists."""
        return math.isfinite(self.wall_time_s)


def estimate_goodput(
    *,
    gpus: int,
    solve_time_s: float,
    total_params: float,
    storage_bps: float | None,
    assumptions: Assumptions,
) -> Goodput:
    """Daly's wall time and ETTR for a run of `solve_time_s` on `gpus` GPUs."""
    if gpus < 1:
        raise ValueError("a training run needs at least one GPU")
    mtbf = assumptions.value("train_mtbf_per_gpu") / gpus
    restart = assumptions.value("train_restart_s")
    if storage_bps and storage_bps > 0:
        checkpoint = total_params * assumptions.value("checkpoint_size_per_param") / storage_bps
    else:
        checkpoint = 0.0
    interval = daly_interval(checkpoint, mtbf)
    recover = restart + checkpoint  # reading back takes as long as writing
    exponent = (recover + interval + checkpoint) / mtbf
    if exponent > _MAX_EXPONENT:
        # interruptions come far faster than a restart and a checkpoint: the run never ends
        wall = math.inf
    else:
        wall = (
            mtbf
            * math.exp(recover / mtbf)
            * math.expm1((interval + checkpoint) / mtbf)
            * solve_time_s
            / interval
        )
        wall = max(wall, solve_time_s)
    inputs: dict[str, float | str] = {
        "gpus": gpus,
        "solve_time_s": solve_time_s,
        "mtbf_s": mtbf,
        "checkpoint_s": checkpoint,
        "restart_s": recover,
        "interval_s": interval,
    }
    if not storage_bps:
        inputs["note"] = "no storage to checkpoint to: checkpoint writes are not charged"
    else:
        inputs["storage_bps"] = storage_bps
    return Goodput(
        gpus=gpus,
        solve_time_s=solve_time_s,
        mtbf_s=mtbf,
        checkpoint_s=checkpoint,
        restart_s=recover,
        interval_s=interval,
        wall_time_s=wall,
        interruptions=wall / mtbf,
        storage_bps=storage_bps,
        derivation=Derivation(
            "M = train_mtbf_per_gpu / gpus; C = params x checkpoint_size_per_param / storage "
            "bandwidth; R = train_restart_s + C (read back); T = Daly's interval; wall = M x "
            "e^(R/M) x (e^((T+C)/M) - 1) x solve_time / T; ettr = solve_time / wall",
            inputs,
            ("train_mtbf_per_gpu", "train_restart_s", "checkpoint_size_per_param"),
        ),
    )
