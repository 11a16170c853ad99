"""A small on-disk cache for work that depends only on shipped files.

Building the LALR tables from the grammar and parsing the built-in catalog
cost more than checking a small design, and both depend only on files that
ship with the package. They are cached in the user's cache folder
(`$AIFC_CACHE_DIR`, else `$XDG_CACHE_HOME/aifc`, else `~/.cache/aifc`), keyed
by a hash of their inputs, never next to the installed package. A cache that
cannot be read or written is ignored: the work is simply done again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

VERSION = "2"  # bump when the pickled shapes change


def cache_dir() -> Path | None:
    if os.environ.get("AIFC_NO_CACHE") == "1":
        return None
    explicit = os.environ.get("AIFC_CACHE_DIR")
    if explicit:
        base = Path(explicit)
    else:
        xdg = os.environ.get("XDG_CACHE_HOME")
        base = Path(xdg) / "aifc" if xdg else Path.home() / ".cache" / "aifc"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return base if os.access(base, os.W_OK) else None


def key_of(*parts: str | bytes) -> str:
    digest = hashlib.sha256(VERSION.encode())
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()[:32]


def load(name: str, key: str) -> Any | None:
    folder = cache_dir()
    if folder is None:
        return None
    try:
        with open(folder / f"{name}-{key}.pickle", "rb") as handle:
            return pickle.load(handle)
    except Exception:  # a missing, partial or stale cache is simply rebuilt
        return None


def store(name: str, key: str, value: Any) -> None:
    folder = cache_dir()
    if folder is None:
        return
    try:
        descriptor, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        with os.fdopen(descriptor, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, folder / f"{name}-{key}.pickle")
    except Exception:  # caching is an optimisation; failing to cache is not an error
        return


def grammar_cache_file(grammar: str) -> str | None:
    folder = cache_dir()
    if folder is None:
        return None
    return str(folder / f"grammar-{key_of(grammar)}.lark")
