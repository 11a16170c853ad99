"""Imports: read and parse a design's files, following `import` statements.

Afterwards `Files.parsed` holds every file of the design, parsed once each,
and `Files.transitive(path)` the files a file imports directly or not, in
breadth-first order. A design is bounded: imports nest at most
`MAX_IMPORT_DEPTH` files deep, a file imports at most `MAX_IMPORTS_PER_FILE`
files, a design holds at most `MAX_DESIGN_FILES` files and
`MAX_DESIGN_BYTES` bytes in all (each file also stays under the parser's
`MAX_FILE_BYTES`). Each limit is E108 on the `import` that would pass it,
and that file is not read.

Emits: E108 (limits), E211 import cycle, E212 import outside the project,
E213 imported file not found, and the parser's diagnostics for each file.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from pathlib import Path

from aiflang.diagnostics import WITHHELD_LINE, Sink, Span, codes
from aiflang.fileio import NotRegularFile, TooLarge, read_limited
from aiflang.frontend.settings import Setting, apply_settings
from aiflang.frontend.uncertain import nominal_module
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import (
    MAX_FILE_BYTES,
    ParseResult,
    decode_source,
    oversize,
    parse_source,
)

MAX_IMPORT_DEPTH = 16
MAX_IMPORTS_PER_FILE = 32
MAX_DESIGN_FILES = 64
MAX_DESIGN_BYTES = 3 * MAX_FILE_BYTES // 2  # 1.5 MiB: the time budget of a design

# Returns a file's bytes, or None when it cannot be read; may raise
# `fileio.NotRegularFile` or `fileio.TooLarge` to say why.
Loader = Callable[[Path], "bytes | None"]
Parser = Callable[[str, str], ParseResult]  # text, file -> parse (`parse_source` or a cache)


def read_file(path: Path) -> bytes | None:
    # Bounded and non-blocking: an import of a FIFO or of /dev/zero must not hang.
    try:
        return read_limited(path, MAX_FILE_BYTES)
    except (NotRegularFile, TooLarge):
        raise
    except OSError:
        return None


class Files:
    """The files of one design, read through `loader` and confined to `root`.

    `parse` parses each file (an editor passes one that remembers chunks);
    `settings` (`--set`) rewrite the design's own file (`main`) as it is read.
    """

    def __init__(
        self,
        root: Path,
        sink: Sink,
        loader: Loader,
        *,
        parse: Parser = parse_source,
        settings: Sequence[Setting] = (),
    ) -> None:
        self.root = root.resolve()
        self.sink = sink
        self.loader = loader
        self.parse = parse
        self.settings = settings
        self.main: Path | None = None
        self.parsed: dict[Path, ast.Module] = {}
        self.imports: dict[Path, list[Path]] = {}
        self.sources: dict[str, str] = {}  # file name as shown -> text, for snippets
        self.modules: dict[str, ast.Module] = {}  # by file name as shown
        self.bytes = 0
        self.full = False  # the file limit was reported

    def display(self, path: Path) -> str:
        try:
            return str(path.relative_to(Path.cwd()))
        except ValueError:
            return str(path)

    def load(self, path: Path, stack: list[Path], span: Span | None) -> ast.Module | None:
        """Parse `path` (once) and the files it imports; None if it cannot be read."""
        if path in self.parsed:
            return self.parsed[path]
        if span is not None and len(self.parsed) >= MAX_DESIGN_FILES:
            if not self.full:  # once: every further import would say the same
                self.full = True
                self.sink.error(
                    codes.E108,
                    f"the design imports more than {MAX_DESIGN_FILES} files; "
                    f"{self.display(path)} and the files after it are not read",
                    span,
                    help="merge small libraries into fewer files",
                )
            return None
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
        if span is not None and self.bytes + len(data) > MAX_DESIGN_BYTES:
            self.sink.error(
                codes.E108,
                f"the design's files would total {self.bytes + len(data):,} bytes, over the "
                f"limit of {MAX_DESIGN_BYTES:,}; {file} is not read",
                span,
                help="import only the libraries the design uses",
            )
            return None
        self.bytes += len(data)
        text, problem = decode_source(data, file)
        if problem is not None or text is None:
            if problem is not None:
                self.sink.add(problem)
            return None
        result = self.parse(text, file)
        self.sources[file] = _quotable(result)
        self.sink.extend(result.diagnostics)
        module = result.module
        if path == self.main and self.settings:
            module, texts = apply_settings(module, self.settings, self.sink)
            self.sources.update(texts)
        # A range or distribution reads as its nominal value in a single compile.
        module = nominal_module(module, self.sink)
        self.parsed[path] = module
        self.modules[file] = module
        self.imports[path] = []
        stack.append(path)
        followed = 0
        for entry in module.entries:
            if not isinstance(entry, ast.Import):
                continue
            followed += 1
            if followed > MAX_IMPORTS_PER_FILE:
                self.sink.error(
                    codes.E108,
                    f"{file} imports more than {MAX_IMPORTS_PER_FILE} files; this import and "
                    "the rest are not read",
                    entry.span,
                    help="gather the libraries into fewer files",
                )
                break
            self.follow(path, entry, stack)
        stack.pop()
        return module

    def follow(self, importer: Path, entry: ast.Import, stack: list[Path]) -> None:
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

    def transitive(self, path: Path) -> list[Path]:
        """The files `path` imports, directly or through others, breadth first, once each."""
        order: list[Path] = []
        seen = {path}
        pending = deque(self.imports.get(path, []))
        while pending:
            current = pending.popleft()
            if current in seen:
                continue
            seen.add(current)
            order.append(current)
            pending.extend(self.imports.get(current, []))
        return order


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
