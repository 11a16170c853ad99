"""A part defined in an imported file inherits what it extends, as a local part does."""

from __future__ import annotations

from pathlib import Path

from aiflang.driver import build_reports, compile_file

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = (ROOT / "reference_designs" / "gb200_two_su.aif").read_text(encoding="utf-8")


def _report(folder: Path, library: str, design: str) -> dict[str, object]:
    (folder / "parts.aif").write_text(library, encoding="utf-8")
    path = folder / "design.aif"
    path.write_text(design, encoding="utf-8")
    compilation = compile_file(path)
    assert [d.message for d in compilation.diagnostics if d.is_error] == []
    return build_reports(compilation)[0].model_dump()


def test_an_imported_rack_keeps_the_nodes_of_the_rack_it_extends(tmp_path: Path) -> None:
    library = "rack big_rack extends GB200_NVL72 { power = 140 kW }\n"
    design = 'import "parts.aif"\n\n' + REFERENCE.replace("16 x GB200_NVL72", "16 x big_rack")
    data = _report(tmp_path, library, design)
    # 16 racks of 18 trays x 4 GPUs, inherited from GB200_NVL72.
    assert data["capacity"]["gpus"] == 16 * 18 * 4  # type: ignore[index]
    local = _report(
        tmp_path, "", library + "\n" + REFERENCE.replace("16 x GB200_NVL72", "16 x big_rack")
    )
    assert local["capacity"] == data["capacity"]
    assert local["halls"] == data["halls"]
