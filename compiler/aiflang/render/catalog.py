"""`aifc catalog`: the built-in components and their sources, as text.

A project's own catalog files (`catalog` in its configuration), passed as
parses, are listed with the built-in parts; a project part replaces a
built-in one of the same name, as it does when designs are compiled.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiflang.catalog import catalog_modules
from aiflang.frontend.resolve import Definition, Scope, catalog_scope
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import ParseResult
from aiflang.syntax.schema import COMPONENT_KINDS

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


def _results(project: Sequence[ParseResult]) -> tuple[ParseResult, ...]:
    return (*catalog_modules(), *project)


def _value_text(attribute: ast.Attribute, project: Sequence[ParseResult] = ()) -> str:
    span = attribute.value.span
    for result in _results(project):
        if result.module.file == span.file:
            return result.text[span.offset : span.end_offset].strip()
    return ""


def _scope(project: Sequence[ParseResult]) -> Scope:
    """The built-in catalog with the project's parts in front of it."""
    scope = catalog_scope()
    if not project:
        return scope
    front = Scope(parent=scope)
    for result in project:
        for entry in result.module.entries:
            if isinstance(entry, ast.Block) and entry.kind in COMPONENT_KINDS and entry.name:
                front.symbols[entry.name] = Definition(
                    entry.kind, entry.name, entry, builtin=True, doc=entry.doc
                )
    return front


def render_catalog(project: Sequence[ParseResult] = ()) -> str:
    """Every part by kind with its key figures; the project's parts are marked."""
    scope = _scope(project)
    own = {n for r in project for n, _ in _names(r)}
    by_kind: dict[str, list[str]] = {}
    for name, definition in sorted(scope.names()):
        attributes = _merged(definition.block, scope)
        figures = [
            f"{key} {_value_text(attributes[key], project)}"
            for key in _KEY_ATTRIBUTES.get(definition.kind, ())
            if key in attributes
        ]
        label = f"{name} (project)" if name in own else name
        by_kind.setdefault(definition.kind, []).append(f"  {label:<16} " + ", ".join(figures))
    out = []
    for kind in _ORDER:
        if kind in by_kind:
            out.append(f"{_HEADINGS[kind]}:")
            out.extend(by_kind[kind])
            out.append("")
    out.append("Run `aifc catalog NAME` for one entry with its sources.")
    return "\n".join(out)


def _names(result: ParseResult) -> list[tuple[str, ast.Block]]:
    return [
        (e.name, e)
        for e in result.module.entries
        if isinstance(e, ast.Block) and e.kind in COMPONENT_KINDS and e.name
    ]


def _merged(block: ast.Block, scope: Scope) -> dict[str, ast.Attribute]:
    chain = [block]
    seen = {id(block)}
    while chain[-1].extends:
        base = scope.lookup(chain[-1].extends)
        if base is not None and base.block is chain[-1] and scope.parent is not None:
            base = scope.parent.lookup(chain[-1].extends)  # `rack X extends X`: the built-in X
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


def render_entry(name: str, project: Sequence[ParseResult] = ()) -> str | None:
    """One part with every attribute and the comment that gives its source."""
    scope = _scope(project)
    known = dict(scope.names())
    definition = known.get(name)
    if definition is None:
        lowered = {n.lower(): n for n in known}
        if name.lower() not in lowered:
            return None
        definition = known[lowered[name.lower()]]
    block = definition.block
    trailing = {
        (r.module.file, c.line): c.text.lstrip("#").strip()
        for r in _results(project)
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
        value = _value_text(attribute, project)
        out.append(f"  {key:<20} {value}" + (f"   # {comment}" if comment else ""))
    return "\n".join(out)


def missing_entry(name: str, project: Sequence[ParseResult] = ()) -> str:
    """The line for a name the catalog lacks, with the closest entries."""
    from aiflang.frontend.scope import close_matches

    close = close_matches(name, sorted(dict(_scope(project).names())))
    hint = f"; did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else ""
    return f"no catalog entry `{name}`{hint} (run `aifc catalog` for the list)"
