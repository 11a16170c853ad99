"""The answers to the editor's requests, in the protocol's types.

Each function takes an analysed `Document` and returns what the request
expects; none compiles anything. Hover text and completion items come
from `hover` and `complete`; definitions, the outline, formatting, quick
fixes and inlay hints are built here.
"""

from __future__ import annotations

from lsprotocol import types

from aiflang.frontend.resolve import Definition
from aiflang.lsp.complete import complete
from aiflang.lsp.convert import to_lsp
from aiflang.lsp.derived import derived
from aiflang.lsp.document import Document, path_of_span_file
from aiflang.lsp.hover import hover_text
from aiflang.lsp.locate import locate, walk_blocks
from aiflang.lsp.positions import Lines
from aiflang.syntax import tree as ast

_ITEM_KINDS = {
    "attribute": types.CompletionItemKind.Property,
    "block": types.CompletionItemKind.Struct,
    "name": types.CompletionItemKind.Reference,
    "unit": types.CompletionItemKind.Unit,
    "choice": types.CompletionItemKind.EnumMember,
    "assumption": types.CompletionItemKind.Constant,
    "keyword": types.CompletionItemKind.Keyword,
}
_SYMBOL_KINDS = {
    "factory": types.SymbolKind.Namespace,
    "hall": types.SymbolKind.Module,
    "fabric": types.SymbolKind.Interface,
    "storage": types.SymbolKind.Object,
    "train": types.SymbolKind.Event,
    "serve": types.SymbolKind.Event,
    "site": types.SymbolKind.Package,
    "finance": types.SymbolKind.Object,
    "assumptions": types.SymbolKind.Constant,
}


def hover(document: Document, position: types.Position) -> types.Hover | None:
    module = document.module
    if module is None:
        return None
    offset = document.lines.offset(position)
    target = locate(module, offset)
    text = hover_text(document, target, offset)
    if text is None:
        return None
    range_ = document.lines.range(target.span) if target.span else None
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text), range=range_
    )


def completion(document: Document, position: types.Position) -> types.CompletionList:
    offset = document.lines.offset(position)
    items = [
        types.CompletionItem(
            label=item.label,
            kind=_ITEM_KINDS.get(item.kind),
            detail=item.detail or None,
            insert_text=item.insert,
            sort_text=f"{index:04d}",
        )
        for index, item in enumerate(complete(document, offset))
    ]
    return types.CompletionList(is_incomplete=False, items=items)


def _location(document: Document, span: ast.Span) -> types.Location | None:
    if span.file == document.file:
        return types.Location(uri=document.uri, range=document.lines.range(span))
    lines = document.lines_of(span.file)
    if lines is None:
        return None
    uri = path_of_span_file(span.file).resolve().as_uri()
    return types.Location(uri=uri, range=lines.range(span))


def definition(document: Document, position: types.Position) -> types.Location | None:
    module = document.module
    if module is None:
        return None
    target = locate(module, document.lines.offset(position))
    if target.what == "import" and target.entry is not None:
        path = (document.path.parent / target.entry.path).resolve()
        if not path.is_file():
            return None
        start = types.Position(line=0, character=0)
        return types.Location(uri=path.as_uri(), range=types.Range(start=start, end=start))
    block = target.block
    name = None
    if target.what == "ref" and target.ref is not None:
        name = target.ref.name
    elif target.what == "extends" and block is not None:
        name = block.extends
    if name is None:
        return None
    factory = next((b for b in target.blocks if b.kind == "factory"), None)
    found = document.definition_of(name, factory)
    if target.what == "extends" and isinstance(found, Definition) and found.block is block:
        # `gpu H100 extends H100`: the base is the outer definition of the same name.
        from aiflang.frontend.resolve import catalog_scope

        found = catalog_scope().lookup(name)
    if found is None:
        return None
    defined = found if isinstance(found, ast.Block) else found.block
    return _location(document, defined.name_span)


def _symbol(
    document: Document, block: ast.Block, factory: ast.Block | None
) -> types.DocumentSymbol:
    lines = document.lines
    name = block.name if block.name is not None else block.kind
    inner = factory if factory is not None else (block if block.kind == "factory" else None)
    found = derived(document.compilation, block, inner)
    selection = block.name_span if block.name is not None else block.kind_span
    children = [
        _symbol(document, child, inner) for child in block.entries if isinstance(child, ast.Block)
    ]
    return types.DocumentSymbol(
        name=name,
        detail=block.kind + (f" · {found.hint}" if found else ""),
        kind=_SYMBOL_KINDS.get(block.kind, types.SymbolKind.Class),
        range=lines.range(block.span),
        selection_range=lines.range(selection),
        children=children or None,
    )


def symbols(document: Document) -> list[types.DocumentSymbol]:
    module = document.module
    if module is None:
        return []
    return [_symbol(document, e, None) for e in module.entries if isinstance(e, ast.Block)]


def formatting(document: Document) -> list[types.TextEdit] | None:
    from aiflang.syntax.formatter import FormatError, format_source

    try:
        formatted = format_source(document.text, document.file)
    except FormatError:
        return None  # the file has syntax errors; the diagnostics say where
    if formatted == document.text:
        return []
    whole = types.Range(start=types.Position(line=0, character=0), end=document.lines.end())
    return [types.TextEdit(range=whole, new_text=formatted)]


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def code_actions(document: Document, params: types.CodeActionParams) -> list[types.CodeAction]:
    """A quick fix for each fix of each finding in the range, from the finding's fixes."""
    actions: list[types.CodeAction] = []
    for diagnostic in document.compilation.diagnostics:
        span = diagnostic.span
        if span is None or span.file != document.file or not diagnostic.fixes:
            continue
        converted = to_lsp(document, diagnostic)
        if converted is None or not _overlaps(converted.range, params.range):
            continue
        for index, fix in enumerate(diagnostic.fixes):
            if fix.span.file != document.file:
                continue
            edit = types.TextEdit(range=document.lines.range(fix.span), new_text=fix.replacement)
            actions.append(
                types.CodeAction(
                    title=f"{fix.title} ({diagnostic.code})",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[converted],
                    is_preferred=index == 0,
                    edit=types.WorkspaceEdit(changes={document.uri: [edit]}),
                )
            )
    return actions


def inlay_hints(document: Document, range_: types.Range) -> list[types.InlayHint]:
    """Derived values at the end of each block's first line."""
    module = document.module
    if module is None:
        return []
    lines: Lines = document.lines
    hints = []
    placed: list[tuple[ast.Block, ast.Block | None]] = []
    for entry in module.entries:
        if isinstance(entry, ast.Block):
            factory = entry if entry.kind == "factory" else None
            placed += [(block, factory) for block in [entry, *walk_blocks(entry.entries)]]
    for block, factory in placed:
        found = derived(document.compilation, block, factory)
        if found is None:
            continue
        line = block.kind_span.line - 1
        if not range_.start.line <= line <= range_.end.line:
            continue
        end = lines.position(block.kind_span.line, len(lines.lines[line]) + 1)
        hints.append(types.InlayHint(position=end, label=found.hint, padding_left=True))
    return hints
