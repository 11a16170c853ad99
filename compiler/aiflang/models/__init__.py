"""The published models aifc computes with: one module per model.

Every model is a set of pure functions over plain inputs; every constant is
an `Assumption` defined in the one table of `aiflang.models.defaults`, with a
default, a unit and a source, and can be overridden in a design's
`assumptions` block.
"""
