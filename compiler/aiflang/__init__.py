"""aiflang: the aifc compiler for AI-factory designs, as a Python library.

`aiflang.compile(path_or_text)` returns a `Result` with `.valid`,
`.diagnostics`, `.reports` (one report per factory),
`.report(name)` and `.to_json()`; see docs/api.md. The command line is
`aifc` (`aiflang.cli`).

Importing this package stays cheap (the `aifc` command imports it before
printing `--help`): the API is loaded on first use through the module's
`__getattr__`, so pydantic, networkx and the models are imported only when
`compile` or `Result` is first touched.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from aiflang.api import Result, compile

    __version__: str

__all__ = ["Result", "__version__", "compile"]


def __getattr__(name: str) -> object:
    if name in ("compile", "Result"):
        from aiflang import api

        return getattr(api, name)
    if name == "__version__":
        from aiflang.resources import package_version

        return package_version()
    raise AttributeError(f"module 'aiflang' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
