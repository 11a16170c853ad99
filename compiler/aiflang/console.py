"""The command line's core without its option parser: exit codes, usage errors, finding
and compiling designs, and `aifc validate` itself.

`aiflang.cli` builds every command's options with click; this module holds what
those commands share and does not import click, so the most frequent run, `aifc
validate` of design files with no option (in CI, on every save of an editor),
can start without click's import, which costs as much as the compile of a small
design (`aiflang.program` decides). Output goes through `echo`, which writes as
`click.echo` does, so both routes print the same bytes.

Exit codes: 0 the design is valid (warnings allowed unless --strict), 1 the
design has errors, 2 the command was used wrongly or a file could not be read,
3 an internal error (a bug), 130 interrupted.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NoReturn, TypeVar

if TYPE_CHECKING:
    from aiflang.diagnostics import Diagnostic
    from aiflang.driver import Compilation
    from aiflang.frontend.settings import Setting
    from aiflang.project import ProjectConfig

ISSUES_URL = "https://github.com/aifc-dev/aifc/issues"
EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a command stopped by Ctrl-C
STDIN = "-"

F = TypeVar("F", bound=Callable[..., Any])


class UsageError(Exception):
    """A problem with how the command was used or with reading a file: exit 2."""


def echo(
    message: str = "", *, nl: bool = True, err: bool = False, color: bool | None = None
) -> None:
    """Write `message` as `click.echo` writes text: to stdout (stderr with `err`), a
    newline after it unless `nl` is false, ANSI styles stripped when `color` is false
    or, when it is None, when the stream is not a terminal, as UTF-8 to a stream that
    says ASCII; then flush."""
    stream: IO[str] = sys.stderr if err else sys.stdout
    text = message + "\n" if nl else message
    if text:
        strip = not color if color is not None else not _is_terminal(stream)
        if strip and "\x1b" in text:
            import re

            # an ECMA-48 control sequence (CSI), the pattern click.echo strips
            text = re.sub(r"\033\[[0-?]*[ -/]*[@-~]", "", text)
        binary = getattr(stream, "buffer", None)
        if binary is not None and _ascii(stream):
            # click writes to a stream whose encoding is ASCII (or unset) as UTF-8,
            # characters it cannot encode replaced, rather than fail on the first one
            stream.flush()
            binary.write(text.encode("utf-8", "replace"))
            binary.flush()
        else:
            stream.write(text)
    stream.flush()


def _is_terminal(stream: Any) -> bool:
    return bool(getattr(stream, "isatty", lambda: False)())


def _ascii(stream: Any) -> bool:
    """Whether `stream` encodes as ASCII (or names no encoding), as click tells."""
    return _codec(stream, "ascii") == "ascii"


def _codec(stream: Any, unnamed: str = "") -> str | None:
    """The codec's own name of `stream`'s encoding (`unnamed` when it names none), None
    when Python does not know it."""
    import codecs

    try:
        return codecs.lookup(getattr(stream, "encoding", None) or unnamed).name
    except LookupError:
        return None


def guarded(function: F, passthrough: tuple[type[BaseException], ...] = ()) -> F:
    """Turn usage problems into one line and exit 2, and bugs into exit 3.

    Exceptions in `passthrough` (the option parser's own exits) go on unchanged.
    """

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = bool(kwargs.get("debug")) or os.environ.get("AIFC_DEBUG") == "1"
        try:
            return function(*args, **kwargs)
        except UsageError as error:
            echo(shown(f"aifc: {error}"), err=True)
            sys.exit(EXIT_USAGE)
        except (SystemExit, KeyboardInterrupt):
            raise
        except passthrough:
            raise
        except RecursionError:
            echo("aifc: the input is nested too deeply to process", err=True)
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
            echo(
                shown(f"aifc: internal error: {type(error).__name__}: {error}{where}\n")
                + f"This is a bug in aifc, not in your design. Please report it at {ISSUES_URL} "
                "(rerun with --debug for the traceback).",
                err=True,
            )
            sys.exit(EXIT_INTERNAL)

    return wrapper  # type: ignore[return-value]


def shown(text: str) -> str:
    """A message that quotes file names or input: control characters as escapes."""
    from aiflang.diagnostics.characters import neutralise

    return neutralise(text)


def colour_of(stream: Any) -> bool:
    """Whether to colour what goes to `stream`: NO_COLOR, then FORCE_COLOR, then a terminal."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return _is_terminal(stream)


def design_files(paths: tuple[str, ...]) -> list[Path]:
    """The design files named or found in folders; links that leave their folder are refused."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.aif") if p.is_file())
            if not found:
                raise UsageError(f"{raw}: folder holds no .aif files")
        elif path.is_file():
            found = [path]
        elif path.exists():
            raise UsageError(f"{raw}: not a regular file")
        else:
            raise UsageError(f"{raw}: no such file or folder")
        refuse_links_out(found, path if path.is_dir() else path.parent)
        files.extend(found)
    for file in files:
        if not os.access(file, os.R_OK):
            raise UsageError(f"{file}: cannot be read (permission denied)")
    return files


def refuse_links_out(files: list[Path], folder: Path) -> None:
    """A link in a pull request must not make aifc read, and quote, files from elsewhere.

    A design reached through a link must lie in the folder walked or named,
    whatever --root says: --root may hold the checkout's `.git` folder.
    """
    from aiflang.fileio import first_outside

    escaped = first_outside(files, folder)
    if escaped is not None:
        raise UsageError(f"{escaped}: a link to a file outside {folder}; refused")


def project_config(file: Path) -> ProjectConfig:
    """The configuration of the project `file` belongs to (aifc.toml or [tool.aifc])."""
    from aiflang.project import ConfigError, find_config

    try:
        return find_config(file)
    except ConfigError as error:
        raise UsageError(str(error)) from None


def read_settings(given: tuple[str, ...]) -> tuple[Setting, ...]:
    """The `--set PATH=VALUE` options, read; a malformed one is a usage error."""
    if not given:
        return ()
    from aiflang.frontend.settings import SettingError, parse_setting

    try:
        return tuple(parse_setting(text) for text in given)
    except SettingError as error:
        raise UsageError(str(error)) from None


def stdin_path(stdin_filename: str | None) -> Path:
    """The path text read from stdin stands for (messages, imports, configuration)."""
    return Path(stdin_filename) if stdin_filename else Path.cwd() / "<stdin>"


def read_stdin() -> str:
    """Standard input as text: its bytes decoded as UTF-8, bad bytes replaced."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream without bytes beneath (some embedders)
        text: str = sys.stdin.read()
        return text
    data: bytes = stream.read()
    return data.decode("utf-8", errors="replace")


def compile_design(
    file: Path,
    root: str | None,
    *,
    analyse: bool = True,
    settings: tuple[Setting, ...] = (),
    text: str | None = None,
) -> Compilation:
    """Compile `file` (or `text` standing for it) as the project's configuration says."""
    from aiflang.driver import compile_file, compile_source

    config = project_config(file.parent if text is not None else file)
    root_path = Path(root) if root else None
    if root_path is not None and not root_path.is_dir():
        raise UsageError(f"--root {root}: not a folder")
    if root_path is None:
        root_path = config.root
    if root_path is not None and not file.resolve().is_relative_to(root_path.resolve()):
        raise UsageError(f"{file}: outside the project root {root or root_path}")
    policy = config.policy_of if config.policy or config.per_path else None
    if text is not None:
        folder = file.resolve().parent
        return compile_source(
            text,
            root=root_path or folder,
            folder=folder,
            name=file.name,
            analyse=analyse,
            settings=settings,
            catalog=config.catalog,
            policy=policy,
        )
    return compile_file(
        file,
        root=root_path,
        analyse=analyse,
        settings=settings,
        catalog=config.catalog,
        policy=policy,
    )


def validate(
    paths: tuple[str, ...],
    *,
    fmt: str | None = None,
    stdin_filename: str | None = None,
    sets: tuple[str, ...] = (),
    strict: bool = False,
    exit_zero: bool = False,
    root: str | None = None,
    max_errors: int | None = None,
    quiet: bool = False,
) -> NoReturn:
    """`aifc validate`: check the files, print the findings in `fmt`, exit 0 or 1."""
    from aiflang.diagnostics import Counts

    settings = read_settings(sets)
    if STDIN in paths:
        if len(paths) > 1:
            raise UsageError("`-` (stdin) cannot be combined with other paths")
        files = [stdin_path(stdin_filename)]
        text: str | None = read_stdin()
    else:
        files = design_files(paths)
        text = None
    if fmt is None:
        fmt = project_config(files[0].parent if text is not None else files[0]).format or "text"
    # A library is checked on its own and again by every design that imports it:
    # each finding is reported and counted once, in the order of the files.
    diagnostics: list[Diagnostic] = []
    seen: set[tuple[object, ...]] = set()
    sources: dict[str, str] = {}
    per_file: list[tuple[str, list[Diagnostic]]] = []  # each file's findings not seen before
    for file in files:
        compilation = compile_design(file, root, settings=settings, text=text)
        found: list[Diagnostic] = []
        for diagnostic in compilation.diagnostics:
            key = (diagnostic.code, diagnostic.message, diagnostic.span)
            if key not in seen:
                seen.add(key)
                found.append(diagnostic)
        diagnostics.extend(found)
        sources.update(compilation.sources)
        per_file.append((str(file), found))
    counts = Counts.of(diagnostics)
    chosen = [d for d in diagnostics if d.is_error] if quiet else diagnostics
    if max_errors is not None:
        chosen = chosen[:max_errors]
    failed = not counts.valid or (strict and counts.warnings > 0)
    colour = colour_of(sys.stdout)
    if fmt == "json":
        from aiflang.render.json_report import dumps
        from aiflang.report import validation_report

        # Counts and validity are of every diagnostic, whatever --quiet and --max-errors hide.
        echo(dumps(validation_report(chosen, sources, counts)), nl=False)
    elif fmt == "sarif":
        from aiflang.render.sarif import render_sarif

        echo(render_sarif(chosen, sources), nl=False)
    elif fmt == "github":
        from aiflang.render.github import render_github

        echo(render_github(chosen), nl=False)
    elif fmt == "concise":
        from aiflang.render.concise import render_concise

        echo(render_concise(chosen), nl=False)
    elif fmt == "gitlab":
        from aiflang.render.gitlab import render_gitlab

        echo(render_gitlab(chosen, sources, str(files[0])), nl=False)
    elif fmt == "junit":
        from aiflang.render.junit import render_junit

        kept = set(map(id, chosen))
        results = [(name, [d for d in found if id(d) in kept]) for name, found in per_file]
        echo(render_junit(results, strict=strict), nl=False)
    else:
        from aiflang.render.text import render_diagnostics, summary_line

        if chosen:
            echo(render_diagnostics(chosen, sources, colour=colour), color=colour)
            echo()
        if max_errors is not None and len(chosen) < len(diagnostics):
            echo(f"... {len(diagnostics) - len(chosen)} more not shown (--max-errors)")
        summary = summary_line(counts.errors, counts.warnings, len(files), colour=colour)
        echo(summary, color=colour)
    sys.exit(EXIT_INVALID if failed and not exit_zero else EXIT_OK)


def plain_validate(args: list[str]) -> bool:
    """Whether `args` is `validate` of files or folders with no option, for streams that
    take UTF-8 as they are: the command `run` starts without the option parser.

    Streams in another encoding (and the shell's completion) go to click, the route
    that has always served them.
    """
    return (
        len(args) >= 2
        and args[0] == "validate"
        and all(arg and not arg.startswith("-") for arg in args[1:])
        and not any(key.startswith("_AIFC_COMPLETE") for key in os.environ)
        and all(_utf8(stream) for stream in (sys.stdout, sys.stderr))
    )


def _utf8(stream: Any) -> bool:
    return _codec(stream) == "utf-8"
