"""Imports, company catalogs and overrides of built-in catalog entries."""

from __future__ import annotations

from pathlib import Path

from aiflang.driver import build_reports, compile_file

HALL = """
factory "f" {
  site { pue = 1.2 }
  hall A {
    it_power  = 1 MW
    positions = 10
    racks     = 1 x r
  }
}
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def codes(compilation: object) -> list[str]:
    return [d.code for d in compilation.sink.sorted()]  # type: ignore[attr-defined]


def test_a_node_from_an_imported_file_keeps_its_gpus_and_power(tmp_path: Path) -> None:
    # Regression: imported definitions were never merged, so this rack had 0 GPUs and 0 W.
    write(tmp_path, "lib.aif", "node lib_node {\n  gpus  = 8 x H200\n  power = 10.2 kW\n}\n")
    design = write(
        tmp_path, "d.aif", 'import "lib.aif"\nrack r {\n  nodes = 4 x lib_node\n}\n' + HALL
    )
    compilation = compile_file(design)
    (report,) = build_reports(compilation)
    assert report.capacity is not None and report.capacity.gpus == 32
    assert report.halls[0].it_load_w == 4 * 10.2e3


def test_company_catalog_override_by_import_wins_and_is_reported(tmp_path: Path) -> None:
    write(
        tmp_path,
        "company.aif",
        "# Our negotiated figures.\ngpu H200 extends H200 {\n  tdp   = 650 W\n"
        "  price = 28000 USD\n}\n",
    )
    design = write(
        tmp_path,
        "d.aif",
        'import "company.aif"\nnode n {\n  gpus = 8 x H200\n}\nrack r {\n  nodes = 1 x n\n}\n'
        + HALL,
    )
    compilation = compile_file(design)
    (built,) = compilation.designs
    h200 = built.components.gpus["H200"]
    assert h200.tdp_w == 650 and h200.price_usd == 28000
    assert h200.memory_bytes == 141e9  # kept from the built-in entry it extends
    assert not h200.builtin
    assert "W202" not in codes(compilation)  # extends is a deliberate override
    (report,) = build_reports(compilation)
    (override,) = report.catalog_overrides
    assert (override.kind, override.name, override.extends) == ("gpu", "H200", True)
    assert override.file.endswith("company.aif") and override.line == 2


def test_redefining_a_builtin_without_extends_is_warned(tmp_path: Path) -> None:
    write(
        tmp_path,
        "company.aif",
        "gpu H100 {\n  memory = 80 GB\n  memory_bandwidth = 3 TB/s\n  tdp = 700 W\n}\n",
    )
    design = write(tmp_path, "d.aif", 'import "company.aif"\n' + HALL.replace("1 x r", "1 x R"))
    write(tmp_path, "unused.aif", "")
    compilation = compile_file(design)
    warnings = [d for d in compilation.sink.sorted() if d.code == "W202"]
    assert len(warnings) == 1
    assert warnings[0].message == "gpu `H100` shadows the built-in catalog gpu `H100`"
    assert warnings[0].span is not None and warnings[0].span.file.endswith("company.aif")
    (report,) = build_reports(compilation)
    assert [o.extends for o in report.catalog_overrides] == [False]


def test_extra_catalog_layer_sits_between_builtin_and_design(tmp_path: Path) -> None:
    company = write(tmp_path, "company.aif", "gpu B200 extends B200 {\n  price = 30000 USD\n}\n")
    design = write(
        tmp_path,
        "d.aif",
        "gpu B200 extends B200 {\n  tdp = 900 W\n}\nnode n {\n  gpus = 8 x B200\n}\n"
        "rack r {\n  nodes = 1 x n\n}\n" + HALL,
    )
    compilation = compile_file(design, catalog=[company])
    b200 = compilation.designs[0].components.gpus["B200"]
    # The design's extends reaches the company layer, which reaches the built-in entry.
    assert (b200.tdp_w, b200.price_usd, b200.memory_bytes) == (900, 30000, 180e9)
    assert not any(d.is_error for d in compilation.sink.sorted())


def test_unreadable_extra_catalog_is_one_clear_error(tmp_path: Path) -> None:
    design = write(tmp_path, "d.aif", "rack r {\n  nodes = 1 x DGX_H100\n}\n" + HALL)
    compilation = compile_file(design, catalog=[tmp_path / "missing.aif"])
    (error,) = [d for d in compilation.sink.sorted() if d.is_error]
    assert error.code == "E213" and "missing.aif" in error.message


def test_the_public_api_takes_extra_catalogs(tmp_path: Path) -> None:
    import aiflang

    company = write(tmp_path, "company.aif", "gpu B200 extends B200 {\n  price = 30000 USD\n}\n")
    design = write(
        tmp_path, "d.aif", "node n {\n  gpus = 8 x B200\n}\nrack r {\n  nodes = 1 x n\n}\n" + HALL
    )
    result = aiflang.compile(design, catalog=[company])
    (report,) = result.reports
    assert [(o.name, o.extends, o.file) for o in report.catalog_overrides] == [
        ("B200", True, str(company))
    ]
