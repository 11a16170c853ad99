"""The `aifc` command line: I/O and exit codes only.

Exit codes: 0 the design is valid (warnings allowed unless --strict), 1 the
design has errors, 2 the command was used wrongly or a file could not be
read, 3 an internal error (a bug). Heavy imports happen inside the commands
so `aifc --help` stays fast.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from aiflang.diagnostics import Diagnostic
    from aiflang.driver import Compilation

ISSUES_URL = "https://github.com/aifc-dev/aifc/issues"
EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

F = TypeVar("F", bound=Callable[..., Any])


class UsageError(Exception):
    """A problem with how the command was used or with reading a file: exit 2."""


def _guarded(function: F) -> F:
    """Turn usage problems into one line and exit 2, and bugs into exit 3."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(kwargs.get("debug")) or os.environ.get("AIFC_DEBUG") == "1"
        try:
            return function(*args, **kwargs)
        except UsageError as error:
            click.echo(f"aifc: {error}", err=True)
            sys.exit(EXIT_USAGE)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except RecursionError:
            click.echo("aifc: the input is nested too deeply to process", err=True)
            sys.exit(EXIT_USAGE)
        except BrokenPipeError:
            # The reader went away (`aifc validate ... | head`): not a bug. Point stdout
            # at /dev/null so the interpreter's final flush does not fail again.
            with contextlib.suppress(OSError, ValueError):
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            sys.exit(EXIT_USAGE)
        except Exception as error:  # an escaped exception is a bug by definition
            if debug:
                import traceback

                traceback.print_exc()
            where = ""
            tb = error.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            if tb is not None:
                where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}"
            click.echo(
                f"aifc: internal error: {type(error).__name__}: {error}{where}\n"
                f"This is a bug in aifc, not in your design. Please report it at {ISSUES_URL} "
                "(rerun with --debug for the traceback).",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def _colour(stream: Any) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return bool(getattr(stream, "isatty", lambda: False)())


def _design_files(paths: tuple[str, ...]) -> list[Path]:
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.aif") if p.is_file())
            if not found:
                raise UsageError(f"{raw}: folder holds no .aif files")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        elif path.exists():
            raise UsageError(f"{raw}: not a regular file")
        else:
            raise UsageError(f"{raw}: no such file or folder")
    for file in files:
        if not os.access(file, os.R_OK):
            raise UsageError(f"{file}: cannot be read (permission denied)")
    return files


def _compile(file: Path, root: str | None, *, analyse: bool = True) -> Compilation:
    from aiflang.driver import compile_file

    root_path = Path(root) if root else None
    if root_path is not None and not root_path.is_dir():
        raise UsageError(f"--root {root}: not a folder")
    if root_path is not None and not file.resolve().is_relative_to(root_path.resolve()):
        raise UsageError(f"{file}: outside the project root {root}")
    return compile_file(file, root=root_path, analyse=analyse)


def _write(output: str | None, text: str) -> None:
    """Write to a file atomically (temp file and rename), or to stdout."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    from aiflang.fileio import write_atomic

    try:
        write_atomic(Path(output), text)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror or error}") from error


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="aiflang", prog_name="aifc")
def main() -> None:
    """aifc: check and report on AI-factory designs written in .aif."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    help="Output format.",
)
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option(
    "--root", help="Project root that imports may not leave (default: each file's folder)."
)
@click.option("--max-errors", type=click.IntRange(min=1), help="Show at most N diagnostics.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the summary.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def validate(
    paths: tuple[str, ...],
    fmt: str,
    strict: bool,
    root: str | None,
    max_errors: int | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Check .aif files (or folders of them) like a type checker."""
    files = _design_files(paths)
    diagnostics: list[Diagnostic] = []
    sources: dict[str, str] = {}
    for file in files:
        compilation = _compile(file, root)
        diagnostics.extend(compilation.sink.sorted())
        sources.update(compilation.sources)
    from aiflang.diagnostics import Severity
    from aiflang.diagnostics.suppression import apply_suppressions

    diagnostics = apply_suppressions(diagnostics, sources)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = sum(1 for d in diagnostics if d.severity is Severity.WARNING)
    shown = [d for d in diagnostics if d.is_error] if quiet else diagnostics
    if max_errors is not None:
        shown = shown[:max_errors]
    failed = errors > 0 or (strict and warnings > 0)
    if fmt == "json":
        from aiflang.render.json_report import dumps
        from aiflang.report import validation_report

        # Counts and validity are of every diagnostic, whatever --quiet and --max-errors hide.
        envelope = validation_report(shown, sources).model_copy(
            update={"valid": errors == 0, "error_count": errors, "warning_count": warnings}
        )
        click.echo(dumps(envelope), nl=False)
    elif fmt == "sarif":
        from aiflang.render.sarif import render_sarif

        click.echo(render_sarif(shown, sources), nl=False)
    elif fmt == "github":
        from aiflang.render.github import render_github

        click.echo(render_github(shown), nl=False)
    else:
        from aiflang.render.text import render_diagnostics, summary_line

        colour = _colour(sys.stdout)
        if shown:
            click.echo(render_diagnostics(shown, sources, colour=colour))
            click.echo()
        if max_errors is not None and len(shown) < len(diagnostics):
            click.echo(f"... {len(diagnostics) - len(shown)} more not shown (--max-errors)")
        click.echo(summary_line(errors, warnings, len(files), colour=colour))
    sys.exit(EXIT_INVALID if failed else EXIT_OK)


@main.command()
@click.argument("file")
@click.option("-o", "--output", help="Write the report to this file (default: stdout).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "json", "md"]),
    default=None,
    help="Report format (default: from the output's extension, else html).",
)
@click.option(
    "--explain",
    "explain_key",
    help="Show how one figure was computed, e.g. serve.chat.tokens_per_s.",
)
@click.option("--root", help="Project root that imports may not leave.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def report(
    file: str,
    output: str | None,
    fmt: str | None,
    explain_key: str | None,
    root: str | None,
    debug: bool,
) -> None:
    """Produce the design report: HTML (default), JSON or Markdown."""
    (path,) = _design_files((file,))
    compilation = _compile(path, root)
    from aiflang.driver import build_reports

    reports = build_reports(compilation)
    if not reports:
        from aiflang.render.text import render_diagnostics

        diagnostics = compilation.sink.sorted()
        if diagnostics:
            click.echo(render_diagnostics(diagnostics, compilation.sources), err=True)
        raise UsageError(f"{file}: no factory to report on")
    data = reports[0]
    if explain_key:
        from aiflang.render.explain import render_explanation

        text = render_explanation(data, explain_key)
        if text is None:
            raise UsageError(
                f"no figure `{explain_key}`; try one of: " + ", ".join(sorted(data.explain)[:12])
            )
        click.echo(text)
        sys.exit(EXIT_OK if data.valid else EXIT_INVALID)
    if fmt is None:
        suffix = Path(output).suffix.lower() if output else ""
        fmt = {".json": "json", ".md": "md"}.get(suffix, "html")
    if fmt == "json":
        from aiflang.render.json_report import dumps

        text = dumps(data)
    elif fmt == "md":
        from aiflang.render.markdown import render_markdown

        text = render_markdown(data)
    else:
        from aiflang.render.html import render_html

        text = render_html(data)
    _write(output, text)
    if output and output != "-":
        click.echo(f"wrote {output}", err=True)
    sys.exit(EXIT_OK if data.valid else EXIT_INVALID)


@main.command()
@click.argument("first")
@click.argument("second")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "md", "html"]), default="text")
@click.option("-o", "--output", help="Write to this file (default: stdout).")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def compare(first: str, second: str, fmt: str, output: str | None, debug: bool) -> None:
    """Key figures of two designs side by side, with ratios."""
    from aiflang.driver import build_reports
    from aiflang.render.compare import compare_reports, render_comparison

    reports = []
    for file in (first, second):
        (path,) = _design_files((file,))
        built = build_reports(_compile(path, None))
        if not built:
            raise UsageError(f"{file}: no factory to compare")
        reports.append(built[0])
    comparison = compare_reports(reports[0], reports[1])
    _write(output, render_comparison(comparison, fmt))
    sys.exit(EXIT_OK if all(r.valid for r in reports) else EXIT_INVALID)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file would change.")
@click.option("--diff", is_flag=True, help="Print what would change as a unified diff.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def fmt(paths: tuple[str, ...], check: bool, diff: bool, debug: bool) -> None:
    """Format .aif files in the canonical layout, in place."""
    import difflib

    from aiflang.fileio import write_atomic
    from aiflang.syntax.formatter import FormatError, format_source

    files = _design_files(paths)
    changed = 0
    for file in files:
        original = file.read_bytes().decode("utf-8", errors="replace")
        try:
            formatted = format_source(original, str(file))
        except FormatError as error:
            click.echo(f"aifc: {file}: cannot format a file with syntax errors ({error})", err=True)
            sys.exit(EXIT_INVALID)
        if formatted == original:
            continue
        changed += 1
        if diff:
            click.echo(
                "".join(
                    difflib.unified_diff(
                        original.splitlines(keepends=True),
                        formatted.splitlines(keepends=True),
                        f"{file} (original)",
                        f"{file} (formatted)",
                    )
                ),
                nl=False,
            )
        if check or diff:
            if check:
                click.echo(f"would reformat {file}", err=True)
        else:
            write_atomic(file, formatted)
            click.echo(f"formatted {file}", err=True)
    if check and changed:
        sys.exit(EXIT_INVALID)


@main.command()
@click.argument("name", required=False)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def catalog(name: str | None, debug: bool) -> None:
    """List the built-in components, or show one with its sources."""
    from aiflang.render.catalog import render_catalog, render_entry

    if name is None:
        click.echo(render_catalog())
        return
    text = render_entry(name)
    if text is None:
        raise UsageError(f"no catalog entry `{name}` (run `aifc catalog` for the list)")
    click.echo(text)


@main.command()
@click.argument("code")
def explain(code: str) -> None:
    """What a diagnostic code means and how to fix it."""
    from aiflang.diagnostics.codes import CODES
    from aiflang.diagnostics.codes import explain as lookup

    info = lookup(code)
    if info is None:
        import difflib

        close = difflib.get_close_matches(code.upper(), list(CODES), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        click.echo(f"aifc: unknown code {code}{hint}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"{info} ({info.severity}): {info.summary}\n\n{info.explanation}")


@main.command()
@click.argument("file")
@click.option("--format", "fmt", type=click.Choice(["graphml", "dot"]), default="dot")
@click.option(
    "--expand", is_flag=True, help="One node per switch and endpoint (small designs only)."
)
@click.option("--fabric", "fabric_name", help="Only this fabric.")
@click.option("-o", "--output", help="Write to this file (default: stdout).")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def graph(
    file: str, fmt: str, expand: bool, fabric_name: str | None, output: str | None, debug: bool
) -> None:
    """Export the network topology as GraphML or DOT."""
    from aiflang.render.graph import export_graph

    (path,) = _design_files((file,))
    compilation = _compile(path, None)
    text, problem = export_graph(compilation, fmt, expand=expand, fabric=fabric_name)
    if problem:
        raise UsageError(problem)
    _write(output, text)


@main.command()
def schema() -> None:
    """Print the JSON Schema of the JSON report."""
    import json

    from aiflang.report import Report

    click.echo(json.dumps(Report.model_json_schema(), indent=2, sort_keys=True))


STARTER = "starter.aif"


@main.command()
@click.option("--force", is_flag=True, help="Overwrite an existing starter file.")
@_guarded
def init(force: bool) -> None:
    """Write a commented starter design in the current folder."""
    from aiflang.fileio import write_atomic
    from aiflang.resources import data_path

    target = Path(STARTER)
    if target.exists() and not force:
        raise UsageError(f"{STARTER} already exists (use --force to overwrite)")
    write_atomic(target, data_path("dsl", "starter.aif").read_text(encoding="utf-8"))
    click.echo(f"wrote {STARTER}; check it with: aifc validate {STARTER}")
