"""Scopes and definitions, and the did-you-mean index over a scope's names.

A `Scope` maps names to `Definition`s and falls through to its parent
(factory -> file -> imports -> catalog). `Suggestions` answers "which known
names of this kind are close to this unknown one": it indexes a scope's
names by kind once, when first asked, so each unknown name costs a lookup
among the names of its kind, never a walk over every name in scope.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from aiflang.diagnostics import get_close_matches
from aiflang.records import field, record
from aiflang.syntax import tree as ast

if TYPE_CHECKING:
    from aiflang.catalog import CatalogEntry

# Beyond this many names of one kind, only names that start with the same
# letter and are about as long are compared: difflib costs microseconds per
# candidate, and a hostile file can define tens of thousands of names.
_FULL_COMPARISON = 1_000
_MAX_COMPARED = 2_000
_MAX_NAME = 100  # no name is this long by mistake; comparing it costs time for nothing


@record(frozen=False, eq=False)
class Definition:
    """A component definition with its attributes merged along `extends`.

    Compared by identity: two definitions are the same only if they are one
    object (a chain of `extends` is walked with identity sets).
    """

    kind: str
    name: str
    block: ast.Block
    builtin: bool = False
    attributes: dict[str, ast.Attribute] = field(default_factory=dict)
    doc: str | None = None
    broken: bool = False  # its `extends` chain could not be followed
    merged: bool = False  # `attributes` holds the merge along `extends`
    too_deep: bool = False  # its `extends` chain passes the depth limit
    depth: int = 1  # definitions in its `extends` chain, itself included


class CatalogDefinition(Definition):
    """A built-in catalog entry whose block is decoded, and whose attributes and doc are
    merged along `extends`, only when first read.

    A design names a few dozen of the catalog's entries; the rest are only
    names (for lookups and did-you-mean). `merge`, when given, merges the
    definition in the catalog's own scope; it is called once, on the first
    read of `attributes` or `doc`, unless the definition was merged already
    (as a link of another's chain). Without it, as before any merge,
    `attributes` is empty and `doc` the entry's own.
    """

    __slots__ = ("_entry", "_merge")

    def __init__(
        self, entry: CatalogEntry, merge: Callable[[Definition], None] | None = None
    ) -> None:
        kind, name = entry.kind, entry.name
        assert kind is not None and name is not None
        _set = _SLOTS
        _set["kind"](self, kind)
        _set["name"](self, name)
        _set["builtin"](self, True)
        _set["attributes"](self, {})
        _set["doc"](self, entry.doc)
        _set["broken"](self, False)
        _set["merged"](self, False)
        _set["too_deep"](self, False)
        _set["depth"](self, 1)
        self._entry: CatalogEntry | None = entry
        self._merge = merge

    def _merged(self) -> None:
        merge = self._merge
        if merge is not None:
            self._merge = None  # reads during the merge see the fields as they stand
            merge(self)

    @property
    def block(self) -> ast.Block:
        entry = self._entry
        if entry is not None:
            _SLOTS["block"](self, entry.block)
            self._entry = None
        return _BLOCK(self)

    @block.setter
    def block(self, value: ast.Block) -> None:
        _SLOTS["block"](self, value)
        self._entry = None

    @property
    def attributes(self) -> dict[str, ast.Attribute]:
        self._merged()
        return _ATTRIBUTES(self)

    @attributes.setter
    def attributes(self, value: dict[str, ast.Attribute]) -> None:
        _SLOTS["attributes"](self, value)

    @property
    def doc(self) -> str | None:
        self._merged()
        return _DOC(self)

    @doc.setter
    def doc(self, value: str | None) -> None:
        _SLOTS["doc"](self, value)


# The slots of `Definition`, which `CatalogDefinition`'s properties stand in front of.
_SLOTS = {name: vars(Definition)[name].__set__ for name in vars(Definition)["__slots__"]}
_BLOCK: Callable[[Definition], ast.Block] = vars(Definition)["block"].__get__
_ATTRIBUTES: Callable[[Definition], dict[str, ast.Attribute]] = vars(Definition)[
    "attributes"
].__get__
_DOC: Callable[[Definition], str | None] = vars(Definition)["doc"].__get__


@record(frozen=False, eq=False)
class Scope:
    """Names visible at one level; lookups fall through to the parent."""

    symbols: dict[str, Definition] = field(default_factory=dict)
    parent: Scope | None = None

    def lookup(self, name: str) -> Definition | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.symbols.get(name)
            if found is not None:
                return found
            scope = scope.parent
        return None

    def names(self) -> Iterator[tuple[str, Definition]]:
        """Every visible name once, innermost definition first."""
        seen: set[str] = set()
        scope: Scope | None = self
        while scope is not None:
            for name, definition in scope.symbols.items():
                if name not in seen:
                    seen.add(name)
                    yield name, definition
            scope = scope.parent


class Suggestions:
    """Close names by kind for one scope, indexed on first use."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope
        self._by_kind: dict[str, list[str]] | None = None

    def of_kind(self, kind: str) -> list[str]:
        if self._by_kind is None:
            by_kind: dict[str, list[str]] = {}
            for name, definition in self.scope.names():
                by_kind.setdefault(definition.kind, []).append(name)
            self._by_kind = by_kind
        return self._by_kind.get(kind, [])

    def close(self, name: str, kind: str) -> list[str]:
        """Up to three names of `kind` close to `name`, across spelling and case."""
        return close_matches(name, self.of_kind(kind))


def close_matches(name: str, candidates: list[str], n: int = 3) -> list[str]:
    """Close spellings of `name` among `candidates`, then the same letters in another case."""
    if not candidates or len(name) > _MAX_NAME:
        return []
    if len(candidates) > _FULL_COMPARISON:
        initial = name[:1].casefold()
        candidates = sorted(
            c for c in candidates if c[:1].casefold() == initial and abs(len(c) - len(name)) <= 2
        )[:_MAX_COMPARED]
    close = get_close_matches(name, candidates, n=n, cutoff=0.5)
    if not close:
        lowered = {c.lower(): c for c in candidates}
        close = [lowered[c] for c in get_close_matches(name.lower(), list(lowered), n=n)]
    return close
