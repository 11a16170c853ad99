"""Diagnostics latency of the language server on a 500-line design after an edit.

    python benchmarks/bench_lsp.py [--runs 15] [--lines 500]

The design: a library of compute-tray and rack variants (each a node and a
rack extending the catalog's GB200 parts, with their comments) and a
GB200 NVL72 factory of ten halls from gen_factory.py whose halls use them,
about 500 lines in all, valid, so every analysis runs.

Two figures, both warm (the server has compiled the design once before):

- in process: `analyse_document` plus the conversion of its findings to
  protocol diagnostics, after a one-line edit (median of the runs);
- end to end: `aifc lsp` as a subprocess, debounce set to 0, from sending
  `textDocument/didChange` to receiving `textDocument/publishDiagnostics`
  (median), over a plain JSON-RPC pipe.

Target: <= 100 ms warm, end to end. The debounce the server applies in
editors (150 ms by default) comes on top and is a choice, not work.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "compiler"))

from gen_factory import generate  # noqa: E402

TARGET_S = 0.100


def design(lines: int = 500) -> str:
    """A valid design of about `lines` lines: part variants, then a factory using them."""
    factory = generate(10_000)
    parts: list[str] = []
    variant = 0
    while len(parts) + len(factory.splitlines()) < lines - 10:
        parts += [
            f"# Tray variant {variant}: the GB200 compute tray as delivered by ODM {variant}.",
            f"node tray_{variant} extends GB200_tray {{",
            f"  power = {5.8 + variant / 100:.2f} kW  # measured at the PDU",
            "}",
            "",
            f"# Rack variant {variant}: 18 trays of variant {variant}.",
            f"rack rack_{variant} extends GB200_NVL72 {{",
            f"  nodes = 18 x tray_{variant}",
            "}",
            "",
        ]
        variant += 1
    # Each hall takes racks of one of the variants (power stays declared at 132 kW).
    for index in range(10):
        factory = factory.replace("x GB200_NVL72", f"x rack_{index % variant}", 1)
    return "\n".join(parts) + "\n" + factory


def edit_part(text: str, run: int) -> str:
    """A one-line edit in the library of parts: a tray's measured power."""
    return text.replace("power = 5.80 kW", f"power = {5.70 + run / 1000:.3f} kW", 1)


def edit_factory(text: str, run: int) -> str:
    """A one-line edit inside the factory (one 150-line block): the site's PUE."""
    return text.replace("pue         = 1.2", f"pue         = {1.2 + run / 1000:.3f}", 1)


EDITS = {"an edit in a part": edit_part, "an edit in the factory": edit_factory}


def in_process(text: str, runs: int, edit: Callable[[str, int], str]) -> list[float]:
    from aiflang.lsp.convert import to_lsp
    from aiflang.lsp.document import analyse_document
    from aiflang.syntax.incremental import ChunkedParser

    parser = ChunkedParser()

    with tempfile.TemporaryDirectory() as folder:
        uri = (Path(folder) / "design.aif").as_uri()
        analyse_document(uri, text, parse=parser)  # warm: catalog, grammar, chunks
        times = []
        for run in range(runs):
            changed = edit(text, run)
            start = time.perf_counter()
            document = analyse_document(uri, changed, parse=parser)
            diagnostics = [to_lsp(document, d) for d in document.compilation.diagnostics]
            times.append(time.perf_counter() - start)
            assert not any(d and d.severity == 1 for d in diagnostics), "the design has errors"
    return times


class Pipe:
    """A minimal JSON-RPC client over a subprocess's stdin and stdout."""

    def __init__(self, command: list[str]) -> None:
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=os.environ.copy()
        )
        self.next_id = 0

    def send(self, method: str, params: Any, *, request: bool = False) -> int | None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method, "params": params}
        ident = None
        if request:
            self.next_id += 1
            ident = message["id"] = self.next_id
        body = json.dumps(message).encode()
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        return ident

    def receive(self) -> dict[str, Any]:
        stream = self.process.stdout
        assert stream is not None
        length = 0
        while True:
            line = stream.readline()
            if not line:
                raise RuntimeError("the server closed its output")
            if line in (b"\r\n", b"\n"):
                break
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        data: dict[str, Any] = json.loads(stream.read(length))
        return data

    def wait(self, method: str | None = None, ident: int | None = None) -> dict[str, Any]:
        while True:
            message = self.receive()
            if ident is not None and message.get("id") == ident:
                return message
            if method is not None and message.get("method") == method:
                return message

    def close(self) -> None:
        ident = self.send("shutdown", None, request=True)
        self.wait(ident=ident)
        self.send("exit", None)
        self.process.wait(timeout=10)


def end_to_end(text: str, runs: int, edit: Callable[[str, int], str]) -> list[float]:
    with tempfile.TemporaryDirectory() as folder:
        uri = (Path(folder) / "design.aif").as_uri()
        pipe = Pipe([sys.executable, "-m", "aiflang", "lsp"])
        ident = pipe.send(
            "initialize",
            {"processId": os.getpid(), "capabilities": {}, "rootUri": None,
             "initializationOptions": {"debounce_ms": 0}},
            request=True,
        )  # fmt: skip
        pipe.wait(ident=ident)
        pipe.send("initialized", {})
        document = {"uri": uri, "languageId": "aif", "version": 1, "text": text}
        pipe.send("textDocument/didOpen", {"textDocument": document})
        pipe.wait("textDocument/publishDiagnostics")
        times = []
        for run in range(runs):
            start = time.perf_counter()
            pipe.send(
                "textDocument/didChange",
                {
                    "textDocument": {"uri": uri, "version": run + 2},
                    "contentChanges": [{"text": edit(text, run)}],
                },
            )
            pipe.wait("textDocument/publishDiagnostics")
            times.append(time.perf_counter() - start)
        pipe.close()
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--lines", type=int, default=500)
    args = parser.parse_args(argv)
    text = design(args.lines)
    print(f"design: {len(text.splitlines())} lines; medians of {args.runs} warm runs")
    worst = 0.0
    for label, edit in EDITS.items():
        assert edit(text, 1) != text, label
        local = statistics.median(in_process(text, args.runs, edit))
        remote = statistics.median(end_to_end(text, args.runs, edit))
        worst = max(worst, remote)
        print(
            f"{label}: in process (compile + convert) {local * 1000:.0f} ms; "
            f"end to end (didChange -> publishDiagnostics) {remote * 1000:.0f} ms"
        )
    status = "ok" if worst <= TARGET_S else "OVER"
    print(f"worst end to end {worst * 1000:.0f} ms (target <= {TARGET_S * 1000:.0f} ms) {status}")
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
