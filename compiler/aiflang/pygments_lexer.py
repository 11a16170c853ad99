"""A Pygments lexer for .aif designs, so documentation tools and `pygmentize -l aif`
highlight them.

Registered as the `aif` entry point of `pygments.lexers` (pyproject.toml).
It follows the grammar (dsl/aif.lark): block kinds and names, attributes,
numbers with their scale words and units, `N x part` multiplicities,
ratios, redundancy, ranges and distributions (`0.06..0.09 USD/kWh`,
`normal(40%, 5%)`), strings, comments (a suppression comment
`# aifc: ignore[W401]` stands out), `require` paths and operators. Text the
grammar accepts never yields an error token; a test checks it on every
reference design and every test case that parses.

Needs Pygments (any 2.x); nothing else in aiflang imports this module.
"""

from __future__ import annotations

from typing import ClassVar

from pygments.lexer import RegexLexer, bygroups, default, words
from pygments.token import (
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
    _TokenType,
)

BLOCK_KINDS = (
    "gpu",
    "cpu",
    "nic",
    "switch",
    "transceiver",
    "node",
    "rack",
    "model",
    "engine",
    "ups",
    "cdu",
    "chiller",
    "dry_cooler",
    "generator",
    "battery",
    "busway",
    "power_shelf",
    "appliance",
    "factory",
    "site",
    "hall",
    "storage",
    "fabric",
    "train",
    "serve",
    "finance",
    "assumptions",
    "sweep",
)
# `1..2` is a range: a decimal point is never followed by another (as in the grammar).
_NUMBER = r"[+-]?(?:[0-9][0-9_]*(?:\.(?!\.)[0-9_]*)?|\.[0-9][0-9_]*)(?:[eE][+-]?[0-9]+)?"
_UNIT = r"[A-Za-z$][A-Za-z0-9_$]*(?:\^[0-9]+)?(?:[/*][A-Za-z$][A-Za-z0-9_$]*(?:\^[0-9]+)?)*"

Rules = list[tuple[object, ...]]


class AifLexer(RegexLexer):
    """Lexer for aifc's AI-factory design language."""

    name = "aif"
    aliases: ClassVar[list[str]] = ["aif", "aifc"]
    filenames: ClassVar[list[str]] = ["*.aif"]
    mimetypes: ClassVar[list[str]] = ["text/x-aif"]
    url = "https://github.com/aifc-dev/aifc"

    tokens: ClassVar[dict[str, Rules]] = {
        "root": [
            (r"\s+", Whitespace),
            (r"\\\n", Text),
            (r"#\s*aifc:\s*ignore\[[^\]\n]*\][^\n]*", Comment.Special),
            (r"#[^\n]*", Comment.Single),
            (r'"(?:[^"\\\n]|\\.)*"', String.Double),
            (r"(import|require)\b", Keyword.Namespace),
            (r"(extends|for)\b", Keyword),
            (r"(true|false)\b", Keyword.Constant),
            # `name = value` (also a map's entries); `==` is a comparison, not this.
            (
                r"([A-Za-z_][A-Za-z0-9_]*)([ \t]*)(=)(?!=)",
                bygroups(Name.Attribute, Whitespace, Operator),
            ),
            # `hall A {`, `gpu X extends H100 {`, `site {`: a block's kind and name.
            (
                words(BLOCK_KINDS, suffix=r"\b(?=[ \t]*(?:\{|[A-Za-z_\"]))"),
                Keyword.Declaration,
                "header",
            ),
            (r"[0-9]+(?:\.[0-9]+)?:[0-9]+(?:\.[0-9]+)?", Number),  # 3:1
            (
                r"(?:N\+[0-9]+|[0-9]+N)(?![A-Za-z0-9_])|[0-9]+/[0-9]+(?![A-Za-z0-9_.])",
                Keyword.Constant,
            ),  # N+1, 2N, 3/2
            (_NUMBER, Number, "quantity"),
            (r">=|<=|==|!=|>|<|=|\.\.", Operator),  # `..` of a range `0.06..0.09 USD/kWh`
            (r"[{}\[\](),;.]", Punctuation),  # parentheses of `normal(40%, 5%)`
            (r"[A-Za-z_][A-Za-z0-9_]*", Name),
        ],
        "header": [
            (r"[ \t]+", Whitespace),
            (r"extends\b", Keyword),
            (r'"(?:[^"\\\n]|\\.)*"', Name.Class),
            (r"[A-Za-z_][A-Za-z0-9_]*", Name.Class),
            default("#pop"),
        ],
        # After a number: a scale word, then a unit, `%` or the `x` of `N x part`.
        "quantity": [
            (r"[ \t]+", Whitespace),
            (r"(thousand|million|billion|trillion)(?![A-Za-z0-9_$])", Number),
            (r"x(?=[ \t])", Operator.Word, "#pop"),
            (r"%", Keyword.Type, "#pop"),
            (_UNIT, Keyword.Type, "#pop"),
            default("#pop"),
        ],
    }


def token_types() -> tuple[_TokenType, ...]:
    """The token types the lexer emits (for tests and theme authors)."""
    return (
        Comment.Single,
        Comment.Special,
        Keyword,
        Keyword.Constant,
        Keyword.Declaration,
        Keyword.Namespace,
        Keyword.Type,
        Name,
        Name.Attribute,
        Name.Class,
        Number,
        Operator,
        Operator.Word,
        Punctuation,
        String.Double,
    )
