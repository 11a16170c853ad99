"""`--set PATH=VALUE`: override an attribute or an assumption from the command line.

A setting rewrites the root file's syntax tree before names are resolved,
so its value is read and checked exactly as if it had been written in the
file (units, dimensions, names, ranges), and a typo in it gets the same
diagnostic, pointing at the setting instead of a line of the file.

Paths (segments separated by dots; a segment holding a dot goes in double
quotes):

- `site.ATTR`, `finance.ATTR`, `assumptions.NAME`: the factory's unnamed
  block of that kind (added when the factory has none);
- `halls.NAME.ATTR`, `storage.NAME.ATTR`, `fabrics.NAME.ATTR`,
  `train.NAME.ATTR`, `serve.NAME.ATTR` (the singular `hall`, `fabric` also
  work): the factory's block of that kind and name;
- `KIND.NAME.ATTR` for a component kind (`gpu`, `cpu`, `nic`, `switch`,
  `transceiver`, `node`, `rack`): the definition in the file, or, for a
  catalog or imported part, `KIND NAME extends NAME { ATTR = VALUE }` added
  to the file;
- one more segment names an entry of a map value:
  `halls.A.cooling.liquid="2 MW"`.

Every factory of the file gets the setting. Needs: the parsed root module.
Emits: E201 when a setting names a block the file does not have (with
close names), and whatever the parser reports about the value.
"""

from __future__ import annotations

from collections.abc import Sequence

from aiflang.diagnostics import Sink, Span, codes, did_you_mean, get_close_matches
from aiflang.records import record, replace
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import parse_source
from aiflang.syntax.schema import COMPONENT_KINDS

UNNAMED = ("site", "finance", "assumptions")
MEMBERS = {
    "halls": "hall",
    "hall": "hall",
    "storage": "storage",
    "fabrics": "fabric",
    "fabric": "fabric",
    "train": "train",
    "serve": "serve",
}


class SettingError(ValueError):
    """A `--set` argument that is not `PATH=VALUE` with a path of a known shape."""


@record
class Setting:
    """One `--set PATH=VALUE`: the block kind, its name (if any), the attribute path."""

    kind: str
    name: str | None
    attribute: tuple[str, ...]  # the attribute, then a map entry if given
    value: str
    text: str  # as given on the command line

    @property
    def label(self) -> str:
        """The name its diagnostics carry in place of a file name."""
        return f"--set {self.text.partition('=')[0]}"


def _segments(path: str) -> list[str]:
    segments: list[str] = []
    current = ""
    quoted = False
    for char in path:
        if char == '"':
            quoted = not quoted
        elif char == "." and not quoted:
            segments.append(current)
            current = ""
        else:
            current += char
    if quoted:
        raise SettingError(f"--set {path}: unclosed quote")
    segments.append(current)
    if any(not s.strip() for s in segments):
        raise SettingError(f"--set {path}: empty path segment")
    return [s.strip() for s in segments]


def parse_setting(text: str) -> Setting:
    """Read `PATH=VALUE`; raises SettingError with one clear line when it is malformed."""
    path, equals, value = text.partition("=")
    if not equals or not path.strip() or not value.strip():
        raise SettingError(f"--set {text}: write PATH=VALUE, e.g. halls.A.it_power='4 MW'")
    segments = _segments(path.strip())
    head = segments[0]
    if head in UNNAMED:
        kind, name, rest = head, None, segments[1:]
    elif head in MEMBERS or head in COMPONENT_KINDS:
        if len(segments) < 3:
            raise SettingError(f"--set {path}: write {head}.NAME.ATTRIBUTE=VALUE")
        kind, name, rest = MEMBERS.get(head, head), segments[1], segments[2:]
    else:
        known = [*UNNAMED, *sorted(set(MEMBERS) - {"hall", "fabric"}), *COMPONENT_KINDS]
        hint = did_you_mean(get_close_matches(head, known, n=2))
        raise SettingError(
            f"--set {path}: a path starts with one of {', '.join(known)}"
            + (f" ({hint})" if hint else "")
        )
    if not 1 <= len(rest) <= 2:
        raise SettingError(f"--set {path}: name one attribute (and at most one map entry)")
    return Setting(kind, name, tuple(rest), value.strip(), text)


def apply_settings(
    module: ast.Module, settings: Sequence[Setting], sink: Sink
) -> tuple[ast.Module, dict[str, str]]:
    """`module` with every setting applied, and the text of each setting (for snippets)."""
    sources: dict[str, str] = {}
    for setting in settings:
        attribute = _attribute(setting, sink)
        sources[setting.label] = _text(setting)
        if attribute is not None:
            module = _apply(module, setting, attribute, sink)
    return module, sources


def _text(setting: Setting) -> str:
    return f"{setting.attribute[0]} = {setting.value}"


def _attribute(setting: Setting, sink: Sink) -> ast.Attribute | None:
    """The setting's value, parsed as the attribute line it stands for."""
    if len(setting.attribute) == 2:
        text = f"{setting.attribute[0]} = {{ {setting.attribute[1]} = {setting.value} }}"
    else:
        text = _text(setting)
    result = parse_source(text, setting.label)
    sink.extend(result.diagnostics)
    entries = result.module.entries
    if not result.ok or len(entries) != 1 or not isinstance(entries[0], ast.Attribute):
        if result.ok:
            sink.error(
                codes.E102,
                f"{setting.label}: `{setting.value}` is not one value",
                Span.point(setting.label),
                help="quote the value for the shell: --set 'halls.A.it_power=4 MW'",
            )
        return None
    return entries[0]


def _with_attribute(block: ast.Block, attribute: ast.Attribute, entry: str | None) -> ast.Block:
    """`block` with `attribute` replacing (or added after) the one of that name."""
    entries = list(block.entries)
    for index, existing in enumerate(entries):
        if isinstance(existing, ast.Attribute) and existing.name == attribute.name:
            if entry is not None and isinstance(existing.value, ast.MapValue):
                # Replace one entry of the written map and keep the others.
                assert isinstance(attribute.value, ast.MapValue)
                new = attribute.value.entries[0]
                kept = [e for e in existing.value.entries if e.name != entry]
                value = replace(existing.value, entries=(*kept, new))
                attribute = replace(existing, value=value)
            entries[index] = attribute
            return replace(block, entries=tuple(entries))
    return replace(block, entries=(*entries, attribute))


def _apply(
    module: ast.Module, setting: Setting, attribute: ast.Attribute, sink: Sink
) -> ast.Module:
    entry = setting.attribute[1] if len(setting.attribute) == 2 else None
    if setting.kind in COMPONENT_KINDS:
        return _apply_component(module, setting, attribute, entry)
    factories = [e for e in module.entries if isinstance(e, ast.Block) and e.kind == "factory"]
    names: list[str] = []
    touched = False
    entries = list(module.entries)
    for index, factory in enumerate(entries):
        if not (isinstance(factory, ast.Block) and factory.kind == "factory"):
            continue
        children = list(factory.entries)
        found = False
        for position, child in enumerate(children):
            if not isinstance(child, ast.Block) or child.kind != setting.kind:
                continue
            if setting.name is not None and child.name != setting.name:
                names.append(child.name or "")
                continue
            children[position] = _with_attribute(child, attribute, entry)
            found = True
        if not found and setting.name is None:
            span = attribute.span
            children.append(ast.Block(setting.kind, None, (attribute,), span=span, kind_span=span))
            found = True
        if found:
            touched = True
            entries[index] = replace(factory, entries=tuple(children))
    if not touched:
        what = f"{setting.kind} `{setting.name}`" if setting.name else setting.kind
        close = get_close_matches(setting.name or "", names, n=2)
        sink.error(
            codes.E201,
            f"{setting.label}: no {what} in "
            + ("any factory of the file" if factories else "the file (it has no factory)"),
            Span(setting.label, 1, 1, 1, len(_text(setting)) + 1, 0, len(_text(setting))),
            help=did_you_mean([f"{setting.kind}.{c}" for c in close])
            or f"its {setting.kind}s: {', '.join(sorted(set(names))) or 'none'}",
        )
        return module
    return replace(module, entries=tuple(entries))


def _apply_component(
    module: ast.Module, setting: Setting, attribute: ast.Attribute, entry: str | None
) -> ast.Module:
    """Change the file's own definition of the part, or extend the one it uses."""

    def edit(entries: tuple[ast.Entry, ...]) -> tuple[tuple[ast.Entry, ...], bool]:
        changed = list(entries)
        found = False
        for index, item in enumerate(entries):
            if not isinstance(item, ast.Block):
                continue
            if item.kind == setting.kind and item.name == setting.name:
                changed[index] = _with_attribute(item, attribute, entry)
                found = True
            elif item.kind == "factory":
                inner, hit = edit(item.entries)
                if hit:
                    changed[index] = replace(item, entries=inner)
                    found = True
        return tuple(changed), found

    entries, found = edit(module.entries)
    if found:
        return replace(module, entries=entries)
    span = attribute.span
    # `gpu H100 extends H100 { tdp = 800 W }`: a same-named definition extends the outer one.
    added = ast.Block(
        setting.kind,
        setting.name,
        (attribute,),
        extends=setting.name,
        span=span,
        kind_span=span,
        name_span=span,
        extends_span=span,
    )
    return replace(module, entries=(added, *module.entries))
