"""Achieved compute fractions of peak, per GPU generation and training precision.

The step-time model charges compute at peak x a fraction that real training
kernels reach (GEMMs at their shapes, attention, norms, optimizer, launch
gaps). The fraction is data, one number per (GPU generation, precision),
fitted once on the calibration two thirds of the published runs listed in
docs/models.md ("Validation"), never per run: the step-time model with its
communication and bubble terms is evaluated on each calibration run, and
the fraction is the one that makes the median error of that group zero.
The held-out third is never read while fitting.

A generation without data of its own uses the fraction registered for the
precision alone (`train_compute_fraction_<precision>`), the median of the
calibrated generations, and the explanation says so.
"""

from __future__ import annotations

from aiflang.models.assumptions import REGISTRY, Assumptions, register

# (generation, precision) -> (fraction, the published runs it was fitted on)
_FITTED: dict[tuple[str, str], tuple[float, str]] = {
    ("ampere", "bf16"): (
        0.516,
        "fitted to Megatron-LM (Narayanan et al., SC 2021) Table 1 and MegaScale (Jiang et al., "
        "NSDI 2024) Table 2 runs on A100",
    ),
    ("hopper", "bf16"): (
        0.581,
        "fitted to Llama 3 Herd of Models (Meta, 2024) Table 4 on H100",
    ),
    ("hopper", "fp8"): (
        0.527,
        "fitted to MLPerf Training v4.0-v5.1 results on H100 and H200 (NVIDIA, Nebius) and the "
        "NVIDIA NeMo 24.07 performance summary",
    ),
    ("blackwell", "fp8"): (
        0.405,
        "fitted to MLPerf Training v5.0-v5.1 results on GB200 (NVIDIA, IBM+CoreWeave+NVIDIA) and "
        "the NVIDIA Megatron-Bridge 25.11 performance summary",
    ),
    ("blackwell", "bf16"): (
        0.330,
        "fitted to the NVIDIA Megatron-Bridge 25.11 performance summary, DeepSeek-V3 BF16 on "
        "GB200 (a mixture of experts: the only published BF16 training run on this generation)",
    ),
    ("blackwell_ultra", "bf16"): (
        0.396,
        "fitted to the NVIDIA Megatron-Bridge 25.11 performance summary, DeepSeek-V3 BF16 on "
        "GB300 (a mixture of experts: the only published BF16 training run on this generation)",
    ),
    ("blackwell", "fp4"): (
        0.300,
        "fitted to MLPerf Training v5.1 NVFP4 results on GB200 (NVIDIA)",
    ),
    ("blackwell_ultra", "fp8"): (
        0.357,
        "fitted to MLPerf Training v5.1 results on GB300 (NVIDIA) and the NVIDIA Megatron-Bridge "
        "25.11 performance summary",
    ),
    ("blackwell_ultra", "fp4"): (
        0.301,
        "fitted to MLPerf Training v5.1 NVFP4 results on GB300 (NVIDIA)",
    ),
}

_DEFAULT_BY_PRECISION: dict[str, float] = {"bf16": 0.456, "fp8": 0.405, "fp4": 0.300}

_PRECISION_CLASS = {
    "bf16": "bf16",
    "fp16": "bf16",
    "tf32": "bf16",
    "fp32": "bf16",
    "fp64": "bf16",
    "fp8": "fp8",
    "fp6": "fp8",
    "fp4": "fp4",
}


def family_key(generation: str) -> str:
    """`Blackwell Ultra` -> `blackwell_ultra`."""
    return "_".join(generation.lower().replace("-", " ").split())


def precision_key(precision: str) -> str:
    """The precision class a fraction is fitted for: bf16, fp8 or fp4."""
    return _PRECISION_CLASS.get(precision.lower(), "bf16")


def fraction_name(generation: str, precision: str) -> str:
    """The registered assumption that holds the fraction for this generation and precision."""
    fitted = f"train_compute_fraction_{family_key(generation)}_{precision_key(precision)}"
    if fitted in REGISTRY:
        return fitted
    return f"train_compute_fraction_{precision_key(precision)}"


def compute_fraction(generation: str, precision: str, assumptions: Assumptions) -> float:
    """The achieved fraction of dense peak for training on this generation at this precision."""
    return assumptions.value(fraction_name(generation, precision))


for (_family, _precision), (_value, _source) in _FITTED.items():
    register(
        f"train_compute_fraction_{_family}_{_precision}",
        _value,
        "%",
        f"achieved share of dense {_precision} peak in training kernels on {_family} GPUs",
        _source,
        minimum=0.01,
        maximum=1.0,
    )
for _precision, _value in _DEFAULT_BY_PRECISION.items():
    register(
        f"train_compute_fraction_{_precision}",
        _value,
        "%",
        f"achieved share of dense {_precision} peak in training, for GPU generations without "
        "calibration data of their own",
        "median of the fractions fitted per GPU generation at this precision (see the "
        "train_compute_fraction_<generation>_<precision> assumptions)",
        minimum=0.01,
        maximum=1.0,
    )
