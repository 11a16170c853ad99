"""The built-in catalog is decoded lazily: only the entries a design names (and what
they extend) are decoded from the cache, with the same names, suggestions, merges and
figures as a full decode; a damaged cache entry costs time, never a wrong entry."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiflang import catalog
from aiflang.catalog import catalog_index, catalog_modules
from aiflang.diagnostics import Sink
from aiflang.driver import compile_file
from aiflang.frontend.resolve import resolve
from aiflang.frontend.scope import CatalogDefinition
from aiflang.syntax import tree as ast
from aiflang.syntax.codec import encode_module

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "reference_designs" / "gb200_two_su.aif"

DESIGN = """
node n {
  gpus  = 8 x H200
  power = 10.2 kW
}
rack r {
  nodes = 4 x n
}
factory "f" {
  site { pue = 1.2 }
  hall A {
    it_power  = 1 MW
    positions = 10
    racks     = 1 x r
  }
}
"""


@pytest.fixture
def warm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A cache folder holding the catalog, and no copy of it in this process."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("AIFC_CACHE_DIR", str(folder))
    monkeypatch.delenv("AIFC_NO_CACHE", raising=False)
    catalog.forget()
    catalog_index()  # parses and stores the entry
    catalog.forget()
    yield folder
    catalog.forget()


def errors(compilation: object) -> list[str]:
    return [d.code for d in compilation.sink.sorted() if d.is_error]  # type: ignore[attr-defined]


def decoded() -> set[str]:
    """Names of the catalog entries decoded so far in this process."""
    return {e.name or "" for e in catalog_index().entries if not isinstance(e._block, tuple)}


def test_a_design_decodes_only_the_entries_it_names_and_their_bases(
    warm: Path, tmp_path: Path
) -> None:
    design = tmp_path / "d.aif"
    design.write_text(DESIGN, encoding="utf-8")
    compilation = compile_file(design)
    assert not errors(compilation), compilation.sink.sorted()
    # H200 extends H100; nothing else of the catalog's 142 entries is read.
    assert decoded() == {"H200", "H100"}
    assert len(catalog_index().entries) > 100


def test_the_reference_design_decodes_a_small_part_of_the_catalog(warm: Path) -> None:
    compilation = compile_file(REFERENCE)
    assert not errors(compilation)
    assert 0 < len(decoded()) < len(catalog_index().entries) // 4


def test_did_you_mean_sees_every_catalog_name_without_decoding_it(
    warm: Path, tmp_path: Path
) -> None:
    design = tmp_path / "d.aif"
    design.write_text(DESIGN.replace("8 x H200", "8 x MI325"), encoding="utf-8")
    compilation = compile_file(design)
    (unknown,) = [d for d in compilation.sink.sorted() if d.code == "E201"]
    assert "MI325X" in (unknown.help or "")
    assert "MI325X" not in decoded()


def test_a_catalog_entry_extends_the_catalogs_base_not_a_design_of_the_same_name(
    warm: Path, tmp_path: Path
) -> None:
    # The design shadows H100 (W202) and extends the catalog's H200, which extends H100:
    # the merge walks from the design into the catalog, whose H100 is still the catalog's.
    shadow = (
        "gpu H100 {\n  memory = 1 GB\n  tdp = 1 W\n}\ngpu G extends H200 {\n  price = 1 USD\n}\n"
    )
    design = tmp_path / "d.aif"
    design.write_text(shadow + DESIGN, encoding="utf-8")
    program = resolve(design, Sink())
    (unit,) = program.factories
    h200, g = unit.scope.lookup("H200"), unit.scope.lookup("G")
    assert isinstance(h200, CatalogDefinition) and g is not None
    own = catalog_h100_attributes()
    inherited = {name for name in own if name not in _own(h200.block)}
    assert "generation" in inherited and "tdp" not in inherited, inherited
    for name in inherited:
        assert h200.attributes[name] is own[name]
        assert name == "price" or g.attributes[name] is own[name]


def catalog_h100_attributes() -> dict[str, ast.Attribute]:
    for result in catalog_modules():
        for entry in result.module.entries:
            if isinstance(entry, ast.Block) and entry.name == "H100":
                return _own(entry)
    raise AssertionError("no H100 in the catalog")


def _own(block: ast.Block) -> dict[str, ast.Attribute]:
    return {e.name: e for e in block.entries if isinstance(e, ast.Attribute)}


def test_lazy_and_full_views_are_the_parse_exactly(warm: Path) -> None:
    from aiflang.syntax.parser import parse_source

    cached = [encode_module(r.module) for r in catalog_modules()]
    index = catalog_index()
    fresh = [
        encode_module(parse_source(text, name).module)
        for name, text in zip(index.names, index.texts, strict=True)
    ]
    assert cached == fresh


def rewrite(folder: Path, change: str, into: str) -> None:
    """Replace `change` in the cached payload and fix the digest (a hand-written entry)."""
    (entry,) = folder.glob("catalog-*.json")
    header_text, payload = entry.read_text(encoding="utf-8").split("\n", 1)
    assert len(change) == len(into) and change in payload
    payload = payload.replace(change, into, 1)
    header = json.loads(header_text)
    header["payload"] = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    entry.write_text(json.dumps(header) + "\n" + payload, encoding="utf-8")


def test_an_entry_that_does_not_decode_is_taken_from_a_fresh_parse(
    warm: Path, tmp_path: Path
) -> None:
    (entry,) = warm.glob("catalog-*.json")
    header = json.loads(entry.read_text(encoding="utf-8").split("\n", 1)[0])
    (row,) = [row for row in header["entries"] if row[2] == "H200"]
    payload = entry.read_text(encoding="utf-8").split("\n", 1)[1]
    broken = "[99" + payload[row[4] + 3 : row[5]]  # an unknown tag in its place
    rewrite(warm, payload[row[4] : row[5]], broken)
    design = tmp_path / "d.aif"
    design.write_text(DESIGN, encoding="utf-8")
    compilation = compile_file(design)
    assert not errors(compilation)
    (built,) = compilation.designs
    assert built.components.gpus["H200"].tdp_w == 700


def test_a_payload_that_does_not_match_its_digest_is_refused(warm: Path) -> None:
    (entry,) = warm.glob("catalog-*.json")
    text = entry.read_text(encoding="utf-8")
    entry.write_text(text.replace("700.0", "1.0", 1).replace("\n[", "\n[ ", 1), encoding="utf-8")
    index = catalog_index()
    assert index._payload == ""  # parsed afresh, nothing read from the damaged entry
    assert len(index.entries) > 100
