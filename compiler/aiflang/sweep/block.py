"""The `sweep` block: a design-space search written in the design file.

```aif
sweep "generations" {
  samples  = 20
  seed     = 7
  maximize = tokens_per_s_per_mw
  minimize = cost_per_million_tokens_usd
  node tray { gpus = [4 x GB200, 4 x GB300] }
  hall compute { racks = [520 x nvl72, 560 x nvl72, 600 x nvl72] }
  fabric compute { oversubscription = [1:1, 2:1] }
  site { power_price = 0.06..0.09 USD/kWh, pue = steps(1.1, 1.3, 0.1) }
  require capacity.facility_power_w <= 100 MW
}
```

Each block inside names what it varies as the factory names it (`hall
compute` is `halls.compute`, `node tray` is `node.tray`), so each attribute
is one `--vary` path. Its value is a list of alternatives (each written as
in the factory), a range or distribution (sampled), `steps(LOW, HIGH,
STEP)` (a grid), or a single value (set in every variant). A map entry
varies alone: `cooling = { liquid = [70 MW, 84 MW] }`. The block's
`require` rules are the sweep's constraints. `aifc sweep FILE` runs the
file's first sweep block (or `--sweep NAME`); `--vary` options add to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from aiflang.frontend.uncertain import distribution_of, setting_path
from aiflang.models.distributions import value_text as number_text
from aiflang.sweep.space import Axis, SpaceError, parse_axis
from aiflang.syntax import tree as ast
from aiflang.syntax.formatter import value_text
from aiflang.syntax.parser import parse_source

_PLURAL = {"hall": "halls", "fabric": "fabrics"}
_UNNAMED = ("site", "finance", "assumptions")


class BlockError(ValueError):
    """A sweep block that cannot be run, said in one line with its place."""


@dataclass(frozen=True, slots=True)
class SweepBlock:
    name: str
    axes: tuple[Axis, ...]
    samples: int | None = None
    method: str | None = None
    seed: int | None = None
    maximize: tuple[str, ...] = ()
    minimize: tuple[str, ...] = ()
    constraints: tuple[str, ...] = ()


def _where(file: str, node: ast.Attribute | ast.Block | ast.Require) -> str:
    return f"{file}:{node.span.line}"


def _item_text(item: ast.ListItem) -> str:
    text = value_text(item.value)
    return f"{text} for {item.role}" if item.role else text


def _axis(path: str, value: ast.Value, where: str) -> Axis:
    if isinstance(value, ast.ListValue):
        if not value.items:
            raise BlockError(f"{where}: {path}: the list of alternatives is empty")
        return Axis(path, values=tuple(_item_text(i) for i in value.items))
    if isinstance(value, ast.Uncertain) and value.kind == "steps":
        numbers = [a.number.value for a in value.arguments]
        unit_names = {a.unit for a in value.arguments if a.unit is not None}
        if len(numbers) != 3 or len(unit_names) > 1:
            raise BlockError(f"{where}: {path}: write steps(LOW, HIGH, STEP) in one unit")
        unit = unit_names.pop() if unit_names else None
        low, high, step = (number_text(n, None) for n in numbers)
        spec = f"{low}..{high} {unit or ''} step {step} {unit or ''}"
        try:
            return parse_axis(f"{path}={spec}")
        except SpaceError as error:
            raise BlockError(f"{where}: {error}") from None
    if isinstance(value, ast.Uncertain):
        distribution, problem = distribution_of(value)
        if distribution is None:
            raise BlockError(f"{where}: {path}: {problem}")
        return Axis(path, distribution=distribution)
    return Axis(path, values=(value_text(value),))


def _objectives(value: ast.Value, where: str) -> tuple[str, ...]:
    items = value.items if isinstance(value, ast.ListValue) else (ast.ListItem(value),)
    found = []
    for item in items:
        if isinstance(item.value, ast.Ref):
            found.append(item.value.name)
        elif isinstance(item.value, ast.StringValue):
            found.append(item.value.text)
        else:
            raise BlockError(f"{where}: write a key figure name or a quoted report path")
    return tuple(found)


def _whole(value: ast.Value, name: str, where: str) -> int:
    if not isinstance(value, ast.Quantity) or value.unit is not None:
        raise BlockError(f"{where}: `{name}` is a whole number")
    number = value.number.value
    if number != int(number) or number < 0:
        raise BlockError(f"{where}: `{name}` is a whole number, found {value.number.text}")
    return int(number)


def _constraint(rule: ast.Require) -> str:
    path = ".".join(f'"{s.name}"' if s.quoted else s.name for s in rule.path)
    return f"{path} {rule.operator} {value_text(rule.value)}"


def read_block(block: ast.Block, file: str) -> SweepBlock:
    """One `sweep` block, read; raises BlockError with the place of the problem."""
    axes: list[Axis] = []
    settings: dict[str, object] = {}
    constraints: list[str] = []
    for entry in block.entries:
        where = _where(file, entry) if not isinstance(entry, ast.Import) else file
        if isinstance(entry, ast.Require):
            constraints.append(_constraint(entry))
        elif isinstance(entry, ast.Attribute):
            if entry.name in ("samples", "seed"):
                settings[entry.name] = _whole(entry.value, entry.name, where)
            elif entry.name == "method":
                chosen = entry.value
                if not isinstance(chosen, ast.Ref) or chosen.name not in ("lhs", "random"):
                    raise BlockError(f"{where}: `method` is lhs or random")
                settings["method"] = chosen.name
            elif entry.name in ("maximize", "minimize"):
                settings[entry.name] = _objectives(entry.value, where)
            else:
                raise BlockError(f"{where}: unknown attribute `{entry.name}` in a sweep block")
        elif isinstance(entry, ast.Block):
            if entry.kind in _UNNAMED:
                prefix: tuple[str, ...] = (entry.kind,)
            elif entry.name is None:
                raise BlockError(f"{where}: name the {entry.kind} to vary: `{entry.kind} NAME {{`")
            else:
                prefix = (_PLURAL.get(entry.kind, entry.kind), entry.name)
            for attribute in entry.entries:
                if not isinstance(attribute, ast.Attribute):
                    continue
                inner = _where(file, attribute)
                value = attribute.value
                if isinstance(value, ast.MapValue):
                    for item in value.entries:
                        path = setting_path(*prefix, attribute.name, item.name)
                        axes.append(_axis(path, item.value, inner))
                else:
                    axes.append(_axis(setting_path(*prefix, attribute.name), value, inner))
    if not axes:
        raise BlockError(f"{_where(file, block)}: the sweep block varies nothing")
    samples, seed = settings.get("samples"), settings.get("seed")
    method, maximize, minimize = (
        settings.get("method"),
        settings.get("maximize", ()),
        settings.get("minimize", ()),
    )
    assert samples is None or isinstance(samples, int)
    assert seed is None or isinstance(seed, int)
    assert method is None or isinstance(method, str)
    assert isinstance(maximize, tuple) and isinstance(minimize, tuple)
    return SweepBlock(
        block.name or "",
        tuple(axes),
        samples,
        method,
        seed,
        maximize,
        minimize,
        tuple(constraints),
    )


def sweep_blocks(text: str, file: str) -> list[ast.Block]:
    """The `sweep` blocks at the top of a design file, in order."""
    module = parse_source(text, file).module
    return [e for e in module.entries if isinstance(e, ast.Block) and e.kind == "sweep"]


def choose(blocks: Sequence[ast.Block], name: str | None, file: str) -> ast.Block | None:
    """The block `--sweep NAME` picks (the first without it); BlockError when none is so named."""
    if name is None:
        return blocks[0] if blocks else None
    for block in blocks:
        if block.name == name:
            return block
    names = ", ".join(f"`{b.name}`" for b in blocks) or "none"
    raise BlockError(f"--sweep {name}: no such sweep block in {file}; its sweep blocks: {names}")
