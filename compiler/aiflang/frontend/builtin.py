"""The built-in catalog elaborated on its own: every GPU, model and engine as design IR.

For tools that need catalog figures without a design (the serving
validation table, `aifc catalog`): the same resolution and elaboration a
design's references go through, so a figure means the same in both.
"""

from __future__ import annotations

import functools

from aiflang.diagnostics import Sink
from aiflang.frontend import design as dm
from aiflang.frontend.components import ComponentBuilder
from aiflang.frontend.resolve import resolved_catalog
from aiflang.models.assumptions import Assumptions


@functools.lru_cache(maxsize=1)
def builtin_components() -> dm.Components:
    """Every catalog definition, elaborated with the default assumptions."""
    sink = Sink()
    scope = resolved_catalog(sink)
    builder = ComponentBuilder(sink, scope, Assumptions())
    for definition in scope.symbols.values():
        builder.component(definition)
    return builder.finish_components()
