"""Records: frozen value classes that cost next to nothing to define.

`@record` makes a class what `@dataclass(frozen=True, slots=True)` would
(`@record(frozen=False)` what `@dataclass(slots=True)` would):
slots for its fields, an `__init__` taking them (positionally, or by keyword
only with `kw_only=True`), equality and a hash over the fields that take part
in comparison, a repr, pickling, and no assignment after construction.
Fields are annotations, with an optional default or a `dataclasses.field`
(`default`, `default_factory`, `compare`, `repr`, `init=False` for a field
its `__post_init__` sets); a record may extend another. `order=True` and
`with_dict=True` (a `__dict__` for `functools.cached_property`) are there
as on a dataclass. A `__post_init__` method, as on a dataclass, runs after
`__init__` has set the fields (to check them, or to set `init=False` fields
with `object.__setattr__`), but not after unpickling nor after
`record_constructor`. Type checkers treat records as dataclasses (PEP 681).

Why: Python 3.11's `dataclass` compiles each generated method with `exec`,
3 to 6 million machine instructions per class; with the syntax model, the
design model and the diagnostics (some fifty classes) on the path of every
`aifc validate`, that was a sixth of a run. Every record shares one set of
methods instead, each reading its class's plan (the fields' slot setters,
defaults, compared and shown names), so defining one costs a few times a
plain class and nothing is compiled. Construction sets the fields from the
keywords (or positions) given; the parser, which builds most nodes, sets
their slots directly (`record_constructor`).
"""

from __future__ import annotations

import operator
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, dataclass_transform, overload

if TYPE_CHECKING:
    import dataclasses

_T = TypeVar("_T")


class _Missing:
    """No default: the sentinel `field` and `RecordField` use (`dataclasses.MISSING`'s role)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
_MISSING = MISSING


class RecordField:
    """One field of a record: its name, default, whether it is compared and shown, and
    whether `__init__` takes it (a field with `init=False` is set by `__post_init__`).
    `field(...)` returns one without a name, which the record's definition gives it."""

    __slots__ = ("compare", "default", "factory", "init", "kw_only", "name", "repr")

    def __init__(
        self,
        name: str,
        default: Any = _MISSING,
        factory: Any = _MISSING,
        *,
        compare: bool = True,
        repr: bool = True,
        kw_only: bool = False,
        init: bool = True,
    ) -> None:
        self.name = name
        self.default = default
        self.factory = factory
        self.compare = compare
        self.repr = repr
        self.kw_only = kw_only
        self.init = init

    @property
    def default_factory(self) -> Any:
        """`factory` by the name `dataclasses.Field` gives it."""
        return self.factory


@overload
def field(
    *,
    default: _T,
    init: bool = ...,
    repr: bool = ...,
    compare: bool = ...,
    kw_only: bool = ...,
) -> _T: ...
@overload
def field(
    *,
    default_factory: Callable[[], _T],
    init: bool = ...,
    repr: bool = ...,
    compare: bool = ...,
    kw_only: bool = ...,
) -> _T: ...
@overload
def field(
    *,
    init: bool = ...,
    repr: bool = ...,
    compare: bool = ...,
    kw_only: bool = ...,
) -> Any: ...
def field(
    *,
    default: Any = MISSING,
    default_factory: Any = MISSING,
    init: bool = True,
    repr: bool = True,
    compare: bool = True,
    kw_only: bool = False,
) -> Any:
    """A record field's default (or `default_factory`) and flags, as `dataclasses.field`
    gives them (records also take `dataclasses.field`; this one spares importing
    `dataclasses`, and with it `inspect`, on every run)."""
    if default is not MISSING and default_factory is not MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return RecordField(
        "", default, default_factory, compare=compare, repr=repr, kw_only=kw_only, init=init
    )


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of `obj` with `changes`, as `dataclasses.replace` makes it: the fields
    `__init__` takes, read from `obj` unless changed, through `__init__` (and its
    checks). Not a record: `dataclasses.replace` itself."""
    fields: tuple[RecordField, ...] | None = getattr(type(obj), "__record_fields__", None)
    if fields is None:
        import dataclasses

        return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
    for one in fields:
        if not one.init:
            if one.name in changes:
                raise ValueError(
                    f"field {one.name} is declared with init=False, it cannot be specified "
                    "with replace()"
                )
        elif one.name not in changes:
            changes[one.name] = getattr(obj, one.name)
    made: _T = obj.__class__(**changes)
    return made


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


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def record(
    cls: type[_T] | None = None,
    /,
    *,
    kw_only: bool = False,
    frozen: bool = True,
    eq: bool = True,
    order: bool = False,
    with_dict: bool = False,
) -> Any:
    """Make `cls` a slotted record (see the module's docstring).

    `frozen=False` makes it mutable, as `@dataclass(slots=True)` would: its
    fields may be assigned, and it has no hash when it compares by value.
    `eq=False` keeps comparison and hashing by identity. `order=True` adds
    `<`, `<=`, `>`, `>=` over the compared fields, as a dataclass's `order`.
    `with_dict=True` gives instances a `__dict__` besides the slots, for
    `functools.cached_property`.
    """

    def wrap(cls: type[_T]) -> type[_T]:
        return _build(cls, kw_only, frozen, eq, order=order, with_dict=with_dict)

    return wrap if cls is None else wrap(cls)


def _build(
    cls: type[_T],
    kw_only: bool,
    frozen: bool = True,
    eq: bool = True,
    *,
    order: bool = False,
    with_dict: bool = False,
) -> type[_T]:
    inherited: list[RecordField] = []
    for base in reversed(cls.__mro__[1:]):
        for inherited_field in base.__dict__.get("__record_fields__", ()):
            inherited = [f for f in inherited if f.name != inherited_field.name]
            inherited.append(inherited_field)
    namespace = dict(cls.__dict__)
    annotations = namespace.get("__annotations__", {})
    own: list[RecordField] = []
    # `dataclasses.field` is recognised too, when `dataclasses` is loaded (its user imported it)
    specs: tuple[type, ...] = (RecordField,)
    loaded = sys.modules.get("dataclasses")
    if loaded is not None:
        specs = (RecordField, loaded.Field)
    for name in annotations:
        value: Any = namespace.pop(name, _MISSING)
        if isinstance(value, specs):
            spec: Any = value
            own.append(
                RecordField(
                    name,
                    _ours(spec.default),
                    _ours(spec.default_factory),
                    compare=spec.compare,
                    repr=spec.repr,
                    kw_only=kw_only or spec.kw_only is True,
                    init=spec.init,
                )
            )
        else:
            own.append(RecordField(name, value, kw_only=kw_only))
    namespace.pop("__dict__", None)
    namespace.pop("__weakref__", None)
    fields = tuple(inherited + own)
    namespace["__slots__"] = tuple(f.name for f in own) + (("__dict__",) if with_dict else ())
    namespace["__record_fields__"] = fields
    namespace["__record_annotations__"] = annotations
    namespace["__dataclass_fields__"] = _DataclassFields(fields, annotations)
    taken = tuple(f for f in fields if f.init)  # the fields __init__ takes
    namespace["__match_args__"] = tuple(f.name for f in taken if not f.kw_only)
    # The methods are shared by every record; each reads its class's plan (below).
    namespace["__init__"] = _init
    namespace["__repr__"] = _repr
    namespace["__reduce__"] = _reduce
    if eq:
        namespace["__eq__"] = _eq
        namespace["__hash__"] = _hash if frozen else None  # mutable and equal by value: unhashable
    if order:
        namespace.update(__lt__=_lt, __le__=_le, __gt__=_gt, __ge__=_ge)
    if frozen:
        namespace["__setattr__"] = _setattr
        namespace["__delattr__"] = _delattr
    metaclass: Any = type(cls)
    built: Any = metaclass(cls.__name__, cls.__bases__, namespace)
    setters = [getattr(built, f.name).__set__ for f in taken]
    positional = tuple(f.name for f in taken if not f.kw_only)
    check: Callable[[Any], None] | None = getattr(built, "__post_init__", None)
    built.__record_init__ = (
        tuple(
            (f.name, setter, f.default, f.factory) for f, setter in zip(taken, setters, strict=True)
        ),
        tuple(setters),
        positional,
        len(positional) == len(taken),
        check,
    )
    compared = tuple(f.name for f in fields if f.compare)
    # The compared fields as a tuple, read in C (attrgetter of one name returns the value).
    getter = operator.attrgetter(*compared) if compared else _nothing
    built.__record_values__ = getter if len(compared) != 1 else _Single(getter)
    built.__record_shown__ = tuple(f.name for f in fields if f.repr)
    result: type[_T] = built
    return result


def _nothing(_: Any) -> tuple[()]:
    return ()


class _Single:
    """The one compared field's value as a 1-tuple."""

    __slots__ = ("getter",)

    def __init__(self, getter: Callable[[Any], Any]) -> None:
        self.getter = getter

    def __call__(self, made: Any) -> tuple[Any]:
        return (self.getter(made),)


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    plan, in_order, positional, all_positional, check = self.__class__.__record_init__
    if args:
        if not kwargs and all_positional and len(args) == len(plan):
            for setter, value in zip(in_order, args, strict=True):  # all given, in order
                setter(self, value)
            if check is not None:
                check(self)
            return
        if len(args) > len(positional):
            raise TypeError(
                f"{self.__class__.__qualname__}() takes {len(positional)} positional arguments"
            )
        for field_name, value in zip(positional, args, strict=False):
            if field_name in kwargs:
                raise TypeError(
                    f"{self.__class__.__qualname__}() got two values for {field_name!r}"
                )
            kwargs[field_name] = value
    if len(kwargs) == len(plan):  # every field given (the usual call): no defaults to find
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
                raise TypeError(f"{self.__class__.__qualname__}() is missing {field_name!r}")
        setter(self, value)
    if kwargs:
        raise TypeError(
            f"{self.__class__.__qualname__}() got unexpected arguments {sorted(kwargs)}"
        )
    if check is not None:
        check(self)


def _eq(self: Any, other: Any) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    values = self.__class__.__record_values__
    equal: bool = values(self) == values(other)
    return equal


def _ordering(compare: Callable[[Any, Any], bool]) -> Callable[[Any, Any], bool]:
    """`<`, `<=`, `>` or `>=` over the compared fields, for records of the same class."""

    def method(self: Any, other: Any) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        values = self.__class__.__record_values__
        return compare(values(self), values(other))

    return method


_lt, _le, _gt, _ge = (_ordering(o) for o in (operator.lt, operator.le, operator.gt, operator.ge))


def _hash(self: Any) -> int:
    return hash(self.__class__.__record_values__(self))


def _repr(self: Any) -> str:
    inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__class__.__record_shown__)
    return f"{self.__class__.__qualname__}({inner})"


def _setattr(self: Any, attribute: str, value: Any) -> None:
    import dataclasses

    raise dataclasses.FrozenInstanceError(f"cannot assign to field {attribute!r}")


def _delattr(self: Any, attribute: str) -> None:
    import dataclasses

    raise dataclasses.FrozenInstanceError(f"cannot delete field {attribute!r}")


def _ours(value: Any) -> Any:
    """`dataclasses.MISSING` as this module's `MISSING`; any other value as it is."""
    loaded = sys.modules.get("dataclasses")
    return MISSING if loaded is not None and value is loaded.MISSING else value


def record_field_types(cls: type) -> list[tuple[str, Any]]:
    """Each field's name and annotation as `dataclasses.fields(cls)` gives them: the
    class's own annotation, `typing.Any` for an inherited field."""
    own: dict[str, Any] = cls.__dict__.get("__record_annotations__", {})
    return [(f.name, own.get(f.name, Any)) for f in record_fields(cls)]


def _reduce(self: Any) -> tuple[Any, ...]:
    fields = record_fields(self.__class__)
    return (_restore, (self.__class__, tuple(getattr(self, f.name) for f in fields)))


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
    import dataclasses

    def theirs(value: Any) -> Any:
        return dataclasses.MISSING if value is MISSING else value

    described: dict[str, dataclasses.Field[Any]] = {}
    for one in fields:
        made: dataclasses.Field[Any] = dataclasses.field(
            default=theirs(one.default),
            default_factory=theirs(one.factory),
            compare=one.compare,
            repr=one.repr,
            kw_only=one.kw_only,
            init=one.init,
        )
        made.name = one.name
        made.type = annotations.get(one.name, Any)
        made._field_type = dataclasses._FIELD  # type: ignore[attr-defined]
        described[one.name] = made
    return described


def _restore(cls: Any, values: tuple[Any, ...]) -> Any:
    """Unpickle a record: set each field's slot (frozen records refuse `setattr`)."""
    made = object.__new__(cls)
    for field, value in zip(record_fields(cls), values, strict=True):
        getattr(cls, field.name).__set__(made, value)
    return made
