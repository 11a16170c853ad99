"""Project configuration: `aifc.toml`, or `[tool.aifc]` in pyproject.toml.

Found by walking up from a design file's folder; the first folder holding
an `aifc.toml`, or a pyproject.toml with a `[tool.aifc]` table, is the
project's. Every command and the language server read it the same way.

Keys (paths are relative to the file that holds them):

    root = "."            # imports may not leave it (default: that file's folder)
    catalog = ["parts"]   # the project's own catalog: .aif files or folders of them
    format = "concise"    # the default output format of `aifc validate`
    ignore = ["W401"]     # warnings not to report
    error = ["W402"]      # codes to report as errors

    [per-path."legacy/*.aif"]   # in pyproject.toml: [tool.aifc.per-path."legacy/*.aif"]
    ignore = ["W501"]
    error = []

A per-path rule applies to the files its glob matches (relative to the
project folder); its codes add to the project-wide ones. Only warnings can
be ignored: an error means the figures cannot be trusted, so a project may
not silence one. A malformed file raises `ConfigError`, one line that the
command line prints before exiting with code 2.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from pathlib import Path
from typing import Any

from aiflang.diagnostics import get_close_matches
from aiflang.diagnostics.policy import CodePolicy
from aiflang.records import field, record

CONFIG_FILE = "aifc.toml"
FORMATS = ("text", "concise", "json", "sarif", "github")
_KEYS = ("root", "catalog", "format", "ignore", "error", "per-path")


class ConfigError(ValueError):
    """A project configuration that cannot be used, said in one line."""


@record
class PathRule:
    pattern: str
    policy: CodePolicy


@record
class ProjectConfig:
    """What a project's configuration says; the empty config when there is none."""

    file: Path | None = None
    root: Path | None = None
    catalog: tuple[Path, ...] = ()
    format: str | None = None
    policy: CodePolicy = field(default_factory=CodePolicy)
    per_path: tuple[PathRule, ...] = ()
    _cache: dict[str, CodePolicy] = field(default_factory=dict, compare=False, repr=False)

    @property
    def folder(self) -> Path | None:
        return self.file.parent if self.file else None

    def policy_of(self, file: str) -> CodePolicy:
        """The code policy for findings in `file` (a path as spans give it)."""
        cached = self._cache.get(file)
        if cached is not None:
            return cached
        policy = self.policy
        folder = self.folder
        if folder is not None and self.per_path:
            try:
                relative = Path(file).resolve().relative_to(folder).as_posix()
            except ValueError:
                relative = None
            for rule in self.per_path:
                if relative is not None and fnmatch.fnmatch(relative, rule.pattern):
                    policy = CodePolicy(
                        policy.ignore | rule.policy.ignore, policy.error | rule.policy.error
                    )
        self._cache[file] = policy
        return policy


def find_config(start: Path) -> ProjectConfig:
    """The configuration of the project `start` (a file or folder) belongs to."""
    folder = start.resolve()
    if not folder.is_dir():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        own = candidate / CONFIG_FILE
        if own.is_file():
            return _read(own, tool_table=False)
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file() and _has_tool_table(pyproject, pyproject.stat().st_mtime_ns):
            return _read(pyproject, tool_table=True)
    return ProjectConfig()


def _load(path: Path) -> dict[str, Any]:
    import tomllib  # only when there is a file to read: most runs find none

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror or error})") from error
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: not valid TOML ({error})") from error


# A key path tool.aifc comes only from a table header that is [tool] or starts [tool.aifc]
# (or [[...]]), or from a key `tool` at the start of a line (`tool.aifc.x = 1`,
# `tool = { aifc = ... }`), quoted or not, or from a key spelt with escapes. A pyproject
# with none of those (most, and aifc's own: [tool.ruff] and the like) has no [tool.aifc],
# and need not be parsed on every run.
_TOOL_KEY = re.compile(
    r"""^[ \t]*(?:\[\[?[ \t]*["']?tool["']?[ \t]*(?:\]|\.[ \t]*["']?aifc)"""  # a header
    r"""|["']?tool["']?[ \t]*[.=])""",  # a key
    re.MULTILINE,
)


def may_hold_tool_table(text: str) -> bool:
    """False only when `text` (a pyproject.toml) cannot define [tool.aifc]."""
    return "\\u" in text or "\\U" in text or _TOOL_KEY.search(text) is not None


@functools.lru_cache(maxsize=64)
def _has_tool_table(path: Path, modified: int) -> bool:
    """Whether a pyproject.toml has [tool.aifc]; `modified` (its mtime) keys the cache,
    so a long-running language server sees the table appear."""
    try:
        if not may_hold_tool_table(path.read_bytes().decode("utf-8")):
            return False
        data = _load(path)
    except (OSError, UnicodeDecodeError):
        return False
    except ConfigError:
        return False  # another tool's broken pyproject is not ours to judge
    tool = data.get("tool")
    return isinstance(tool, dict) and "aifc" in tool


def _read(path: Path, *, tool_table: bool) -> ProjectConfig:
    data = _load(path)
    if tool_table:
        data = data["tool"]["aifc"]
    where = f"{path}" + (" [tool.aifc]" if tool_table else "")
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a table of settings")
    for key in data:
        if key not in _KEYS:
            close = get_close_matches(key, _KEYS, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise ConfigError(f"{where}: unknown key `{key}`{hint}; known: {', '.join(_KEYS)}")
    folder = path.parent
    root = None
    if "root" in data:
        root = (folder / _string(data["root"], where, "root")).resolve()
        if not root.is_dir():
            raise ConfigError(f"{where}: root `{data['root']}` is not a folder")
    fmt = None
    if "format" in data:
        fmt = _string(data["format"], where, "format")
        if fmt not in FORMATS:
            raise ConfigError(f"{where}: format `{fmt}` is not one of {', '.join(FORMATS)}")
    per_path = []
    rules = data.get("per-path", {})
    if not isinstance(rules, dict):
        raise ConfigError(f'{where}: per-path is a table of globs: [per-path."legacy/*.aif"]')
    for pattern, rule in rules.items():
        if not isinstance(rule, dict) or set(rule) - {"ignore", "error"}:
            raise ConfigError(f"{where}: per-path `{pattern}` takes only `ignore` and `error`")
        per_path.append(PathRule(pattern, _policy(rule, f"{where} per-path `{pattern}`")))
    return ProjectConfig(
        file=path,
        root=root or folder.resolve(),
        catalog=_catalog_files(data.get("catalog", []), folder, where),
        format=fmt,
        policy=_policy(data, where),
        per_path=tuple(per_path),
    )


def _string(value: object, where: str, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: `{key}` must be a string")
    return value


def _codes(value: object, where: str, key: str) -> frozenset[str]:
    from aiflang.diagnostics.codes import CODES

    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where}: `{key}` must be a list of codes, e.g. ["W401"]')
    for code in value:
        if code not in CODES:
            close = get_close_matches(code.upper(), list(CODES), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise ConfigError(f"{where}: `{key}` names unknown code {code}{hint}")
    return frozenset(value)


def _policy(data: dict[str, Any], where: str) -> CodePolicy:
    ignore = _codes(data.get("ignore", []), where, "ignore")
    errors = [code for code in sorted(ignore) if not code.startswith("W")]
    if errors:
        raise ConfigError(
            f"{where}: `ignore` names {', '.join(errors)}; only warnings can be ignored "
            "(an error means the figures cannot be trusted)"
        )
    return CodePolicy(ignore, _codes(data.get("error", []), where, "error"))


def _catalog_files(value: object, folder: Path, where: str) -> tuple[Path, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where}: `catalog` must be a list of paths, e.g. ["parts"]')
    files: list[Path] = []
    for entry in value:
        path = (folder / entry).resolve()
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*.aif") if p.is_file()))
        elif path.is_file():
            files.append(path)
        else:
            raise ConfigError(f"{where}: catalog path `{entry}` does not exist")
    return tuple(files)
