"""The built-in catalog: GPUs, CPUs, NICs, switches, optics, systems and racks.

The catalog is written in the design language itself (the `*.aif` files in
this folder, each entry with its `source`) and parsed like any design file.
`catalog_modules()` parses it once per process and caches the parse on disk
(`aiflang.cache`); name resolution (`aiflang.frontend.resolve`) puts its
definitions in the outermost scope.
"""

from __future__ import annotations

import functools
import json

from aiflang.resources import catalog_dir
from aiflang.syntax.parser import ParseResult, parse_source


@functools.lru_cache(maxsize=1)
def catalog_modules() -> tuple[ParseResult, ...]:
    """The built-in catalog, parsed once per process and cached on disk."""
    from aiflang import cache
    from aiflang.syntax.parser import _grammar_text

    files = sorted(catalog_dir().glob("*.aif"))
    texts = [path.read_text(encoding="utf-8") for path in files]
    names = [f"<catalog>/{path.name}" for path in files]
    key = cache.key_of(_grammar_text(), *[f"{n}\0{t}" for n, t in zip(names, texts, strict=True)])
    cached = _decode(cache.load("catalog", key), names, texts)
    if cached is not None:
        return cached
    results = tuple(parse_source(text, name) for name, text in zip(names, texts, strict=True))
    # Only a clean parse is cached: diagnostics stay out of the entry's format.
    if cache.enabled() and not any(r.diagnostics for r in results):
        cache.store("catalog", key, _encode(results))
    return results


def _encode(results: tuple[ParseResult, ...]) -> str:
    from aiflang.syntax.codec import encode_module

    return json.dumps([encode_module(r.module) for r in results], separators=(",", ":"))


def _decode(
    entry: str | None, names: list[str], texts: list[str]
) -> tuple[ParseResult, ...] | None:
    """The cached parse, checked to be of these files; None when it is not usable."""
    if entry is None:
        return None
    from aiflang.syntax.codec import CodecError, decode_module

    try:
        data = json.loads(entry)
        if not isinstance(data, list) or len(data) != len(names):
            return None
        modules = [decode_module(item) for item in data]
    except (ValueError, CodecError):
        return None
    if [m.file for m in modules] != names:
        return None
    return tuple(ParseResult(module, [], text) for module, text in zip(modules, texts, strict=True))
