"""Hostile inputs, one generator per family, sized up to the 1 MiB file limit.

Each family is a function of a size in bytes that returns the files of one
design (relative path -> text); `main.aif` is the one to validate. At the
full size (`FULL`, just under `MAX_FILE_BYTES`) a family is as large as one
file may be; families of several files or of deep chains scale their file
count or depth with the size as well (`size / FULL` of the full-scale
count). Every family must be answered by `aifc validate` within the targets
of docs/limits.md: a diagnostic or a clean result, in seconds and bounded
memory, never a traceback or an internal error.

The fuzz suite runs every family at a small size (`tests/fuzz/test_hostile.py`);
`benchmarks/bench_hostile.py` runs them at full size and prints the time and
peak memory of each.

    python tests/fuzz/hostile.py FAMILY FOLDER [--size BYTES]   # write one family
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

MAX_FILE_BYTES = 1024 * 1024  # aiflang.syntax.parser.MAX_FILE_BYTES (checked in the tests)
FULL = MAX_FILE_BYTES - 256  # "just under" the limit: room for a header line

Files = dict[str, str]
Family = Callable[[int], Files]

FAMILIES: dict[str, Family] = {}


def family(function: Family) -> Family:
    FAMILIES[function.__name__] = function
    return function


def _fill(unit: str, size: int, prefix: str = "", suffix: str = "") -> str:
    """`prefix`, then `unit` repeated up to `size` bytes in all, then `suffix`."""
    room = max(0, size - len(prefix.encode()) - len(suffix.encode()))
    return prefix + unit * (room // max(1, len(unit.encode()))) + suffix


def _repeat(make: Callable[[int], str], size: int, prefix: str = "", suffix: str = "") -> str:
    """`prefix`, then make(0), make(1), ... while they fit in `size` bytes, then `suffix`."""
    parts = [prefix]
    used = len(prefix.encode()) + len(suffix.encode())
    index = 0
    while True:
        piece = make(index)
        used += len(piece.encode())
        if used > size:
            break
        parts.append(piece)
        index += 1
    parts.append(suffix)
    return "".join(parts)


def _scaled(full_count: int, size: int, minimum: int = 2) -> int:
    return max(minimum, round(full_count * size / FULL))


def _value(chain: str, size: int) -> Files:
    """One attribute whose value is `chain`, repeated to fill the file on one line."""
    return {"main.aif": _fill(chain, size, "node n {\n  power = 1", "\n}\n")}


# One long line of one character ---------------------------------------------------


@family
def dots(size: int) -> Files:
    return {"main.aif": _fill(".", size)}


@family
def closing_braces(size: int) -> Files:
    return {"main.aif": _fill("}", size)}


@family
def empty_lists(size: int) -> Files:
    return {"main.aif": _fill("[]", size)}


@family
def empty_labels(size: int) -> Files:
    return {"main.aif": _fill('""', size)}


@family
def carriage_returns(size: int) -> Files:
    return {"main.aif": _fill("\r", size)}


@family
def line_breaks(size: int) -> Files:
    return {"main.aif": _fill("\n", size)}


@family
def opening_braces(size: int) -> Files:
    return {"main.aif": _fill("{", size)}


@family
def equals_signs(size: int) -> Files:
    return {"main.aif": _fill("=", size, "node n {\n  power ", "\n}\n")}


@family
def one_long_name(size: int) -> Files:
    return {"main.aif": _fill("a", size, "node n {\n  gpus = 8 x ", "\n}\n")}


@family
def one_long_label(size: int) -> Files:
    return {"main.aif": _fill("a", size, 'node n {\n  source = "', '"\n}\n')}


@family
def one_long_unit(size: int) -> Files:
    return {"main.aif": _fill("/kW", size, "node n {\n  power = 1 kW", "\n}\n")}


@family
def one_long_comment(size: int) -> Files:
    return {"main.aif": _fill("#", size, "", "\nnode n {\n  gpus = 8 x H100\n}\n")}


@family
def stale_suppressions(size: int) -> Files:
    """A suppression comment on every line, each hiding nothing (W101 per line)."""
    return {"main.aif": _fill("# aifc: ignore[W401]\n", size, "", 'factory "f" {\n}\n')}


# Chains of operators in one value ------------------------------------------------


@family
def slash_chain(size: int) -> Files:
    return _value("/1", size)


@family
def times_chain(size: int) -> Files:
    return _value(" x1", size)


@family
def ratio_chain(size: int) -> Files:
    return _value(":1", size)


@family
def redundancy_chain(size: int) -> Files:
    return {"main.aif": _fill("N+1", size, "node n {\n  power = ", "\n}\n")}


@family
def plus_chain(size: int) -> Files:
    return _value("+", size)


@family
def percent_chain(size: int) -> Files:
    return _value("%", size)


@family
def exponent_chain(size: int) -> Files:
    return {"main.aif": _fill("^1", size, "node n {\n  power = 1 MW", "\n}\n")}


@family
def scale_chain(size: int) -> Files:
    return _value(" million", size)


@family
def exponent_digits(size: int) -> Files:
    return {"main.aif": _fill("9", size, "node n {\n  power = 1 MW^", "\n}\n")}


@family
def number_digits(size: int) -> Files:
    return {"main.aif": _fill("9", size, "node n {\n  power = ", " kW\n}\n")}


@family
def ratio_digits(size: int) -> Files:
    half = _fill("9", size // 2 - 64)
    return {
        "main.aif": 'factory "f" {\n  fabric c {\n    connects = compute\n'
        f"    oversubscription = {half}:{half[: len(half) - 64]}\n  }}\n}}\n"
    }


@family
def path_segments(size: int) -> Files:
    return {"main.aif": _fill(".a", size, 'factory "f" {\n  require capacity', " >= 1\n}\n")}


# Many lines, each a mistake --------------------------------------------------------


@family
def missing_values(size: int) -> Files:
    return {"main.aif": _repeat(lambda i: f"node n{i} {{ power = }}\n", size)}


@family
def top_level_attributes(size: int) -> Files:
    return {"main.aif": _fill("a=1\n", size)}


@family
def stray_characters(size: int) -> Files:
    return {"main.aif": _fill("@\n", size)}


@family
def closing_brace_lines(size: int) -> Files:
    return {"main.aif": _fill("}\n", size)}


@family
def wrong_dimensions(size: int) -> Files:
    return {"main.aif": _repeat(lambda i: f"node n{i} {{\n  power = 3 MWh\n}}\n", size)}


@family
def unknown_units(size: int) -> Files:
    return {"main.aif": _repeat(lambda i: f"node n{i} {{\n  power = 3 kWx{i}\n}}\n", size)}


# Many small valid things -------------------------------------------------------------


@family
def empty_gpu_blocks(size: int) -> Files:
    return {"main.aif": _repeat(lambda i: f"gpu g{i} {{}}\n", size)}


@family
def halls(size: int) -> Files:
    return {
        "main.aif": _repeat(
            lambda i: f"  hall h{i} {{ it_power = 1 MW, positions = 4 }}\n",
            size,
            'factory "f" {\n  site { pue = 1.2 }\n',
            "}\n",
        )
    }


@family
def valid_halls(size: int) -> Files:
    """Thousands of halls that pass the front end, so every analysis runs on them."""
    return {
        "main.aif": _repeat(
            lambda i: (
                f"  hall h{i} {{\n    it_power = 1 MW\n    ups = 2 x 1 MW\n    redundancy = N+1\n"
                "    cooling = { liquid = 1 MW, air = 0.2 MW }\n    positions = 4\n"
                "    racks = 2 x GB200_NVL72\n  }\n"
            ),
            size,
            'factory "f" {\n  site { pue = 1.2 }\n'
            "  fabric compute { connects = compute, leaf = Q3400, spine = Q3400 }\n"
            '  serve "chat" { params = 70 billion }\n',
            "}\n",
        )
    }


@family
def valid_workloads(size: int) -> Files:
    """Thousands of serving and training workloads on one valid hall."""
    return {
        "main.aif": _repeat(
            lambda i: (
                f'  serve "s{i}" {{ params = {1 + i % 400} billion, share = 0.01% }}\n'
                if i % 2
                else f'  train "t{i}" {{ params = {1 + i % 400} billion, tokens = 1 trillion }}\n'
            ),
            size,
            'factory "f" {\n  site { pue = 1.2 }\n'
            "  hall A {\n    it_power = 3 MW\n    ups = 4 x 1 MW\n    redundancy = N+1\n"
            "    cooling = { liquid = 2.6 MW, air = 0.6 MW }\n    positions = 40\n"
            "    racks = 16 x GB200_NVL72\n  }\n"
            "  fabric compute { connects = compute, leaf = Q3400, spine = Q3400 }\n",
            "}\n",
        )
    }


@family
def require_rules(size: int) -> Files:
    return {
        "main.aif": _repeat(
            lambda i: f"  require capacity.gpus >= {i}\n",
            size,
            'factory "f" {\n  site { pue = 1.2 }\n',
            "}\n",
        )
    }


@family
def unknown_attributes(size: int) -> Files:
    return {"main.aif": _repeat(lambda i: f"  attribute{i} = 1\n", size, "node n {\n", "}\n")}


@family
def serve_blocks(size: int) -> Files:
    return {
        "main.aif": _repeat(
            lambda i: f'  serve "s{i}" {{ params = 70 billion }}\n',
            size,
            'factory "f" {\n  site { pue = 1.2 }\n',
            "}\n",
        )
    }


@family
def rack_list(size: int) -> Files:
    return {
        "main.aif": _repeat(
            lambda i: "1 x DGX_H100, ",
            size,
            "rack r {\n  nodes = [",
            "1 x DGX_H100]\n}\n",
        )
    }


@family
def unknown_node_racks(size: int) -> Files:
    return {
        "main.aif": _repeat(
            lambda i: f"rack r{i} {{ nodes = 1 x missing }}\n",
            size,
        )
    }


@family
def duplicate_definitions(size: int) -> Files:
    return {"main.aif": _repeat(lambda i: "gpu g { memory = 80 GB }\n", size)}


@family
def node_library(size: int) -> Files:
    """A valid library of node types, then a factory: a 1 MiB design that validates."""
    factory = (
        'factory "f" {\n  site { pue = 1.2, utility = 10 MW }\n'
        "  hall A {\n    it_power = 2 MW\n    positions = 20\n    racks = 10 x r\n  }\n}\n"
        "rack r {\n  nodes = 4 x n0\n  power = 60 kW\n}\n"
    )
    return {
        "main.aif": _repeat(
            lambda i: (
                f"# node type {i}\nnode n{i} {{\n  gpus  = 8 x H100\n"
                f"  nics  = [8 x CX7 for compute, 1 x BF3 for frontend]\n"
                f"  power = {10 + i % 5}.2 kW\n}}\n"
            ),
            size,
            suffix=factory,
        )
    }


# Chains across definitions and files -------------------------------------------------


@family
def extends_chain(size: int) -> Files:
    """A chain of `extends` 3,000 deep at full size (about 90 kB)."""
    depth = _scaled(3000, size)
    lines = ["gpu g0 extends H100 { price = 1 USD }\n"]
    lines += [f"gpu g{i} extends g{i - 1} {{ price = {i} USD }}\n" for i in range(1, depth)]
    return {"main.aif": "".join(lines)}


@family
def extends_tree(size: int) -> Files:
    """Every definition extends the same base: wide, not deep."""
    return {
        "main.aif": _repeat(
            lambda i: f"gpu g{i} extends H100 {{ price = {i} USD }}\n",
            size,
        )
    }


@family
def import_fan(size: int) -> Files:
    """400 files at full size, each importing all 400."""
    count = _scaled(400, size)
    imports = "".join(f'import "f{j}.aif"\n' for j in range(count))
    files = {f"f{i}.aif": imports + f"node n{i} {{ gpus = 8 x H100 }}\n" for i in range(count)}
    files["main.aif"] = imports
    return files


@family
def import_big_files(size: int) -> Files:
    """Ten imported files, each of `size` bytes of node definitions."""
    files: Files = {}
    for index in range(10):
        files[f"lib{index}.aif"] = _repeat(
            lambda i, index=index: f"node n{index}_{i} {{\n  gpus = 8 x H100\n}}\n", size
        )
    files["main.aif"] = "".join(f'import "lib{i}.aif"\n' for i in range(10))
    return files


@family
def import_chain(size: int) -> Files:
    """Sixteen files deep (the import depth limit), each of `size` bytes."""
    files: Files = {}
    for index in range(16):
        follows = f'import "f{index + 1}.aif"\n' if index < 15 else ""
        files[f"f{index}.aif"] = _repeat(
            lambda i, index=index: f"node n{index}_{i} {{ gpus = 8 x H100 }}\n",
            size // 4,
            follows,
        )
    files["main.aif"] = 'import "f0.aif"\n'
    return files


def write(name: str, folder: Path, size: int = FULL) -> Path:
    """Write family `name` at `size` into `folder`; return the path of main.aif."""
    folder.mkdir(parents=True, exist_ok=True)
    for relative, text in FAMILIES[name](size).items():
        (folder / relative).write_text(text, encoding="utf-8", newline="")
    return folder / "main.aif"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write one family of hostile input.")
    parser.add_argument("family", choices=sorted(FAMILIES))
    parser.add_argument("folder", type=Path)
    parser.add_argument("--size", type=int, default=FULL)
    args = parser.parse_args(argv)
    print(write(args.family, args.folder, args.size))
    return 0


if __name__ == "__main__":
    sys.exit(main())
