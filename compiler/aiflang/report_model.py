"""The report's classes without pydantic on the path of every compile.

`ReportModel` gives the report (report.py) frozen, slotted, keyword-built
value classes that behave as the pydantic models of the contract did, at
the cost of a plain class to define and a few microseconds to build:

- construction converts and checks each value as pydantic's lax mode does
  for the types the report uses (`str`, `int`, `float`, `bool`, `None`
  unions, `float | str`, `list[...]`, `dict[str, ...]` and other report
  classes): an int given for a float becomes a float (it prints `2.0`), an
  integral float given for an int becomes an int, a mapping given for a
  report class is built into one, a list's tuple becomes a list; what
  pydantic would refuse raises `TypeError` or `ValueError`. Empty list and
  dict defaults are fresh per object, as pydantic copies them;
- `model_dump(mode=...)`, `model_copy(update=...)` (which does not
  convert), equality, hash, repr, str, copy and pickling as pydantic's;
  `model_dump(mode="json")` writes a float field's int as a float, and
  whatever a copy put in a field, as pydantic's serializer does;
- `model_validate` and `model_json_schema` build, on first use, pydantic
  models of the same names, fields, defaults and docstrings (the "mirror"),
  so reading a saved JSON report validates it exactly as before and
  `aifc schema` prints the same schema. Only those import pydantic; a
  pydantic model may hold report objects (the comparison of two reports).

tests/test_report_model.py compares every class with its mirror, value by
value, and the schema with the one the pydantic models wrote.

Why: pydantic's import and the definition of some forty models were a
quarter of every `aifc validate`, which writes no report.
"""

from __future__ import annotations

import builtins
import enum
import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, NoReturn, TypeVar, dataclass_transform

from aiflang import records

_MISSING: Any = records.MISSING
_M = TypeVar("_M", bound="ReportModel")
_Convert = Callable[[Any], Any]

_CLASSES: list[type[ReportModel]] = []  # every report class, in definition order


class ReportField:
    """One field: its name, its annotation (as written) and its default or factory."""

    __slots__ = ("annotation", "default", "factory", "name")

    def __init__(self, name: str, annotation: str, default: Any, factory: Any) -> None:
        self.name = name
        self.annotation = annotation
        self.default = default
        self.factory = factory


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(records.field,))
class _ModelMeta(type):
    """Turns a class body's annotations into slots and a field list."""

    def __new__(
        mcls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], **kwargs: Any
    ) -> _ModelMeta:
        inherited: list[ReportField] = []
        for base in bases:
            inherited.extend(getattr(base, "__report_fields__", ()))
        own: list[ReportField] = []
        for field_name, annotation in namespace.get("__annotations__", {}).items():
            if str(annotation).startswith("ClassVar"):
                continue
            value = namespace.pop(field_name, _MISSING)
            if isinstance(value, records.RecordField):
                own.append(
                    ReportField(field_name, str(annotation), value.default, value.default_factory)
                )
            else:
                own.append(ReportField(field_name, str(annotation), value, _MISSING))
        namespace["__slots__"] = tuple(f.name for f in own)
        cls = super().__new__(mcls, name, bases, namespace, **kwargs)
        cls.__report_fields__ = (*inherited, *own)  # type: ignore[attr-defined]
        if own or inherited:
            _CLASSES.append(cls)  # type: ignore[arg-type]
        return cls


class ReportModel(metaclass=_ModelMeta):
    """The base of the report's classes (see the module's docstring)."""

    __slots__ = ()
    __report_fields__: ClassVar[tuple[ReportField, ...]]

    def __init__(self, **values: Any) -> None:
        cls = type(self)
        take = values.pop
        for name, exact, convert, setter, default, how in cls.__dict__.get("__plan__") or _plan(
            cls
        ):
            value = take(name, _MISSING)
            if value is not _MISSING:
                if type(value) not in exact:  # mostly a value of the right type, kept as is
                    value = convert(value)
            elif how is _PLAIN:
                value = default
            elif how is _COPY:  # each object its own `[]` or `{}`, as pydantic copies defaults
                value = default.copy()
            elif how is _FACTORY:
                value = default()
            else:
                raise TypeError(f"{cls.__name__}: missing field {name!r}")
            setter(self, value)
        if values:
            raise TypeError(f"{cls.__name__}: unknown fields {sorted(values)}")

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f.name) for f in self.__report_fields__)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __hash__(self) -> int:
        return hash((self.__class__, self._values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__report_fields__)
        return f"{type(self).__name__}({inner})"

    def __str__(self) -> str:  # as pydantic's: the fields, without the class's name
        return " ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self.__report_fields__)

    def __setattr__(self, name: str, value: Any) -> None:
        raise TypeError(f"{type(self).__name__} is frozen: cannot assign {name!r}")

    def __delattr__(self, name: str) -> None:
        raise TypeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (self.__class__, self._values()))

    def model_copy(self: _M, *, update: Mapping[str, Any] | None = None) -> _M:
        """A copy with `update`'s fields replaced, unconverted (as pydantic's `model_copy`)."""
        changes = dict(update or {})
        made = object.__new__(type(self))
        for f in self.__report_fields__:
            value = changes.pop(f.name) if f.name in changes else getattr(self, f.name)
            object.__setattr__(made, f.name, value)
        if changes:
            raise TypeError(f"{type(self).__name__}: unknown fields {sorted(changes)}")
        return made

    def model_dump(self, *, mode: str = "python") -> dict[str, Any]:
        """The fields as plain data, in definition order; `mode="json"` as JSON writes it."""
        cls = type(self)
        key = "__json_plan__" if mode == "json" else "__python_plan__"
        dumped: dict[str, Any] = {}
        for name, write in cls.__dict__.get(key) or _dump_plan(cls, key):
            value = getattr(self, name)
            dumped[name] = value if write is None else write(value)
        return dumped

    @classmethod
    def model_validate(cls: type[_M], data: Any) -> _M:
        """`data` (a mapping, as JSON reads) checked by pydantic as the contract defines it.

        Raises pydantic's `ValidationError` for data the contract refuses.
        """
        if isinstance(data, cls):
            return data
        checked = _mirror(cls).model_validate(data)
        made: _M = cls(**checked.model_dump())
        return made

    @classmethod
    def model_json_schema(cls) -> dict[str, Any]:
        """The JSON Schema pydantic writes for the class."""
        schema: dict[str, Any] = _mirror(cls).model_json_schema()
        return schema

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Lets a pydantic model hold a report object (the comparison holds diagnostics)."""
        from pydantic_core import core_schema

        def validate(value: Any) -> Any:
            return value if isinstance(value, cls) else cls.model_validate(value)

        def serialize(value: Any, info: Any) -> Any:
            return value.model_dump(mode="json" if info.mode_is_json() else "python")

        return core_schema.no_info_plain_validator_function(
            validate,
            serialization=core_schema.plain_serializer_function_ser_schema(
                serialize, info_arg=True
            ),
        )


def _restore(cls: type[ReportModel], values: tuple[Any, ...]) -> ReportModel:
    made = object.__new__(cls)
    for f, value in zip(cls.__report_fields__, values, strict=True):
        object.__setattr__(made, f.name, value)
    return made


def _python(value: Any) -> Any:
    if isinstance(value, ReportModel):
        return value.model_dump()
    if type(value) is list:
        return [_python(v) for v in value]
    if type(value) is dict:
        return {k: _python(v) for k, v in value.items()}
    if type(value) is tuple:
        return tuple(_python(v) for v in value)
    return value


# Annotations, read once per class ------------------------------------------


def _split(text: str, separator: str) -> list[str]:
    """`text` split at `separator`s outside brackets."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "[":
            depth += 1
        elif char == "]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    parts.append(text[start:].strip())
    return parts


@functools.cache
def _kind(text: str, module: str) -> tuple[Any, ...]:
    """An annotation as a tree: ("str",), ("optional", inner), ("list", inner), ..."""
    options = _split(text, "|")
    if len(options) > 1:
        if "None" in options:
            rest = " | ".join(o for o in options if o != "None")
            return ("optional", _kind(rest, module))
        return ("union", tuple(_kind(o, module) for o in options))
    text = options[0]
    if text in ("str", "int", "float", "bool", "Any"):
        return (text,)
    if text.startswith("list[") and text.endswith("]"):
        return ("list", _kind(text[5:-1], module))
    if text.startswith("dict[") and text.endswith("]"):
        key, value = _split(text[5:-1], ",")
        if key != "str":
            raise TypeError(f"report mappings are keyed by str, not {key}")
        return ("dict", _kind(value, module))
    for cls in _CLASSES:
        if cls.__name__ == text and cls.__module__ == module:
            return ("model", cls)
    raise TypeError(f"report annotation {text!r} is not supported")


_PLAIN, _COPY, _FACTORY, _REQUIRED = "plain", "copy", "factory", "required"
_Step = tuple[str, frozenset[type], _Convert, Callable[[Any, Any], None], Any, str]


def _plan(cls: type[ReportModel]) -> tuple[_Step, ...]:
    """Per field: its name, the types kept as they are, the converter, the slot's setter
    and how a missing value is filled."""
    steps: list[_Step] = []
    for f in cls.__report_fields__:
        kind = _kind(f.annotation, cls.__module__)
        if f.factory is not _MISSING:
            default, how = f.factory, _FACTORY
        elif f.default is _MISSING:
            default, how = None, _REQUIRED
        elif type(f.default) is list or type(f.default) is dict:
            default, how = f.default, _COPY
        else:
            default, how = f.default, _PLAIN
        setter = getattr(cls, f.name).__set__
        steps.append((f.name, _exact(kind), _converter(kind), setter, default, how))
    plan = tuple(steps)
    type.__setattr__(cls, "__plan__", plan)
    return plan


def _exact(kind: tuple[Any, ...]) -> frozenset[type]:
    """The types a field keeps without conversion (lists and mappings are always rebuilt)."""
    tag = kind[0]
    if tag in _EXACT:
        return frozenset({_EXACT[tag]})
    if tag == "optional":
        return _exact(kind[1]) | {type(None)}
    if tag == "union":
        return frozenset().union(*(_exact(k) for k in kind[1]))
    if tag == "model":
        return frozenset({kind[1]})
    return frozenset()


def _dump_plan(cls: type[ReportModel], key: str) -> tuple[tuple[str, _Convert | None], ...]:
    """Per field: its name and how `model_dump` writes it (None: as it is)."""
    writer = _json_writer if key == "__json_plan__" else _python_writer
    plan = tuple(
        (f.name, writer(_kind(f.annotation, cls.__module__))) for f in cls.__report_fields__
    )
    type.__setattr__(cls, key, plan)
    return plan


# Construction: pydantic's lax conversions for the report's types ----------------

_TRUE = frozenset({"true", "t", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "off", "0"})


def _refuse(value: Any, kind: str) -> NoReturn:
    raise TypeError(f"{value!r} ({type(value).__name__}) is not a valid {kind}")


def _to_str(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, enum.Enum) and isinstance(value.value, str):
        return value.value
    if isinstance(value, str):
        return str.__str__(value)
    return _refuse(value, "string")


def _to_int(value: Any) -> int:
    if type(value) is int:
        return value
    if isinstance(value, int):  # bool
        return int(value)
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value!r} is not a valid integer: it has a fractional part")
        return int(value)
    if isinstance(value, str):
        return int(value.strip())
    return _refuse(value, "integer")


def _to_float(value: Any) -> float:
    if type(value) is float:
        return value
    if isinstance(value, int | float):  # int, bool
        return float(value)
    if isinstance(value, str):
        return float(value.strip())
    return _refuse(value, "number")


def _to_bool(value: Any) -> bool:
    if type(value) is bool:
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return _refuse(value, "boolean")


_SCALARS: dict[str, _Convert] = {
    "str": _to_str,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "Any": lambda value: value,
}
_EXACT = {"str": str, "int": int, "float": float, "bool": bool}


def _converter(kind: tuple[Any, ...]) -> _Convert:
    tag = kind[0]
    if tag in _SCALARS:
        return _SCALARS[tag]
    if tag == "optional":
        inner = _converter(kind[1])
        return lambda value: None if value is None else inner(value)
    if tag == "union":  # smart mode: an exact type first, then the first that converts
        exact = tuple(_EXACT[k[0]] for k in kind[1] if k[0] in _EXACT)
        members = [_converter(k) for k in kind[1]]

        def union(value: Any) -> Any:
            if type(value) in exact:
                return value
            for member in members:
                try:
                    return member(value)
                except (TypeError, ValueError):
                    continue
            return _refuse(value, " | ".join(k[0] for k in kind[1]))

        return union
    if tag == "list":
        item = _converter(kind[1])

        def listed(value: Any) -> list[Any]:
            if isinstance(value, list | tuple | set | frozenset | Iterator):
                return [item(v) for v in value]
            return _refuse(value, "list")

        return listed
    if tag == "dict":
        entry = _converter(kind[1])

        def mapped(value: Any) -> dict[str, Any]:
            if isinstance(value, Mapping):
                return {_to_str(k): entry(v) for k, v in value.items()}
            return _refuse(value, "mapping")

        return mapped
    cls = kind[1]

    def model(value: Any) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, Mapping):
            return cls(**value)
        return _refuse(value, cls.__name__)

    return model


# JSON: what pydantic's serializer writes for each type ------------------------------


def _json_float(value: Any) -> Any:
    return float(value) if type(value) is int or type(value) is bool else value


def _json_int(value: Any) -> Any:
    return int(value) if type(value) is bool else value


def _json_writer(kind: tuple[Any, ...]) -> _Convert | None:
    """How JSON mode writes a value of `kind`; None: as it is."""
    tag = kind[0]
    if tag == "float":
        return _json_float  # None stays None
    if tag == "int":
        return _json_int
    if tag in _SCALARS or tag == "union":  # a union writes what it holds (an int as an int)
        return None
    if tag == "optional":
        inner = _json_writer(kind[1])
        if inner is None or inner is _json_float or inner is _json_int:
            return inner
        return lambda value: None if value is None else inner(value)
    # A container holding what its annotation does not allow (only `model_copy` can put
    # it there) is written as JSON would infer it, as pydantic falls back to doing.
    if tag == "list":
        item = _json_writer(kind[1]) or _same
        return lambda value: (
            [item(v) for v in value] if type(value) in (list, tuple) else _jsonable(value)
        )
    if tag == "dict":
        entry = _json_writer(kind[1]) or _same
        return lambda value: (
            {k: entry(v) for k, v in value.items()} if type(value) is dict else _jsonable(value)
        )
    return _jsonable


def _same(value: Any) -> Any:
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, ReportModel):
        return value.model_dump(mode="json")
    if isinstance(value, enum.Enum):
        return _jsonable(value.value)
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


def _python_writer(kind: tuple[Any, ...]) -> _Convert | None:
    """How python mode writes a value of `kind`: report objects as dicts, containers copied."""
    tag = kind[0]
    if tag in _SCALARS or tag == "union" or (tag == "optional" and kind[1][0] in _SCALARS):
        return None
    if tag in ("list", "dict") and _python_writer(kind[1]) is None:
        return _copy
    return _python


def _copy(value: Any) -> Any:
    return value.copy() if type(value) is list or type(value) is dict else _python(value)


# The pydantic mirror: validation of saved reports, and the JSON Schema ------------


def _mirror(cls: type[ReportModel]) -> Any:
    return _mirrors(cls.__module__)[cls.__name__]


@functools.cache
def _mirrors(module: str) -> dict[str, Any]:
    """Pydantic models of the module's report classes: same names, fields, defaults, docs."""
    from pydantic import BaseModel, ConfigDict, Field

    class _Model(BaseModel):
        model_config = ConfigDict(frozen=True, extra="forbid")

    made: dict[str, Any] = {}
    names = {"__builtins__": builtins, "Any": Any}
    pending = [cls for cls in _CLASSES if cls.__module__ == module]
    while pending:  # in definition order; a class naming a later one waits for it
        postponed = []
        for cls in pending:
            try:
                annotations = {
                    f.name: eval(f.annotation, {**names, **made}) for f in cls.__report_fields__
                }
            except NameError:
                postponed.append(cls)
                continue
            body: dict[str, Any] = {
                "__module__": module,
                "__qualname__": cls.__qualname__,
                "__doc__": cls.__doc__,
                "__annotations__": annotations,
            }
            for f in cls.__report_fields__:
                if f.factory is not _MISSING:
                    body[f.name] = Field(default_factory=f.factory)
                elif f.default is not _MISSING:
                    body[f.name] = f.default
            made[cls.__name__] = type(cls.__name__, (_Model,), body)
        if len(postponed) == len(pending):
            raise TypeError(f"report classes name unknown types: {[c.__name__ for c in pending]}")
        pending = postponed
    return made
