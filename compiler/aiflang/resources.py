"""Find the package's data files: the grammar, unit table and templates.

In an installed wheel they live in `aiflang/_data/` (force-included by the
build); in a source checkout they live at the top of the repository. The
wheel location wins so an installed aifc never reads a stray checkout.
"""

from __future__ import annotations

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
