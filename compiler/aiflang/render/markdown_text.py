"""Escaping text for Markdown: what every Markdown renderer of aifc writes through.

User strings (names, messages, paths) are escaped so they cannot break a
table (`|`), start markup (`*`, `_`, `` ` ``, `[`, `<`) or inject HTML, which
GitHub would otherwise render. Bare URLs and @mentions are shown as code, so
a report posted as a pull-request comment links to nothing and notifies no
one; control and text-direction characters show as escapes.
"""

from __future__ import annotations

import re

from aiflang.diagnostics.characters import neutralise

# Characters that start emphasis, code, links or strikethrough, or end a table cell.
# `$` too: GitHub reads a pair of dollar signs on one line as inline math.
_SPECIAL = re.compile(r"([\\`*_\[\]|~$])")
# What GitHub turns into a link or a notification: URLs (with a scheme or
# `www.`), e-mail addresses, and @user or @org/team mentions.
# Where GitHub would start a link or a notification: a URL scheme's `://`,
# `www.`, or the `@` of a mention (or of an e-mail address).
_MARKERS = re.compile(r"://|www\.|@", re.IGNORECASE)
_SCHEME = frozenset("abcdefghijklmnopqrstuvwxyz0123456789+.-")
_NAME = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-")
_URL_STOP = frozenset(" \t\n<>`")
_TRAILING = ".,;:!?)]'\""


def escape(text: str) -> str:
    """`text` safe inside a Markdown paragraph or table cell, on one line."""
    text = neutralise(text.replace("\r", " ").replace("\n", " "))
    out: list[str] = []
    position = 0
    for start, end in _linked(text):
        out.append(_escape_plain(text[position:start]))
        out.append(f"`{escape_code(text[start:end])}`")  # code is never a link or a mention
        position = end
    out.append(_escape_plain(text[position:]))
    return "".join(out)


def _linked(text: str) -> list[tuple[int, int]]:
    """The spans GitHub would autolink or treat as a mention, in order.

    Found from their markers outwards in one pass, each character looked at a
    bounded number of times: a label can be a megabyte long.
    """
    spans: list[tuple[int, int]] = []
    covered = 0
    for marker in _MARKERS.finditer(text):
        at = marker.start()
        if at < covered:
            continue
        found = _mention(text, at) if marker.group() == "@" else _url(text, at, marker.group())
        if found is not None and found[0] >= covered:
            spans.append(found)
            covered = found[1]
    return spans


def _url(text: str, at: int, marker: str) -> tuple[int, int] | None:
    start = at
    if marker == "://":
        while start > 0 and at - start < 30 and text[start - 1].lower() in _SCHEME:
            start -= 1
        if start == at or not text[start].isalpha():
            return None
    elif start > 0 and text[start - 1].isalnum():
        return None  # `awww.` is not a link
    end = at + len(marker)
    while end < len(text) and text[end] not in _URL_STOP:
        end += 1
    while end > at + len(marker) and text[end - 1] in _TRAILING:
        end -= 1
    return (start, end) if end > at + len(marker) else None


def _mention(text: str, at: int) -> tuple[int, int] | None:
    end = at + 1
    if end >= len(text) or not text[end].isalnum():
        return None
    while end < len(text) and end - at < 256 and text[end] in _NAME:
        end += 1
    if end < len(text) and text[end] == "/":  # @org/team
        team = end + 1
        while team < len(text) and team - end < 100 and text[team] in _NAME:
            team += 1
        end = team if team > end + 1 else end
    while end > at + 1 and text[end - 1] in ".-":
        end -= 1
    start = at
    while start > 0 and at - start < 64 and text[start - 1] in _NAME:
        start -= 1  # the local part of an e-mail address
    return start, end


def _escape_plain(text: str) -> str:
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _SPECIAL.sub(r"\\\1", text)


def figure_text(text: str) -> str:
    """A formatted figure: only dollar signs need escaping."""
    return re.sub(r"(?<!\\)\$", r"\\$", text)


def escape_code(text: str) -> str:
    """`text` for inside a one-backtick code span: no backticks, pipes or newlines."""
    text = text.replace("`", "'").replace("|", "\\|").replace("\n", " ").replace("\r", " ")
    return neutralise(text)
