"""Diagnostics as text that reads like rustc: what, where, why, how to fix.

```
error[E402]: hall "A" draws 3.41 MW, over its 3 MW of IT capacity
  --> design.aif:51:5
   |
51 |     it_power = 3 MW
   |     ^^^^^^^^^^^^^^^ capacity declared here
   = note: ...
   = help: ...
```
Colour only when asked (the CLI asks on a terminal unless NO_COLOR is set).
Text from the design (messages quote names and labels; snippets quote
source lines; spans name files) is neutralised: control and text-direction
characters show as escapes, so only aifc's own colour codes reach a terminal.
"""

from __future__ import annotations

from aiflang.diagnostics import Diagnostic, Span, source_line
from aiflang.diagnostics.characters import neutralise

_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "note": "\033[1;36m"}
_BOLD = "\033[1m"
_BLUE = "\033[1;34m"
_RESET = "\033[0m"


class _Style:
    def __init__(self, colour: bool) -> None:
        self.colour = colour

    def __call__(self, text: str, code: str) -> str:
        return f"{code}{text}{_RESET}" if self.colour else text


def _excerpt(
    sources: dict[str, str], span: Span, label: str, style: _Style, gutter: int
) -> list[str]:
    line = source_line(sources, span)
    if line is None:
        return []
    line = line.replace("\t", " ")
    if len(line) > 200:
        line = line[:200]
    start = min(max(span.column - 1, 0), len(line))
    end = span.end_column - 1 if span.end_line == span.line else len(line)
    end = max(start, min(end, len(line)))
    # Escapes widen the text: place the carets by the neutralised prefix.
    before, under = neutralise(line[:start]), neutralise(line[start:end])
    shown = before + under + neutralise(line[end:])
    if len(line) == 200:
        shown += " ..."
    number = str(span.line).rjust(gutter)
    carets = " " * len(before) + "^" * max(1, len(under))
    pad = " " * gutter
    label = neutralise(label)
    return [
        style(f"{pad} |", _BLUE),
        style(f"{number} |", _BLUE) + f" {shown}",
        style(f"{pad} |", _BLUE) + " " + style(carets + (f" {label}" if label else ""), _BOLD),
    ]


def render_diagnostic(
    diagnostic: Diagnostic, sources: dict[str, str], *, colour: bool = False
) -> str:
    style = _Style(colour)
    severity = diagnostic.severity.value
    head = style(f"{severity}[{diagnostic.code}]", _COLOURS.get(severity, ""))
    out = [f"{head}: {style(neutralise(diagnostic.message), _BOLD)}"]
    spans = [diagnostic.span] + [r.span for r in diagnostic.related] if diagnostic.span else []
    gutter = max((len(str(s.line)) for s in spans if s is not None), default=1)
    if diagnostic.span is not None:
        span = diagnostic.span
        where = f"{neutralise(span.file)}:{span.line}:{span.column}"
        out.append(" " * gutter + style("--> ", _BLUE) + where)
        out.extend(_excerpt(sources, span, diagnostic.label, style, gutter))
    for related in diagnostic.related:
        span = related.span
        where = f"{neutralise(span.file)}:{span.line}:{span.column}"
        out.append(" " * gutter + style("::: ", _BLUE) + where)
        out.extend(_excerpt(sources, span, related.message, style, gutter))
    for note in diagnostic.notes:
        out.append(
            " " * gutter + style(" = ", _BLUE) + f"{style('note', _BOLD)}: {neutralise(note)}"
        )
    if diagnostic.help:
        help_text = neutralise(diagnostic.help)
        out.append(" " * gutter + style(" = ", _BLUE) + f"{style('help', _BOLD)}: {help_text}")
    return "\n".join(out)


def render_diagnostics(
    diagnostics: list[Diagnostic], sources: dict[str, str], *, colour: bool = False
) -> str:
    blocks = [render_diagnostic(d, sources, colour=colour) for d in diagnostics]
    return "\n\n".join(blocks)


def summary_line(errors: int, warnings: int, files: int, *, colour: bool = False) -> str:
    style = _Style(colour)
    verdict = style("invalid", _COLOURS["error"]) if errors else style("valid", "\033[1;32m")
    files_text = f"{files} file" + ("" if files == 1 else "s")
    return (
        f"{verdict}: {errors} error{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''} in {files_text}"
    )
