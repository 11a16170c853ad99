"""One open document, compiled as the command line would compile the file.

`analyse_document` compiles the editor's text (not the file on disk) with
the project's configuration (root, catalog, code policy), resolving imports
from disk beside the file. The result keeps the compilation, the parsed
module and the line table, so every feature answers from one compilation.

Names resolve as the compiler resolves them: the factory's scope for a
place inside a factory, else the file's; `definition_of` also finds the
factory's own halls, fabrics and storage, which the scope does not hold.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from aiflang.driver import Compilation, compile_source
from aiflang.frontend.resolve import Definition, Scope
from aiflang.lsp.positions import Lines
from aiflang.project import ConfigError, ProjectConfig, find_config
from aiflang.resources import catalog_dir
from aiflang.syntax import tree as ast
from aiflang.syntax.incremental import ChunkedParser

CATALOG_PREFIX = "<catalog>/"


def uri_to_path(uri: str) -> Path:
    """The file a `file:` URI names; other schemes stand for a file in the current folder."""
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    return Path.cwd() / (Path(unquote(parsed.path)).name or "untitled.aif")


def path_of_span_file(file: str) -> Path:
    """The path on disk of a span's file: catalog entries live in the installed package."""
    if file.startswith(CATALOG_PREFIX):
        return catalog_dir() / file.removeprefix(CATALOG_PREFIX)
    path = Path(file)
    return path if path.is_absolute() else Path.cwd() / path


@dataclass(slots=True)
class Document:
    """An analysed document."""

    uri: str
    path: Path
    text: str
    version: int | None
    compilation: Compilation
    config: ProjectConfig
    config_error: str | None = None
    _lines: dict[str, Lines] = field(default_factory=dict, repr=False)

    @property
    def lines(self) -> Lines:
        return self._table(self.file, self.text)

    def _table(self, file: str, text: str) -> Lines:
        table = self._lines.get(file)
        if table is None:
            table = self._lines[file] = Lines(text)
        return table

    @property
    def file(self) -> str:
        """The display name the compiler gives this document in spans."""
        return self.compilation.program.main

    @property
    def module(self) -> ast.Module | None:
        return self.compilation.program.modules.get(self.file)

    def lines_of(self, file: str) -> Lines | None:
        """The line table of any file of the compilation (the document, an import, the catalog)."""
        if file == self.file:
            return self.lines
        text = self.compilation.sources.get(file)
        return self._table(file, text) if text is not None else None

    def scope_at(self, factory: ast.Block | None) -> Scope | None:
        program = self.compilation.program
        if factory is not None:
            for unit in program.factories:
                if unit.block is factory or (
                    unit.block.name == factory.name and unit.file == self.file
                ):
                    return unit.scope
        return program.file_scope

    def definition_of(self, name: str, factory: ast.Block | None) -> Definition | ast.Block | None:
        """What `name` means at a place in `factory` (or outside any factory)."""
        if factory is not None:
            for entry in factory.entries:
                if (
                    isinstance(entry, ast.Block)
                    and entry.name == name
                    and entry.kind
                    in (
                        "hall",
                        "fabric",
                        "storage",
                    )
                ):
                    return entry
        scope = self.scope_at(factory)
        return scope.lookup(name) if scope is not None else None


def analyse_document(
    uri: str, text: str, version: int | None = None, parse: ChunkedParser | None = None
) -> Document:
    """Compile `text` as the file `uri` names, as `aifc validate` would.

    `parse` keeps the parse of unchanged chunks from one edit to the next.
    """
    path = uri_to_path(uri)
    config_error = None
    try:
        config = find_config(path.parent)
    except ConfigError as error:
        config, config_error = ProjectConfig(), str(error)
    folder = path.parent.resolve()
    root = config.root if config.root and folder.is_relative_to(config.root) else folder
    policy = config.policy_of if config.policy or config.per_path else None
    compilation = compile_source(
        text,
        root=root,
        folder=folder,
        name=path.name,
        catalog=config.catalog,
        policy=policy,
        parse=parse,
    )
    return Document(uri, path, text, version, compilation, config, config_error)
