"""The LALR parser for the grammar, its tables built once and cached as JSON.

Building the tables from `dsl/aif.lark` takes longer than checking a small
design, so they are stored in the user's cache (`aiflang.cache`) as JSON
(`aiflang.syntax.codec`), keyed by the grammar and the options, and loaded
from there on later runs. An entry that does not load is rebuilt.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from lark import Lark, Token

from aiflang import cache
from aiflang.syntax.codec import CodecError, decode_parser, encode_parser


def build_parser(
    grammar: str, options: dict[str, Any], callbacks: dict[str, Callable[[Token], Token]]
) -> Lark:
    """`Lark(grammar, **options, lexer_callbacks=callbacks)`, from the cache when possible."""
    key = cache.key_of(grammar, json.dumps(options, sort_keys=True))
    cached = cache.load("grammar", key)
    if cached is not None:
        try:
            return decode_parser(cached, lexer_callbacks=callbacks)
        except CodecError:
            pass  # a damaged or foreign entry: build afresh and replace it
    parser = Lark(grammar, **options, lexer_callbacks=callbacks)
    if cache.enabled():
        cache.store("grammar", key, encode_parser(parser))
    return parser
