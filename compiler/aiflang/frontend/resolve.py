"""Resolve: imports, scopes, names, `extends`, duplicates and attribute names.

Afterwards every factory has a `Scope` in which each name it uses resolves
to exactly one `Definition`, every definition's attributes are merged with
those it extends, and every attribute name is one its block kind knows.

Names of the factory's own members (the `hall` a storage system stands in,
the `fabric` and `storage` a workload uses) are checked here too, so every
unknown name is reported in the same run as the syntax errors.

Each check costs O(1) amortised per name: `extends` chains are merged once
and memoised (at most `MAX_EXTENDS_DEPTH` deep, E108), and did-you-mean
help comes from an index of each scope's names by kind, built once
(`aiflang.frontend.scope`), and only for diagnostics the sink will show.

Needs: the design's files (`aiflang.frontend.imports` reads and parses them).
Emits: E108 (limits), E201 unknown name, E202 wrong kind, E205 missing
attribute, E206 duplicate definition, E207 duplicate attribute, E208 unknown
attribute, E209 unknown or misplaced block, E211 import cycle, E212 import
outside the project, E213 import not found, E214 extends cycle or
self-containment.

A project may add catalog files of its own (`catalog` in its
configuration): their definitions join the built-in catalog's scope,
replacing built-in parts of the same name. `--set` settings
(`aiflang.frontend.settings`) rewrite the root file before its names are
resolved.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from aiflang.catalog import catalog_index
from aiflang.diagnostics import Related, Sink, Span, codes, did_you_mean, replacements
from aiflang.frontend.imports import (
    MAX_DESIGN_BYTES,
    MAX_DESIGN_FILES,
    MAX_IMPORT_DEPTH,
    MAX_IMPORTS_PER_FILE,
    Files,
    Loader,
    Parser,
    read_file,
)
from aiflang.frontend.scope import (
    CatalogDefinition,
    Definition,
    Scope,
    Suggestions,
    close_matches,
)
from aiflang.frontend.settings import Setting
from aiflang.frontend.uncertain import check_sweep
from aiflang.frontend.values import is_unit
from aiflang.records import field, record
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import parse_source
from aiflang.syntax.schema import BLOCKS, COMPONENT_KINDS, Form

__all__ = [
    "MAX_DESIGN_BYTES",
    "MAX_DESIGN_FILES",
    "MAX_EXTENDS_DEPTH",
    "MAX_IMPORTS_PER_FILE",
    "MAX_IMPORT_DEPTH",
    "Definition",
    "FactoryUnit",
    "Loader",
    "Override",
    "Parser",
    "Program",
    "Scope",
    "catalog_scope",
    "check_catalog",
    "resolve",
    "resolved_catalog",
]

Merge = Callable[[Definition], None]

MAX_EXTENDS_DEPTH = 16  # definitions in one `extends` chain, the catalog entry included

# Attributes that name a member of the factory (a hall, fabric or storage), not a component.
_MEMBER_KINDS = ("hall", "fabric", "storage")


@record(frozen=False)
class FactoryUnit:
    block: ast.Block
    scope: Scope
    file: str


@record
class Override:
    """A definition of the design that takes the name of a built-in catalog entry."""

    kind: str
    name: str
    builtin_kind: str
    span: Span
    extends: bool  # `gpu H100 extends H100 { ... }`: a deliberate refinement


@record(frozen=False)
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
    overrides: list[Override] = field(default_factory=list)


def catalog_scope(sink: Sink | None = None, merge: Merge | None = None) -> Scope:
    """The built-in catalog's definitions, each block decoded when first read.

    `merge` merges a definition along `extends` when its attributes are first
    read (`CatalogDefinition`); without it they stay unmerged. `sink` receives
    what parsing the catalog reported (nothing: it ships clean).
    """
    scope = Scope()
    symbols = scope.symbols
    index = catalog_index()
    if sink is not None:
        for found in index.diagnostics:
            sink.extend(found)
    for entry in index.entries:
        if entry.kind in COMPONENT_KINDS and entry.name:
            symbols[entry.name] = CatalogDefinition(entry, merge)
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
        self.sink = sink
        self.files = Files(root, sink, loader, parse=parse, settings=settings)
        self.program = Program()
        self.imported: Scope | None = None  # the definitions of the root file's imports
        # The built-in entries are merged along `extends` when first read, in their own
        # scope (the catalog ships checked: `check_catalog`, run by the tests).
        self.catalog = catalog_scope(sink, self.merge_builtin)
        index = catalog_index()
        for name, text in zip(index.names, index.texts, strict=True):
            self.program.sources[name] = text
        self.file_scopes: dict[Path, Scope] = {}
        self.suggestions: dict[int, Suggestions] = {}  # by id of the scope
        # Overrides are found against the built-in entries, whatever layers stand above.
        self.builtin = self.catalog
        if catalog:
            self.catalog = self.project_catalog(catalog)
            self.check_definitions(self.catalog)

    def project_catalog(self, files: Sequence[Path]) -> Scope:
        """The project's own catalog files, in a scope in front of the built-in one."""
        scope = Scope(parent=self.catalog)
        for path in files:
            module = self.files.load(path.resolve(), [], None)
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
        for dependency in self.files.transitive(path):
            module = self.files.parsed.get(dependency)
            if module is not None:
                # Blocks out of place in a library are reported when the library is
                # checked itself; here only its definitions count.
                self.collect(module.entries, imported, top_level=False, report=True)
        scope = Scope(parent=imported)
        self.file_scopes[path] = scope  # set before collecting: a file may be seen twice
        module = self.files.parsed[path]
        self.collect(module.entries, scope, top_level=True, report=True)
        self.imported = imported
        return scope

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
        suggestions = (
            close_matches(block.kind, list(BLOCKS))
            if self.sink.wants(codes.E209, block.kind_span)
            else []
        )
        self.sink.error(
            codes.E209,
            f"unknown block kind `{block.kind}`",
            block.kind_span,
            help=did_you_mean(suggestions) or "block kinds are: " + ", ".join(sorted(BLOCKS)),
            fixes=replacements(block.kind_span, suggestions),
        )

    # Checks ----------------------------------------------------------------
    def check_definitions(self, scope: Scope, definitions: Scope | None = None) -> None:
        """Merge each definition of `definitions` (default: `scope`'s own) along
        `extends`, then check its attributes and names, resolving them in `scope`."""
        for definition in (definitions or scope).symbols.values():
            self.merge_extends(definition, scope)
            self.check_attributes(definition.block, definition.kind)
            self.check_references(
                definition.block, definition.kind, scope, definition.attributes, definition.name
            )

    def merge_builtin(self, definition: Definition) -> None:
        """Merge a built-in entry along `extends` in the built-in catalog's scope."""
        self.merge_extends(definition, self.builtin)

    def merge_extends(self, definition: Definition, scope: Scope) -> None:
        """Merge `definition`'s attributes along its `extends` chain, once.

        The chain is walked with an identity set, up to the first definition
        already merged (whose merge is reused) or `MAX_EXTENDS_DEPTH` links;
        every link of a sound chain is memoised on the way back, so a chain of
        n definitions costs O(n) in all. A cycle is E214 on each definition
        that walks into it; a chain too deep is E108 once, and the definitions
        that extend a too-deep one are left broken without another word.
        """
        if definition.merged:
            return
        chain = [definition]
        on_chain = {id(definition)}
        current, tail, broken = definition, None, False
        while current.block.extends:
            base = self.lookup_base(current, scope)
            if base is None:
                broken = True
                break
            if (
                isinstance(base, CatalogDefinition)
                and not base.merged
                and scope is not self.builtin
            ):
                self.merge_builtin(base)  # a built-in entry's chain resolves in the catalog
            if id(base) in on_chain:
                names = " -> ".join(d.name for d in [*chain, base])
                self.sink.error(
                    codes.E214,
                    f"extends cycle: {names}",
                    definition.block.extends_span,
                    help="break the cycle: one definition must stand on its own",
                )
                broken = True
                break
            if base.merged and not base.broken:
                tail = base
                break
            if base.merged and base.too_deep:
                definition.too_deep = broken = True
                break
            chain.append(base)
            on_chain.add(id(base))
            current = base
            if len(chain) > MAX_EXTENDS_DEPTH:
                break
        depth = len(chain) + (tail.depth if tail else 0)
        if not broken and depth > MAX_EXTENDS_DEPTH:
            self.sink.error(
                codes.E108,
                f"{definition.kind} `{definition.name}` extends a chain of more than "
                f"{MAX_EXTENDS_DEPTH} definitions",
                definition.block.extends_span,
                help=f"`extends` chains run at most {MAX_EXTENDS_DEPTH} definitions deep; "
                "extend an entry nearer the catalog",
            )
            definition.too_deep = broken = True
        merged: dict[str, ast.Attribute] = dict(tail.attributes) if tail else {}
        doc = tail.doc if tail else None
        links = [definition] if broken else chain
        for index in range(len(chain) - 1, -1, -1):
            link = chain[index]
            merged = {**merged, **_own_attributes(link.block)}
            doc = link.doc or doc
            if link in links:
                link.attributes = merged
                link.doc = link.doc or doc
                link.depth = (tail.depth if tail else 0) + len(chain) - index
                link.merged = True
        definition.broken = broken

    def lookup_base(self, definition: Definition, scope: Scope) -> Definition | None:
        name = definition.block.extends
        assert name is not None
        span = definition.block.extends_span
        # A definition may extend a same-named one further out (`gpu H100 extends H100`):
        # a design's the catalog's; a project catalog entry's the built-in one below it.
        base = scope.lookup(name)
        if base is definition and not definition.builtin:
            base = self.catalog.lookup(name)
        elif base is definition:
            home = _scope_of(scope, definition)
            base = home.parent.lookup(name) if home is not None and home.parent else None
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
                    suggestions = (
                        close_matches(entry.name, list(spec.attrs))
                        if self.sink.wants(codes.E208, entry.name_span)
                        else []
                    )
                    self.sink.error(
                        codes.E208,
                        f"a {kind} has no attribute `{entry.name}`",
                        entry.name_span,
                        help=did_you_mean(suggestions)
                        or (
                            f"{kind} attributes are: {', '.join(spec.attrs)}"
                            if spec.attrs
                            else f"a {kind} holds blocks ({', '.join(spec.children)}), "
                            "not attributes"
                        ),
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
            if attr is None or attr.form not in _NAMING_FORMS or not attr.ref_kind:
                continue
            if attr.ref_kind[0] in _MEMBER_KINDS:
                continue  # factory members, checked by `member_references`
            for ref in _references(attribute.value):
                if attr.form is Form.PLANT and is_unit(ref.name):
                    continue  # `ups = 4 x MW`: a unit without a value, reported by elaborate
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
            close = self.close_names(ref.name, kinds[0], scope, codes.E202, ref.span)
            self.sink.error(
                codes.E202,
                f"`{what}` expects a {' or '.join(kinds)}, but `{ref.name}` is a {definition.kind}",
                ref.span,
                related=(Related(definition.block.name_span, f"`{ref.name}` defined here"),),
                help=did_you_mean(close),
                fixes=replacements(ref.span, close),
            )

    def close_names(
        self, name: str, kind: str, scope: Scope, code: codes.Code, span: Span
    ) -> list[str]:
        """Names of `kind` close to `name`, unless the diagnostic would not be shown."""
        if not self.sink.wants(code, span):
            return []
        index = self.suggestions.get(id(scope))
        if index is None:
            index = self.suggestions[id(scope)] = Suggestions(scope)
        return index.close(name, kind)

    def unknown_name(self, name: str, kind: str, scope: Scope, span: Span) -> None:
        suggestions = self.close_names(name, kind, scope, codes.E201, span)
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
        self.member_references(members)
        self.program.factories.append(FactoryUnit(block, scope, self.files.display(path)))

    def member_references(self, members: dict[tuple[str, str], ast.Block]) -> None:
        """Names of halls, fabrics and storage systems that other members refer to."""
        names: dict[str, list[str]] = {kind: [] for kind in _MEMBER_KINDS}
        for kind, name in members:
            if kind in names and name:
                names[kind].append(name)
        known = {kind: set(found) for kind, found in names.items()}
        for (kind, _), block in members.items():
            spec = BLOCKS[kind]
            for entry in block.entries:
                if not isinstance(entry, ast.Attribute):
                    continue
                attr = spec.attrs.get(entry.name)
                if attr is None or attr.form is not Form.REF or not attr.ref_kind:
                    continue
                what = attr.ref_kind[0]
                value = entry.value
                if what not in known or not isinstance(value, ast.Ref | ast.StringValue):
                    continue
                name = value.name if isinstance(value, ast.Ref) else value.text
                if name in known[what]:
                    continue
                close = (
                    close_matches(name, names[what])
                    if self.sink.wants(codes.E201, value.span)
                    else []
                )
                self.sink.error(
                    codes.E201,
                    f"unknown {what} `{name}`",
                    value.span,
                    help=did_you_mean(close)
                    or f"the factory's {what}s are: {', '.join(names[what]) or 'none'}",
                    # The fix rewrites the whole `what = name` attribute, as an editor shows it.
                    fixes=replacements(
                        entry.span, [f"{entry.name} = {_name_text(c)}" for c in close]
                    ),
                )

    def run(self, path: Path) -> None:
        self.files.main = path.resolve()
        self.program.main = self.files.display(self.files.main)
        module = self.files.load(path.resolve(), [], None)
        self.program.sources.update(self.files.sources)
        self.program.modules.update(self.files.modules)
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

    def find_overrides(self) -> None:
        """Record every definition that takes a built-in entry's name; W202 without `extends`."""
        scopes = [*self.file_scopes.values(), *(unit.scope for unit in self.program.factories)]
        seen: set[int] = set()
        for start in scopes:
            current: Scope | None = start
            while current is not None and current is not self.builtin:
                for name, definition in current.symbols.items():
                    builtin = self.builtin.symbols.get(name)
                    # A block equal to the built-in one (the catalog file itself) overrides nothing.
                    if (
                        builtin is None
                        or id(definition) in seen
                        or definition.block == builtin.block
                    ):
                        continue
                    seen.add(id(definition))
                    self.override(definition, builtin)
                current = current.parent

    def override(self, definition: Definition, builtin: Definition) -> None:
        block = definition.block
        extends = block.extends == definition.name and builtin.kind == definition.kind
        self.program.overrides.append(
            Override(definition.kind, definition.name, builtin.kind, block.name_span, extends)
        )
        if extends:
            return
        what = builtin.kind if builtin.kind == definition.kind else f"built-in {builtin.kind}"
        self.sink.warning(
            codes.W202,
            f"{definition.kind} `{definition.name}` shadows the built-in catalog {what} "
            f"`{definition.name}`",
            block.name_span,
            related=(Related(builtin.block.name_span, "built-in entry defined here"),),
            help=f"to override it on purpose, write `{definition.kind} {definition.name} "
            f"extends {definition.name} {{ ... }}` and change only what differs; or rename it",
        )


def _scope_of(scope: Scope, definition: Definition) -> Scope | None:
    """The scope, `scope` or one around it (a few layers), that defines `definition`."""
    current: Scope | None = scope
    while current is not None:
        if current.symbols.get(definition.name) is definition:
            return current
        current = current.parent
    return None


# Forms whose value names definitions (`8 x H100`, `leaf = QM9700`, `ups = 6 x Galaxy_VX_1250`).
_NAMING_FORMS = (Form.REF, Form.PARTS, Form.PLANT)


def _references(value: ast.Value) -> Iterator[ast.Ref]:
    if isinstance(value, ast.Ref):
        yield value
    elif isinstance(value, ast.Multiplicity) and isinstance(value.item, ast.Ref):
        yield value.item
    elif isinstance(value, ast.ListValue):
        for item in value.items:
            yield from _references(item.value)


def _name_text(name: str) -> str:
    """A name as it can be written back: bare when it is an identifier, else quoted."""
    return name if name.isidentifier() else '"' + name.replace('"', '\\"') + '"'


def _own_attributes(block: ast.Block) -> dict[str, ast.Attribute]:
    return {e.name: e for e in block.entries if isinstance(e, ast.Attribute)}


def _label(block: ast.Block) -> str:
    if block.name is None:
        return "block"
    return f'"{block.name}"' if block.quoted_name else f"`{block.name}`"


def check_catalog() -> Sink:
    """Every check of resolve on the built-in catalog (the tests keep it clean)."""
    sink = Sink()
    resolver = _Resolver(Path.cwd(), sink, read_file)
    resolver.check_definitions(resolver.catalog)
    return sink


def resolved_catalog(sink: Sink) -> Scope:
    """The built-in catalog alone, its `extends` merged (the catalog ships checked)."""
    return _Resolver(Path.cwd(), sink, read_file).catalog


def resolve(
    path: Path,
    sink: Sink,
    *,
    root: Path | None = None,
    loader: Loader = read_file,
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
    resolver.find_overrides()
    return resolver.program
