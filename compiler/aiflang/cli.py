"""The `aifc` command line: I/O and exit codes only.

Exit codes: 0 the design is valid (warnings allowed unless --strict), 1 the
design has errors, 2 the command was used wrongly or a file could not be
read, 3 an internal error (a bug). Heavy imports happen inside the commands
so `aifc --help` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from aiflang.console import (
    EXIT_INTERRUPTED,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    STDIN,
    UsageError,
    compile_design,
    design_files,
    guarded,
    project_config,
    read_settings,
    read_stdin,
    shown,
)
from aiflang.console import validate as validate_files
from aiflang.sweep import MAX_SAMPLES

if TYPE_CHECKING:
    from aiflang.driver import Compilation
    from aiflang.frontend.settings import Setting
    from aiflang.report import Report

F = TypeVar("F", bound=Callable[..., Any])


def _guarded(function: F) -> F:
    """Turn usage problems into one line and exit 2, and bugs into exit 3 (click's own
    exits pass through)."""
    return guarded(function, passthrough=(click.exceptions.Exit, click.ClickException))


class _Commands(click.Group):
    """The command group; Ctrl-C ends any command with exit 130, not click's 1 ("invalid")."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo("\naifc: interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None


def _read_design(file: Path) -> bytes:
    """A design's bytes for `fmt`: bounded, and refused (exit 1) unless they decode."""
    from aiflang.fileio import TooLarge, read_limited
    from aiflang.syntax.parser import MAX_FILE_BYTES, decode_source, oversize

    try:
        data = read_limited(file, MAX_FILE_BYTES)
        _, problem = decode_source(data, str(file))
    except TooLarge as error:
        problem = oversize(error.size, str(file))
    except OSError as error:
        raise UsageError(f"cannot read {file}: {error.strerror or error}") from error
    if problem is not None:
        message = f"aifc: {file}: cannot format: {problem.message} [{problem.code}]"
        click.echo(shown(message), err=True)
        sys.exit(EXIT_INVALID)
    return data


def _design_file(raw: str, command: str) -> Path:
    """The one design file a command takes; a folder or a missing file is a usage error."""
    path = Path(raw)
    if path.is_dir():
        found = sum(1 for p in path.rglob("*.aif") if p.is_file())
        raise UsageError(
            f"{raw}: is a folder ({found} .aif file{'' if found == 1 else 's'}); "
            f"`aifc {command}` takes one design file"
        )
    (file,) = design_files((raw,))
    return file


def _output_format(
    output: str | None, fmt: str | None, by_suffix: dict[str, str], default: str
) -> str:
    """The format asked for, else the one the output's extension names, else `default`.

    An extension that names no format this command writes is refused, so
    `-o report.pdf` never silently writes HTML into a .pdf file.
    """
    if fmt is not None:
        return fmt
    suffix = Path(output).suffix.lower() if output and output != "-" else ""
    if not suffix:
        return default
    if suffix not in by_suffix:
        known = ", ".join(sorted(by_suffix))
        raise UsageError(
            f"-o {output}: cannot write a {suffix} file; use one of {known} or pass --format"
        )
    return by_suffix[suffix]


def _pick_factory(compilation: Compilation, name: str | None, file: str) -> int:
    """The index of the factory `--factory` names (the first one without it)."""
    names = compilation.factory_names
    if name is None:
        return 0
    index = compilation.factory_index(name)
    if index is not None:
        return index
    import difflib

    from aiflang.diagnostics import did_you_mean

    hint = did_you_mean(difflib.get_close_matches(name, names, n=2))
    listed = ", ".join(f"`{n}`" for n in names) or "none"
    raise UsageError(
        f"--factory {name}: no such factory in {file}"
        + (f" ({hint})" if hint else "")
        + f"; its factories: {listed}"
    )


def _write(output: str | None, text: str, *, expected: bytes | None = None) -> None:
    """Write to a file (`aiflang.fileio.write_text`: atomic, keeps modes), or to stdout."""
    if output is None or output == "-":
        click.echo(text, nl=False)
        return
    from aiflang.fileio import write_text

    try:
        write_text(Path(output), text, expected=expected)
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror or error}") from error


def run() -> None:
    """The click command line as a program, with the collector off for the short run
    (`aiflang.program.run`, the installed `aifc`, also takes the short route for
    `validate`; see there why the collector is off). Tests call `main` and keep it."""
    import gc

    gc.disable()
    main()


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="aiflang", prog_name="aifc")
def main() -> None:
    """aifc: check and report on AI-factory designs written in .aif."""


SET_HELP = (
    "Override an attribute or assumption, checked like the file: "
    "halls.A.it_power='4 MW', assumptions.hbm_usable_fraction=0.85 (repeatable)."
)
STDIN_HELP = "With `-`: the path the text read from stdin stands for (messages, imports)."


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "concise", "json", "sarif", "github", "gitlab", "junit"]),
    default=None,
    help="Output format (default: the project's `format`, else text); "
    "concise is `path:line:col: CODE message`; gitlab is GitLab Code Quality; junit is JUnit XML.",
)
@click.option("--stdin-filename", help=STDIN_HELP)
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help=SET_HELP)
@click.option("--strict", is_flag=True, help="Warnings fail the check too.")
@click.option(
    "--exit-zero",
    is_flag=True,
    help="Exit 0 even when a design has errors (usage errors and bugs still exit 2 and 3).",
)
@click.option(
    "--root", help="Project root that imports may not leave (default: each file's folder)."
)
@click.option("--max-errors", type=click.IntRange(min=1), help="Show at most N diagnostics.")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors and the summary.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def validate(
    paths: tuple[str, ...],
    fmt: str | None,
    stdin_filename: str | None,
    sets: tuple[str, ...],
    strict: bool,
    exit_zero: bool,
    root: str | None,
    max_errors: int | None,
    quiet: bool,
    debug: bool,
) -> None:
    """Check .aif files (or folders of them, or `-` for stdin) like a type checker."""
    validate_files(
        paths,
        fmt=fmt,
        stdin_filename=stdin_filename,
        sets=sets,
        strict=strict,
        exit_zero=exit_zero,
        root=root,
        max_errors=max_errors,
        quiet=quiet,
    )


REPORT_SUFFIXES = {".html": "html", ".htm": "html", ".json": "json", ".md": "md"}


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
@click.option("--factory", "factory", help="The factory to report on, when the file has several.")
@click.option(
    "--explain",
    "explain_key",
    help="Show how one figure was computed, e.g. serve.chat.tokens_per_s.",
)
@click.option("--root", help="Project root that imports may not leave.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help=SET_HELP)
@click.option(
    "--uncertainty",
    "samples",
    type=click.IntRange(min=2, max=MAX_SAMPLES),
    metavar="N",
    help="Run N Monte Carlo samples of the design's ranges and the assumptions' published "
    "ranges; report P10/P50/P90 and a tornado chart.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --uncertainty.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def report(
    file: str,
    output: str | None,
    fmt: str | None,
    factory: str | None,
    explain_key: str | None,
    root: str | None,
    sets: tuple[str, ...],
    samples: int | None,
    seed: int,
    debug: bool,
) -> None:
    """Produce the design report: HTML (default), JSON or Markdown."""
    settings = read_settings(sets)
    path = _design_file(file, "report")
    fmt = _output_format(output, fmt, REPORT_SUFFIXES, "html")
    compilation = compile_design(path, root, settings=settings)
    from aiflang.driver import build_reports

    index = _pick_factory(compilation, factory, file)
    reports = build_reports(compilation)
    if not reports:
        from aiflang.render.text import render_diagnostics

        if compilation.diagnostics:
            click.echo(render_diagnostics(compilation.diagnostics, compilation.sources), err=True)
        raise UsageError(f"{file}: no factory to report on")
    data = reports[index]
    if samples is not None and data.capacity is not None:
        from aiflang.sweep.uncertainty import uncertainty

        # Small runs stay in this process: starting a pool costs more than it saves.
        backend = "pool" if samples >= 256 else "serial"
        found = uncertainty(
            path,
            data,
            samples=samples,
            seed=seed,
            root=Path(root) if root else None,
            settings=sets,
            backend=backend,
        )
        data = data.model_copy(update={"uncertainty": found})
    elif samples is not None:
        click.echo(shown("note: --uncertainty skipped: the design has no figures"), err=True)
    if explain_key:
        from aiflang.render.derivation import render_derivation

        text = render_derivation(data, explain_key)
        if text is None:
            raise UsageError(
                f"no figure `{explain_key}`; try one of: " + ", ".join(sorted(data.explain)[:12])
            )
        click.echo(text)
        sys.exit(EXIT_OK if data.valid else EXIT_INVALID)
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
        click.echo(shown(f"wrote {output}"), err=True)
    sys.exit(EXIT_OK if data.valid else EXIT_INVALID)


@main.command()
@click.argument("file")
@click.option(
    "--vary",
    multiple=True,
    metavar="PATH=VALUES",
    help="An input to vary, PATH as in --set: a list '[A, B]', a range 'LOW..HIGH step S', "
    "or a distribution 'LOW..HIGH UNIT', 'normal(M, SD)' (repeatable).",
)
@click.option("--samples", type=click.IntRange(min=1), help="Samples of the continuous inputs.")
@click.option(
    "--method",
    type=click.Choice(["lhs", "random"]),
    help="How continuous inputs are sampled: Latin hypercube (default) or plain random.",
)
@click.option("--seed", type=int, help="Seed of the sampling (default 0).")
@click.option("--sweep", "sweep_name", help="The file's sweep block to run (default: the first).")
@click.option("--maximize", multiple=True, metavar="FIGURE", help="An objective to maximise.")
@click.option("--minimize", multiple=True, metavar="FIGURE", help="An objective to minimise.")
@click.option(
    "--constraint",
    "constraints",
    multiple=True,
    metavar="RULE",
    help="A rule every feasible variant meets, as in `require`: "
    "'capacity.facility_power_w <= 100 MW' (repeatable).",
)
@click.option("-o", "--out", help="Output folder (default: sweep-<design name>).")
@click.option("--workers", type=click.IntRange(min=1), help="Processes (default: every core).")
@click.option("--ray", "ray_address", metavar="auto|ADDRESS", help="Run on a Ray cluster.")
@click.option("--serial", is_flag=True, help="Run in this process (no pool).")
@click.option("--factory", "factory", help="The factory to sweep, when the file has several.")
@click.option("--root", help="Project root that imports may not leave.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def sweep(
    file: str,
    vary: tuple[str, ...],
    samples: int | None,
    method: str | None,
    seed: int | None,
    sweep_name: str | None,
    maximize: tuple[str, ...],
    minimize: tuple[str, ...],
    constraints: tuple[str, ...],
    out: str | None,
    workers: int | None,
    ray_address: str | None,
    serial: bool,
    factory: str | None,
    root: str | None,
    debug: bool,
) -> None:
    """Compile many variants of a design; write the table, the Pareto front and a report.

    The variants come from `--vary` options and from the file's `sweep` block.
    Resumable: variants already in the output folder's results.jsonl are not
    computed again. Exit 0 when at least one variant is feasible, else 1.
    """
    from aiflang.sweep.command import SweepUsageError
    from aiflang.sweep.command import sweep as run_sweep

    path = _design_file(file, "sweep")
    folder = Path(out) if out else Path(f"sweep-{path.stem}")
    backend = "ray" if ray_address else "serial" if serial else "pool"
    try:
        outcome = run_sweep(
            path,
            vary=vary,
            samples=samples,
            seed=seed,
            method=method,
            maximize=maximize,
            minimize=minimize,
            constraints=constraints,
            out=folder,
            backend=backend,
            workers=workers,
            ray_address=ray_address or "auto",
            root=Path(root) if root else None,
            factory=factory,
            sweep_name=sweep_name,
            progress_stream=sys.stderr,
        )
    except SweepUsageError as error:
        raise UsageError(str(error)) from None
    except OSError as error:  # the output folder cannot be made or written
        where = error.filename or folder
        raise UsageError(f"cannot write {where}: {error.strerror or error}") from None
    from aiflang.sweep.pareto import best

    rows = outcome.rows
    click.echo(
        f"{len(rows):,} variants: {sum(r.valid for r in rows):,} valid, "
        f"{outcome.feasible:,} feasible, {len(outcome.front):,} on the Pareto front"
    )
    for objective in outcome.objectives:
        row = best(rows, objective)
        if row is not None:
            inputs = ", ".join(f"{p} = {v}" for p, v in row.inputs)
            value = row.objectives[objective.path]
            click.echo(shown(f"best to {objective.label}: #{row.index} ({value:.6g}): {inputs}"))
    for note in outcome.notes:
        click.echo(shown(f"note: {note}"), err=True)
    click.echo(shown(f"wrote {folder}/{', '.join(outcome.written)}"))
    sys.exit(EXIT_OK if outcome.feasible else EXIT_INVALID)


BOM_SUFFIXES = {
    ".txt": "text",
    ".csv": "csv",
    ".json": "json",
    ".md": "md",
    ".xlsx": "xlsx",
}


@main.command()
@click.argument("file")
@click.option("-o", "--output", help="Write to this file (default: stdout; XLSX needs -o).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "csv", "json", "md", "xlsx"]),
    default=None,
    help="BOM format (default: from the output's extension, else text).",
)
@click.option("--factory", "factory", help="The factory, when the file has several.")
@click.option("--root", help="Project root that imports may not leave.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help=SET_HELP)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def bom(
    file: str,
    output: str | None,
    fmt: str | None,
    factory: str | None,
    root: str | None,
    sets: tuple[str, ...],
    debug: bool,
) -> None:
    """The bill of materials: every part per hall with counts, prices and power."""
    settings = read_settings(sets)
    path = _design_file(file, "bom")
    fmt = _output_format(output, fmt, BOM_SUFFIXES, "text")
    if fmt == "xlsx" and (output is None or output == "-"):
        raise UsageError("--format xlsx writes a workbook: give -o FILE.xlsx")
    data = _one_report(path, root, factory, settings, file)
    if data.bom is None:
        raise UsageError(
            f"{file}: no bill of materials, as the design has errors; run `aifc validate {file}`"
        )
    if fmt == "xlsx":
        from aiflang.fileio import write_bytes
        from aiflang.render.bom_xlsx import render_xlsx

        assert output is not None
        try:
            write_bytes(Path(output), render_xlsx(data))
        except OSError as error:
            raise UsageError(f"cannot write {output}: {error.strerror or error}") from error
    else:
        from aiflang.render.bom import render_bom

        _write(output, render_bom(data, fmt))
    if output and output != "-":
        click.echo(shown(f"wrote {output}"), err=True)
    sys.exit(EXIT_OK if data.valid else EXIT_INVALID)


def _one_report(
    path: Path, root: str | None, factory: str | None, settings: tuple[Setting, ...], file: str
) -> Report:
    """The report of the factory `--factory` names (the first one without it)."""
    from aiflang.driver import build_reports

    compilation = compile_design(path, root, settings=settings)
    index = _pick_factory(compilation, factory, file)
    reports = build_reports(compilation)
    if not reports:
        raise UsageError(f"{file}: no factory to report on")
    return reports[index]


COMPARE_SUFFIXES = {".txt": "text", ".json": "json", ".md": "md", ".html": "html", ".htm": "html"}


@main.command()
@click.argument("first")
@click.argument("second", required=False)
@click.option(
    "--base",
    "base",
    metavar="REF",
    help="Compare FIRST as it was at git revision REF (side A) with FIRST now (side B).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "md", "html"]),
    default=None,
    help="Output format (default: from the output's extension, else text).",
)
@click.option("-o", "--output", help="Write to this file (default: stdout).")
@click.option(
    "--factory",
    "factories",
    multiple=True,
    help="The factory to compare when a file has several; give it twice for A and B.",
)
@click.option("--root", help="Project root that imports may not leave.")
@click.option("--set", "sets", multiple=True, metavar="PATH=VALUE", help="--set on both sides.")
@click.option("--set-a", "sets_a", multiple=True, metavar="PATH=VALUE", help="--set on A only.")
@click.option("--set-b", "sets_b", multiple=True, metavar="PATH=VALUE", help="--set on B only.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def compare(
    first: str,
    second: str | None,
    base: str | None,
    fmt: str | None,
    output: str | None,
    factories: tuple[str, ...],
    root: str | None,
    sets: tuple[str, ...],
    sets_a: tuple[str, ...],
    sets_b: tuple[str, ...],
    debug: bool,
) -> None:
    """Key figures of two designs (or saved JSON reports) side by side, with ratios.

    With --base REF, one design: as it was at git revision REF, and as it is now.
    """
    from aiflang.render.compare import compare_reports, render_comparison

    fmt = _output_format(output, fmt, COMPARE_SUFFIXES, "text")
    if len(factories) > 2:
        raise UsageError("--factory: give it once (both sides) or twice (A, then B)")
    chosen = (factories[0], factories[-1]) if factories else (None, None)
    if base is not None:
        if second is not None:
            raise UsageError("--base compares one design with itself at REF: give one file")
        a, label = _base_side(first, base, root, chosen[0], read_settings(sets + sets_a))
        b = _side(first, root, chosen[1], read_settings(sets + sets_b))
        # Side A is named by revision; its findings keep the file's path, as B's do.
        comparison = compare_reports(a, b).model_copy(update={"a_file": label})
    else:
        if second is None:
            raise UsageError("compare needs two designs (A B), or one with --base REF")
        a = _side(first, root, chosen[0], read_settings(sets + sets_a))
        b = _side(second, root, chosen[1], read_settings(sets + sets_b))
        comparison = compare_reports(a, b)
    _write(output, render_comparison(comparison, fmt))
    sys.exit(EXIT_OK if a.valid and b.valid else EXIT_INVALID)


def _base_side(
    file: str, ref: str, root: str | None, factory: str | None, settings: tuple[Setting, ...]
) -> tuple[Report, str]:
    """Side A of `compare --base REF`: the design and its imports as they were at REF.

    Returns the report and the side's name, `REF:path` (relative to the repository).
    """
    path = _design_file(file, "compare")
    from aiflang.driver import build_reports, compile_file
    from aiflang.revision import RevisionError, RevisionReader

    try:
        reader = RevisionReader(path, ref)
    except RevisionError as error:
        raise UsageError(str(error)) from None
    config = project_config(path)
    root_path = Path(root) if root else config.root
    if root_path is not None and not root_path.is_dir():
        raise UsageError(f"--root {root}: not a folder")
    compilation = compile_file(
        path,
        root=root_path,
        loader=reader.read,
        settings=settings,
        catalog=config.catalog,
        policy=config.policy_of if config.policy or config.per_path else None,
    )
    index = _pick_factory(compilation, factory, f"{ref}:{file}")
    built = build_reports(compilation)
    if not built:
        raise UsageError(f"{ref}:{file}: no factory to compare")
    return built[index], f"{ref}:{reader.relative(path)}"


def _side(
    file: str, root: str | None, factory: str | None, settings: tuple[Setting, ...]
) -> Report:
    """One side of a comparison: a design compiled now, or a saved JSON report."""
    if Path(file).suffix.lower() == ".json" and Path(file).is_file():
        if settings:
            raise UsageError(f"--set: {file} is a saved report; settings change designs only")
        return _saved_report(file, factory)
    path = _design_file(file, "compare")
    from aiflang.driver import build_reports

    compilation = compile_design(path, root, settings=settings)
    index = _pick_factory(compilation, factory, file)
    built = build_reports(compilation)
    if not built:
        raise UsageError(f"{file}: no factory to compare")
    return built[index]


def _saved_report(file: str, factory: str | None) -> Report:
    import json

    from pydantic import ValidationError

    from aiflang.report import FORMAT_VERSION, Report

    try:
        data = json.loads(Path(file).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise UsageError(f"{file}: cannot read a JSON report ({error})") from error
    version = data.get("format_version") if isinstance(data, dict) else None
    if not isinstance(version, str) or version.split(".")[0] != FORMAT_VERSION.split(".")[0]:
        raise UsageError(
            f"{file}: not an aifc JSON report of format {FORMAT_VERSION.split('.')[0]}.x "
            f"(format_version {version!r}); write one with `aifc report --format json`"
        )
    try:
        saved = Report.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise UsageError(
            f"{file}: not a valid aifc JSON report ({where}: {first['msg']})"
        ) from None
    if factory is not None and factory != saved.factory:
        raise UsageError(f"--factory {factory}: {file} is the report of `{saved.factory}`")
    return saved


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if a file would change.")
@click.option("--diff", is_flag=True, help="Print what would change as a unified diff.")
@click.option("--stdin-filename", help=STDIN_HELP)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def fmt(
    paths: tuple[str, ...], check: bool, diff: bool, stdin_filename: str | None, debug: bool
) -> None:
    """Format .aif files in the canonical layout, in place (`-`: stdin to stdout)."""
    import difflib

    from aiflang.syntax.formatter import FormatError, format_source

    if STDIN in paths:
        if len(paths) > 1:
            raise UsageError("`-` (stdin) cannot be combined with other paths")
        _fmt_stdin(stdin_filename, check=check, diff=diff)
        return
    files = design_files(paths)
    changed = 0
    for file in files:
        data = _read_design(file)
        original = data.decode("utf-8")
        try:
            formatted = format_source(original, str(file))
        except FormatError as error:
            problem = f"aifc: {file}: cannot format a file with syntax errors ({error})"
            click.echo(shown(problem), err=True)
            sys.exit(EXIT_INVALID)
        if formatted == original:
            continue
        changed += 1
        if diff:
            lines = difflib.unified_diff(
                original.splitlines(keepends=True),
                formatted.splitlines(keepends=True),
                f"{file} (original)",
                f"{file} (formatted)",
            )
            click.echo(shown("".join(lines)), nl=False)
        if check or diff:
            if check:
                click.echo(shown(f"would reformat {file}"), err=True)
        else:
            _write(str(file), formatted, expected=data)
            click.echo(shown(f"formatted {file}"), err=True)
    if check and changed:
        sys.exit(EXIT_INVALID)


def _fmt_stdin(stdin_filename: str | None, *, check: bool, diff: bool) -> None:
    """Format the text on stdin: to stdout, or (--check, --diff) say whether it would change."""
    import difflib

    from aiflang.syntax.formatter import FormatError, format_source

    name = stdin_filename or "<stdin>"
    original = read_stdin()
    try:
        formatted = format_source(original, name)
    except FormatError as error:
        click.echo(f"aifc: {name}: cannot format a file with syntax errors ({error})", err=True)
        sys.exit(EXIT_INVALID)
    if diff:
        lines = difflib.unified_diff(
            original.splitlines(keepends=True),
            formatted.splitlines(keepends=True),
            f"{name} (original)",
            f"{name} (formatted)",
        )
        click.echo("".join(lines), nl=False)
    elif not check:
        click.echo(formatted, nl=False)
    if check and formatted != original:
        click.echo(f"would reformat {name}", err=True)
        sys.exit(EXIT_INVALID)


# The schema's component kinds (syntax.schema.COMPONENT_KINDS), written out so
# that `aifc --help` does not load the schema; a test keeps the two equal.
_CATALOG_KINDS = (
    "gpu",
    "cpu",
    "nic",
    "switch",
    "transceiver",
    "node",
    "rack",
    "model",
    "engine",
    "ups",
    "cdu",
    "chiller",
    "dry_cooler",
    "generator",
    "battery",
    "busway",
    "power_shelf",
    "appliance",
)


@main.command()
@click.argument("name", required=False)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json", "csv"]), default="text", show_default=True
)
@click.option(
    "--kind", "kinds", multiple=True, type=click.Choice(_CATALOG_KINDS), help="Only this kind."
)
@click.option("--search", help="Entries whose name, notes or any figure contain this text.")
@click.option(
    "--where",
    multiple=True,
    help='Entries whose figures meet a condition, e.g. "power < 1 kW" or "vendor = NVIDIA".',
)
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def catalog(
    name: str | None,
    fmt: str,
    kinds: tuple[str, ...],
    search: str | None,
    where: tuple[str, ...],
    debug: bool,
) -> None:
    """List the built-in components (and the project's) with their sources, or show one.

    Filter by kind, by a search text and by conditions on figures
    (quantities compare by dimension: `--where "reach >= 100 m"`).
    """
    import json

    from aiflang.render.catalog import RENDERERS, entry_json, render_detail
    from aiflang.render.catalog_query import QueryError, catalog_entries, close_names, select
    from aiflang.syntax.parser import ParseResult, parse_source

    project: list[ParseResult] = []
    for path in project_config(Path.cwd()).catalog:
        try:
            source = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise UsageError(f"{path}: cannot read the project catalog ({error})") from None
        project.append(parse_source(source, str(path)))
    entries = catalog_entries(project)
    if name is not None:
        found = [e for e in entries if e.name == name] or [
            e for e in entries if e.name.lower() == name.lower()
        ]
        if not found:
            close = close_names(entries, name)
            hint = f"; did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else ""
            raise UsageError(f"no catalog entry `{name}`{hint} (run `aifc catalog` for the list)")
        if fmt == "json":
            click.echo(json.dumps(entry_json(found[0]), indent=2))
        elif fmt == "csv":
            click.echo(RENDERERS["csv"](found))
        else:
            click.echo(render_detail(found[0]))
        return
    try:
        chosen = select(entries, kinds, search, where)
    except QueryError as problem:
        raise UsageError(str(problem)) from None
    click.echo(RENDERERS[fmt](chosen))


@main.command()
@click.argument("code", required=False)
def explain(code: str | None) -> None:
    """What a diagnostic code means and how to fix it (no code: list them all)."""
    if code is None:
        from aiflang.render.derivation import render_code_list

        click.echo(render_code_list())
        return
    from aiflang.diagnostics.codes import CODES
    from aiflang.diagnostics.codes import explain as lookup

    info = lookup(code)
    if info is None:
        import difflib

        close = difflib.get_close_matches(code.upper(), list(CODES), n=3)
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        click.echo(shown(f"aifc: unknown code {code}{hint}"), err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"{info} ({info.severity}): {info.summary}\n\n{info.explanation}")


GRAPH_SUFFIXES = {".graphml": "graphml", ".xml": "graphml", ".dot": "dot", ".gv": "dot"}


@main.command()
@click.argument("file")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["graphml", "dot"]),
    default=None,
    help="Graph format (default: from the output's extension, else dot).",
)
@click.option(
    "--expand", is_flag=True, help="One node per switch and endpoint (small designs only)."
)
@click.option("--fabric", "fabric_name", help="Only this fabric.")
@click.option("--factory", "factory", help="Only this factory, when the file has several.")
@click.option("-o", "--output", help="Write to this file (default: stdout).")
@click.option("--root", help="Project root that imports may not leave.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def graph(
    file: str,
    fmt: str | None,
    expand: bool,
    fabric_name: str | None,
    factory: str | None,
    output: str | None,
    root: str | None,
    debug: bool,
) -> None:
    """Export the network topology as GraphML or DOT."""
    from aiflang.render.graph import export_graph

    path = _design_file(file, "graph")
    fmt = _output_format(output, fmt, GRAPH_SUFFIXES, "dot")
    compilation = compile_design(path, root)
    only = _pick_factory(compilation, factory, file) if factory is not None else None
    text, problem = export_graph(
        compilation, fmt, expand=expand, fabric=fabric_name, factory_index=only
    )
    if problem:
        raise UsageError(problem)
    _write(output, text)


@main.group()
def export() -> None:
    """Export a design to the tools that build it: NetBox, containerlab."""


def _factory_facts(
    file: str, root: str | None, factory: str | None, command: str
) -> tuple[Any, Any]:
    """The design and facts of the factory `--factory` names, analysed without errors."""
    path = _design_file(file, command)
    compilation = compile_design(path, root)
    index = _pick_factory(compilation, factory, file)
    if index >= len(compilation.designs) or index >= len(compilation.facts):
        raise UsageError(f"{file}: the design has errors; run `aifc validate {file}`")
    return compilation.designs[index], compilation.facts[index]


@export.command("netbox")
@click.argument("file")
@click.option("-o", "--output", required=True, help="The folder to write the import files to.")
@click.option("--site", help="The NetBox site's name (default: the factory's name).")
@click.option("--factory", "factory", help="The factory, when the file has several.")
@click.option("--root", help="Project root that imports may not leave.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def export_netbox_command(
    file: str,
    output: str,
    site: str | None,
    factory: str | None,
    root: str | None,
    debug: bool,
) -> None:
    """NetBox device types (YAML) and bulk-import CSV files: site, halls, racks, devices, cables."""
    from aiflang.render.netbox import export_netbox

    design, facts = _factory_facts(file, root, factory, "export netbox")
    folder = Path(output)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"-o {output}: not a folder")
    files = export_netbox(design, facts, site or design.name)
    for relative, text in files.items():
        target = folder / relative
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise UsageError(f"cannot write {target}: {error.strerror or error}") from error
        _write(str(target), text)
    click.echo(shown(f"wrote {len(files)} files to {output}"), err=True)


@export.command("containerlab")
@click.argument("file")
@click.option("-o", "--output", help="Write the topology to this file (default: stdout).")
@click.option("--fabric", "fabric_name", help="Only this fabric.")
@click.option("--host-image", default="alpine:3", show_default=True, help="Image of host nodes.")
@click.option(
    "--switch-image", default="alpine:3", show_default=True, help="Image of switch nodes."
)
@click.option("--factory", "factory", help="The factory, when the file has several.")
@click.option("--root", help="Project root that imports may not leave.")
@click.option("--debug", is_flag=True, help="Show tracebacks of internal errors.")
@_guarded
def export_containerlab_command(
    file: str,
    output: str | None,
    fabric_name: str | None,
    host_image: str,
    switch_image: str,
    factory: str | None,
    root: str | None,
    debug: bool,
) -> None:
    """A containerlab topology of an expanded small fabric, with named interfaces."""
    from aiflang.render.containerlab import dump_topology, export_containerlab

    design, facts = _factory_facts(file, root, factory, "export containerlab")
    topology, problem = export_containerlab(
        design, facts, fabric=fabric_name, host_image=host_image, switch_image=switch_image
    )
    if problem or topology is None:
        raise UsageError(problem or "nothing to export")
    _write(output, dump_topology(topology))


@main.command()
def schema() -> None:
    """Print the JSON Schema of the JSON report (each number's unit in its description)."""
    import json

    from aiflang.report import report_schema

    click.echo(json.dumps(report_schema(), indent=2, sort_keys=True))


@main.command()
@click.option(
    "--stdio", is_flag=True, help="Talk over stdin and stdout (the default and only way)."
)
def lsp(stdio: bool) -> None:
    """Run the language server for editors (needs the `lsp` extra)."""
    try:
        from aiflang.lsp.server import serve
    except ImportError as error:
        click.echo(
            f"aifc: the language server needs pygls and lsprotocol ({error}); "
            "install them with: pip install 'aiflang[lsp]'",
            err=True,
        )
        sys.exit(EXIT_USAGE)
    serve()


STARTER = "starter.aif"


@main.command()
@click.option("--force", is_flag=True, help="Overwrite an existing starter file.")
@_guarded
def init(force: bool) -> None:
    """Write a commented starter design in the current folder."""
    from aiflang.resources import data_path

    target = Path(STARTER)
    if target.exists() and not force:
        raise UsageError(f"{STARTER} already exists (use --force to overwrite)")
    _write(STARTER, data_path("dsl", "starter.aif").read_text(encoding="utf-8"))
    click.echo(f"wrote {STARTER}; check it with: aifc validate {STARTER}")
