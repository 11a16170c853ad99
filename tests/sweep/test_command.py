"""`aifc sweep` end to end: outputs, determinism, exit codes for bad options."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from aiflang.cli import main
from aiflang.sweep.command import MAX_VARIANTS

ROOT = Path(__file__).resolve().parents[2]
DESIGN = ROOT / "reference_designs" / "gb200_two_su.aif"
VARY = (
    "--vary",
    "halls.A.racks=[16 x GB200_NVL72, 16 x GB300_NVL72]",
    "--vary",
    "site.pue=1.1..1.3 step 0.1",
    "--vary",
    "site.power_price=0.06..0.09 USD/kWh",
    "--samples",
    "3",
    "--constraint",
    "capacity.facility_power_w <= 3 MW",
)


def sweep(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["sweep", str(DESIGN), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_sweep_writes_its_table_front_summary_and_report(tmp_path: Path) -> None:
    out = tmp_path / "s"
    code, stdout, _ = sweep(*VARY, "--serial", "-o", str(out))
    assert code == 0, stdout
    assert "18 variants: 18 valid" in stdout
    with (out / "results.csv").open(encoding="utf-8") as handle:
        table = list(csv.DictReader(handle))
    assert len(table) == 18
    assert [r["index"] for r in table] == [str(i) for i in range(18)]
    # 1.2 x 2.35 MW = 2.83 MW fits under 3 MW; 1.3 x 2.35 MW = 3.06 MW does not.
    for r in table:
        facility = float(r["facility_power_w"])
        assert facility == pytest.approx(float(r["it_power_w"]) * float(r["site.pue"]))
        assert (r["feasible"] == "true") == (facility <= 3e6)
    summary = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert summary["variants"] == 18 and summary["feasible"] == 12
    front = [r for r in table if r["on_front"] == "true"]
    assert [int(r["index"]) for r in front] == summary["front"]
    with (out / "pareto.csv").open(encoding="utf-8") as handle:
        assert [r["index"] for r in csv.DictReader(handle)] == [r["index"] for r in front]
    html = (out / "sweep.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 1 + 3 * 2  # the front, and each input against 2 objectives
    assert "http" not in html.split("<body>")[1]  # nothing loaded from the network
    assert f"wrote {out}/results.csv, " in stdout
    pq = pytest.importorskip("pyarrow.parquet")
    assert f"wrote {out}/results.csv, results.parquet, pareto.csv, sweep.json, sweep.html" in stdout
    parquet = pq.read_table(out / "results.parquet").to_pylist()
    assert [r["tco_usd"] for r in parquet] == [float(r["tco_usd"]) for r in table]
    assert parquet[0]["feasible"] is (table[0]["feasible"] == "true")


def test_without_pyarrow_the_csv_is_written_and_a_note_says_why_parquet_is_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # `import pyarrow` raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    out = tmp_path / "s"
    code, stdout, stderr = sweep("--vary", "site.pue=[1.1, 1.2]", "--serial", "-o", str(out))
    assert code == 0
    assert f"wrote {out}/results.csv, pareto.csv, sweep.json, sweep.html" in stdout
    assert "note: results.parquet not written: Parquet output needs pyarrow" in stderr
    assert (out / "results.csv").exists() and not (out / "results.parquet").exists()


def test_other_objectives_in_the_same_folder_are_computed_not_read_as_missing(
    tmp_path: Path,
) -> None:
    out, fresh = str(tmp_path / "s"), str(tmp_path / "fresh")
    assert sweep(*VARY, "--serial", "-o", out)[0] == 0
    other = ("--maximize", "tokens_per_s", "--minimize", "capex_usd")
    code, stdout, _ = sweep(*VARY, *other, "--serial", "-o", out)
    expected = sweep(*VARY, *other, "--serial", "-o", fresh)[1]
    assert code == 0
    assert "best to minimise capex_usd: #" in stdout
    assert stdout.replace(out, fresh) == expected
    assert (tmp_path / "s" / "pareto.csv").read_bytes() == (
        tmp_path / "fresh" / "pareto.csv"
    ).read_bytes()


def test_the_same_plan_writes_the_same_bytes_on_the_pool(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    assert sweep(*VARY, "--serial", "-o", str(a))[0] == 0
    assert sweep(*VARY, "--workers", "2", "-o", str(b))[0] == 0
    for name in ("results.csv", "pareto.csv", "sweep.html", "results.parquet"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "at least one --vary"),
        (("--vary", "halls.B.racks=[16 x GB200_NVL72]"), "no hall `B`"),
        (("--vary", "site.pue=[1.2]", "--vary", "site.pue=[1.3]"), "given twice"),
        (("--vary", "site.pue=[1.2]", "--constraint", "capacity.gpus"), "PATH OP VALUE"),
        (("--vary", "site.pue=[1.2]", "--constraint", "capacity.gpu >= 1"), "did you mean"),
        (("--vary", "site.pue=[1.2]", "--maximize", "tokens_per_mw"), "is not in the report"),
        (("--vary", "site.pue=1..2"), "--samples"),
        (("--vary", "site.pue=[fast]"), "expects a plain number"),
        (("--vary", "site.pue=[1.2, 1.3 =]"), "`1.3 =` is not a value"),
        (("--vary", "site.pue=[1.2]", "--maximize", "capacity.gpus_by_model"), "not a numeric"),
        (
            ("--vary", "site.pue=1..10000 step 1", "--vary", "site.power_price=1..1001 step 1"),
            f"10,010,000 variants is over the limit of {MAX_VARIANTS:,}",
        ),
    ],
)
def test_bad_options_exit_2_with_one_line(
    args: tuple[str, ...], message: str, tmp_path: Path
) -> None:
    code, _, stderr = sweep(*args, "--serial", "-o", str(tmp_path / "x"))
    assert code == 2
    assert message in stderr
    assert len(stderr.strip().splitlines()) == 1


def test_an_output_folder_that_cannot_be_written_is_exit_2(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    code, _, stderr = sweep("--vary", "site.pue=[1.2]", "--serial", "-o", str(blocker / "out"))
    assert code == 2
    assert stderr.startswith("aifc: cannot write") and len(stderr.strip().splitlines()) == 1


def test_the_charts_label_objectives_with_their_units(tmp_path: Path) -> None:
    out = tmp_path / "s"
    code, _, _ = sweep("--vary", "site.pue=[1.2, 1.3]", "--serial", "-o", str(out))
    assert code == 0
    html = (out / "sweep.html").read_text(encoding="utf-8")
    assert "maximise tokens_per_s_per_mw (tokens/s/MW)" in html
    assert "minimise cost_per_million_tokens_usd (USD/Mtok)" in html


def test_ray_without_a_cluster_is_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("ray")
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    code, _, stderr = sweep("--vary", "site.pue=[1.2]", "--ray", "auto", "-o", str(tmp_path))
    assert code == 2
    assert "--ray auto: cannot reach a Ray cluster" in stderr


def test_a_sweep_stopped_by_ctrl_c_resumes_where_it_stopped(tmp_path: Path) -> None:
    """A real interruption: SIGINT mid-run, then the same command finishes the rest."""
    import os
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "s"
    command = [
        sys.executable,
        "-m",
        "aiflang",
        "sweep",
        str(DESIGN),
        "--vary",
        "site.pue=1.1..1.4",
        "--vary",
        "site.power_price=0.06..0.09 USD/kWh",
        "--samples",
        "160",
        "--serial",
        "-o",
        str(out),
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "compiler")}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    store = out / "results.jsonl"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (
        not store.exists() or not store.read_text(encoding="utf-8").count("\n")
    ):
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) == 130
    done = store.read_text(encoding="utf-8").count("\n")
    assert 0 < done < 160
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    lines = store.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 160  # the first run's variants were not computed again
    whole = tmp_path / "whole"
    again = subprocess.run(
        [*command[:-1], str(whole)], env=env, capture_output=True, text=True, timeout=300
    )
    assert again.returncode == 0
    assert (out / "results.csv").read_bytes() == (whole / "results.csv").read_bytes()
