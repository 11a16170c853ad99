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
calibrated generations, and the derivation says so.

The values and the runs each was fitted on are in the table of constants
(`aiflang.models.defaults`, the `train_compute_fraction_*` assumptions).
"""

from __future__ import annotations

from aiflang.models.assumptions import REGISTRY, Assumptions

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
