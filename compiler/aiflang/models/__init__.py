"""The published models aifc computes with: one module per model.

Every model is a set of pure functions over plain inputs; every constant is
an `Assumption` registered in `aiflang.models.assumptions` with a default, a
unit and a source, and can be overridden in a design's `assumptions` block.
"""

# Importing the models registers their constants, so a design's
# `assumptions` block can override any of them before the analyses run.
from aiflang.models import cost, fabric, finance, power, serving, training  # noqa: F401
