"""NetBox and containerlab exports of every reference design, validated.

NetBox: every device type validates against the netbox-community
device-type library's JSON Schema (tests/schemas/netbox, registered by
their URN ids, numbers as Decimal as upstream does); the CSV files are read
back and every reference in them resolves (a device's site, hall, rack,
role and device type; a cable's devices and interfaces), which is what a
NetBox bulk import checks. containerlab: the topology validates against
containerlab's schema (`pattern` checked with the `regex` package, which
reads its `\\p{...}` classes) and its links use each interface once.
"""

from __future__ import annotations

import csv
import decimal
import io
import json
import time
from collections import Counter
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import regex
import yaml
from jsonschema import Draft7Validator, Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

from aiflang.analyses.facts import Facts
from aiflang.driver import compile_file
from aiflang.frontend.design import Design
from aiflang.models.topology import EXPANDED_NODE_LIMIT, expanded_size
from aiflang.render.containerlab import export_containerlab
from aiflang.render.netbox import CABLE_LIST_LIMIT, export_netbox

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ROOT / "tests" / "schemas"
DESIGNS = sorted(p.stem for p in (ROOT / "reference_designs").glob("*.aif"))


@cache
def compiled(name: str) -> tuple[Design, Facts]:
    compilation = compile_file(ROOT / "reference_designs" / f"{name}.aif")
    return compilation.designs[0], compilation.facts[0]


@cache
def netbox_files(name: str) -> dict[str, str]:
    design, facts = compiled(name)
    return export_netbox(design, facts, design.name)


# NetBox ------------------------------------------------------------------------------


class DecimalLoader(yaml.SafeLoader):
    """YAML floats as Decimal, so `multipleOf` is exact (as the library's tests load them)."""


DecimalLoader.add_constructor(
    "tag:yaml.org,2002:float",
    lambda loader, node: decimal.Decimal(loader.construct_scalar(node)),  # type: ignore[arg-type]
)


@cache
def device_type_validator() -> Draft202012Validator:
    schemas = {
        p.name: json.loads(p.read_text(encoding="utf-8"), parse_float=decimal.Decimal)
        for p in (SCHEMAS / "netbox").glob("*.json")
    }

    def offline(uri: str) -> Resource[Any]:
        raise NoSuchResource(ref=uri)

    registry: Registry[Any] = Registry(retrieve=offline).with_resources(  # type: ignore[call-arg]
        (schema["$id"], Resource.from_contents(schema)) for schema in schemas.values()
    )
    return Draft202012Validator(schemas["devicetype.json"], registry=registry)


def test_the_validator_rejects_what_the_library_rejects() -> None:
    validator = device_type_validator()
    good = {"manufacturer": "NVIDIA", "model": "X", "slug": "nvidia-x", "u_height": 1}
    good |= {"is_full_depth": True, "interfaces": [{"name": "p1", "type": "800gbase-x-osfp"}]}
    validator.validate(good)
    for bad in (
        {**good, "slug": "Not A Slug"},
        {**good, "u_height": decimal.Decimal("1.3")},
        {**good, "interfaces": [{"name": "p1", "type": "900gbase-bogus"}]},
    ):
        with pytest.raises(ValidationError):
            validator.validate(bad)


def rows(files: dict[str, str], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name])))


@pytest.mark.parametrize("name", DESIGNS)
def test_netbox_device_types_validate(name: str) -> None:
    files = netbox_files(name)
    types = [text for path, text in files.items() if path.startswith("device-types/")]
    assert types
    for text in types:
        device_type_validator().validate(yaml.load(text, Loader=DecimalLoader))


@pytest.mark.parametrize("name", DESIGNS)
def test_netbox_csv_files_reimport(name: str) -> None:
    design, facts = compiled(name)
    files = netbox_files(name)
    types = {}
    for path, text in files.items():
        if path.startswith("device-types/"):
            data = yaml.safe_load(text)
            ports = {i["name"] for i in data.get("interfaces", [])}
            types[(data["manufacturer"], data["model"])] = ports
    (site,) = rows(files, "sites.csv")
    halls = {row["name"] for row in rows(files, "locations.csv")}
    assert halls == {hall.name for hall in design.halls}
    racks = {row["name"]: row for row in rows(files, "racks.csv")}
    roles = {row["slug"] for row in rows(files, "device_roles.csv")}
    manufacturers = {row["name"] for row in rows(files, "manufacturers.csv")}
    devices = rows(files, "devices.csv")
    ports: dict[str, set[str]] = {}
    for device in devices:
        assert device["site"] == site["name"] and device["location"] in halls
        assert racks[device["rack"]]["location"] == device["location"]
        assert device["role"] in roles and device["manufacturer"] in manufacturers
        ports[device["name"]] = set(types[(device["manufacturer"], device["device_type"])])
    assert len(ports) == len(devices)  # names are unique
    for row in rows(files, "interfaces.csv"):
        ports[row["device"]].add(row["name"])
    # Every node and every switch the design has is a device.
    capacity = facts.capacity
    assert capacity is not None
    servers = sum(1 for d in devices if d["role"] == "server")
    switches = sum(f.switches.leaf + f.switches.spine + f.switches.core for f in facts.fabrics)
    assert len(devices) - servers == switches
    links = sum(plan.links.total for plan in facts.fabric_plans.values())
    if "cables.csv" in files:
        assert links <= CABLE_LIST_LIMIT
        cables = rows(files, "cables.csv")
        assert len(cables) == links
        used: Counter[tuple[str, str]] = Counter()
        for cable in cables:
            for side in ("side_a", "side_b"):
                device, port = cable[f"{side}_device"], cable[f"{side}_name"]
                assert port in ports[device], (device, port)
                used[(device, port)] += 1
        assert max(used.values()) == 1  # one cable per interface
    else:
        assert links > CABLE_LIST_LIMIT
        summary = rows(files, "cable_summary.csv")
        assert sum(int(row["cables"]) for row in summary) == links
        assert all(row["side_a_rack"] in racks and row["side_b_rack"] in racks for row in summary)


def test_dgx_h100_superpod_by_hand() -> None:
    """127 DGX H100 in 32 racks (4 a rack); 32 leaves and 16 spines of QM9700 on compute."""
    files = netbox_files("dgx_h100_superpod")
    devices = rows(files, "devices.csv")
    by_type = Counter(d["device_type"] for d in devices)
    compute = [d for d in devices if d["name"].startswith("compute-")]
    assert Counter(d["role"] for d in compute) == {"leaf": 32, "spine": 16}
    servers = [d for d in devices if d["role"] == "server"]
    assert len(servers) == 127 and len(by_type) >= 2
    cables = rows(files, "cables.csv")
    to_nodes = [c for c in cables if c["label"] == "compute" and "-N" in c["side_a_device"]]
    assert len(to_nodes) == 127 * 8
    assert {c["side_a_name"] for c in to_nodes} == {f"compute{k}" for k in range(8)}
    # Rail-optimized: each leaf carries one rail (one port name of every node on it).
    rails_by_leaf: dict[str, set[str]] = {}
    for cable in to_nodes:
        rails_by_leaf.setdefault(cable["side_b_device"], set()).add(cable["side_a_name"])
    assert len(rails_by_leaf) == 32 and all(len(r) == 1 for r in rails_by_leaf.values())


def test_the_gigawatt_campus_exports_in_seconds() -> None:
    design, facts = compiled("gigawatt_campus")
    start = time.perf_counter()
    files = export_netbox(design, facts, design.name)
    elapsed = time.perf_counter() - start
    assert elapsed < 30, elapsed  # about 7 s on a 2-core machine
    assert "cable_summary.csv" in files and "cables.csv" not in files
    assert "summarised" in files["README.md"] or "counted per pair of racks" in files["README.md"]


# containerlab ------------------------------------------------------------------------


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(validator: Any, properties: Any, instance: Any, schema: Any) -> Any:
    if validator.is_type(instance, "object"):
        for pattern, subschema in properties.items():
            for key, value in instance.items():
                if regex.search(pattern, key):
                    yield from validator.descend(value, subschema, path=key, schema_path=pattern)


ClabValidator = validators.extend(
    Draft7Validator, {"pattern": _pattern, "patternProperties": _pattern_properties}
)


@cache
def clab_validator() -> Any:
    schema = json.loads((SCHEMAS / "containerlab" / "clab.schema.json").read_text("utf-8"))
    checker = FormatChecker()
    checker.checks("regex", raises=regex.error)(
        lambda text: not isinstance(text, str) or bool(regex.compile(text))
    )
    meta = Draft7Validator(Draft7Validator.META_SCHEMA, format_checker=checker)
    assert not list(meta.iter_errors(schema))
    return ClabValidator(schema)


def _small(name: str) -> bool:
    _, facts = compiled(name)
    return sum(expanded_size(p) for p in facts.fabric_plans.values()) <= EXPANDED_NODE_LIMIT


@pytest.mark.parametrize("name", [n for n in DESIGNS if _small(n)])
def test_containerlab_topology_validates(name: str) -> None:
    design, facts = compiled(name)
    topology, problem = export_containerlab(design, facts)
    assert problem is None and topology is not None
    clab_validator().validate(topology)
    nodes = topology["topology"]["nodes"]
    links = topology["topology"]["links"]
    assert len(links) == sum(p.links.total for p in facts.fabric_plans.values())
    ends = Counter(end for link in links for end in link["endpoints"])
    assert max(ends.values()) == 1  # every interface carries one link
    assert {end.split(":")[0] for end in ends} == set(nodes)
    switches = sum(f.switches.leaf + f.switches.spine + f.switches.core for f in facts.fabrics)
    assert sum(1 for n in nodes.values() if n["labels"]["aifc-role"] != "server") == switches


def test_containerlab_refuses_a_campus_and_names_the_limit() -> None:
    design, facts = compiled("gigawatt_campus")
    topology, problem = export_containerlab(design, facts)
    assert topology is None and problem is not None
    assert f"{EXPANDED_NODE_LIMIT:,}" in problem and "--fabric" in problem


def test_containerlab_of_one_fabric_and_an_unknown_one() -> None:
    design, facts = compiled("dgx_h100_superpod")
    topology, problem = export_containerlab(design, facts, fabric="compute")
    assert problem is None and topology is not None
    labels = {n["labels"].get("aifc-fabric") for n in topology["topology"]["nodes"].values()}
    assert labels == {None, "compute"}
    _, problem = export_containerlab(design, facts, fabric="nope")
    assert problem is not None and "compute" in problem


@pytest.mark.parametrize("name", DESIGNS)
def test_every_leaf_of_a_rail_optimized_fabric_carries_one_rail(name: str) -> None:
    from aiflang.render.layout import build_layout

    design, facts = compiled(name)
    layout = build_layout(design, facts)
    if layout.cable_count > 200_000:
        pytest.skip("the campus: checked through its rack-pair summary instead")
    rails: dict[str, set[int]] = {}
    for wiring in layout.wiring:
        if wiring.plan.topology != "rail_optimized" or wiring.plan.rails < 2:
            continue
        for cable in layout.cables():
            if cable.fabric == wiring.name and cable.a_port.startswith(wiring.role):
                rail = int(cable.a_port[len(wiring.role) :]) % wiring.plan.rails
                rails.setdefault(cable.b_device, set()).add(rail)
    assert all(len(found) == 1 for found in rails.values()), rails


def test_export_commands(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from aiflang.cli import main

    runner = CliRunner()
    design = str(ROOT / "reference_designs" / "enterprise_h200_pod.aif")
    out = tmp_path / "netbox"
    result = runner.invoke(main, ["export", "netbox", design, "-o", str(out), "--site", "Lab 1"])
    assert result.exit_code == 0, result.output
    assert (out / "devices.csv").is_file() and (out / "cables.csv").is_file()
    assert next(csv.DictReader((out / "sites.csv").open()))["slug"] == "lab-1"
    assert list((out / "device-types").rglob("*.yaml"))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = runner.invoke(main, ["export", "netbox", design, "-o", str(blocker)])
    assert result.exit_code == 2 and "not a folder" in result.output
    lab = tmp_path / "lab.clab.yml"
    result = runner.invoke(main, ["export", "containerlab", design, "-o", str(lab)])
    assert result.exit_code == 0, result.output
    clab_validator().validate(yaml.safe_load(lab.read_text()))
    campus = str(ROOT / "reference_designs" / "gigawatt_campus.aif")
    result = runner.invoke(main, ["export", "containerlab", campus])
    assert result.exit_code == 2 and "over the limit of 20,000" in result.output
