"""The results table of a sweep: one row per variant, as CSV and as Parquet.

Columns, in order: `index`, `key`, one column per varied input (named by
its path, holding the value text as set), `valid`, `feasible`, `on_front`,
`errors`, `first_error`, the key figures (`engine.FIGURES`, SI units and
USD as in the JSON report), the per-workload figures, then any objective
that is a report path rather than a figure. Numbers are written with
`repr` precision so the CSV reads back to the same floats.

Parquet needs pyarrow (`pip install 'aiflang[sweep]'`); without it
`write_parquet` raises `MissingPyarrow` and the CSV is still written.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiflang.fileio import write_bytes, write_text
from aiflang.sweep.engine import FIGURES, Row, Value


class MissingPyarrow(RuntimeError):
    """Parquet output was asked for but pyarrow is not installed."""


def columns(rows: Sequence[Row], inputs: Sequence[str]) -> list[str]:
    """The table's columns for `rows` (see the module docstring)."""
    extra: set[str] = set()
    objective_paths: set[str] = set()
    for row in rows:
        extra.update(k for k in row.figures if k not in FIGURES)
        objective_paths.update(row.objectives)
    objective_columns = sorted(p for p in objective_paths if p not in FIGURES and p not in extra)
    return [
        "index",
        "key",
        *inputs,
        "valid",
        "feasible",
        "on_front",
        "errors",
        "first_error",
        *FIGURES,
        *sorted(extra),
        *objective_columns,
    ]


def records(rows: Sequence[Row], inputs: Sequence[str], front: set[int]) -> list[dict[str, Value]]:
    """The rows as flat records over `columns(rows, inputs)`."""
    names = columns(rows, inputs)
    out: list[dict[str, Value]] = []
    for row in rows:
        given = dict(row.inputs)
        record: dict[str, Value] = {
            "index": row.index,
            "key": row.key,
            **{path: given.get(path) for path in inputs},
            "valid": row.valid,
            "feasible": row.feasible,
            "on_front": row.index in front,
            "errors": row.errors,
            "first_error": row.first_error,
        }
        for name in names[len(record) :]:
            record[name] = row.figures.get(name, row.objectives.get(name))
        out.append({name: record.get(name) for name in names})
    return out


def _cell(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def csv_text(rows: Sequence[Row], inputs: Sequence[str], front: set[int]) -> str:
    """The table as CSV text (RFC 4180 quoting, `\\n` line ends)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    names = columns(rows, inputs)
    writer.writerow(names)
    for record in records(rows, inputs, front):
        writer.writerow([_cell(record[n]) for n in names])
    return buffer.getvalue()


def write_csv(path: Path, rows: Sequence[Row], inputs: Sequence[str], front: set[int]) -> None:
    write_text(path, csv_text(rows, inputs, front))


def _arrow_type(values: list[Any]) -> str:
    present = [v for v in values if v is not None]
    if present and all(isinstance(v, bool) for v in present):
        return "bool"
    if present and all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        return "int64"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        return "float64"
    return "string"


def write_parquet(path: Path, rows: Sequence[Row], inputs: Sequence[str], front: set[int]) -> None:
    """The table as Parquet, with typed columns (bool, int64, float64, string)."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingPyarrow("Parquet output needs pyarrow: pip install 'aiflang[sweep]'") from None
    names = columns(rows, inputs)
    table_records = records(rows, inputs, front)
    arrays = {}
    for name in names:
        values = [r[name] for r in table_records]
        kind = _arrow_type(values)
        if kind == "float64":
            values = [float(v) if v is not None else None for v in values]
        elif kind == "string":
            values = [_cell(v) if v is not None else None for v in values]
        types = {"bool": pa.bool_(), "int64": pa.int64(), "float64": pa.float64()}
        arrays[name] = pa.array(values, type=types.get(kind, pa.string()))
    table = pa.table(arrays)
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer)
    write_bytes(path, buffer.getvalue().to_pybytes())
