"""`aifc catalog`: the built-in components and their sources, as text."""

from __future__ import annotations

from aiflang.catalog import catalog_modules
from aiflang.frontend.resolve import catalog_scope
from aiflang.syntax import tree as ast

_ORDER = ("gpu", "cpu", "nic", "switch", "transceiver", "node", "rack")
_HEADINGS = {
    "gpu": "GPUs",
    "cpu": "CPUs",
    "nic": "NICs and DPUs",
    "switch": "Switches",
    "transceiver": "Transceivers",
    "node": "Nodes",
    "rack": "Racks",
}
_KEY_ATTRIBUTES = {
    "gpu": ("memory", "memory_bandwidth", "bf16", "fp8", "fp4", "tdp", "max_scale_up"),
    "cpu": ("cores", "tdp"),
    "nic": ("ports", "power"),
    "switch": ("ports", "breakout", "power", "height"),
    "transceiver": ("speed", "power"),
    "node": ("gpus", "nics", "power"),
    "rack": ("nodes", "power", "cooling"),
}


def _value_text(attribute: ast.Attribute) -> str:
    span = attribute.value.span
    for result in catalog_modules():
        if result.module.file == span.file:
            return result.text[span.offset : span.end_offset].strip()
    return ""


def render_catalog() -> str:
    scope = catalog_scope()
    by_kind: dict[str, list[str]] = {}
    for name, definition in sorted(scope.symbols.items()):
        attributes = _merged(definition.block, scope)
        figures = [
            f"{key} {_value_text(attributes[key])}"
            for key in _KEY_ATTRIBUTES.get(definition.kind, ())
            if key in attributes
        ]
        by_kind.setdefault(definition.kind, []).append(f"  {name:<16} " + ", ".join(figures))
    out = []
    for kind in _ORDER:
        if kind in by_kind:
            out.append(f"{_HEADINGS[kind]}:")
            out.extend(by_kind[kind])
            out.append("")
    out.append("Run `aifc catalog NAME` for one entry with its sources.")
    return "\n".join(out)


def _merged(block: ast.Block, scope: object) -> dict[str, ast.Attribute]:
    from aiflang.frontend.resolve import Scope

    assert isinstance(scope, Scope)
    chain = [block]
    seen = {id(block)}
    while chain[-1].extends:
        base = scope.lookup(chain[-1].extends)
        if base is None or id(base.block) in seen:
            break
        seen.add(id(base.block))
        chain.append(base.block)
    merged: dict[str, ast.Attribute] = {}
    for link in reversed(chain):
        for entry in link.entries:
            if isinstance(entry, ast.Attribute):
                merged[entry.name] = entry
    return merged


def render_entry(name: str) -> str | None:
    scope = catalog_scope()
    definition = scope.symbols.get(name)
    if definition is None:
        lowered = {n.lower(): n for n in scope.symbols}
        if name.lower() not in lowered:
            return None
        definition = scope.symbols[lowered[name.lower()]]
    block = definition.block
    trailing = {
        (r.module.file, c.line): c.text.lstrip("#").strip()
        for r in catalog_modules()
        for c in r.module.comments
    }
    header = f"{block.kind} {block.name}"
    if block.extends:
        header += f" extends {block.extends}"
    out = [header, f"  defined in {block.span.file}:{block.span.line}"]
    if definition.doc:
        out.extend("  " + line for line in definition.doc.splitlines())
    out.append("")
    for key, attribute in _merged(block, scope).items():
        comment = trailing.get((attribute.span.file, attribute.span.end_line), "")
        value = _value_text(attribute)
        out.append(f"  {key:<20} {value}" + (f"   # {comment}" if comment else ""))
    return "\n".join(out)
