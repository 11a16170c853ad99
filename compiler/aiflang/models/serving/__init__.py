"""Serving model: step time, batch limits, prefill and queueing, the interactivity curve.

Modules, bottom up: `architecture` (a network's shape and per-token costs),
`hardware` (GPU, achieved fractions, engine, network), `shape` (replica
layouts), `step` (one forward step, term by term), `workload` (request,
speculation, disaggregation), `capacity` (batch limits), `queueing` (waits),
`prefill` (TTFT), `curve` (one shape's curve), `tpot` (TPOT's spread over
requests), `search` (replica search and the operating point), `derivation`
(how the operating point's figures were obtained). All pure: plain inputs,
frozen results, SI units; every constant is defined in the one table of
`aiflang.models.defaults`.
"""

from aiflang.models.serving.architecture import Architecture, approximate
from aiflang.models.serving.capacity import BatchLimit, batch_limit
from aiflang.models.serving.curve import CurvePoint, Setup, evaluate, pareto, shape_curve
from aiflang.models.serving.derivation import point_derivation, ttft_derivation
from aiflang.models.serving.hardware import (
    PRECISION_BITS,
    WEIGHT_PRECISIONS,
    Accelerator,
    Efficiency,
    Engine,
    Network,
    default_efficiency,
    supported_precisions,
)
from aiflang.models.serving.search import Curves as search_curves
from aiflang.models.serving.search import ServingEstimate, ShapeResult, Target, search
from aiflang.models.serving.shape import ReplicaShape, candidate_shapes
from aiflang.models.serving.step import Replica, StepTime
from aiflang.models.serving.tpot import TpotSpread
from aiflang.models.serving.workload import (
    Disaggregation,
    Request,
    Speculation,
    speculation,
)

__all__ = [
    "PRECISION_BITS",
    "WEIGHT_PRECISIONS",
    "Accelerator",
    "Architecture",
    "BatchLimit",
    "CurvePoint",
    "Disaggregation",
    "Efficiency",
    "Engine",
    "Network",
    "Replica",
    "ReplicaShape",
    "Request",
    "ServingEstimate",
    "Setup",
    "ShapeResult",
    "Speculation",
    "StepTime",
    "Target",
    "TpotSpread",
    "approximate",
    "batch_limit",
    "candidate_shapes",
    "default_efficiency",
    "evaluate",
    "pareto",
    "point_derivation",
    "search",
    "search_curves",
    "shape_curve",
    "speculation",
    "supported_precisions",
    "ttft_derivation",
]
