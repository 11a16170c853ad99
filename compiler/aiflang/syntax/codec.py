"""Parse results and parser tables as JSON, for the on-disk cache.

Nothing here can run code: entries are JSON, and decoding builds only the
syntax model's own frozen dataclasses (and Lark's tables through Lark's own
deserializer, which builds only its rule and terminal classes). Decoding
checks every field against the dataclass's annotations, so a damaged or
foreign entry is refused (`CodecError`) rather than half-built.

A dataclass is encoded as a list `[tag, field, ...]` with the tag its index
in `_CLASSES`; a tuple as `[-1, item, ...]`; strings, numbers, booleans and
None as themselves.
"""

from __future__ import annotations

import functools
import json
import sys
import types
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aiflang.diagnostics import Span
from aiflang.records import record_field_types
from aiflang.syntax import tree as ast

if TYPE_CHECKING:
    from lark import Lark

_CLASSES: tuple[type, ...] = (
    Span,
    ast.Number,
    ast.Quantity,
    ast.Ref,
    ast.Multiplicity,
    ast.Tagged,
    ast.StringValue,
    ast.Ratio,
    ast.Redundancy,
    ast.ListItem,
    ast.ListValue,
    ast.MapValue,
    ast.Attribute,
    ast.PathSegment,
    ast.Require,
    ast.Import,
    ast.Block,
    ast.Comment,
    ast.Module,
    ast.Invalid,
    ast.Uncertain,  # appended, so the tags of older entries keep their meaning
)
_TAG = {cls: tag for tag, cls in enumerate(_CLASSES)}
_TUPLE = -1


class CodecError(ValueError):
    """An entry that does not decode to what it claims to be."""


# Encoding -----------------------------------------------------------------------


def encode_module(module: ast.Module) -> Any:
    """`module` as JSON-ready data."""
    return _encode(module)


def encode_entry(entry: ast.Entry) -> Any:
    """One top-level entry of a module (a block, attribute, rule or import) as JSON-ready data."""
    return _encode(entry)


def _encode(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_TUPLE, *(_encode(item) for item in value)]
    tag = _TAG.get(type(value))
    if tag is not None:
        fields = _fields()[tag]
        return [tag, *(_encode(getattr(value, name)) for name, _ in fields)]
    if value is None or isinstance(value, str | int | float):
        return value
    raise TypeError(f"cannot encode {type(value).__name__}")


# Decoding -----------------------------------------------------------------------

# What a field may hold: a set of runtime types, and for tuples what their items may hold.
_Allowed = tuple[frozenset[type], "frozenset[type] | None"]


@functools.lru_cache(maxsize=1)
def _fields() -> tuple[tuple[tuple[str, _Allowed], ...], ...]:
    """For each class, its fields in order with the types each may hold.

    The annotations are strings (postponed evaluation); each distinct one is
    evaluated once in its module, which is what `typing.get_type_hints` does
    at several times the cost, paid on every run.
    """
    resolved: dict[tuple[str, str], _Allowed] = {}
    table = []
    for cls in _CLASSES:
        namespace = vars(sys.modules[cls.__module__])
        row = []
        for name, kind in record_field_types(cls):
            annotation = kind if isinstance(kind, str) else repr(kind)
            key = (cls.__module__, annotation)
            if key not in resolved:
                # Our own annotation text, never data from an entry.
                hint = eval(kind, namespace) if isinstance(kind, str) else kind
                resolved[key] = _allowed(hint)
            row.append((name, resolved[key]))
        table.append(tuple(row))
    return tuple(table)


def _allowed(hint: Any) -> _Allowed:
    options = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    plain: set[type] = set()
    items: set[type] | None = None
    for option in options:
        if typing.get_origin(option) is tuple:
            plain.add(tuple)
            items = set()
            for inner in typing.get_args(option):
                if inner is not Ellipsis:
                    items |= _allowed(inner)[0]
        elif option is None or option is type(None):
            plain.add(type(None))
        else:
            plain.add(option)
    return frozenset(plain), None if items is None else frozenset(items)


def decode_module(data: Any) -> ast.Module:
    """The `ast.Module` encoded in `data`; `CodecError` when `data` is not one."""
    if type(data) is not list:
        raise CodecError("not a module")
    try:
        module = _decoder()(data)
    except (TypeError, IndexError, ValueError, RecursionError) as error:
        raise CodecError(str(error)) from None
    if not isinstance(module, ast.Module):
        raise CodecError("not a module")
    return module


_ENTRIES = (ast.Block, ast.Attribute, ast.Require, ast.Import)


def decode_entry(data: Any) -> ast.Entry:
    """The top-level entry encoded in `data`; `CodecError` when `data` is not one."""
    if type(data) is not list:
        raise CodecError("not an entry")
    try:
        entry = _decoder()(data)
    except (TypeError, IndexError, ValueError, RecursionError) as error:
        raise CodecError(str(error)) from None
    if not isinstance(entry, _ENTRIES):
        raise CodecError("not an entry")
    return entry


@functools.lru_cache(maxsize=1)
def _decoder() -> Callable[[list[Any]], Any]:
    """The decoding function, with the field table and types bound as locals.

    Hot: the catalog's few thousand nodes are decoded on every run, so spans
    (half of them) take a short path and nothing is looked up twice.
    """
    specs = [tuple(allowed for _, allowed in spec) for spec in _fields()]
    classes = _CLASSES
    count = len(classes)
    integer, text, array, group = int, str, list, tuple

    def decode(value: list[Any]) -> Any:
        tag = value[0]
        if tag == 0:  # Span: a file and six whole numbers
            if len(value) != 8:
                raise CodecError("a span with the wrong number of fields")
            file, line, column, end_line, end_column, offset, end_offset = value[1:]
            if (
                type(file) is not text
                or type(line) is not integer
                or type(column) is not integer
                or type(end_line) is not integer
                or type(end_column) is not integer
                or type(offset) is not integer
                or type(end_offset) is not integer
            ):
                raise CodecError("a span with a value of a wrong type")
            return Span(file, line, column, end_line, end_column, offset, end_offset)
        if tag == _TUPLE:
            return group([decode(item) if type(item) is array else item for item in value[1:]])
        if type(tag) is not integer or not 0 < tag < count:
            raise CodecError(f"unknown tag {tag!r}")
        spec = specs[tag]
        if len(value) != len(spec) + 1:
            raise CodecError(f"{classes[tag].__name__} with {len(value) - 1} fields")
        arguments = []
        for index, (plain, items) in enumerate(spec, start=1):
            raw = value[index]
            decoded = decode(raw) if type(raw) is array else raw
            if type(decoded) not in plain or (
                items is not None
                and type(decoded) is group
                and any(type(item) not in items for item in decoded)
            ):
                raise CodecError(f"{classes[tag].__name__}: a value of a wrong type")
            arguments.append(decoded)
        return classes[tag](*arguments)

    return decode


# Lark tables ----------------------------------------------------------------------


def encode_parser(parser: Lark) -> str:
    """The LALR tables of `parser` as JSON, without its callbacks (functions stay in code)."""
    # Lark is imported here, not with the module: decoding the cached catalog must not pay for it.
    from lark.grammar import Rule
    from lark.lexer import TerminalDef

    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data = dict(data)
    data["options"] = {k: v for k, v in data["options"].items() if k != "lexer_callbacks"}
    return json.dumps({"data": data, "memo": memo}, separators=(",", ":"))


def decode_parser(text: str, **options: Any) -> Lark:
    """A parser from `encode_parser`'s JSON; `options` are those Lark lets a loaded parser set.

    JSON has no integer keys or tuples: the few places of Lark's serial form
    that need them are restored before Lark's own deserializer reads it. (A
    state's actions are keyed by token numbers that only index `tokens`, so
    both may stay strings.)
    """
    from lark import Lark

    try:
        entry = json.loads(text)
        data, memo = entry["data"], entry["memo"]
        table = data["parser"]["parser"]
        table["states"] = _int_keys(table["states"])
        memo = _int_keys(memo)
        for item in memo.values():
            rule_options = item.get("options") if isinstance(item, dict) else None
            if isinstance(rule_options, dict) and "empty_indices" in rule_options:
                rule_options["empty_indices"] = tuple(rule_options["empty_indices"])
        return Lark._load_from_dict(data, memo, **options)
    except Exception as error:  # any shape Lark cannot load is a bad entry
        raise CodecError(f"{type(error).__name__}: {error}") from None


def _int_keys(mapping: dict[str, Any]) -> dict[int, Any]:
    return {int(key): value for key, value in mapping.items()}
