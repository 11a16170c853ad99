"""What stands at a place in a parsed file: a block's kind or name, an attribute,
a name used as a value, a unit, an import.

`locate(module, offset)` walks the syntax tree once and returns a `Target`
with the chain of enclosing blocks, so hover, completion and go to
definition all read the same answer. Offsets are character offsets; a
cursor just after a word still counts as on it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from aiflang.diagnostics import Span
from aiflang.syntax import tree as ast


@dataclass(slots=True)
class Target:
    """The innermost thing at an offset."""

    what: str  # kind | name | extends | attribute | ref | unit | import | block | none
    blocks: list[ast.Block] = field(default_factory=list)  # enclosing, outermost first
    attribute: ast.Attribute | None = None  # the attribute the thing belongs to
    map_key: str | None = None  # inside `cooling = { liquid = ... }`: the outer attribute
    ref: ast.Ref | None = None
    quantity: ast.Quantity | None = None
    entry: ast.Import | None = None
    span: Span | None = None

    @property
    def block(self) -> ast.Block | None:
        return self.blocks[-1] if self.blocks else None


def _on(span: Span, offset: int) -> bool:
    return span.end_offset > span.offset and span.offset <= offset <= span.end_offset


def _inside(span: Span, offset: int) -> bool:
    # A block the parser closed at the end of the file has no end offset: it runs to the end.
    end = span.end_offset if span.end_offset is not None else sys.maxsize
    return (span.offset or 0) <= offset <= end


def locate(module: ast.Module, offset: int) -> Target:
    """The target at `offset` in `module`."""
    return _entries(module.entries, offset, [])


def _entries(entries: tuple[ast.Entry, ...], offset: int, blocks: list[ast.Block]) -> Target:
    for entry in entries:
        if isinstance(entry, ast.Block) and _inside(entry.span, offset):
            return _block(entry, offset, blocks)
        if isinstance(entry, ast.Attribute) and _inside(entry.span, offset):
            return _attribute(entry, offset, blocks, None)
        if isinstance(entry, ast.Import) and _inside(entry.span, offset):
            return Target("import", list(blocks), entry=entry, span=entry.span)
    return Target("block" if blocks else "none", list(blocks))


def _block(block: ast.Block, offset: int, outer: list[ast.Block]) -> Target:
    blocks = [*outer, block]
    if _on(block.kind_span, offset):
        return Target("kind", blocks, span=block.kind_span)
    if block.name is not None and _on(block.name_span, offset):
        return Target("name", blocks, span=block.name_span)
    if block.extends is not None and _on(block.extends_span, offset):
        return Target("extends", blocks, span=block.extends_span)
    return _entries(block.entries, offset, blocks)


def _attribute(
    attribute: ast.Attribute, offset: int, blocks: list[ast.Block], outer: str | None
) -> Target:
    if _on(attribute.name_span, offset):
        return Target("attribute", blocks, attribute, outer, span=attribute.name_span)
    found = _value(attribute.value, offset)
    if isinstance(found, ast.Attribute):  # an entry of a map value
        return _attribute(found, offset, blocks, outer or attribute.name)
    if isinstance(found, ast.Ref):
        return Target("ref", blocks, attribute, outer, ref=found, span=found.span)
    if isinstance(found, ast.Quantity):
        return Target("unit", blocks, attribute, outer, quantity=found, span=found.unit_span)
    return Target("value", blocks, attribute, outer, span=attribute.value.span)


def _value(value: ast.Value, offset: int) -> ast.Ref | ast.Quantity | ast.Attribute | None:
    """The name, the unit, or the map entry at `offset` within a value."""
    if isinstance(value, ast.Ref):
        return value if _on(value.span, offset) else None
    if isinstance(value, ast.Quantity):
        if value.unit is not None and _on(value.unit_span, offset):
            return value
        return None
    if isinstance(value, ast.Multiplicity):
        return _value(value.item, offset)
    if isinstance(value, ast.Tagged):
        if _on(value.tag.span, offset):
            return value.tag
        return _value(value.argument, offset)
    if isinstance(value, ast.ListValue):
        for item in value.items:
            found = _value(item.value, offset)
            if found is not None:
                return found
        return None
    if isinstance(value, ast.MapValue):
        for entry in value.entries:
            if _inside(entry.span, offset):
                return entry
    return None


def walk_blocks(entries: tuple[ast.Entry, ...]) -> list[ast.Block]:
    """Every block among `entries`, depth first, in source order."""
    found: list[ast.Block] = []
    for entry in entries:
        if isinstance(entry, ast.Block):
            found.append(entry)
            found.extend(walk_blocks(entry.entries))
    return found
