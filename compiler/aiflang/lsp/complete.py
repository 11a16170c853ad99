"""Completion: what may be written at the cursor.

The context is read from the text before the cursor, not from the syntax
tree, because the line being typed rarely parses: the chain of open blocks
(`factory f {`, `hall A {`, or a map value `cooling = {`) and the start of
the current entry. Then:

- at the start of an entry: the enclosing block's attributes and the block
  kinds that may stand there (at the top of a file: components, `factory`,
  `import`);
- after `name =`: for a name of a kind (a GPU, a rack, a switch, ...) the
  names in scope of that kind, catalog parts included; for a hall, fabric
  or storage the factory's own; for a choice its values; after a number,
  the units of the attribute's dimension (and `x` for `N x part`);
- inside `assumptions`: the registered model constants.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from aiflang import units
from aiflang.frontend.resolve import Scope
from aiflang.lsp.document import Document
from aiflang.syntax import tree as ast
from aiflang.syntax.schema import BLOCKS, COMPONENT_KINDS, Attr, Form

_TOKENS = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|[{}]')
_ENTRY_START = re.compile(r"^\s*([A-Za-z_]\w*)?$")
_VALUE = re.compile(r"^\s*([A-Za-z_]\w*)\s*=\s*(.*)$")
_AFTER_NUMBER = re.compile(r"(?:^|[\s\[,(])(\d[\d_]*(?:\.\d+)?(?:[eE][+-]?\d+)?)\s+([\w/$^%]*)$")
_AFTER_TIMES = re.compile(r"\d[\d_]*\s+x\s+(\w*)$")
_WORD_TAIL = re.compile(r"(\w*)$")
_SPECIAL_VALUES = {
    Form.BOOL: ("true", "false"),
    Form.REDUNDANCY: ("N", "N+1", "N+2", "2N"),
    Form.COOLING: ("air", "liquid"),
    Form.SCALE_UP: ("nvlink", "infinity_fabric", "none"),
}
_MAP_KEYS = {Form.MEDIA: ("liquid", "air"), Form.SWITCH_COUNTS: ("leaf", "spine", "core")}


@dataclass(frozen=True, slots=True)
class Item:
    """One completion, independent of the protocol's types."""

    label: str
    kind: str  # attribute | block | name | unit | choice | assumption | keyword
    detail: str = ""
    insert: str | None = None


@dataclass(slots=True)
class Context:
    blocks: list[tuple[str, str | None]]  # open blocks: (kind, name); a map value: ("=", attr)
    fragment: str  # the current entry, up to the cursor


def context_at(text: str, offset: int) -> Context:
    """The open blocks and the current entry at `offset`, read from the raw text."""
    before = text[:offset]
    stack: list[tuple[str, str | None]] = []
    boundary = 0
    for match in _TOKENS.finditer(before):
        token = match.group()
        if token == "{":
            header = before[boundary : match.start()]
            header = re.split(r"[\n,]", header)[-1].strip()
            if "=" in header:
                stack.append(("=", header.split("=")[0].strip()))
            else:
                words = header.split()
                stack.append((words[0] if words else "", words[1] if len(words) > 1 else None))
            boundary = match.end()
        elif token == "}":
            if stack:
                stack.pop()
            boundary = match.end()
    tail = before[boundary:]
    fragment = re.split(r"[\n,]", tail)[-1]
    return Context(stack, fragment)


def _names(scope: Scope | None, kinds: tuple[str, ...]) -> list[Item]:
    if scope is None:
        from aiflang.frontend.resolve import catalog_scope

        scope = catalog_scope()
    items = []
    for name, definition in sorted(scope.names()):
        if definition.kind in kinds:
            origin = "catalog" if definition.builtin else "defined in this project"
            detail = f"{definition.kind}, {origin}"
            if definition.doc:
                detail += f": {definition.doc.splitlines()[0]}"
            items.append(Item(name, "name", detail))
    return items


def _factory_block(document: Document, blocks: list[tuple[str, str | None]]) -> ast.Block | None:
    names = [name for kind, name in blocks if kind == "factory"]
    module = document.module
    if module is None:
        return None
    for entry in module.entries:
        if not isinstance(entry, ast.Block) or entry.kind != "factory":
            continue
        if not names or names[0] in (entry.name, f'"{entry.name}"'):
            return entry
    return None


def _entry_items(kind: str | None, document: Document) -> list[Item]:
    if kind is None:  # the top of a file
        items = [Item(k, "block", BLOCKS[k].doc, f"{k} ") for k in (*COMPONENT_KINDS, "factory")]
        return [*items, Item("import", "keyword", "import definitions from a file", 'import "')]
    if kind == "assumptions":
        from aiflang.models.assumptions import REGISTRY

        return [
            Item(name, "assumption", a.description, f"{name} = ")
            for name, a in sorted(REGISTRY.items())
        ]
    spec = BLOCKS.get(kind)
    if spec is None:
        return []
    items = [Item(a.name, "attribute", a.doc, f"{a.name} = ") for a in spec.attrs.values()]
    items += [Item(k, "block", BLOCKS[k].doc, f"{k} ") for k in spec.children]
    if kind == "factory":
        items.append(Item("require", "keyword", "a rule on a computed figure", "require "))
    return items


def _value_items(
    attr: Attr, value: str, document: Document, factory: ast.Block | None
) -> list[Item]:
    number = _AFTER_NUMBER.search(value)
    if attr.form in (Form.QUANTITY, Form.MODULES) and number and attr.dimension is not None:
        return [
            Item(u, "unit", units.dimension_name(attr.dimension))
            for u in units.units_of(attr.dimension)
        ]
    if attr.form is Form.MODULES and number:
        return [Item("x", "keyword", "N x size: a plant of N modules", "x ")]
    if attr.form is Form.PARTS and number and not _AFTER_TIMES.search(value):
        return [Item("x", "keyword", "N x part", "x ")]
    if attr.form in (Form.REF, Form.PARTS) and attr.ref_kind:
        if attr.ref_kind[0] in ("hall", "fabric", "storage"):
            if factory is None:
                return []
            return [
                Item(e.name, "name", f"{e.kind} of this factory")
                for e in factory.entries
                if isinstance(e, ast.Block) and e.kind == attr.ref_kind[0] and e.name
            ]
        return _names(document.scope_at(factory), attr.ref_kind)
    if attr.form is Form.CHOICE:
        return [Item(c, "choice", attr.doc) for c in attr.choices]
    if attr.form in _SPECIAL_VALUES:
        return [Item(c, "choice", attr.doc) for c in _SPECIAL_VALUES[attr.form]]
    return []


def complete(document: Document, offset: int) -> list[Item]:
    """The completions at `offset` of the document's text."""
    context = context_at(document.text, offset)
    kinds = [kind for kind, _ in context.blocks]
    factory = _factory_block(document, context.blocks)
    # Inside a map value: its keys, and for cooling media the units of power.
    if kinds and kinds[-1] == "=":
        outer = context.blocks[-1][1] or ""
        owner = next((k for k in reversed(kinds) if k != "="), None)
        spec = BLOCKS.get(owner or "")
        attr = spec.attrs.get(outer) if spec else None
        if attr is None or attr.form not in _MAP_KEYS:
            return []
        if _ENTRY_START.match(context.fragment):
            return [Item(k, "attribute", attr.doc, f"{k} = ") for k in _MAP_KEYS[attr.form]]
        entry = _VALUE.match(context.fragment)
        if attr.form is Form.MEDIA and entry and _AFTER_NUMBER.search(entry.group(2)):
            return [Item(u, "unit", "power") for u in units.units_of(units.POWER)]
        return []
    owner = next((k for k in reversed(kinds) if k != "="), None)
    if _ENTRY_START.match(context.fragment):
        return _entry_items(owner, document)
    value = _VALUE.match(context.fragment)
    if value is None or owner is None or owner == "assumptions":
        return []
    spec = BLOCKS.get(owner)
    attr = spec.attrs.get(value.group(1)) if spec else None
    if attr is None:
        return []
    return _value_items(attr, value.group(2), document, factory)
