"""Find the package's data files: the grammar, unit table and templates.

In an installed wheel they live in `aiflang/_data/` (force-included by the
build); in a source checkout they live at the top of the repository. The
wheel location wins so an installed aifc never reads a stray checkout.
"""

from __future__ import annotations

import functools
import os
import re
import sys
from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def data_path(*parts: str) -> Path:
    """Path of a data file, e.g. `data_path("dsl", "aif.lark")`."""
    packaged = _PACKAGE_DIR.joinpath("_data", *parts)
    if packaged.exists():
        return packaged
    return _PACKAGE_DIR.parents[1].joinpath(*parts)


def catalog_dir() -> Path:
    """Folder of the built-in catalog, written in .aif."""
    return _PACKAGE_DIR / "catalog"


@functools.lru_cache(maxsize=1)
def package_version() -> str:
    """aifc's installed version ("0+unknown" in a checkout that was never installed).

    What `importlib.metadata.version("aiflang")` returns, without importing
    `importlib.metadata` (it loads the email, zip and archive modules, more
    than a small `aifc validate` costs): the first folder of `sys.path` that
    holds an `aiflang-*.dist-info` (the name wheels and editable installs
    give it, PEP 427) is the one importlib.metadata would read, and its
    METADATA's `Version:` header is the version. Anything less plain (no
    such folder, two of them, an egg) is left to importlib.metadata.
    """
    for entry in sys.path:
        try:
            names = [n for n in os.listdir(entry or ".") if _DIST_INFO.fullmatch(n)]
        except OSError:
            continue
        if len(names) == 1:
            found = _metadata_version(Path(entry or ".", names[0], "METADATA"))
            if found is not None:
                return found
        if names:
            break
    from importlib import metadata

    try:
        return metadata.version("aiflang")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "0+unknown"


_DIST_INFO = re.compile(r"aiflang-[^-]+\.(?:dist|egg)-info", re.IGNORECASE)


def _metadata_version(path: Path) -> str | None:
    """The `Version:` header of a METADATA file (headers end at the first blank line)."""
    try:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    return None
                if line.startswith("Version:"):
                    return line[len("Version:") :].strip() or None
    except (OSError, UnicodeDecodeError):
        return None
    return None
