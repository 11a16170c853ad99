"""The on-disk cache of the grammar tables and the parsed catalog.

Nothing in the cache folder can run code; a folder or entry that another
user owns or can write is never read; entries are keyed by the code that
makes them and the source they come from; what the cache returns is exactly
what parsing afresh gives.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import stat
import subprocess
import sys
import typing
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiflang import cache, catalog
from aiflang.catalog import catalog_modules
from aiflang.syntax import parser
from aiflang.syntax.codec import CodecError, decode_module, encode_module
from aiflang.syntax.parser import parse_source

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "reference_designs" / "gb200_two_su.aif"
SAMPLES = sorted(ROOT.joinpath("reference_designs").glob("*.aif")) + sorted(
    ROOT.joinpath("tests", "cases").rglob("*.aif")
)


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh cache folder, with the in-process memos cleared before and after."""
    path = tmp_path / "cache" / "aifc"
    monkeypatch.setenv("AIFC_CACHE_DIR", str(path))
    monkeypatch.delenv("AIFC_NO_CACHE", raising=False)
    catalog.forget()
    parser._parser.cache_clear()
    yield path
    catalog.forget()
    parser._parser.cache_clear()


def aifc(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "aiflang", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


def h200_tdp() -> str:
    """The H200's TDP as the compiler reads it from the catalog loaded now."""
    from aiflang.syntax import tree as ast

    for result in catalog_modules():
        for entry in result.module.entries:
            if isinstance(entry, ast.Block) and entry.name == "H200":
                for attribute in entry.entries:
                    if isinstance(attribute, ast.Attribute) and attribute.name == "tdp":
                        assert isinstance(attribute.value, ast.Quantity)
                        return f"{attribute.value.number.value:g} {attribute.value.unit}"
    raise AssertionError("no H200 in the catalog")


class _Plant:
    """An object whose unpickling writes a marker file: what a planted cache entry can do."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (os.system, (f"touch {self.marker}",))


def test_a_planted_entry_runs_no_code(folder: Path, tmp_path: Path) -> None:
    env = {"AIFC_CACHE_DIR": str(folder)}
    assert aifc("validate", str(REFERENCE), env=env).returncode == 0
    entries = [p for p in folder.iterdir() if p.is_file()]
    # The grammar tables, the catalog, the unit table and the N-1 figures of the design's two
    # fabrics.
    kinds = sorted(p.name.split("-")[0] for p in entries)
    assert kinds == ["catalog", "grammar", "topology", "topology", "units"], entries
    marker = tmp_path / "code-ran"
    payload = pickle.dumps(_Plant(marker))
    for entry in entries:
        # Whatever the format, a pickle in its place (after a header line, as
        # Lark's own cache files have) must not be unpickled.
        entry.write_bytes(entry.read_bytes().split(b"\n", 1)[0] + b"\n" + payload)
        entry.chmod(0o600)
    completed = aifc("validate", str(REFERENCE), env=env)
    assert not marker.exists()
    assert completed.returncode == 0, completed.stderr


def poison(folder: Path) -> None:
    """Rewrite the cached catalog so that an H200 draws 1 W: a well-formed, wrong entry
    (what this user, who owns the folder, could write)."""
    (entry,) = folder.glob("catalog-*.json")
    header_text, payload = entry.read_text(encoding="utf-8").split("\n", 1)
    header = json.loads(header_text)
    (row,) = [row for row in header["entries"] if row[2] == "H200"]
    start, end = row[4], row[5]
    block = payload[start:end]
    tdp = block.index('"tdp"')
    value = block.index("700.0", tdp)
    block = block[:value] + "1.0" + block[value + 5 :]
    shift = len(block) - (end - start)
    payload = payload[:start] + block + payload[end:]
    for span, first in [(s, 0) for s in header["shells"]] + [(r, 4) for r in header["entries"]]:
        for at in (first, first + 1):
            span[at] += shift if span[at] >= end else 0
    header["payload"] = hashlib.sha256(payload.encode("utf-8")).hexdigest()
    entry.write_text(json.dumps(header) + "\n" + payload, encoding="utf-8")


def test_a_folder_others_can_write_is_never_read(folder: Path) -> None:
    assert h200_tdp() == "700 W"
    poison(folder)
    catalog.forget()
    assert h200_tdp() == "1 W"  # the check above poisons what this user's cache holds
    folder.chmod(0o777)  # ...but a folder anyone can write may hold anyone's entries
    catalog.forget()
    assert h200_tdp() == "700 W"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777  # left alone, not trusted


def test_an_entry_others_can_write_is_never_read(folder: Path) -> None:
    catalog_modules()
    poison(folder)
    (entry,) = folder.glob("catalog-*.json")
    entry.chmod(0o666)
    catalog.forget()
    assert h200_tdp() == "700 W"


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a folder to another user needs root")
def test_a_folder_or_entry_another_user_owns_is_never_read(folder: Path) -> None:
    catalog_modules()
    poison(folder)
    (entry,) = folder.glob("catalog-*.json")
    os.chown(entry, 65534, 65534)
    catalog.forget()
    assert h200_tdp() == "700 W"
    os.chown(entry, 0, 0)
    os.chown(folder, 65534, 65534)
    catalog.forget()
    assert h200_tdp() == "700 W"


def test_a_linked_entry_or_folder_is_never_read(folder: Path, tmp_path: Path) -> None:
    catalog_modules()
    poison(folder)
    (entry,) = folder.glob("catalog-*.json")
    elsewhere = tmp_path / "elsewhere.json"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    catalog.forget()
    assert h200_tdp() == "700 W"
    entry.unlink()
    elsewhere.rename(entry)
    moved = tmp_path / "moved"
    folder.rename(moved)
    folder.symlink_to(moved)
    catalog.forget()
    assert h200_tdp() == "700 W"


def test_the_folder_is_private_and_entries_are_0600(folder: Path) -> None:
    old = os.umask(0o022)
    try:
        catalog_modules()
        parser._parser()
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    entries = list(folder.iterdir())
    assert {p.name.split("-")[0] for p in entries} == {"catalog", "grammar"}
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in entries)


def test_a_folder_made_0755_by_an_older_aifc_is_closed(folder: Path) -> None:
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)
    catalog_modules()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert list(folder.glob("catalog-*.json"))


def test_keys_follow_the_source_and_the_code(monkeypatch: pytest.MonkeyPatch) -> None:
    key = cache.key_of("grammar text", b"catalog")
    assert cache.key_of("grammar text", b"catalog") == key
    assert cache.key_of("grammar text.", b"catalog") != key
    assert cache.key_of("grammar text", b"catalog", "") != key
    monkeypatch.setattr(cache, "_FINGERPRINT", [b"another version of aifc"])
    assert cache.key_of("grammar text", b"catalog") != key


def test_damaged_entries_are_rebuilt(folder: Path) -> None:
    fresh = [encode_module(r.module) for r in catalog_modules()]
    parser._parser()
    for damage in (b"", b"{", b"[]", b"[[1, 2, 3]]", b"\xff\xfe", json.dumps([[99]]).encode()):
        for entry in folder.glob("*.json"):
            entry.write_bytes(damage)
        catalog.forget()
        parser._parser.cache_clear()
        assert [encode_module(r.module) for r in catalog_modules()] == fresh
        assert parse_source(REFERENCE.read_text(encoding="utf-8"), "d.aif").ok


def test_the_decoder_checks_every_field() -> None:
    module = catalog_modules()[0].module
    good = encode_module(module)
    assert decode_module(good) == module
    for bad in (
        [16, "gpu", None],  # a Block with too few fields
        [0, "f", "1", 1, 1, 1, 0, 0],  # a Span whose line is text
        [42],  # no such class
        [-1, 1, 2],  # a tuple, not a module
        "module",
    ):
        with pytest.raises(CodecError):
            decode_module(bad)


def test_the_codec_knows_every_node_and_its_annotations() -> None:
    from aiflang.syntax import codec
    from aiflang.syntax import tree as ast

    nodes = {
        value
        for value in vars(ast).values()
        if isinstance(value, type) and dataclasses.is_dataclass(value)
    }
    assert nodes <= set(codec._CLASSES)
    for cls, row in zip(codec._CLASSES, codec._fields(), strict=True):
        hints = typing.get_type_hints(cls)
        assert [name for name, _ in row] == [f.name for f in dataclasses.fields(cls)]
        assert all(allowed == codec._allowed(hints[name]) for name, allowed in row), cls


def test_the_cached_catalog_is_the_parse_exactly(folder: Path) -> None:
    fresh = catalog_modules()
    assert list(folder.glob("catalog-*.json"))
    catalog.forget()
    cached = catalog_modules()
    assert cached is not fresh
    # Spans are outside dataclass equality: compare the encoded form, which holds them.
    assert [encode_module(r.module) for r in cached] == [encode_module(r.module) for r in fresh]
    assert [r.text for r in cached] == [r.text for r in fresh]


def test_the_cached_tables_parse_exactly_as_fresh_ones(folder: Path) -> None:
    texts = [p.read_text(encoding="utf-8") for p in SAMPLES]
    fresh = [encode_module(parse_source(t, "f.aif").module) for t in texts]
    assert list(folder.glob("grammar-*.json"))
    parser._parser.cache_clear()
    again = [encode_module(parse_source(t, "f.aif").module) for t in texts]
    assert again == fresh


def test_a_disabled_cache_writes_nothing(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIFC_NO_CACHE", "1")
    assert cache.cache_dir() is None
    catalog_modules()
    parser._parser()
    assert not folder.exists()
    cache.store("thing", "key", "text")  # does nothing, raises nothing
    assert cache.load("thing", "key") is None


def test_the_cache_key_reads_larks_version_without_importing_it() -> None:
    # Lark writes `__version__: str = "1.3.1"`; reading it must not import Lark,
    # whose import costs more than checking a small design.
    import lark

    program = (
        "import sys\nfrom aiflang import cache\nprint(cache._lark_version(), 'lark' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert done.stdout.split() == [lark.__version__, "False"]


def test_the_unit_table_is_read_from_its_entry_and_a_damaged_one_is_parsed_again(
    folder: Path,
) -> None:
    import tomllib

    from aiflang import units
    from aiflang.resources import data_path

    source = data_path("dsl", "units.toml").read_bytes()
    expected = tomllib.loads(source.decode("utf-8"))
    assert units._raw_unit_table(source) == expected  # parsed, then stored
    (entry,) = folder.glob("units-*.json")
    assert json.loads(entry.read_text()) == expected
    entry.write_text(json.dumps({"dimensions": {}, "units": {"length": {"m": 2.0}}}))
    assert units._raw_unit_table(source)["units"]["length"]["m"] == 2.0  # the entry is read
    for damage in ("{not json", '{"dimensions": []}', '{"dimensions": {}, "units": {"a": 1}}'):
        entry.write_text(damage)
        assert units._raw_unit_table(source) == expected, damage
