"""Records: frozen value classes that cost next to nothing to define.

`@record` makes a class what `@dataclass(frozen=True, slots=True)` would
(`@record(frozen=False)` what `@dataclass(slots=True)` would):
slots for its fields, an `__init__` taking them (positionally, or by keyword
only with `kw_only=True`), equality and a hash over the fields that take part
in comparison, a repr, pickling, and no assignment after construction.
Fields are annotations, with an optional default or a `dataclasses.field`
(`default`, `default_factory`, `compare`, `repr`); a record may extend
another. A `__post_init__` method, as on a dataclass, runs after `__init__`
has set the fields (to check them; it cannot assign), but not after
unpickling nor after `record_constructor`. Type checkers treat records as dataclasses (PEP 681).

Why: Python 3.11's `dataclass` compiles each generated method with `exec`,
3 to 6 million machine instructions per class; with the syntax model, the
design model and the diagnostics (some fifty classes) on the path of every
`aifc validate`, that was a sixth of a run. A record builds its methods
from closures over its field list instead, so defining one costs about what
a plain class costs. Construction goes through a loop over the fields;
the parser, which builds most nodes, sets their slots directly
(`record_constructor`).
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform

_T = TypeVar("_T")
_MISSING: Any = dataclasses.MISSING


class RecordField:
    """One field of a record: its name, default and whether it is compared and shown."""

    __slots__ = ("compare", "default", "factory", "kw_only", "name", "repr")

    def __init__(
        self,
        name: str,
        default: Any = _MISSING,
        factory: Any = _MISSING,
        *,
        compare: bool = True,
        repr: bool = True,
        kw_only: bool = False,
    ) -> None:
        self.name = name
        self.default = default
        self.factory = factory
        self.compare = compare
        self.repr = repr
        self.kw_only = kw_only


def record_fields(cls: type) -> tuple[RecordField, ...]:
    """A record's fields, inherited ones first."""
    fields: tuple[RecordField, ...] = cls.__record_fields__  # type: ignore[attr-defined]
    return fields


def record_constructor(cls: type[_T]) -> Callable[..., _T]:
    """A constructor that sets every field's slot directly: all fields, in order.

    For code that builds many records (the parser): it skips the defaults,
    checks and loop of `__init__`. One small function is compiled per class.
    """
    names = [f.name for f in record_fields(cls)]
    namespace: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    lines = [f"def make({', '.join(names)}):", "    made = _new(_cls)"]
    for index, name in enumerate(names):
        namespace[f"_set{index}"] = getattr(cls, name).__set__
        lines.append(f"    _set{index}(made, {name})")
    lines.append("    return made")
    exec("\n".join(lines), namespace)
    make: Callable[..., _T] = namespace["make"]
    return make


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(
    cls: type[_T] | None = None,
    /,
    *,
    kw_only: bool = False,
    frozen: bool = True,
    eq: bool = True,
) -> Any:
    """Make `cls` a slotted record (see the module's docstring).

    `frozen=False` makes it mutable, as `@dataclass(slots=True)` would: its
    fields may be assigned, and it has no hash when it compares by value.
    `eq=False` keeps comparison and hashing by identity.
    """

    def wrap(cls: type[_T]) -> type[_T]:
        return _build(cls, kw_only, frozen, eq)

    return wrap if cls is None else wrap(cls)


def _build(cls: type[_T], kw_only: bool, frozen: bool = True, eq: bool = True) -> type[_T]:
    inherited: list[RecordField] = []
    for base in reversed(cls.__mro__[1:]):
        for inherited_field in base.__dict__.get("__record_fields__", ()):
            inherited = [f for f in inherited if f.name != inherited_field.name]
            inherited.append(inherited_field)
    namespace = dict(cls.__dict__)
    own: list[RecordField] = []
    for name in namespace.get("__annotations__", {}):
        value = namespace.pop(name, _MISSING)
        if isinstance(value, dataclasses.Field):
            own.append(
                RecordField(
                    name,
                    value.default,
                    value.default_factory,
                    compare=value.compare,
                    repr=value.repr,
                    kw_only=kw_only or value.kw_only is True,
                )
            )
        else:
            own.append(RecordField(name, value, kw_only=kw_only))
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    namespace["__slots__"] = tuple(f.name for f in own)
    metaclass: Any = type(cls)
    built: Any = metaclass(cls.__name__, cls.__bases__, namespace)
    fields = tuple(inherited + own)
    built.__record_fields__ = fields
    built.__dataclass_fields__ = _DataclassFields(fields, namespace.get("__annotations__", {}))
    setattr(built, "__match_args__", tuple(f.name for f in fields if not f.kw_only))  # noqa: B010
    _methods(built, fields, frozen, eq)
    result: type[_T] = built
    return result


class _DataclassFields:
    """A record's `__dataclass_fields__`, made when first read (by `dataclasses.fields`,
    `asdict`, `replace` or `is_dataclass`) and then stored on the class in its place:
    most records of a run are never asked, and making the fields for all of them
    cost a run about as much as defining the classes."""

    __slots__ = ("annotations", "fields")

    def __init__(self, fields: tuple[RecordField, ...], annotations: dict[str, Any]) -> None:
        self.fields = fields
        self.annotations = annotations

    def __get__(self, instance: Any, owner: type) -> dict[str, dataclasses.Field[Any]]:
        described = _dataclass_fields(self.fields, self.annotations)
        if owner.__dict__.get("__dataclass_fields__") is self:  # not a subclass's read
            owner.__dataclass_fields__ = described  # type: ignore[attr-defined]
        return described


def _dataclass_fields(
    fields: tuple[RecordField, ...], annotations: dict[str, Any]
) -> dict[str, dataclasses.Field[Any]]:
    """The fields as `dataclasses` describes them, so `dataclasses.fields`, `asdict`,
    `replace` and `is_dataclass` work on records as on dataclasses."""
    described: dict[str, dataclasses.Field[Any]] = {}
    for field in fields:
        made: dataclasses.Field[Any] = dataclasses.field(
            default=field.default,
            default_factory=field.factory,
            compare=field.compare,
            repr=field.repr,
            kw_only=field.kw_only,
        )
        made.name = field.name
        made.type = annotations.get(field.name, Any)
        made._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
        described[field.name] = made
    return described


def _methods(cls: Any, fields: tuple[RecordField, ...], frozen: bool, eq: bool) -> None:
    setters = {f.name: getattr(cls, f.name).__set__ for f in fields}
    positional = [f for f in fields if not f.kw_only]
    compared = tuple(f.name for f in fields if f.compare)
    shown = tuple(f.name for f in fields if f.repr)
    name = cls.__qualname__

    in_order = [setters[f.name] for f in fields]
    every = len(fields)
    check: Callable[[Any], None] | None = getattr(cls, "__post_init__", None)

    # (name, slot setter, default, factory) of each field, in order
    plan = tuple((f.name, setters[f.name], f.default, f.factory) for f in fields)
    takes = len(positional)

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        if args:
            if len(args) == every and not kwargs and every == takes:
                for setter, value in zip(in_order, args, strict=True):  # all given, in order
                    setter(self, value)
                if check is not None:
                    check(self)
                return
            if len(args) > takes:
                raise TypeError(f"{name}() takes {takes} positional arguments")
            for field, value in zip(positional, args, strict=False):
                if field.name in kwargs:
                    raise TypeError(f"{name}() got two values for {field.name!r}")
                kwargs[field.name] = value
        if len(kwargs) == every:  # every field given (the usual call): no defaults to find
            try:
                for field_name, setter, _, _ in plan:
                    setter(self, kwargs[field_name])
            except KeyError:
                pass  # a name that is no field: the loop below says which
            else:
                if check is not None:
                    check(self)
                return
        for field_name, setter, default, factory in plan:
            value = kwargs.pop(field_name, _MISSING)
            if value is _MISSING:
                if default is not _MISSING:
                    value = default
                elif factory is not _MISSING:
                    value = factory()
                else:
                    raise TypeError(f"{name}() is missing {field_name!r}")
            setter(self, value)
        if kwargs:
            raise TypeError(f"{name}() got unexpected arguments {sorted(kwargs)}")
        if check is not None:
            check(self)

    # The compared fields as a tuple, read in C (attrgetter of one name returns the value).
    getter = operator.attrgetter(*compared) if compared else (lambda _: ())
    values: Callable[[Any], Any] = getter if len(compared) != 1 else (lambda self: (getter(self),))

    def __eq__(self: Any, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return values(self) == values(other)

    def __hash__(self: Any) -> int:
        return hash(values(self))

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in shown)
        return f"{name}({inner})"

    def __setattr__(self: Any, attribute: str, value: Any) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot assign to field {attribute!r}")

    def __delattr__(self: Any, attribute: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {attribute!r}")

    def __reduce__(self: Any) -> tuple[Any, ...]:
        return (_restore, (self.__class__, tuple(getattr(self, f.name) for f in fields)))

    methods: list[Callable[..., Any]] = [__init__, __repr__, __reduce__]
    if eq:
        methods.append(__eq__)
    if eq and frozen:
        methods.append(__hash__)
    if frozen:
        methods += [__setattr__, __delattr__]
    for method in methods:
        method.__qualname__ = f"{name}.{method.__name__}"
        setattr(cls, method.__name__, method)
    if eq and not frozen:
        cls.__hash__ = None  # equal by value and mutable: unhashable, as a dataclass


def _restore(cls: Any, values: tuple[Any, ...]) -> Any:
    """Unpickle a record: set each field's slot (frozen records refuse `setattr`)."""
    made = object.__new__(cls)
    for field, value in zip(record_fields(cls), values, strict=True):
        getattr(cls, field.name).__set__(made, value)
    return made
