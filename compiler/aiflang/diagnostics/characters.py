"""Characters a design must not smuggle into what people read.

A label, a comment or a file name can hold terminal control sequences (ESC
and the other C0 and C1 controls: clear the screen, retitle the window,
return to the start of a line and print a fake verdict over it) and Unicode
text-direction controls, which make text display in an order other than the
one it is read in ("Trojan Source", CVE-2021-42574). Renderers pass user
text through `neutralise` (plain text, Markdown, HTML) or `json_safe` (JSON
text), which show such characters as visible escapes instead.

The parser warns about text-direction controls in the source (W102); the
set is the one rustc's `text_direction_codepoint_*` lints use.
"""

from __future__ import annotations

import re

# Embeddings, overrides and isolates, with their pop characters.
TEXT_DIRECTION_CONTROLS = {
    "\u202a": "LEFT-TO-RIGHT EMBEDDING",
    "\u202b": "RIGHT-TO-LEFT EMBEDDING",
    "\u202c": "POP DIRECTIONAL FORMATTING",
    "\u202d": "LEFT-TO-RIGHT OVERRIDE",
    "\u202e": "RIGHT-TO-LEFT OVERRIDE",
    "\u2066": "LEFT-TO-RIGHT ISOLATE",
    "\u2067": "RIGHT-TO-LEFT ISOLATE",
    "\u2068": "FIRST STRONG ISOLATE",
    "\u2069": "POP DIRECTIONAL ISOLATE",
}
TEXT_DIRECTION_PATTERN = re.compile("[" + "".join(TEXT_DIRECTION_CONTROLS) + "]")

# C0 controls but tab and line feed, DEL, C1 controls, and the direction controls.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f" + "".join(TEXT_DIRECTION_CONTROLS) + "]")
# What json.dumps leaves raw with ensure_ascii=False: DEL, C1 and direction controls.
_UNSAFE_IN_JSON = re.compile("[\x7f-\x9f" + "".join(TEXT_DIRECTION_CONTROLS) + "]")


def _visible(match: re.Match[str]) -> str:
    return f"\\u{{{ord(match.group()):x}}}"


def neutralise(text: str) -> str:
    """`text` with control and direction characters shown as `\\u{1b}`-style escapes.

    Tabs and line breaks stay; a carriage return is escaped, since it lets
    a line be overwritten.
    """
    return _UNSAFE.sub(_visible, text) if _UNSAFE.search(text) else text


def json_safe(json_text: str) -> str:
    """JSON text with every unsafe character as a `\\uXXXX` escape: the same data, safe to print.

    Such characters can only stand inside JSON strings, where the escape
    means the same character, so a reader of the JSON sees no difference.
    """
    return _UNSAFE_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", json_text)
