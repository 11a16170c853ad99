"""Training model: time, GPU-hours and energy of a training run, and checkpoint time.

The compute of a dense or mixture-of-experts transformer is the standard
estimate of Kaplan et al. (2020) and Hoffmann et al. (2022):

    FLOPs = 6 x active params x tokens
    time  = FLOPs / (GPUs x peak(precision) x MFU)

where MFU (model FLOPs utilization) is the share of the dense peak a real
run sustains. When a workload gives no MFU, a registered default for its
precision is used (`mfu_default_bf16`, `mfu_default_fp8`, `mfu_default_fp4`).

Energy = GPU-hours x the IT power per GPU the caller attributes to the run
(its share of node, network and storage power), and x PUE at the facility.

A checkpoint writes weights plus optimizer state (`checkpoint_size_per_param`,
14 bytes per parameter for mixed-precision Adam) at the storage bandwidth;
a checkpoint slower than `checkpoint_warn_s` deserves a warning.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiflang.models.assumptions import Assumptions
from aiflang.models.derivation import Derivation

SECONDS_PER_HOUR = 3600.0


_MFU_DEFAULT = {
    "bf16": "mfu_default_bf16",
    "fp16": "mfu_default_bf16",
    "tf32": "mfu_default_bf16",
    "fp32": "mfu_default_bf16",
    "fp8": "mfu_default_fp8",
    "fp6": "mfu_default_fp8",
    "fp4": "mfu_default_fp4",
}


def mfu_for(
    precision: str, mfu: float | None, assumptions: Assumptions
) -> tuple[float, str | None]:
    """The MFU to use: the workload's own, or the registered default for its precision.

    Returns the value and the assumption name it came from (None when given).
    """
    if mfu is not None:
        if not 0.0 < mfu <= 1.0:
            raise ValueError(f"MFU {mfu} is outside (0, 1]")
        return mfu, None
    name = _MFU_DEFAULT.get(precision.lower())
    if name is None:
        raise ValueError(f"no default MFU for precision {precision!r}")
    return assumptions.value(name), name


def training_flops(active_params: float, tokens: float) -> float:
    """Total training compute: 6 x active params x tokens."""
    return 6.0 * active_params * tokens


@dataclass(frozen=True, slots=True)
class TrainingEstimate:
    """Time, GPU-hours and energy of one training run."""

    flops: float
    gpus: int
    peak_flops_per_gpu: float
    mfu: float
    time_s: float
    gpu_hours: float
    it_energy_j: float
    facility_energy_j: float
    derivation: Derivation


def estimate_training(
    *,
    active_params: float,
    tokens: float,
    gpus: int,
    peak_flops_per_gpu: float,
    precision: str,
    assumptions: Assumptions,
    mfu: float | None = None,
    it_power_per_gpu_w: float = 0.0,
    pue: float = 1.0,
) -> TrainingEstimate:
    """Estimate a training run.

    `peak_flops_per_gpu` is the GPU's dense peak for `precision`;
    `it_power_per_gpu_w` is the IT power the run draws per GPU, node and
    network overhead included (0 leaves energy at 0); `pue` turns IT energy
    into facility energy.
    """
    if gpus < 1:
        raise ValueError("a training run needs at least one GPU")
    if peak_flops_per_gpu <= 0:
        raise ValueError(f"the GPU has no {precision} compute figure")
    used_mfu, mfu_name = mfu_for(precision, mfu, assumptions)
    flops = training_flops(active_params, tokens)
    time_s = flops / (gpus * peak_flops_per_gpu * used_mfu)
    gpu_hours = gpus * time_s / SECONDS_PER_HOUR
    it_energy_j = gpus * time_s * it_power_per_gpu_w
    return TrainingEstimate(
        flops=flops,
        gpus=gpus,
        peak_flops_per_gpu=peak_flops_per_gpu,
        mfu=used_mfu,
        time_s=time_s,
        gpu_hours=gpu_hours,
        it_energy_j=it_energy_j,
        facility_energy_j=it_energy_j * pue,
        derivation=Derivation(
            "time = 6 x active_params x tokens / (gpus x peak x mfu); "
            "gpu_hours = gpus x time / 3600 s; energy = gpus x time x it_power_per_gpu x pue",
            {
                "active_params": active_params,
                "tokens": tokens,
                "gpus": gpus,
                "peak_flops_per_gpu": peak_flops_per_gpu,
                "precision": precision,
                "mfu": used_mfu,
                "it_power_per_gpu_w": it_power_per_gpu_w,
                "pue": pue,
            },
            (mfu_name,) if mfu_name else (),
        ),
    )


@dataclass(frozen=True, slots=True)
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
