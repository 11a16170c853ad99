"""`aifc fmt`: one canonical layout for .aif files.

`format_source(text) -> text` is pure. The layout: two-space indentation,
blocks always on several lines, `=` aligned within each run of consecutive
attributes, one space around operators, maps and lists on one line when they
fit in 100 columns (else one entry per line), at most one blank line between
entries, a blank line between top-level definitions, and a final newline.

Every comment is kept, character for character (trailing spaces aside),
beside what it annotates. A comment on its own line stays before the entry
it preceded (or before the closing brace or bracket); a comment after code
stays at the end of that code's line, after a closing `]` or `}` included.
A list or map that holds a comment stays on several lines, one entry per
line, so each comment keeps its place among the entries.

Guarantees (tested on every case and reference design): the result parses
to the same syntax model as the input, and formatting it again changes
nothing. Text with syntax errors is refused (FormatError), never mangled.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiflang.syntax import tree as ast
from aiflang.syntax.parser import parse_source

INDENT = "  "
WIDTH = 100


class FormatError(ValueError):
    """The text has syntax errors, so it is not formatted."""


@dataclass(slots=True)
class _Comments:
    """The file's comments, consumed as the formatter places them."""

    items: list[ast.Comment]
    used: set[int]

    def take_between(self, start: int, end: int, after_line: int = 0) -> list[ast.Comment]:
        """Unplaced comments in [start, end) on lines after `after_line`."""
        taken = [
            c
            for c in self.items
            if start <= c.offset < end and c.line > after_line and c.offset not in self.used
        ]
        for comment in taken:
            self.used.add(comment.offset)
        return taken

    def trailing_on(self, line: int, after: int) -> ast.Comment | None:
        for comment in self.items:
            if comment.line == line and comment.offset >= after and comment.offset not in self.used:
                self.used.add(comment.offset)
                return comment
        return None


def _number(number: ast.Number) -> str:
    return number.text + (f" {number.scale}" if number.scale else "")


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _name(name: str, quoted: bool) -> str:
    return _quote(name) if quoted else name


def value_text(value: ast.Value) -> str:
    """A value on one line."""
    if isinstance(value, ast.Quantity):
        if value.unit is None:
            return _number(value.number)
        if value.unit == "%":
            return _number(value.number) + "%"
        return f"{_number(value.number)} {value.unit}"
    if isinstance(value, ast.Ref):
        return value.name
    if isinstance(value, ast.Multiplicity):
        return f"{_number(value.count)} x {value_text(value.item)}"
    if isinstance(value, ast.Tagged):
        return f"{value.tag.name} {value_text(value.argument)}"
    if isinstance(value, ast.StringValue):
        return _quote(value.text)
    if isinstance(value, ast.Ratio | ast.Redundancy):
        return value.text
    if isinstance(value, ast.Uncertain):
        if value.kind == "range":
            low, high = value.arguments
            return f"{_number(low.number)}..{value_text(high)}"
        return f"{value.kind}({', '.join(value_text(a) for a in value.arguments)})"
    if isinstance(value, ast.ListValue):
        return "[" + ", ".join(_item_text(item) for item in value.items) + "]"
    if isinstance(value, ast.MapValue):
        if not value.entries:
            return "{}"
        inner = ", ".join(f"{e.name} = {value_text(e.value)}" for e in value.entries)
        return "{ " + inner + " }"
    raise TypeError(f"unknown value {value!r}")


def _item_text(item: ast.ListItem) -> str:
    text = value_text(item.value)
    return f"{text} for {item.role}" if item.role else text


def _children(value: ast.Value) -> tuple[str, str, list[ast.ListItem | ast.Attribute]]:
    """The opening text, closing text and entries of a list or map value ("" if neither)."""
    if isinstance(value, ast.ListValue):
        return "[", "]", list(value.items)
    if isinstance(value, ast.MapValue):
        return "{", "}", list(value.entries)
    if isinstance(value, ast.Tagged) and isinstance(value.argument, ast.MapValue):
        return f"{value.tag.name} {{", "}", list(value.argument.entries)
    return "", "", []


def holds_entries(value: ast.Value) -> bool:
    """Whether `value` is a list or map, which may be laid out over several lines."""
    return bool(_children(value)[0])


@dataclass(slots=True)
class _Placed:
    """Where each comment inside a list or map goes, relative to its entries."""

    opening: list[ast.Comment]  # after the opening bracket, on its line
    before: list[list[ast.Comment]]  # on their own lines before entry i
    trailing: list[list[ast.Comment]]  # at the end of entry i's last line
    inner: list[list[ast.Comment]]  # inside entry i (a nested list or map)
    closing: list[ast.Comment]  # on their own lines before the closing bracket


def _place(comments: list[ast.Comment], open_line: int, spans: list[ast.Span]) -> _Placed:
    count = len(spans)
    placed = _Placed([], [[] for _ in spans], [[] for _ in spans], [[] for _ in spans], [])
    for comment in sorted(comments, key=lambda c: c.offset):
        inside = next(
            (i for i, s in enumerate(spans) if s.offset <= comment.offset < s.end_offset), None
        )
        if inside is not None:
            placed.inner[inside].append(comment)
            continue
        previous = max(
            (i for i, s in enumerate(spans) if s.end_offset <= comment.offset), default=None
        )
        following = next((i for i in range(count) if spans[i].offset > comment.offset), None)
        if previous is not None and spans[previous].end_line == comment.line:
            placed.trailing[previous].append(comment)
        elif previous is None and comment.line == open_line:
            placed.opening.append(comment)
        elif following is not None:
            placed.before[following].append(comment)
        else:
            placed.closing.append(comment)
    return placed


def _comment_text(comments: list[ast.Comment]) -> str:
    return "".join("  " + c.text.strip() for c in comments)


def _value_lines(
    value: ast.Value,
    indent: str,
    prefix_width: int,
    comments: list[ast.Comment] | None = None,
) -> list[str]:
    """A value, on one line if it fits and holds no comment, else one entry per line.

    `comments` are the comments inside the value; a list or map that holds
    any stays on several lines, each comment beside the entry it annotates.
    """
    comments = comments or []
    flat = value_text(value)
    opener, closer, children = _children(value)
    if not opener or (not comments and prefix_width + len(flat) <= WIDTH):
        return [flat]
    inner = indent + INDENT
    placed = _place(comments, value.span.line, [child.span for child in children])
    lines = [opener + _comment_text(placed.opening)]
    width = max((len(c.name) for c in children if isinstance(c, ast.Attribute)), default=0)
    for index, child in enumerate(children):
        lines += [inner + c.text.strip() for c in placed.before[index]]
        if isinstance(child, ast.Attribute):
            head = f"{inner}{child.name.ljust(width)} = "
            sub = _value_lines(child.value, inner, len(head), placed.inner[index])
            entry = [head + sub[0], *sub[1:]]
        else:
            sub = _value_lines(child.value, inner, len(inner), placed.inner[index])
            entry = [inner + sub[0], *sub[1:]]
            if child.role:
                entry[-1] += f" for {child.role}"
            entry[-1] += ","
        entry[-1] += _comment_text(placed.trailing[index])
        lines += entry
    lines += [inner + c.text.strip() for c in placed.closing]
    lines.append(f"{indent}{closer}")
    return lines


class _Formatter:
    def __init__(self, module: ast.Module, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.comments = _Comments(list(module.comments), set())
        self.out: list[str] = []

    def blank_before(self, line: int) -> bool:
        """Whether the source has a blank line just above `line`."""
        return line >= 2 and self.lines[line - 2].strip() == ""

    def emit_comments(self, comments: list[ast.Comment], indent: str) -> None:
        for comment in comments:
            if self.out and self.out[-1] != "" and self.blank_before(comment.line):
                self.out.append("")
            self.out.append(indent + comment.text.strip())

    def entries(
        self, entries: tuple[ast.Entry, ...], indent: str, start: int, end: int, top_level: bool
    ) -> None:
        run: list[ast.Attribute] = []
        position = start
        previous: ast.Entry | None = None
        for entry in entries:
            after_line = previous.span.end_line if previous is not None else 0
            leading = self.comments.take_between(position, entry.span.offset, after_line)
            separate = previous is not None and (
                self.blank_before(leading[0].line if leading else entry.span.line)
                or isinstance(entry, ast.Block)
                or isinstance(previous, ast.Block)
            )
            if leading or separate or not isinstance(entry, ast.Attribute):
                self.flush(run, indent)
                run = []
            if separate and self.out and self.out[-1] != "":
                self.out.append("")
            self.emit_comments(leading, indent)
            if leading and self.blank_before(entry.span.line):
                self.out.append("")  # a comment set apart from what follows stays apart
            if isinstance(entry, ast.Attribute):
                run.append(entry)
            else:
                self.flush(run, indent)
                run = []
                self.entry(entry, indent)
            position = entry.span.end_offset
            previous = entry
        self.flush(run, indent)
        closing = self.comments.take_between(
            position, end, previous.span.end_line if previous is not None else 0
        )
        self.emit_comments(closing, indent)

    def flush(self, run: list[ast.Attribute], indent: str) -> None:
        if not run:
            return
        width = max(len(a.name) for a in run)
        for attribute in run:
            inside = self.comments.take_between(attribute.span.offset, attribute.span.end_offset)
            if not holds_entries(attribute.value):
                # Nothing but a list or map spans lines; keep any stray comment, above.
                self.emit_comments(inside, indent)
                inside = []
            head = f"{indent}{attribute.name.ljust(width)} = "
            lines = _value_lines(attribute.value, indent, len(head), inside)
            self.out.append(head + lines[0])
            self.out.extend(lines[1:])
            trailing = self.comments.trailing_on(attribute.span.end_line, attribute.span.end_offset)
            if trailing is not None:
                self.out[-1] += "  " + trailing.text.strip()

    def entry(self, entry: ast.Entry, indent: str) -> None:
        if isinstance(entry, ast.Block):
            self.block(entry, indent)
        elif isinstance(entry, ast.Require):
            path = ".".join(_name(s.name, s.quoted) for s in entry.path)
            line = f"{indent}require {path} {entry.operator} {value_text(entry.value)}"
            if entry.message is not None:
                line += f" {_quote(entry.message)}"
            self.out.append(line + self.trailing(entry.span))
        elif isinstance(entry, ast.Import):
            self.out.append(f"{indent}import {_quote(entry.path)}" + self.trailing(entry.span))

    def trailing(self, span: ast.Span) -> str:
        comment = self.comments.trailing_on(span.end_line, span.end_offset)
        return "  " + comment.text.strip() if comment else ""

    def block(self, block: ast.Block, indent: str) -> None:
        header = indent + block.kind
        if block.name is not None:
            header += " " + _name(block.name, block.quoted_name)
        if block.extends:
            header += f" extends {block.extends}"
        header += " {"
        open_end = block.close_span.offset if not block.entries else block.entries[0].span.offset
        opening = [
            c
            for c in self.comments.items
            if c.line == block.span.line
            and c.offset < open_end
            and c.offset not in self.comments.used
        ]
        if opening:
            self.comments.used.add(opening[0].offset)
            header += "  " + opening[0].text.strip()
        self.out.append(header)
        self.entries(
            block.entries,
            indent + INDENT,
            block.span.offset,
            block.close_span.offset,
            top_level=False,
        )
        self.out.append(indent + "}" + self.trailing(block.close_span))

    def module(self, module: ast.Module) -> str:
        self.entries(module.entries, "", 0, len(self.text) + 1, top_level=True)
        while self.out and self.out[-1] == "":
            self.out.pop()
        while self.out and self.out[0] == "":
            self.out.pop(0)
        return "\n".join(line.rstrip() for line in self.out) + "\n" if self.out else ""


def format_source(text: str, file: str = "<text>") -> str:
    """The canonical layout of `text`; FormatError if it has syntax errors."""
    result = parse_source(text, file)
    errors = [d for d in result.diagnostics if d.is_error]
    if errors:
        first = errors[0]
        where = f"line {first.span.line}" if first.span else "the file"
        raise FormatError(f"{first.message} at {where}")
    return _Formatter(result.module, result.text).module(result.module)
