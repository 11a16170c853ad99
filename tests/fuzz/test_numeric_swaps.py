"""Every numeric value of the reference designs through zero, one, tiny, huge, negative, fractional.

Each swap replaces one number (a quantity, a count, a scale-word number, a
`require` bound, a term of a ratio) by one of six values, either in a
reference design or in a catalog entry that design uses (the swapped entry
is appended to the design, where it shadows the built-in one). The result is
compiled in process and rendered as JSON, Markdown, HTML and text: whatever
the value, the outcome is a valid design or diagnostics, never an exception
(which the command line turns into exit 3).

The sweep is about 4,200 swaps. CI runs a fixed sample that covers every
kind of value at every attribute name, first (AIFC_NUMERIC_SWAPS, default
160); `AIFC_NUMERIC_SWAPS=all` runs them all (about five minutes here):

    AIFC_NUMERIC_SWAPS=all python -m pytest tests/fuzz/test_numeric_swaps.py
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from aiflang.driver import build_reports, compile_file
from aiflang.render.html import render_html
from aiflang.render.json_report import dumps
from aiflang.render.markdown import render_markdown
from aiflang.render.text import render_diagnostics
from aiflang.resources import catalog_dir
from aiflang.syntax import tree as ast
from aiflang.syntax.parser import parse_source
from aiflang.syntax.schema import COMPONENT_KINDS

ROOT = Path(__file__).resolve().parents[2]
REFERENCES = sorted(ROOT.joinpath("reference_designs").glob("*.aif"))

# Numbers as the grammar writes them. A ratio term has no sign or exponent.
VALUES = {
    "zero": "0",
    "one": "1",  # the smallest count: a one-port switch, one GPU
    "tiny": "1e-30",
    "huge": "1e30",
    "negative": "-1",
    "fractional": "0.5",
}
RATIO_TERMS = {
    "zero": "0",
    "one": "1",
    "tiny": "0." + "0" * 29 + "1",
    "huge": "1" + "0" * 30,
    "fractional": "0.5",
}


@dataclasses.dataclass(frozen=True)
class Swap:
    design: str
    where: str  # block path and attribute, e.g. `factory/serve/user_rate`
    kind: str  # a key of VALUES
    start: int
    end: int
    text: str
    original: str  # the number it replaces
    catalog_block: str | None = None  # a catalog entry to swap in, instead of the design

    def apply(self, design: str) -> str:
        if self.catalog_block is None:
            return design[: self.start] + self.text + design[self.end :]
        block = self.catalog_block
        return f"{design}\n{block[: self.start]}{self.text}{block[self.end :]}\n"

    def __str__(self) -> str:
        where = f"catalog {self.where}" if self.catalog_block else self.where
        return f"{self.design}@{self.start}: {where} {self.original} -> {self.text}"


def _numbers(node: object) -> Iterator[ast.Number | ast.Ratio]:
    if isinstance(node, ast.Number | ast.Ratio):
        yield node
    elif isinstance(node, tuple):
        for item in node:
            yield from _numbers(item)
    elif dataclasses.is_dataclass(node):
        for field in dataclasses.fields(node):
            if field.name != "span" and not field.name.endswith("_span"):
                yield from _numbers(getattr(node, field.name))


def _sites(
    entries: tuple[ast.Entry, ...], path: str
) -> Iterator[tuple[str, ast.Number | ast.Ratio]]:
    for entry in entries:
        if isinstance(entry, ast.Block):
            yield from _sites(entry.entries, f"{path}{entry.kind}/")
        elif isinstance(entry, ast.Attribute):
            for number in _numbers(entry.value):
                yield f"{path}{entry.name}", number
        elif isinstance(entry, ast.Require):
            for number in _numbers(entry.value):
                yield f"{path}require", number


def _swaps_of(
    text: str, entries: tuple[ast.Entry, ...], offset: int, design: str, block: str | None
) -> Iterator[Swap]:
    for where, number in _sites(entries, ""):
        start, end = number.span.offset - offset, number.span.end_offset - offset
        original = text[number.span.offset : number.span.end_offset]
        if isinstance(number, ast.Ratio):
            left, right = original.split(":")
            for kind, term in RATIO_TERMS.items():
                for ratio in (f"{term}:{right}", f"{left}:{term}"):
                    yield Swap(design, where, kind, start, end, ratio, original, block)
        else:
            for kind, value in VALUES.items():
                yield Swap(design, where, kind, start, end, value, original, block)


def all_swaps() -> list[Swap]:
    designs = {r.name: r.read_text(encoding="utf-8") for r in REFERENCES}
    swaps: list[Swap] = []
    for name, text in designs.items():
        module = parse_source(text, name).module
        swaps.extend(_swaps_of(text, module.entries, 0, name, None))
    for path in sorted(catalog_dir().glob("*.aif")):
        text = path.read_text(encoding="utf-8")
        for entry in parse_source(text, path.name).module.entries:
            if not isinstance(entry, ast.Block) or entry.kind not in COMPONENT_KINDS:
                continue
            used = re.compile(rf"\b{re.escape(entry.name or '')}\b")
            user = next((n for n, t in designs.items() if used.search(t)), None)
            if user is None:
                continue  # no reference design reaches it
            block = text[entry.span.offset : entry.span.end_offset]
            swaps.extend(_swaps_of(text, (entry,), entry.span.offset, user, block))
    return swaps


def sample(swaps: list[Swap], budget: int) -> list[Swap]:
    """Every (attribute, kind of value) pair once, first; then evenly spread, up to `budget`."""
    seen: set[tuple[str, str]] = set()
    first: list[Swap] = []
    for swap in swaps:
        key = (swap.where.rsplit("/", 1)[-1], swap.kind)
        if key not in seen:
            seen.add(key)
            first.append(swap)
    if len(first) >= budget:
        # as many of each kind of value, each kind's spread evenly over the attributes, so that
        # a new attribute cannot shift a kind out of the sample
        picked: list[Swap] = []
        share = budget // len(VALUES)
        for kind in VALUES:
            of_kind = [s for s in first if s.kind == kind]
            step = len(of_kind) / max(1, min(share, len(of_kind)))
            picked += [of_kind[int(i * step)] for i in range(min(share, len(of_kind)))]
        return picked
    rest = [s for s in swaps if s not in set(first)]
    extra = budget - len(first)
    step = max(1, len(rest) // max(1, extra))
    return first + rest[::step][:extra]


SETTING = os.environ.get("AIFC_NUMERIC_SWAPS", "160")
SWAPS = all_swaps()
CHOSEN = SWAPS if SETTING == "all" else sample(SWAPS, int(SETTING))


def test_the_sweep_covers_every_number_of_every_reference_design() -> None:
    designs = {s.design for s in SWAPS if s.catalog_block is None}
    assert designs == {r.name for r in REFERENCES}
    assert sum(1 for s in SWAPS if s.catalog_block is not None) > 500
    assert len(SWAPS) > 4000
    # The CI sample touches every attribute name that holds a number, with every value kind.
    names = {s.where.rsplit("/", 1)[-1] for s in SWAPS}
    if SETTING != "all":
        chosen_names = {s.where.rsplit("/", 1)[-1] for s in CHOSEN}
        assert len(chosen_names) >= min(len(names), int(SETTING) // len(VALUES))
        assert {s.kind for s in CHOSEN} == set(VALUES)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("swaps")


@pytest.mark.parametrize("swap", CHOSEN, ids=str)
def test_a_swapped_number_is_a_diagnostic_never_an_exception(swap: Swap, folder: Path) -> None:
    source = (ROOT / "reference_designs" / swap.design).read_text(encoding="utf-8")
    path = folder / swap.design
    path.write_text(swap.apply(source), encoding="utf-8")
    compilation = compile_file(path)
    render_diagnostics(compilation.sink.sorted(), compilation.sources)
    for report in build_reports(compilation):
        dumps(report)
        render_markdown(report)
        render_html(report)


def test_the_swaps_found_so_far_stay_fixed(folder: Path) -> None:
    # The full sweep found four bugs, each an exit 3: a zero user rate; a
    # one-port switch (no port left for an uplink, then a division by zero);
    # a GPU with zero memory bandwidth; a NIC with zero-speed ports.
    def found(swap: Swap) -> bool:
        if swap.kind == "zero":
            return swap.where.endswith(("serve/user_rate", "gpu/memory_bandwidth", "nic/ports"))
        return swap.kind == "one" and swap.where == "switch/ports"

    regressions = [s for s in SWAPS if found(s)]
    assert {s.where for s in regressions} == {
        "factory/serve/user_rate",
        "switch/ports",
        "gpu/memory_bandwidth",
        "nic/ports",
    }
    for swap in regressions:
        test_a_swapped_number_is_a_diagnostic_never_an_exception(swap, folder)
