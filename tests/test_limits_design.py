"""The limits on a whole design (docs/limits.md): imports, `extends`, diagnostics per file.

At each limit the design is accepted; past it, one E108 names the limit. The
byte limit across imports is tested at a lowered value through the same
code path; the documentation test in test_limits.py checks the real values.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from aiflang.diagnostics import MAX_DIAGNOSTICS_PER_FAMILY, Diagnostic
from aiflang.driver import compile_file
from aiflang.frontend import imports
from aiflang.frontend.imports import MAX_DESIGN_FILES, MAX_IMPORTS_PER_FILE
from aiflang.frontend.resolve import MAX_EXTENDS_DEPTH


def diagnostics(path: Path) -> list[Diagnostic]:
    return compile_file(path).sink.sorted()


def limits(path: Path) -> list[Diagnostic]:
    return [d for d in diagnostics(path) if d.code == "E108"]


# extends ----------------------------------------------------------------------------


def extends_chain(folder: Path, depth: int, *, reverse: bool = False) -> Path:
    """g1 extends H100 (from the catalog), g2 extends g1, ...: `depth` definitions deep."""
    lines = ["gpu g1 extends H100 { price = 1 USD }\n"]
    lines += [f"gpu g{i} extends g{i - 1} {{ price = {i} USD }}\n" for i in range(2, depth)]
    path = folder / "chain.aif"
    path.write_text("".join(reversed(lines) if reverse else lines), encoding="utf-8")
    return path


def test_an_extends_chain_at_the_limit_is_accepted(tmp_path: Path) -> None:
    # H100 plus MAX_EXTENDS_DEPTH - 1 definitions: MAX_EXTENDS_DEPTH in the chain.
    assert diagnostics(extends_chain(tmp_path, MAX_EXTENDS_DEPTH)) == []


@pytest.mark.parametrize("reverse", [False, True], ids=["in order", "reversed"])
def test_an_extends_chain_past_the_limit_is_e108_once(tmp_path: Path, reverse: bool) -> None:
    found = limits(extends_chain(tmp_path, 3_000, reverse=reverse))
    first = found[0]
    assert first.message.endswith(f"extends a chain of more than {MAX_EXTENDS_DEPTH} definitions")
    if not reverse:
        # Definitions after the first too-deep one are left broken without another word.
        assert len(found) == 1
        assert first.message.startswith(f"gpu `g{MAX_EXTENDS_DEPTH}`")
    else:
        # Each definition walks its own chain; the sink keeps the first ones and counts the rest.
        assert len(found) == MAX_DIAGNOSTICS_PER_FAMILY + 1
        assert found[-1].message.startswith(
            f"{3_000 - MAX_EXTENDS_DEPTH - MAX_DIAGNOSTICS_PER_FAMILY:,} more"
        )


# Imports ----------------------------------------------------------------------------


def fan(folder: Path, count: int) -> Path:
    """main.aif imports `count` small libraries."""
    for index in range(count):
        (folder / f"lib{index}.aif").write_text(
            f"node n{index} {{ gpus = 8 x H100 }}\n", encoding="utf-8"
        )
    main = folder / "main.aif"
    main.write_text("".join(f'import "lib{i}.aif"\n' for i in range(count)), encoding="utf-8")
    return main


def test_a_file_may_import_up_to_the_breadth_limit(tmp_path: Path) -> None:
    assert diagnostics(fan(tmp_path, MAX_IMPORTS_PER_FILE)) == []


def test_imports_past_the_breadth_limit_are_e108(tmp_path: Path) -> None:
    (found,) = diagnostics(fan(tmp_path, MAX_IMPORTS_PER_FILE + 5))
    assert found.code == "E108"
    assert found.message.endswith(
        f"main.aif imports more than {MAX_IMPORTS_PER_FILE} files; this import and the rest "
        "are not read"
    )
    assert found.span is not None and found.span.line == MAX_IMPORTS_PER_FILE + 1


def tree(folder: Path, files: int) -> Path:
    """main.aif imports hubs of up to 31 libraries each: `files` files in all, main included."""
    per_hub = MAX_IMPORTS_PER_FILE - 1
    hubs = next(h for h in range(1, files) if -(-(files - 1 - h) // per_hub) == h)
    libraries = [f"lib{i}.aif" for i in range(files - 1 - hubs)]
    for name in libraries:
        (folder / name).write_text(f"node n{name[3:-4]} {{ gpus = 8 x H100 }}\n", encoding="utf-8")
    for index in range(hubs):
        members = libraries[index * per_hub : (index + 1) * per_hub]
        (folder / f"hub{index}.aif").write_text(
            "".join(f'import "{m}"\n' for m in members), encoding="utf-8"
        )
    main = folder / "main.aif"
    main.write_text("".join(f'import "hub{i}.aif"\n' for i in range(hubs)), encoding="utf-8")
    return main


def test_a_design_of_the_file_limit_is_read(tmp_path: Path) -> None:
    main = tree(tmp_path, MAX_DESIGN_FILES)
    assert len(list(tmp_path.glob("*.aif"))) == MAX_DESIGN_FILES
    assert diagnostics(main) == []


def test_a_design_past_the_file_limit_is_e108_once(tmp_path: Path) -> None:
    main = tree(tmp_path, MAX_DESIGN_FILES + 20)
    assert len(list(tmp_path.glob("*.aif"))) > MAX_DESIGN_FILES
    (found,) = limits(main)
    assert found.message.startswith(f"the design imports more than {MAX_DESIGN_FILES} files; ")


def test_the_byte_limit_across_imports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(imports, "MAX_DESIGN_BYTES", 1_000)
    for index in range(3):
        (tmp_path / f"lib{index}.aif").write_text("#" * 399 + "\n", encoding="utf-8")
    main = tmp_path / "main.aif"
    main.write_text('import "lib0.aif"\nimport "lib1.aif"\nimport "lib2.aif"\n', encoding="utf-8")
    (found,) = diagnostics(main)  # main (54 bytes) + two libraries fit; the third does not
    assert found.code == "E108"
    assert found.message.startswith("the design's files would total 1,254 bytes, over the limit")
    assert found.span is not None and found.span.line == 3


# Diagnostics per file -------------------------------------------------------------------


def test_each_family_keeps_its_first_diagnostics_and_counts_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "many.aif"
    count = MAX_DIAGNOSTICS_PER_FAMILY + 25
    path.write_text(
        "".join(f"rack r{i} {{ nodes = 1 x missing{i} }}\n" for i in range(count)),
        encoding="utf-8",
    )
    found = diagnostics(path)
    unknown = [d for d in found if d.code == "E201"]
    assert len(unknown) == MAX_DIAGNOSTICS_PER_FAMILY
    assert [d.span.line for d in unknown if d.span] == list(
        range(1, MAX_DIAGNOSTICS_PER_FAMILY + 1)
    )
    (rest,) = [d for d in found if d.code == "E108"]
    assert rest.message == (
        f"25 more name, type and value errors in this file are not shown; the first "
        f"{MAX_DIAGNOSTICS_PER_FAMILY} are"
    )


def test_a_family_at_the_limit_has_no_count(tmp_path: Path) -> None:
    path = tmp_path / "many.aif"
    path.write_text(
        "".join(
            f"rack r{i} {{ nodes = 1 x missing{i} }}\n" for i in range(MAX_DIAGNOSTICS_PER_FAMILY)
        ),
        encoding="utf-8",
    )
    found = diagnostics(path)
    assert len(found) == MAX_DIAGNOSTICS_PER_FAMILY
    assert {d.code for d in found} == {"E201"}


def test_stale_suppressions_are_capped_like_every_other_warning(tmp_path: Path) -> None:
    # Regression: one W101 per stale `# aifc: ignore[...]` line bypassed the cap,
    # so a 1 MiB file of them produced 47,000 warnings (5 s and 450 MB to render).
    path = tmp_path / "stale.aif"
    count = MAX_DIAGNOSTICS_PER_FAMILY + 7
    path.write_text("# aifc: ignore[W401]\n" * count + 'factory "f" {\n}\n', encoding="utf-8")
    found = compile_file(path).diagnostics
    stale = [d for d in found if d.code == "W101"]
    assert [d.span.line for d in stale if d.span] == list(range(1, MAX_DIAGNOSTICS_PER_FAMILY + 1))
    (rest,) = [d for d in found if d.code == "W103"]
    assert rest.message == (
        f"7 more warnings in this file are not shown; the first {MAX_DIAGNOSTICS_PER_FAMILY} are"
    )


# Diagnostics per file ----------------------------------------------------------------


def test_a_sink_absorbs_the_count_of_what_another_held_back() -> None:
    # Each factory's analyses report into a sink of their own; what that sink held
    # back over the cap is still counted in the file's summary.
    from aiflang.diagnostics import Sink, Span, codes

    own, file = Sink(), Sink()
    for line in range(MAX_DIAGNOSTICS_PER_FAMILY + 7):
        own.error(codes.E601, f"rule {line} fails", Span("d.aif", line + 1, 1, line + 1, 2))
    file.absorb(own)
    shown = file.sorted()
    assert [d.code for d in shown].count("E601") == MAX_DIAGNOSTICS_PER_FAMILY
    assert shown[-1].code == "E108"
    assert shown[-1].message.startswith("7 more requirement failures in this file")
    assert file.blocked == own.blocked
