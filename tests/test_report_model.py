"""The report's classes keep the contract pydantic defined, without importing it to build.

- the published JSON Schema is the one stored in tests/golden/schema (written
  by the pydantic models the classes replace; AIFC_UPDATE_GOLDEN=1 rewrites it
  when a field is added on purpose);
- every field converts, refuses and writes values as the pydantic model of the
  same definition does (a differential test against the mirror pydantic builds);
- a saved report reads back through pydantic's validation;
- `aifc validate` of a reference design imports neither pydantic, networkx, lark, click nor
  dataclasses (whose import of inspect cost more than a tenth of a run).
"""

from __future__ import annotations

import copy
import enum
import json
import os
import pickle
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pydantic
import pytest

from aiflang import report as rp
from aiflang.records import MISSING
from aiflang.report_model import ReportModel, _kind, _mirror

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = ROOT / "tests" / "golden" / "schema" / "report.json"
UPDATE = os.environ.get("AIFC_UPDATE_GOLDEN") == "1"
CLASSES = sorted(
    (c for c in vars(rp).values() if isinstance(c, type) and issubclass(c, ReportModel)),
    key=lambda c: c.__name__,
)
CLASSES = [c for c in CLASSES if c.__report_fields__]


def test_the_published_schema_is_unchanged() -> None:
    written = json.dumps(rp.report_schema(), indent=2, ensure_ascii=False) + "\n"
    if UPDATE:
        SCHEMA.write_text(written, encoding="utf-8")
    # Byte for byte, key order included: `aifc schema` prints it with sorted keys.
    assert written == SCHEMA.read_text(encoding="utf-8"), (
        "the report's JSON Schema changed: if on purpose, rewrite it with "
        "AIFC_UPDATE_GOLDEN=1 and list the change in the contract's version notes"
    )


class _Colour(enum.StrEnum):
    RED = "red"


# Values of every kind a caller might pass, right or wrong for a given field.
CANDIDATES: list[Any] = [
    0,
    1,
    2,
    -3,
    2.0,
    2.5,
    True,
    False,
    "4",
    "x",
    "true",
    _Colour.RED,
    None,
    [],
    [1, 2.0],
    (1, 2),
    ["a"],
    {},
    {"k": 1},
    {"k": 1.5},
    {"k": "v"},
    {"k": None},
]


def _valid(kind: tuple[Any, ...]) -> Any:
    """A plain value pydantic accepts for the annotation `kind`."""
    tag = kind[0]
    simple = {"str": "s", "int": 1, "float": 1.5, "bool": True, "Any": 1}
    if tag in simple:
        return simple[tag]
    if tag == "optional":
        return None
    if tag == "union":
        return _valid(kind[1][0])
    if tag == "list":
        return [_valid(kind[1])]
    if tag == "dict":
        return {"k": _valid(kind[1])}
    return _required(kind[1])


def _required(cls: type[ReportModel]) -> dict[str, Any]:
    return {
        f.name: _valid(_kind(f.annotation, cls.__module__))
        for f in cls.__report_fields__
        if f.default is MISSING and f.factory is MISSING
    }


def _outcome(build: Any, values: dict[str, Any]) -> Any:
    try:
        made = build(**values)
    except (TypeError, ValueError):  # pydantic's ValidationError is a ValueError
        return "refused"
    return (made.model_dump(mode="json"), made.model_dump(), repr(made), str(made))


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_fields_convert_and_refuse_as_pydantic_does(cls: type[ReportModel]) -> None:
    mirror = _mirror(cls)
    base = _required(cls)
    assert _outcome(cls, base) == _outcome(mirror, base)  # defaults included
    for field in cls.__report_fields__:
        for value in CANDIDATES:
            values = {**base, field.name: copy.deepcopy(value)}
            ours, theirs = _outcome(cls, values), _outcome(mirror, values)
            assert ours == theirs, f"{cls.__name__}.{field.name} = {value!r}"
            if theirs != "refused":  # same types too: 2 and 2.0 are equal but print apart
                assert repr(ours) == repr(theirs), f"{cls.__name__}.{field.name} = {value!r}"


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_copies_write_what_they_hold_as_pydantic_does(cls: type[ReportModel]) -> None:
    """`model_copy` does not convert; writing then does what pydantic's serializer does."""
    base = _required(cls)
    ours, theirs = cls(**base), _mirror(cls)(**base)
    for field in cls.__report_fields__:
        for value in CANDIDATES:
            if isinstance(value, enum.Enum):  # an enum where a report object goes: no meaning
                continue
            update = {field.name: copy.deepcopy(value)}
            a, b = ours.model_copy(update=update), theirs.model_copy(update=update)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # pydantic warns of the unexpected type
                expected = (json.dumps(b.model_dump(mode="json")), repr(b.model_dump()))
            got = (json.dumps(a.model_dump(mode="json")), repr(a.model_dump()))
            assert got == expected, f"{cls.__name__}.{field.name} = {value!r}"


def test_an_int_in_a_float_field_prints_as_a_float() -> None:
    """What pydantic does: 2 kW given as an int still prints `2000.0`."""
    fit = rp.Headroom(power_w=2000, power=1, positions=3.0)
    assert (type(fit.power_w), type(fit.positions)) == (float, int)
    assert json.loads(json.dumps(fit.model_dump(mode="json"))) == {
        "power_w": 2000.0,
        "power": 1.0,
        "liquid_w": None,
        "air_w": None,
        "positions": 3,
        "fits": [],
    }
    assert '"power_w": 2000.0' in json.dumps(fit.model_dump(mode="json"))
    with pytest.raises(ValueError, match="fractional"):
        rp.Headroom(power_w=1.0, power=1.0, positions=2.5)
    with pytest.raises(TypeError, match="unknown fields"):
        rp.Headroom(power_w=1.0, power=1.0, positions=2, surplus=1)
    with pytest.raises(TypeError, match="missing field 'positions'"):
        rp.Headroom(power_w=1.0, power=1.0)


def test_copies_defaults_freezing_equality_and_pickling() -> None:
    a = rp.Headroom(power_w=1.0, power=0.5, positions=2)
    b = rp.Headroom(power_w=1.0, power=0.5, positions=2)
    assert a == b and a.fits is not b.fits
    where = rp.Position(file="f", line=1, column=2, byte=3)
    assert hash(where) == hash(rp.Position(file="f", line=1, column=2, byte=3))
    with pytest.raises(TypeError, match="frozen"):
        a.power = 0.1  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(a)) == a and copy.deepcopy(a) == a
    # model_copy does not convert (as pydantic's); the JSON still writes a float field's float.
    c = a.model_copy(update={"power_w": 3})
    assert c.power_w == 3 and c.model_dump(mode="json")["power_w"] == 3.0
    assert type(c.model_dump()["power_w"]) is int and a.power_w == 1.0
    assert repr(a).startswith("Headroom(power_w=1.0, power=0.5, liquid_w=None")


def test_a_saved_report_reads_back_validated() -> None:
    saved = json.loads((ROOT / "tests" / "golden" / "gb200_two_su.json").read_text("utf-8"))
    report = rp.Report.model_validate(saved)
    assert isinstance(report, rp.Report) and isinstance(report.halls[0], rp.HallReport)
    assert report.model_dump(mode="json") == saved
    assert json.dumps(report.model_dump(mode="json")) == json.dumps(saved)
    assert rp.Report.model_validate(report) is report
    broken = {**saved, "halls": [{**saved["halls"][0], "racks": "many"}]}
    with pytest.raises(pydantic.ValidationError, match=r"halls\.0\.racks"):
        rp.Report.model_validate(broken)
    with pytest.raises(pydantic.ValidationError, match="Extra inputs"):
        rp.Report.model_validate({**saved, "surplus": 1})


def test_validate_imports_no_pydantic_networkx_lark_or_click(tmp_path: Path) -> None:
    """The quick check stays quick: no report library, graph library, parser generator,
    option parser (`aifc validate FILE` goes around click) or dataclasses (records).

    The second run reads the topology and grammar caches the first one wrote,
    as every run after the first does.
    """
    probe = (
        "import atexit, runpy, sys\n"
        "heavy = ('pydantic', 'networkx', 'lark', 'click', 'dataclasses', 'inspect', 'difflib')\n"
        "atexit.register(lambda: print([m for m in heavy if m in sys.modules]))\n"
        "sys.argv = ['aifc', 'validate', sys.argv[1]]\n"
        "runpy.run_module('aiflang', run_name='__main__')\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "AIFC_NO_CACHE"}
    env["AIFC_CACHE_DIR"] = str(tmp_path)
    design = str(ROOT / "reference_designs" / "gb200_two_su.aif")
    runs = [
        subprocess.run(
            [sys.executable, "-c", probe, design], capture_output=True, text=True, env=env
        )
        for _ in range(2)
    ]
    assert [r.returncode for r in runs] == [0, 0], runs[0].stderr
    assert "pydantic" not in runs[0].stdout.splitlines()[-1]
    assert runs[1].stdout.splitlines()[-1] == "[]"


class _Outer(ReportModel):
    """Names a class defined after it."""

    inner: _Inner | None = None
    tags: list[str] = []  # noqa: RUF012 - copied per object, as in report.py


class _Inner(ReportModel):
    x: float


def test_a_class_may_name_one_defined_later() -> None:
    made = _Outer.model_validate({"inner": {"x": 1}})
    assert made == _Outer(inner=_Inner(x=1.0)) == _Outer(inner={"x": 1})
    assert made.model_dump(mode="json") == {"inner": {"x": 1.0}, "tags": []}
    assert _Outer.model_json_schema()["$defs"]["_Inner"]["properties"]["x"]["type"] == "number"


def test_a_pydantic_model_may_hold_report_objects() -> None:
    """`aifc compare`'s comparison (pydantic) lists findings as the report's objects."""
    from aiflang.render.review import Comparison

    finding = rp.DiagnosticReport(code="E402", severity="error", summary="over budget")
    sides: dict[str, Any] = {"a": "a", "b": "b", "a_file": "a.aif", "b_file": "b.aif"}
    made = Comparison(**sides, a_valid=True, b_valid=False, rows=[], new_diagnostics=[finding])
    assert made.new_diagnostics[0] is finding
    assert made.model_dump(mode="json")["new_diagnostics"] == [finding.model_dump(mode="json")]
    assert made.model_dump()["new_diagnostics"] == [finding.model_dump()]
    read = Comparison(
        **sides, a_valid=True, b_valid=False, rows=[], new_diagnostics=[finding.model_dump()]
    )
    assert read.new_diagnostics == [finding]
