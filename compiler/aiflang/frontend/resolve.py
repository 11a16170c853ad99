"""Resolve: imports, scopes, names, `extends`, duplicates and attribute names.

Afterwards every factory has a `Scope` in which each name it uses resolves
to exactly one `Definition`, every definition's attributes are merged with
those it extends, and every attribute name is one its block kind knows.

Needs: parsed modules (the `load` callback parses imported files). Emits:
E201 unknown name, E202 wrong kind, E205 missing attribute, E206 duplicate
definition, E207 duplicate attribute, E208 unknown attribute, E209 unknown
or misplaced block, E211 import cycle, E212 import outside the project,
E213 import not found, E214 extends cycle or self-containment.

A project may add catalog files of its own (`catalog` in its
configuration): their definitions join the built-in catalog's scope,
replacing built-in parts of the same name. `--set` settings
(`aiflang.frontend.settings`) rewrite the root file before its names are
resolved.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiflang.catalog import catalog_modules
from aiflang.diagnostics import (
    WITHHELD_LINE,
    Related,
    Sink,
    Span,
    codes,
    did_you_mean,
    replacements,
)
from aiflang.fileio import NotRegularFile, TooLarge, read_limited
from aiflang.frontend.settings import Setting, apply_settings
from aiflang.frontend.uncertain import check_sweep, nominal_module
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import (
    MAX_FILE_BYTES,
    ParseResult,
    decode_source,
    oversize,
    parse_source,
)
from aiflang.syntax.schema import BLOCKS, COMPONENT_KINDS, Form

MAX_IMPORT_DEPTH = 16


@dataclass(slots=True)
class Definition:
    """A component definition with its attributes merged along `extends`."""

    kind: str
    name: str
    block: ast.Block
    builtin: bool = False
    attributes: dict[str, ast.Attribute] = field(default_factory=dict)
    doc: str | None = None
    broken: bool = False  # its `extends` chain could not be followed


@dataclass(slots=True)
class Scope:
    """Names visible at one level; lookups fall through to the parent."""

    symbols: dict[str, Definition] = field(default_factory=dict)
    parent: Scope | None = None

    def lookup(self, name: str) -> Definition | None:
        scope: Scope | None = self
        while scope is not None:
            if name in scope.symbols:
                return scope.symbols[name]
            scope = scope.parent
        return None

    def names(self) -> Iterator[tuple[str, Definition]]:
        seen: set[str] = set()
        scope: Scope | None = self
        while scope is not None:
            for name, definition in scope.symbols.items():
                if name not in seen:
                    seen.add(name)
                    yield name, definition
            scope = scope.parent


@dataclass(slots=True)
class FactoryUnit:
    block: ast.Block
    scope: Scope
    file: str


@dataclass(slots=True)
class Program:
    """The resolved input: every parsed file and the factories to elaborate."""

    sources: dict[str, str] = field(default_factory=dict)  # file -> text, for snippets
    factories: list[FactoryUnit] = field(default_factory=list)
    # The root file's own definitions, and the scope they resolve in.
    definitions: list[Definition] = field(default_factory=list)
    file_scope: Scope | None = None
    # Every parsed module by its display name (the root file's with settings applied).
    modules: dict[str, ast.Module] = field(default_factory=dict)
    main: str = ""  # the root file's display name, as its spans give it


# Returns a file's bytes, or None when it cannot be read; may raise
# `fileio.NotRegularFile` or `fileio.TooLarge` to say why.
Loader = Callable[[Path], "bytes | None"]
Parser = Callable[[str, str], ParseResult]  # text, file -> parse (`parse_source` or a cache)


def _read(path: Path) -> bytes | None:
    # Bounded and non-blocking: an import of a FIFO or of /dev/zero must not hang.
    try:
        return read_limited(path, MAX_FILE_BYTES)
    except (NotRegularFile, TooLarge):
        raise
    except OSError:
        return None


def catalog_scope(sink: Sink | None = None) -> Scope:
    scope = Scope()
    for result in catalog_modules():
        if sink is not None:
            sink.extend(result.diagnostics)
        for entry in result.module.entries:
            if isinstance(entry, ast.Block) and entry.kind in COMPONENT_KINDS and entry.name:
                scope.symbols[entry.name] = Definition(
                    entry.kind, entry.name, entry, builtin=True, doc=entry.doc
                )
    return scope


class _Resolver:
    def __init__(
        self,
        root: Path,
        sink: Sink,
        loader: Loader,
        settings: Sequence[Setting] = (),
        catalog: Sequence[Path] = (),
        parse: Parser = parse_source,
    ) -> None:
        self.root = root.resolve()
        self.parse = parse
        self.sink = sink
        self.loader = loader
        self.settings = settings
        self.main: Path | None = None
        self.program = Program()
        self.parsed: dict[Path, ast.Module] = {}
        self.file_scopes: dict[Path, Scope] = {}
        self.imports: dict[Path, list[Path]] = {}
        self.imported: Scope | None = None  # the definitions of the root file's imports
        self.catalog = catalog_scope(sink)
        for result in catalog_modules():
            self.program.sources[result.module.file] = result.text
        self.check_definitions(self.catalog)
        if catalog:
            self.catalog = self.project_catalog(catalog)
            self.check_definitions(self.catalog)

    def project_catalog(self, files: Sequence[Path]) -> Scope:
        """The project's own catalog files, in a scope in front of the built-in one."""
        scope = Scope(parent=self.catalog)
        for path in files:
            module = self.load(path.resolve(), [], None)
            if module is None:
                continue
            for entry in module.entries:
                if isinstance(entry, ast.Block) and entry.kind in COMPONENT_KINDS and entry.name:
                    scope.symbols[entry.name] = Definition(
                        entry.kind, entry.name, entry, builtin=True, doc=entry.doc
                    )
                elif isinstance(entry, ast.Block):
                    self.misplaced(entry, "in a catalog file")
        return scope

    # Files and imports -------------------------------------------------
    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def load(self, path: Path, stack: list[Path], span: Span | None) -> ast.Module | None:
        if path in self.parsed:
            return self.parsed[path]
        try:
            data = self.loader(path)
        except NotRegularFile:
            self.sink.error(
                codes.E213,
                f"{self.display(path)} is not a regular file",
                span,
                help="import .aif files; a FIFO, device or folder cannot be imported",
            )
            return None
        except TooLarge as error:
            self.sink.add(oversize(error.size, self.display(path)))
            return None
        if data is None:
            self.sink.error(
                codes.E213,
                f"cannot read imported file {self.display(path)}",
                span,
                help="check the path; imports are relative to the importing file",
            )
            return None
        file = self.display(path)
        text, problem = decode_source(data, file)
        if problem is not None or text is None:
            if problem is not None:
                self.sink.add(problem)
            return None
        result = self.parse(text, file)
        self.program.sources[file] = _quotable(result)
        self.sink.extend(result.diagnostics)
        module = result.module
        if path == self.main and self.settings:
            module, texts = apply_settings(module, self.settings, self.sink)
            self.program.sources.update(texts)
        module = nominal_module(module, self.sink)
        self.parsed[path] = module
        self.program.modules[file] = module
        self.imports[path] = []
        stack.append(path)
        for entry in module.entries:
            if isinstance(entry, ast.Import):
                self.follow_import(path, entry, stack)
        stack.pop()
        return module

    def follow_import(self, importer: Path, entry: ast.Import, stack: list[Path]) -> None:
        target = (importer.parent / entry.path).resolve()
        if not target.is_relative_to(self.root):
            self.sink.error(
                codes.E212,
                f'import "{entry.path}" leaves the project folder {self.display(self.root)}',
                entry.span,
                help="keep imported files inside the project, or pass a wider --root",
            )
            return
        if target in stack:
            cycle = " -> ".join(self.display(p) for p in [*stack[stack.index(target) :], target])
            self.sink.error(
                codes.E211,
                f"import cycle: {cycle}",
                entry.span,
                help="move the shared definitions into a file that both import",
            )
            return
        if len(stack) >= MAX_IMPORT_DEPTH:
            self.sink.error(
                codes.E108,
                f"imports nest deeper than {MAX_IMPORT_DEPTH} files",
                entry.span,
                help="flatten the import chain",
            )
            return
        if self.load(target, stack, entry.span) is not None:
            self.imports[importer].append(target)

    # Scopes --------------------------------------------------------------
    def file_scope(self, path: Path) -> Scope:
        """The root file's definitions over those of every file it imports, then the catalog.

        The root file and its imports form one namespace: a definition's names
        resolve in it wherever the definition is written, so moving definitions
        between a design and its imports changes nothing. A root definition
        shadows an imported one of the same name; two imported files may not
        define the same name (E206).
        """
        if path in self.file_scopes:
            return self.file_scopes[path]
        imported = Scope(parent=self.catalog)
        for dependency in self._transitive_imports(path):
            module = self.parsed.get(dependency)
            if module is not None:
                # Blocks out of place in a library are reported when the library is
                # checked itself; here only its definitions count.
                self.collect(module.entries, imported, top_level=False, report=True)
        scope = Scope(parent=imported)
        self.file_scopes[path] = scope  # set before collecting: a file may be seen twice
        module = self.parsed[path]
        self.collect(module.entries, scope, top_level=True, report=True)
        self.imported = imported
        return scope

    def _transitive_imports(self, path: Path) -> list[Path]:
        order: list[Path] = []
        pending = list(self.imports.get(path, []))
        while pending:
            current = pending.pop(0)
            if current in order or current == path:
                continue
            order.append(current)
            pending.extend(self.imports.get(current, []))
        return order

    def collect(
        self, entries: tuple[ast.Entry, ...], scope: Scope, *, top_level: bool, report: bool
    ) -> None:
        for entry in entries:
            if not isinstance(entry, ast.Block):
                continue
            if entry.kind not in COMPONENT_KINDS:
                if report and top_level and entry.kind not in ("factory", "sweep"):
                    self.misplaced(entry, "at the top of a file")
                continue
            if not entry.name:
                if report:
                    self.sink.error(
                        codes.E205,
                        f"a {entry.kind} definition needs a name",
                        entry.kind_span,
                        help=f"write `{entry.kind} my_{entry.kind} {{ ... }}`",
                    )
                continue
            previous = scope.symbols.get(entry.name)
            if previous is not None and not previous.builtin:
                if report:
                    self.sink.error(
                        codes.E206,
                        f"{entry.kind} `{entry.name}` is defined twice",
                        entry.name_span,
                        related=(Related(previous.block.name_span, "first defined here"),),
                        help="rename one of them",
                    )
                continue
            scope.symbols[entry.name] = Definition(entry.kind, entry.name, entry, doc=entry.doc)

    def misplaced(self, block: ast.Block, where: str) -> None:
        if block.kind in BLOCKS:
            self.sink.error(
                codes.E209,
                f"a `{block.kind}` block cannot stand {where}",
                block.kind_span,
                help="move it to the top of the file"
                if block.kind == "factory"
                else "move it inside a factory",
            )
        else:
            self.unknown_kind(block)

    def unknown_kind(self, block: ast.Block) -> None:
        suggestions = difflib.get_close_matches(block.kind, list(BLOCKS), n=3)
        self.sink.error(
            codes.E209,
            f"unknown block kind `{block.kind}`",
            block.kind_span,
            help=did_you_mean(suggestions) or "block kinds are: " + ", ".join(sorted(BLOCKS)),
            fixes=replacements(block.kind_span, suggestions),
        )

    # Checks ----------------------------------------------------------------
    def check_definitions(self, scope: Scope, definitions: Scope | None = None) -> None:
        """Merge and check the definitions of `definitions` (default: `scope`'s own),
        resolving their names in `scope`."""
        for definition in (definitions or scope).symbols.values():
            self.merge_extends(definition, scope)
            self.check_attributes(definition.block, definition.kind)
            self.check_references(
                definition.block, definition.kind, scope, definition.attributes, definition.name
            )

    def merge_extends(self, definition: Definition, scope: Scope) -> None:
        chain: list[Definition] = [definition]
        current = definition
        while current.block.extends:
            base = self.lookup_base(current, scope)
            if base is None:
                definition.broken = True
                break
            if base in chain:
                names = " -> ".join(d.name for d in [*chain, base])
                self.sink.error(
                    codes.E214,
                    f"extends cycle: {names}",
                    definition.block.extends_span,
                    help="break the cycle: one definition must stand on its own",
                )
                definition.broken = True
                break
            chain.append(base)
            current = base
        merged: dict[str, ast.Attribute] = {}
        for link in reversed(chain):
            for entry in link.block.entries:
                if isinstance(entry, ast.Attribute):
                    merged[entry.name] = entry
        definition.attributes = merged
        if definition.doc is None:
            definition.doc = next((d.doc for d in chain if d.doc), None)

    def lookup_base(self, definition: Definition, scope: Scope) -> Definition | None:
        name = definition.block.extends
        assert name is not None
        span = definition.block.extends_span
        # A definition may extend a same-named one further out (`gpu H100 extends H100`).
        base = scope.lookup(name)
        if base is definition:
            base = self.catalog.lookup(name) if not definition.builtin else None
        if base is None:
            self.unknown_name(name, definition.kind, scope, span)
            return None
        if base.kind != definition.kind:
            self.sink.error(
                codes.E202,
                f"{definition.kind} `{definition.name}` extends `{name}`, which is a {base.kind}",
                span,
                related=(Related(base.block.name_span, f"`{name}` defined here"),),
                help=f"extend a {definition.kind}",
            )
            return None
        return base

    def check_attributes(self, block: ast.Block, kind: str) -> None:
        spec = BLOCKS.get(kind)
        if spec is None:
            return
        seen: dict[str, ast.Attribute] = {}
        for entry in block.entries:
            if isinstance(entry, ast.Attribute):
                if entry.name in seen:
                    self.sink.error(
                        codes.E207,
                        f"`{entry.name}` is given twice in {kind} {_label(block)}",
                        entry.name_span,
                        related=(Related(seen[entry.name].name_span, "first given here"),),
                        help="keep one of them",
                    )
                    continue
                seen[entry.name] = entry
                if kind != "assumptions" and entry.name not in spec.attrs:
                    suggestions = difflib.get_close_matches(entry.name, list(spec.attrs), n=3)
                    self.sink.error(
                        codes.E208,
                        f"a {kind} has no attribute `{entry.name}`",
                        entry.name_span,
                        help=did_you_mean(suggestions)
                        or f"{kind} attributes are: {', '.join(spec.attrs)}",
                        fixes=replacements(entry.name_span, suggestions),
                    )
            elif isinstance(entry, ast.Block):
                if entry.kind not in spec.children:
                    if entry.kind in BLOCKS:
                        self.misplaced(entry, f"inside a {kind}")
                    else:
                        self.unknown_kind(entry)
            elif isinstance(entry, ast.Require) and kind != "factory":
                self.sink.error(
                    codes.E209,
                    "`require` rules belong in a factory",
                    entry.span,
                    help="move the rule into the factory block",
                )
            elif isinstance(entry, ast.Import):
                self.sink.error(
                    codes.E209,
                    "`import` belongs at the top of a file",
                    entry.span,
                    help="move the import to the top of the file",
                )

    def check_required(
        self, kind: str, attributes: dict[str, ast.Attribute], block: ast.Block
    ) -> None:
        spec = BLOCKS[kind]
        for attr in spec.attrs.values():
            if attr.required and attr.name not in attributes:
                self.sink.error(
                    codes.E205,
                    f"{kind} {_label(block)} has no `{attr.name}` ({attr.doc})",
                    block.name_span if block.name else block.kind_span,
                    help=f"add `{attr.example or attr.name + ' = ...'}`",
                )

    def check_references(
        self,
        block: ast.Block,
        kind: str,
        scope: Scope,
        attributes: dict[str, ast.Attribute] | None = None,
        owner: str | None = None,
    ) -> None:
        """Check the names an attribute refers to (and, for components, required ones)."""
        spec = BLOCKS.get(kind)
        if spec is None:
            return
        if attributes is None:
            attributes = {e.name: e for e in block.entries if isinstance(e, ast.Attribute)}
        owner_definition = scope.lookup(owner) if owner else None
        if owner_definition is None or not owner_definition.broken:
            self.check_required(kind, attributes, block)
        for attribute in attributes.values():
            attr = spec.attrs.get(attribute.name)
            if attr is None or attr.form not in (Form.REF, Form.PARTS) or not attr.ref_kind:
                continue
            if attr.ref_kind[0] in ("hall", "fabric", "storage"):
                continue  # factory members, checked by elaborate
            for ref in _references(attribute.value):
                if ref.name == owner and kind not in attr.ref_kind:
                    self.sink.error(
                        codes.E214,
                        f"{kind} `{owner}` contains itself",
                        ref.span,
                        help=f"`{attribute.name}` must name a {' or '.join(attr.ref_kind)}",
                    )
                    continue
                self.check_reference(ref, attr.ref_kind, attribute.name, scope)

    def check_reference(
        self, ref: ast.Ref, kinds: tuple[str, ...], what: str, scope: Scope
    ) -> None:
        definition = scope.lookup(ref.name)
        if definition is None:
            self.unknown_name(ref.name, kinds[0], scope, ref.span)
        elif definition.kind not in kinds:
            close = _names_of_kind(scope, kinds[0], ref.name)
            self.sink.error(
                codes.E202,
                f"`{what}` expects a {' or '.join(kinds)}, but `{ref.name}` is a {definition.kind}",
                ref.span,
                related=(Related(definition.block.name_span, f"`{ref.name}` defined here"),),
                help=did_you_mean(close),
                fixes=replacements(ref.span, close),
            )

    def unknown_name(self, name: str, kind: str, scope: Scope, span: Span) -> None:
        suggestions = _names_of_kind(scope, kind, name)
        self.sink.error(
            codes.E201,
            f"unknown {kind} `{name}`",
            span,
            help=did_you_mean(suggestions)
            or f"define `{kind} {name} {{ ... }}` or see `aifc catalog` for built-in parts",
            fixes=replacements(span, suggestions),
        )

    # Factories -------------------------------------------------------------
    def factory(self, block: ast.Block, path: Path, file_scope: Scope) -> None:
        scope = Scope(parent=file_scope)
        self.collect(block.entries, scope, top_level=False, report=True)
        self.check_definitions(scope)
        self.check_attributes(block, "factory")
        members: dict[tuple[str, str], ast.Block] = {}
        for entry in block.entries:
            if not isinstance(entry, ast.Block) or entry.kind in COMPONENT_KINDS:
                continue
            spec = BLOCKS.get(entry.kind)
            if spec is None or entry.kind == "factory":
                continue
            key = (entry.kind, entry.name or "")
            if key in members:
                self.sink.error(
                    codes.E206,
                    f"{entry.kind} {_label(entry)} is defined twice in this factory",
                    entry.name_span if entry.name else entry.kind_span,
                    related=(Related(members[key].span, "first defined here"),),
                    help="merge them or rename one",
                )
                continue
            members[key] = entry
            if spec.named and not entry.name:
                self.sink.error(
                    codes.E205,
                    f"a {entry.kind} needs a name",
                    entry.kind_span,
                    help=f'write `{entry.kind} "name" {{ ... }}`',
                )
            self.check_attributes(entry, entry.kind)
            self.check_references(entry, entry.kind, scope)
        self.program.factories.append(FactoryUnit(block, scope, self.display(path)))

    def run(self, path: Path) -> None:
        self.main = path.resolve()
        self.program.main = self.display(self.main)
        module = self.load(path.resolve(), [], None)
        if module is None:
            return
        scope = self.file_scope(path.resolve())
        self.check_definitions(scope)
        if self.imported is not None:
            self.check_definitions(scope, self.imported)
        for entry in module.entries:
            if isinstance(entry, ast.Block) and entry.kind == "factory":
                self.factory(entry, path.resolve(), scope)
            elif isinstance(entry, ast.Block) and entry.kind == "sweep":
                check_sweep(entry, self.sink)  # read by `aifc sweep`, not part of the design
            elif isinstance(entry, ast.Block) and entry.kind not in BLOCKS:
                self.unknown_kind(entry)
            elif isinstance(entry, ast.Attribute):
                self.sink.error(
                    codes.E209,
                    f"attribute `{entry.name}` outside any block",
                    entry.name_span,
                    help="attributes belong inside a block such as a factory or a hall",
                )
            elif isinstance(entry, ast.Require):
                self.sink.error(
                    codes.E209,
                    "`require` rules belong in a factory",
                    entry.span,
                    help="move the rule into the factory block",
                )
        self.program.definitions.extend(scope.symbols.values())
        self.program.file_scope = scope


def _quotable(result: ParseResult) -> str:
    """The text snippets may quote: all of a design, one line of anything else.

    A file with syntax errors may not be a design at all (a link or import
    can point anywhere); its diagnostics would quote every line that fails
    to parse. Only the first offending line stays; the others read as
    withheld (`WITHHELD_LINE`), and their diagnostics show no snippet.
    """
    spans = [d.span for d in result.diagnostics if d.is_error and d.span]
    first = min(spans, key=Span.sort_key, default=None)
    if first is None:
        return result.text
    lines = result.text.split("\n")
    return "\n".join(
        line if number == first.line else WITHHELD_LINE
        for number, line in enumerate(lines, start=1)
    )


def _references(value: ast.Value) -> Iterator[ast.Ref]:
    if isinstance(value, ast.Ref):
        yield value
    elif isinstance(value, ast.Multiplicity) and isinstance(value.item, ast.Ref):
        yield value.item
    elif isinstance(value, ast.ListValue):
        for item in value.items:
            yield from _references(item.value)


def _names_of_kind(scope: Scope, kind: str, name: str) -> list[str]:
    names = [n for n, d in scope.names() if d.kind == kind]
    close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
    if not close:
        lowered = {n.lower(): n for n in names}
        close = [lowered[n] for n in difflib.get_close_matches(name.lower(), list(lowered), n=3)]
    return close


def _label(block: ast.Block) -> str:
    if block.name is None:
        return "block"
    return f'"{block.name}"' if block.quoted_name else f"`{block.name}`"


def resolve(
    path: Path,
    sink: Sink,
    *,
    root: Path | None = None,
    loader: Loader = _read,
    settings: Sequence[Setting] = (),
    catalog: Sequence[Path] = (),
    parse: Parser = parse_source,
) -> Program:
    """Resolve one design file (and what it imports) against the catalog.

    `settings` (`--set`) rewrite the file before its names are resolved;
    `catalog` are a project's own catalog files, read before the design;
    `parse` parses each file (an editor passes one that remembers chunks).
    """
    resolver = _Resolver(root or path.resolve().parent, sink, loader, settings, catalog, parse)
    resolver.run(path)
    return resolver.program
