"""Hover text: what the thing under the cursor means, in Markdown.

- a block kind: what the block describes;
- an attribute: its meaning, the form and dimension of its value, the
  units it takes, its choices (an assumption: its default and source);
- a name used as a value: its definition, with a catalog part's figures
  and the comments that cite their sources;
- a block's own name: its derived values (`aiflang.lsp.derived`);
- a unit: its dimension and size in reference units;
- and, wherever a finding points, the finding with its `aifc explain` text.
"""

from __future__ import annotations

from aiflang import units
from aiflang.diagnostics import Diagnostic
from aiflang.diagnostics.codes import CODES
from aiflang.frontend.resolve import Definition
from aiflang.lsp.derived import derived
from aiflang.lsp.document import Document
from aiflang.lsp.locate import Target
from aiflang.syntax import tree as ast
from aiflang.syntax.formatter import value_text
from aiflang.syntax.schema import BLOCKS, Attr, Form

KEY_FIGURES = 14  # attributes shown for a definition before "..."
# How sure a part's figures are and where they come from: always shown, after the figures.
_SOURCES = ("status", "date", "source", "url")


def attribute_spec(target: Target) -> Attr | None:
    """The schema entry of the attribute at a target (a map entry: its outer attribute)."""
    block = target.block
    if block is None or target.attribute is None:
        return None
    spec = BLOCKS.get(block.kind)
    if spec is None:
        return None
    return spec.attrs.get(target.map_key or target.attribute.name)


def describe_attr(attr: Attr) -> list[str]:
    """The lines that explain an attribute of the schema."""
    lines = [f"**{attr.name}**: {attr.doc}" + (" (required)" if attr.required else "")]
    if attr.form is Form.QUANTITY and attr.dimension is not None:
        offered = ", ".join(f"`{u}`" for u in units.units_of(attr.dimension)[:10])
        lines.append(f"a {units.dimension_name(attr.dimension)}, in {offered}")
    elif attr.form in (Form.REF, Form.PARTS) and attr.ref_kind:
        kinds = " or ".join(attr.ref_kind)
        lines.append(f"{'`N x name` of a' if attr.form is Form.PARTS else 'the name of a'} {kinds}")
    elif attr.form is Form.CHOICE:
        lines.append("one of " + ", ".join(f"`{c}`" for c in attr.choices))
    else:
        lines.append(f"a {attr.form.value.replace('_', ' ')}")
    if attr.example:
        lines.append(f"e.g. `{attr.example}`")
    return lines


def _assumption(name: str) -> list[str]:
    from aiflang.models.assumptions import REGISTRY

    known = REGISTRY.get(name)
    if known is None:
        return []
    return [
        f"**{name}**: {known.description}",
        f"default {known.default:g}{(' ' + known.unit) if known.unit else ''}",
        f"source: {known.source}",
    ]


def describe_definition(document: Document, definition: Definition | ast.Block) -> list[str]:
    """A definition's kind, where it is, its doc and its figures with their sources."""
    if isinstance(definition, ast.Block):
        block, builtin, doc = definition, False, definition.doc
        attributes = {e.name: e for e in block.entries if isinstance(e, ast.Attribute)}
    else:
        block, builtin, doc = definition.block, definition.builtin, definition.doc
        attributes = definition.attributes or {
            e.name: e for e in block.entries if isinstance(e, ast.Attribute)
        }
    origin = "built-in catalog" if block.span.file.startswith("<catalog>") else block.span.file
    heading = f"**{block.kind} {block.name}**"
    if block.extends:
        heading += f" extends `{block.extends}`"
    if builtin and origin != "built-in catalog":
        origin = f"project catalog, {origin}"
    lines = [f"{heading} ({origin}, line {block.span.line})"]
    if doc:
        lines.append(doc)
    comments = _trailing_comments(document, block.span.file)
    figures = [(n, a) for n, a in attributes.items() if n not in _SOURCES]
    sources = [(n, attributes[n]) for n in _SOURCES if n in attributes]
    rows = []
    for name, attribute in [*figures[:KEY_FIGURES], *sources]:
        comment = comments.get(attribute.span.end_line)
        note = f"  _{comment}_" if comment else ""
        rows.append(f"- `{name} = {value_text(attribute.value)}`{note}")
        if len(figures) > KEY_FIGURES and name == figures[KEY_FIGURES - 1][0]:
            rows.append(f"- ... {len(figures) - KEY_FIGURES} more")
    return [*lines, "\n".join(rows)] if rows else lines


def _trailing_comments(document: Document, file: str) -> dict[int, str]:
    """Comments by line in `file`: a catalog figure's comment often names its source."""
    module = document.compilation.program.modules.get(file)
    if module is None and file.startswith("<catalog>"):
        from aiflang.catalog import catalog_modules

        module = next((r.module for r in catalog_modules() if r.module.file == file), None)
    if module is None:
        return {}
    return {c.line: c.text.lstrip("#").strip() for c in module.comments}


def _explain(diagnostic: Diagnostic) -> str:
    code = CODES.get(str(diagnostic.code))
    title = f"**{diagnostic.code}**: {diagnostic.message}"
    if code is None:
        return title
    return f"{title}\n\n_{code.summary}_: {code.explanation}"


def hover_text(document: Document, target: Target, offset: int) -> str | None:
    """The Markdown for a hover at `offset`, or None when there is nothing to say."""
    parts: list[str] = []
    factory = next((b for b in target.blocks if b.kind == "factory"), None)
    block = target.block
    if target.what == "kind" and block is not None and block.kind in BLOCKS:
        parts.append(f"**{block.kind}**: {BLOCKS[block.kind].doc}")
    elif target.what == "attribute" and block is not None and target.attribute is not None:
        if block.kind == "assumptions":
            parts.append("\n\n".join(_assumption(target.attribute.name)))
        else:
            attr = attribute_spec(target)
            if attr is not None:
                parts.append("\n\n".join(describe_attr(attr)))
    elif target.what in ("ref", "extends", "name") and block is not None:
        name = target.ref.name if target.ref is not None else None
        if target.what == "extends":
            name = block.extends
        if target.what == "name":
            found = derived(document.compilation, block, factory)
            lines = [f"**{block.kind} {block.name}**"]
            if block.doc:
                lines.append(block.doc)
            if found is not None:
                lines.append("\n".join(f"- {line}" for line in found.lines))
            parts.append("\n\n".join(lines))
        elif name is not None:
            definition = document.definition_of(name, factory)
            if definition is not None:
                parts.append("\n\n".join(describe_definition(document, definition)))
            else:
                attr = attribute_spec(target)
                if attr is not None and name in attr.choices:
                    parts.append(f"`{name}`: one of the choices of **{attr.name}** ({attr.doc})")
    elif target.what == "unit" and target.quantity is not None and target.quantity.unit:
        try:
            unit = units.parse_unit(target.quantity.unit)
        except units.UnitError:
            unit = None
        if unit is not None:
            reference = units.format_quantity(unit.factor, unit.dimension, 6)
            parts.append(
                f"**{unit.text}**: a unit of {units.dimension_name(unit.dimension)}"
                f" (1 {unit.text} = {reference})"
            )
    for diagnostic in document.compilation.diagnostics:
        span = diagnostic.span
        if span and span.file == document.file and span.offset <= offset <= span.end_offset:
            parts.append(_explain(diagnostic))
    return "\n\n---\n\n".join(p for p in parts if p) or None
