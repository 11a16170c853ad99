"""Records behave as `@dataclass(frozen=True, slots=True)` classes do, for what aifc uses:
construction, defaults, `__post_init__` checks, equality, order and hashing, repr, no
assignment, pickling (the sweep's process pool), and `dataclasses.replace`/`fields`."""

from __future__ import annotations

import dataclasses
import functools
import pickle
import typing

import pytest

from aiflang import records
from aiflang.models.fabric import SwitchModel
from aiflang.records import record


@record
class Point:
    x: float
    y: float = 0.0
    tags: tuple[str, ...] = dataclasses.field(default=(), compare=False)


@record
class Checked:
    count: int

    def __post_init__(self) -> None:
        if self.count < 0:
            raise ValueError("count must not be negative")


def test_construction_defaults_and_keywords() -> None:
    assert Point(1.0) == Point(1.0, 0.0) == Point(x=1.0, y=0.0)
    assert Point(1.0, 2.0).y == 2.0
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1.0, 2.0, (), 4.0)  # type: ignore[call-arg]


def test_keywords_name_fields_and_only_fields() -> None:
    """Every field by keyword (the quick path) and some by keyword build the same record;
    a wrong name, a field given twice or a missing one is refused as a dataclass would."""
    assert Point(x=1.0, y=2.0, tags=("a",)) == Point(1.0, 2.0, ("a",))
    assert Point(tags=("a",), y=2.0, x=1.0).tags == ("a",)
    assert Point(1.0, tags=("b",)) == Point(x=1.0, y=0.0, tags=("b",))
    with pytest.raises(TypeError, match=r"unexpected arguments \['z'\]"):
        Point(x=1.0, y=2.0, z=3.0)  # type: ignore[call-arg]  # as many names as fields
    with pytest.raises(TypeError, match="two values for 'x'"):
        Point(1.0, x=2.0)  # type: ignore[misc]
    with pytest.raises(TypeError, match="missing 'x'"):
        Point(y=1.0)  # type: ignore[call-arg]
    with pytest.raises(ValueError):
        Checked(count=-1)  # the check runs after the quick path too


@record
class Base:
    a: int


@record
class Extended(Base):
    b: str = "x"


def test_dataclass_fields_of_a_record_and_of_its_subclass() -> None:
    """`__dataclass_fields__` is made on first read; a subclass (record or not) sees its own."""

    class Plain(Extended):
        pass

    assert list(Extended.__dataclass_fields__) == ["a", "b"]
    assert list(Base.__dataclass_fields__) == ["a"]
    assert Base.__dataclass_fields__ is Base.__dataclass_fields__  # made once, then kept
    assert [f.name for f in dataclasses.fields(Plain(1))] == ["a", "b"]
    assert dataclasses.asdict(Extended(1)) == {"a": 1, "b": "x"}
    assert dataclasses.fields(Extended)[1].default == "x"


def test_equality_and_hash_skip_uncompared_fields() -> None:
    assert Point(1.0, 2.0, ("a",)) == Point(1.0, 2.0, ("b",))
    assert hash(Point(1.0, 2.0, ("a",))) == hash(Point(1.0, 2.0))
    assert Point(1.0) != Point(2.0)
    assert repr(Point(1.0)) == "Point(x=1.0, y=0.0, tags=())"


def test_no_assignment() -> None:
    point = Point(1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.x = 2.0  # type: ignore[misc]
    with pytest.raises(AttributeError):
        point.z = 1  # type: ignore[attr-defined]


def test_post_init_runs_after_every_construction() -> None:
    assert Checked(3).count == 3
    with pytest.raises(ValueError):
        Checked(-1)
    with pytest.raises(ValueError):
        Checked(count=-1)
    with pytest.raises(ValueError):
        dataclasses.replace(Checked(1), count=-1)


def test_a_model_record_keeps_its_checks() -> None:
    # Non-positive figures are rejected with a span by elaboration; here they are bugs.
    with pytest.raises(ValueError):
        SwitchModel("s", 0, 400e9)
    switch = SwitchModel("s", 64, 400e9)
    assert switch.capacity_bps == 64 * 400e9


def test_pickling_replace_and_fields() -> None:
    point = Point(1.0, 2.0, ("a",))
    again = pickle.loads(pickle.dumps(point))
    assert again == point and again.tags == ("a",)
    assert dataclasses.replace(point, y=3.0) == Point(1.0, 3.0)
    assert [f.name for f in dataclasses.fields(Point)] == ["x", "y", "tags"]
    assert dataclasses.is_dataclass(point)


@record(frozen=False)
class Counter:
    name: str
    seen: list[str] = dataclasses.field(default_factory=list)


@record(frozen=False, eq=False)
class Node:
    name: str


def test_a_mutable_record_is_assignable_equal_by_value_and_unhashable() -> None:
    counter = Counter("a")
    counter.seen.append("x")
    counter.name = "b"
    assert counter == Counter("b", ["x"])
    assert Counter("a").seen is not Counter("a").seen  # a fresh list each time
    with pytest.raises(TypeError):
        hash(counter)
    with pytest.raises(AttributeError):
        counter.other = 1  # type: ignore[attr-defined]


def test_a_record_without_eq_compares_and_hashes_by_identity() -> None:
    first, second = Node("n"), Node("n")
    assert first != second and first == first
    assert len({first, second}) == 2
    assert pickle.loads(pickle.dumps(first)).name == "n"


@record(order=True)
class Shape:
    tp: int = 1
    pp: int = 1
    label: str = dataclasses.field(default="", compare=False)


@record
class Derived:
    """A field `__init__` does not take, set by the check as a frozen dataclass's would."""

    a: int
    double: int = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "double", 2 * self.a)


@record(with_dict=True)
class Lazy:
    a: int

    @functools.cached_property
    def square(self) -> int:
        return self.a * self.a


def test_order_compares_the_compared_fields_as_a_dataclass_does() -> None:
    assert Shape(1, 2) < Shape(2, 1) <= Shape(2, 1, "x") and Shape(2, 1) >= Shape(1, 9)
    assert sorted([Shape(2, 1), Shape(1, 2), Shape(1, 1)]) == [
        Shape(1, 1),
        Shape(1, 2),
        Shape(2, 1),
    ]
    with pytest.raises(TypeError):
        assert Shape() < Point(1.0)  # type: ignore[operator]


def test_a_field_init_does_not_take() -> None:
    made = Derived(3)
    assert made.double == 6 and made == Derived(a=3) and repr(made) == "Derived(a=3)"
    with pytest.raises(TypeError):
        Derived(3, 6)  # type: ignore[call-arg]
    assert dataclasses.replace(made, a=4).double == 8
    assert pickle.loads(pickle.dumps(made)).double == 6
    assert Derived.__match_args__ == ("a",)
    assert [f.init for f in dataclasses.fields(Derived)] == [True, False]


def test_a_record_with_a_dict_caches_properties_and_stays_frozen() -> None:
    made = Lazy(3)
    assert made.square == 9 and made.__dict__ == {"square": 9}
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.a = 4  # type: ignore[misc]
    assert Lazy(3) == made and hash(Lazy(3)) == hash(made)


@record
class Spec:
    """Fields given with the module's own `field`."""

    name: str
    sizes: list[int] = records.field(default_factory=list)
    note: str = records.field(default="", compare=False)
    total: int = records.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "total", sum(self.sizes))


def test_the_modules_field_and_replace_mean_what_dataclasses_do() -> None:
    made = Spec("a", [1, 2])
    assert made.total == 3 and made.note == "" and Spec("b").sizes == []
    assert Spec("b").sizes is not Spec("b").sizes  # a fresh list each time
    again = records.replace(made, sizes=[4])
    assert again == Spec("a", [4]) and again.total == 4  # through __init__ and its check
    assert records.replace(made, note="x") == made  # `note` is not compared
    with pytest.raises(ValueError, match="init=False"):
        records.replace(made, total=1)
    assert dataclasses.replace(made, sizes=[5]).total == 5
    described = dataclasses.fields(Spec)
    assert [f.default for f in described][:3] == [dataclasses.MISSING, dataclasses.MISSING, ""]
    assert described[1].default_factory is list
    with pytest.raises(ValueError):
        records.field(default=1, default_factory=list)


def test_replace_of_a_dataclass_is_dataclasses_replace() -> None:
    @dataclasses.dataclass(frozen=True)
    class Plain:
        a: int
        b: int = 2

    assert records.replace(Plain(1), b=3) == Plain(1, 3)


def test_field_types_are_those_dataclasses_fields_gave() -> None:
    """The class's own annotations; `typing.Any` for an inherited field."""
    assert records.record_field_types(Extended) == [("a", typing.Any), ("b", "str")]
    assert records.record_field_types(Extended) == [
        (f.name, f.type) for f in dataclasses.fields(Extended)
    ]
