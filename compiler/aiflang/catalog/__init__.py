"""The built-in catalog: GPUs, CPUs, NICs, switches, optics, systems and racks.

The catalog is written in the design language itself (the `*.aif` files in
this folder, each entry with its `source`) and parsed like any design file.
`catalog_modules()` parses it once per process and caches the parse on disk
(`aiflang.cache`); name resolution (`aiflang.frontend.resolve`) puts its
definitions in the outermost scope.
"""

from __future__ import annotations

import functools

from aiflang.resources import catalog_dir
from aiflang.syntax.parser import ParseResult, parse_source


@functools.lru_cache(maxsize=1)
def catalog_modules() -> tuple[ParseResult, ...]:
    """The built-in catalog, parsed once per process and cached on disk."""
    from aiflang import cache
    from aiflang.syntax.parser import _grammar_text

    files = sorted(catalog_dir().glob("*.aif"))
    texts = [path.read_text(encoding="utf-8") for path in files]
    key = cache.key_of(
        _grammar_text(), *[f"{p.name}\0{t}" for p, t in zip(files, texts, strict=True)]
    )
    cached = cache.load("catalog", key)
    if isinstance(cached, tuple) and all(isinstance(r, ParseResult) for r in cached):
        return cached
    results = tuple(
        parse_source(text, f"<catalog>/{path.name}")
        for path, text in zip(files, texts, strict=True)
    )
    cache.store("catalog", key, results)
    return results
