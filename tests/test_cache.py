"""The on-disk cache of the grammar tables and the parsed catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from aiflang import cache


def test_store_load_and_corrupt_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AIFC_CACHE_DIR", str(tmp_path))
    key = cache.key_of("a", b"b")
    assert cache.load("thing", key) is None
    cache.store("thing", key, {"x": 1})
    assert cache.load("thing", key) == {"x": 1}
    (tmp_path / f"thing-{key}.pickle").write_bytes(b"not a pickle")
    assert cache.load("thing", key) is None
    assert cache.key_of("a", b"b") != cache.key_of("ab")


def test_unwritable_or_disabled_cache_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AIFC_NO_CACHE", "1")
    assert cache.cache_dir() is None
    cache.store("thing", "k", 1)  # does nothing, raises nothing
    assert cache.load("thing", "k") is None
    assert cache.grammar_cache_file("grammar") is None
