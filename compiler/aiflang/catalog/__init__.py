"""The built-in catalog: GPUs, CPUs, NICs, switches, optics, systems and racks.

The catalog is written in the design language itself (the `*.aif` files in
this folder, each entry with its `source`) and parsed like any design file.
It is parsed once per process and the parse cached on disk (`aiflang.cache`).

Two views of it:
- `catalog_index()`: every top-level entry's kind, name and doc, with its
  block decoded from the cache only when first asked for (`CatalogEntry.block`).
  Name resolution (`aiflang.frontend.resolve`) puts these in the outermost
  scope: a design names a few dozen of the catalog's entries, and decoding
  all of them cost more than checking a small design.
- `catalog_modules()`: every file as a full parse (for `aifc catalog`, the
  editor features and the tests).

Both read the same cache entry, a header line and a payload:
- the header, JSON: `{"files": [name, ...], "payload": sha256 of the payload,
  "shells": [[start, end], ...], "entries": [[file, kind, name, doc, start,
  end], ...]}`; each file's shell
  is its module without entries (comments and span), each entry one
  top-level entry of a file, in order (kind, name and doc are null for an
  entry that is not a block);
- the payload: the `aiflang.syntax.codec` encodings of the shells and the
  entries, one after another; `start` and `end` are offsets into it.

An entry whose header does not describe these files, or whose payload does
not hash to the header's digest (damaged, truncated, replaced), is refused
and the catalog parsed afresh: hashing the payload costs about a
millisecond, decoding all of it some forty. An entry or shell that still
does not decode, or does not match the header's kind, name and doc, is taken
from a fresh parse of its file.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from aiflang.resources import catalog_dir
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import ParseResult, parse_source

if TYPE_CHECKING:
    from aiflang.diagnostics import Diagnostic


class CatalogEntry:
    """One top-level entry of a catalog file: its kind, name and doc, its block on demand."""

    __slots__ = ("_block", "_catalog", "doc", "file", "index", "kind", "name")

    def __init__(
        self,
        catalog: Catalog,
        file: int,
        index: int,
        kind: str | None,
        name: str | None,
        doc: str | None,
        entry: ast.Entry | tuple[int, int],
    ) -> None:
        self._catalog = catalog
        self.file = file  # index of its file in `Catalog.names`
        self.index = index  # its place among the file's top-level entries
        self.kind = kind  # None for an entry that is not a block
        self.name = name
        self.doc = doc
        self._block = entry  # the entry, or where its encoding lies in the payload

    @property
    def entry(self) -> ast.Entry:
        """The entry, decoded on first use (from a fresh parse when the payload fails)."""
        found = self._block
        if isinstance(found, tuple):
            found = self._block = self._catalog.decode_entry(self, found)
        return found

    @property
    def block(self) -> ast.Block:
        """The entry as a block (only asked of entries whose `kind` is set)."""
        found = self.entry
        assert isinstance(found, ast.Block)
        return found


class Catalog:
    """The catalog's files (names and texts) and their top-level entries."""

    def __init__(
        self, names: list[str], texts: list[str], payload: str = "", shells: Sequence[Any] = ()
    ) -> None:
        self.names = names
        self.texts = texts
        self.entries: list[CatalogEntry] = []
        self._payload = payload
        self._shells: list[Any] = list(shells)  # per file: a Module, or (start, end)
        self._fresh: dict[int, ast.Module] = {}
        # Per file, what a fresh parse reported (a cached entry is of a clean parse).
        self.diagnostics: list[list[Diagnostic]] = [[] for _ in names]

    def modules(self) -> tuple[ParseResult, ...]:
        """Every file as a full parse."""
        entries: list[list[ast.Entry]] = [[] for _ in self.names]
        for entry in self.entries:
            entries[entry.file].append(entry.entry)
        results = []
        for file, text in enumerate(self.texts):
            shell = self._shell(file)
            module = ast.Module(shell.file, tuple(entries[file]), shell.comments, shell.span)
            results.append(ParseResult(module, list(self.diagnostics[file]), text))
        return tuple(results)

    def _shell(self, file: int) -> ast.Module:
        shell = self._shells[file]
        if isinstance(shell, ast.Module):
            return shell
        from aiflang.syntax.codec import CodecError, decode_module

        start, end = shell
        try:
            decoded = decode_module(json.loads(self._payload[start:end]))
        except (ValueError, CodecError):
            decoded = self.fresh(file)
        if decoded.file != self.names[file]:
            decoded = self.fresh(file)
        self._shells[file] = decoded
        return decoded

    def decode_entry(self, entry: CatalogEntry, where: tuple[int, int]) -> ast.Entry:
        from aiflang.syntax.codec import CodecError, decode_entry

        start, end = where
        described = (entry.kind, entry.name, entry.doc)
        try:
            decoded = decode_entry(json.loads(self._payload[start:end]))
            if _described(decoded) == described:
                return decoded
        except (ValueError, CodecError):
            pass
        entries = self.fresh(entry.file).entries
        if entry.index < len(entries) and _described(entries[entry.index]) == described:
            return entries[entry.index]
        # Only an entry written by hand, with a matching digest, gets here.
        raise RuntimeError(
            f"the cached catalog does not match {self.names[entry.file]}; "
            "remove the aifc cache folder (or set AIFC_NO_CACHE=1)"
        )

    def fresh(self, file: int) -> ast.Module:
        """File `file` parsed afresh, once (the header said what its entries are)."""
        if file not in self._fresh:
            self._fresh[file] = parse_source(self.texts[file], self.names[file]).module
        return self._fresh[file]


def _described(entry: ast.Entry) -> tuple[str | None, str | None, str | None]:
    if isinstance(entry, ast.Block):
        return entry.kind, entry.name, entry.doc
    return None, None, None


@functools.lru_cache(maxsize=1)
def catalog_index() -> Catalog:
    """The built-in catalog's entries, their blocks decoded on demand; cached on disk."""
    from aiflang import cache
    from aiflang.syntax.parser import _grammar_text

    files = sorted(catalog_dir().glob("*.aif"))
    texts = [path.read_text(encoding="utf-8") for path in files]
    names = [f"<catalog>/{path.name}" for path in files]
    key = cache.key_of(_grammar_text(), *[f"{n}\0{t}" for n, t in zip(names, texts, strict=True)])
    cached = _decode(cache.load("catalog", key), names, texts)
    if cached is not None:
        return cached
    results = [parse_source(text, name) for name, text in zip(names, texts, strict=True)]
    found = Catalog(names, texts, shells=[r.module for r in results])
    for file, result in enumerate(results):
        for index, entry in enumerate(result.module.entries):
            found.entries.append(CatalogEntry(found, file, index, *_described(entry), entry))
    found._fresh = {file: r.module for file, r in enumerate(results)}
    found.diagnostics = [list(r.diagnostics) for r in results]
    # Only a clean parse is cached: diagnostics stay out of the entry's format.
    if cache.enabled() and not any(r.diagnostics for r in results):
        cache.store("catalog", key, _encode(results))
    return found


@functools.lru_cache(maxsize=1)
def catalog_modules() -> tuple[ParseResult, ...]:
    """The built-in catalog, every file fully parsed (from the same cache entry)."""
    return catalog_index().modules()


def forget() -> None:
    """Drop this process's copies, so the next call reads the cache (or parses) again."""
    catalog_modules.cache_clear()
    catalog_index.cache_clear()


def _encode(results: Sequence[ParseResult]) -> str:
    from aiflang.syntax.codec import encode_entry, encode_module

    parts: list[str] = []
    offset = 0

    def add(data: Any) -> list[int]:
        nonlocal offset
        text = json.dumps(data, separators=(",", ":"))
        parts.append(text)
        offset += len(text)
        return [offset - len(text), offset]

    shells, entries = [], []
    for file, result in enumerate(results):
        module = result.module
        shells.append(add(encode_module(ast.Module(module.file, (), module.comments, module.span))))
        for entry in module.entries:
            kind, name, doc = _described(entry)
            entries.append([file, kind, name, doc, *add(encode_entry(entry))])
    payload = "".join(parts)
    header = {
        "files": [r.module.file for r in results],
        "payload": _digest(payload),
        "shells": shells,
        "entries": entries,
    }
    return json.dumps(header, separators=(",", ":")) + "\n" + payload


def _digest(payload: str) -> str:
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _decode(entry: str | None, names: list[str], texts: list[str]) -> Catalog | None:
    """The cached catalog's index, checked to be of these files; None when it is not usable.

    Only the header is read here (and the payload hashed); each entry is
    decoded when first used.
    """
    if entry is None:
        return None
    header_text, newline, payload = entry.partition("\n")
    if not newline:
        return None
    try:
        header = json.loads(header_text)
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("files") != names:
        return None
    if header.get("payload") != _digest(payload):
        return None
    shells, rows = header.get("shells"), header.get("entries")
    if not isinstance(shells, list) or len(shells) != len(names) or not isinstance(rows, list):
        return None
    size = len(payload)
    if not all(_span_in(shell, size) for shell in shells):
        return None
    found = Catalog(names, texts, payload, [tuple(shell) for shell in shells])
    counts = [0] * len(names)
    for row in rows:
        if not isinstance(row, list) or len(row) != 6 or not _span_in(row[4:], size):
            return None
        file, kind, name, doc = row[:4]
        if type(file) is not int or not 0 <= file < len(names):
            return None
        if not (kind is None or type(kind) is str) or (kind is None and name is not None):
            return None
        if not (name is None or type(name) is str) or not (doc is None or type(doc) is str):
            return None
        found.entries.append(
            CatalogEntry(found, file, counts[file], kind, name, doc, (row[4], row[5]))
        )
        counts[file] += 1
    return found


def _span_in(span: Any, size: int) -> bool:
    return (
        isinstance(span, list)
        and len(span) == 2
        and all(type(n) is int for n in span)
        and 0 <= span[0] <= span[1] <= size
    )
