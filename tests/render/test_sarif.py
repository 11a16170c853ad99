"""`validate --format sarif` against the structure of the SARIF 2.1.0 schema.

SCHEMA below is the part of the official schema (sarif-schema-2.1.0.json,
OASIS) that code scanning relies on: the required properties, types, enums
and minimums of the objects aifc writes, checked by a small walker so the
test needs no network and no extra package. The tests then check what the
schema cannot: relative URIs, regions that match the source, rules that
match results, and fingerprints that survive unrelated edits.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from aiflang.cli import main
from aiflang.diagnostics.codes import CODES

ROOT = Path(__file__).resolve().parents[2]

_MESSAGE: dict[str, Any] = {
    "type": "object",
    "required": ["text"],
    "properties": {"text": {"type": "string", "minLength": 1}},
}
_REGION: dict[str, Any] = {
    "type": "object",
    "required": ["startLine", "startColumn"],
    "properties": {
        "startLine": {"type": "integer", "minimum": 1},
        "startColumn": {"type": "integer", "minimum": 1},
        "endLine": {"type": "integer", "minimum": 1},
        "endColumn": {"type": "integer", "minimum": 1},
    },
}
_ARTIFACT_LOCATION: dict[str, Any] = {
    "type": "object",
    "required": ["uri"],
    "properties": {"uri": {"type": "string", "minLength": 1}, "uriBaseId": {"type": "string"}},
}
_PHYSICAL_LOCATION: dict[str, Any] = {
    "type": "object",
    "required": ["artifactLocation", "region"],
    "properties": {"artifactLocation": _ARTIFACT_LOCATION, "region": _REGION},
}
_LOCATION: dict[str, Any] = {
    "type": "object",
    "required": ["physicalLocation"],
    "properties": {
        "id": {"type": "integer", "minimum": -1},
        "physicalLocation": _PHYSICAL_LOCATION,
        "message": _MESSAGE,
    },
}
_RULE: dict[str, Any] = {
    "type": "object",
    "required": ["id", "shortDescription", "fullDescription", "help"],
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "name": {"type": "string"},
        "shortDescription": _MESSAGE,
        "fullDescription": _MESSAGE,
        "help": _MESSAGE,
        "defaultConfiguration": {
            "type": "object",
            "properties": {"level": {"enum": ["none", "note", "warning", "error"]}},
        },
    },
}
_RESULT: dict[str, Any] = {
    "type": "object",
    "required": ["ruleId", "level", "message", "locations", "partialFingerprints"],
    "properties": {
        "ruleId": {"type": "string", "minLength": 1},
        "ruleIndex": {"type": "integer", "minimum": -1},
        "level": {"enum": ["none", "note", "warning", "error"]},
        "message": _MESSAGE,
        "locations": {"type": "array", "minItems": 1, "items": _LOCATION},
        "relatedLocations": {"type": "array", "items": _LOCATION},
        "partialFingerprints": {
            "type": "object",
            "additionalProperties": {"type": "string", "minLength": 1},
        },
    },
}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "$schema": {"type": "string"},
        "version": {"enum": ["2.1.0"]},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "version", "informationUri", "rules"],
                                "properties": {
                                    "name": {"type": "string", "minLength": 1},
                                    "version": {"type": "string", "minLength": 1},
                                    "informationUri": {"type": "string", "minLength": 1},
                                    "rules": {"type": "array", "items": _RULE},
                                },
                            }
                        },
                    },
                    "results": {"type": "array", "items": _RESULT},
                    "columnKind": {"enum": ["utf16CodeUnits", "unicodeCodePoints"]},
                },
            },
        },
    },
}

_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
}


def schema_errors(value: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Every violation of the supported keywords, as `path: problem` lines."""
    errors: list[str] = []
    expected = schema.get("type")
    if expected is not None:
        python_type = _TYPES[expected]
        if not isinstance(value, python_type) or isinstance(value, bool):
            return [f"{where}: expected {expected}, found {type(value).__name__}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not one of {schema['enum']}")
    if "minimum" in schema and value < schema["minimum"]:
        errors.append(f"{where}: {value} below {schema['minimum']}")
    if "minLength" in schema and len(value) < schema["minLength"]:
        errors.append(f"{where}: empty string")
    if "minItems" in schema and len(value) < schema["minItems"]:
        errors.append(f"{where}: fewer than {schema['minItems']} items")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{where}: missing required `{key}`")
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                errors += schema_errors(value[key], sub, f"{where}.{key}")
        if "additionalProperties" in schema:
            for key, item in value.items():
                if key not in schema.get("properties", {}):
                    errors += schema_errors(item, schema["additionalProperties"], f"{where}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            errors += schema_errors(item, schema["items"], f"{where}[{index}]")
    return errors


def test_the_checker_catches_violations() -> None:
    # The walker must be able to fail, or passing it proves nothing.
    assert schema_errors({"version": "2.0.0", "runs": []}, SCHEMA) == [
        "$.version: '2.0.0' not one of ['2.1.0']",
        "$.runs: fewer than 1 items",
    ]
    bad_region = {"startLine": 0, "startColumn": "1"}
    assert schema_errors(bad_region, _REGION) == [
        "$.startLine: 0 below 1",
        "$.startColumn: expected integer, found str",
    ]


WARNINGS = """\
factory "pod" {
  site { utility = 4 MW, pue = 1.3, power_price = 0.08 USD/kWh, build_cost = 12 million USD/MW }

  hall A {
    it_power   = 2 MW
    ups        = 5 x 0.5 MW
    redundancy = N+1
    cooling    = { air = 2 MW }
    positions  = 50
    racks      = 32 x DGX_H100_rack
  }

  fabric compute {
    connects         = compute
    topology         = rail_optimized
    oversubscription = 2:1
    leaf             = QM9700
    spine            = QM9700
  }

  train "llama3-70b" {
    params = 70 billion
    tokens = 15 trillion
    mfu    = 40%
  }
}
"""

# Errors whose related spans point into the built-in catalog.
CATALOG_RELATED = """\
factory "f" {
  site { pue = 1.2, utility = 40 MW }
  hall A {
    it_power   = 1 MW
    ups        = 4 x 1 MW
    redundancy = N+1
    cooling    = { liquid = 3 MW, air = 1 MW }
    positions  = 40
    racks      = 16 x GB200_NVL72
  }
}
"""


def sarif(tmp_path: Path, name: str, text: str, *args: str) -> tuple[int, dict[str, Any]]:
    (tmp_path / name).write_text(text, encoding="utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    try:
        result = CliRunner().invoke(
            main, ["validate", "--format", "sarif", *args], catch_exceptions=False
        )
    finally:
        os.chdir(old)
    return result.exit_code, json.loads(result.stdout)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (WARNINGS, 0),
        (CATALOG_RELATED, 1),
        ("node n {\n  gpus = 8 x H10\n  power = 12 MWh\n}\nnode n { gpus = 8 x H100 }\n", 1),
        ("factory {\n  hall A { it_power = \n", 1),
    ],
    ids=["warnings", "catalog-related", "names-units", "syntax"],
)
def test_output_satisfies_the_schema(tmp_path: Path, text: str, code: int) -> None:
    exit_code, log = sarif(tmp_path, "d.aif", text, "d.aif")
    assert exit_code == code
    assert schema_errors(log, SCHEMA) == []
    assert log["runs"][0]["results"], "each case must produce findings"


def test_driver_and_rules(tmp_path: Path) -> None:
    _, log = sarif(tmp_path, "d.aif", WARNINGS, "d.aif")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "aifc"
    assert driver["version"][0].isdigit()
    assert driver["informationUri"].startswith("https://")
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    assert set(ids) == set(CODES), "every registered code is a rule"
    for rule in driver["rules"]:
        info = CODES[rule["id"]]
        assert rule["shortDescription"]["text"] == info.summary
        assert rule["fullDescription"]["text"] == info.explanation
        assert f"aifc explain {rule['id']}" in rule["help"]["text"]
        level = rule["defaultConfiguration"]["level"]
        assert level == ("warning" if info.severity == "warning" else "error"), rule["id"]
    for result in run["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_results_point_at_the_source(tmp_path: Path) -> None:
    _, log = sarif(tmp_path, "d.aif", WARNINGS, "d.aif")
    results = log["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"W301"}
    lines = WARNINGS.splitlines()
    for result in results:
        assert result["level"] == ("warning" if result["ruleId"].startswith("W") else "error")
        (location,) = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "d.aif"}
        region = physical["region"]
        assert region["endLine"] >= region["startLine"]
        if region["endLine"] == region["startLine"]:
            assert region["endColumn"] > region["startColumn"]
        assert region["startLine"] <= len(lines)
    w301 = next(r for r in results if r["ruleId"] == "W301")
    region = w301["locations"][0]["physicalLocation"]["region"]
    line = lines[region["startLine"] - 1]
    assert line[region["startColumn"] - 1 : region["endColumn"] - 1] == "compute"
    assert "2:1" in w301["message"]["text"]


def test_uris_are_relative_even_for_absolute_arguments(tmp_path: Path) -> None:
    (tmp_path / "sub dir").mkdir()
    absolute = str(tmp_path / "sub dir" / "d.aif")
    _, log = sarif(tmp_path, "sub dir/d.aif", "node n {\n  gpus = 8 x H10\n}\n", absolute)
    (found,) = log["runs"][0]["results"]
    uri = found["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "sub%20dir/d.aif"
    assert not uri.startswith("/") and "://" not in uri


def test_catalog_locations_use_a_base_id(tmp_path: Path) -> None:
    _, log = sarif(tmp_path, "d.aif", CATALOG_RELATED, "d.aif")
    run = log["runs"][0]
    related = [
        loc["physicalLocation"]["artifactLocation"]
        for result in run["results"]
        for loc in result.get("relatedLocations", [])
    ]
    catalog = [a for a in related if "uriBaseId" in a]
    assert catalog, "the E402 note points at the catalog's GB200_NVL72"
    for artifact in catalog:
        assert artifact["uri"] == "racks.aif"
        assert artifact["uriBaseId"] in run["originalUriBaseIds"]
    for artifact in related:
        assert "<" not in artifact["uri"] and ">" not in artifact["uri"]
    ids = [loc["id"] for result in run["results"] for loc in result.get("relatedLocations", [])]
    assert all(i >= 1 for i in ids)


def fingerprints(log: dict[str, Any]) -> dict[str, str]:
    return {
        r["ruleId"]: r["partialFingerprints"]["primaryLocationLineHash"]
        for r in log["runs"][0]["results"]
    }


def test_fingerprints_survive_moves_and_tell_results_apart(tmp_path: Path) -> None:
    _, before = sarif(tmp_path, "d.aif", WARNINGS, "d.aif")
    moved = "# a comment added above\n\n" + WARNINGS
    _, after = sarif(tmp_path, "d.aif", moved, "d.aif")
    first, second = fingerprints(before), fingerprints(after)
    assert first and first == second
    assert len(set(first.values())) == len(first)
    line_before = before["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    line_after = after["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]
    assert line_after["startLine"] == line_before["startLine"] + 2


def test_a_clean_design_is_an_empty_but_valid_log(tmp_path: Path) -> None:
    text = (ROOT / "reference_designs" / "gb200_two_su.aif").read_text(encoding="utf-8")
    code, log = sarif(tmp_path, "ref.aif", text, "ref.aif")
    assert code == 0
    assert schema_errors(log, SCHEMA) == []
    assert log["runs"][0]["results"] == []
