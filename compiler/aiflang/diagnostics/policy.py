"""A project's policy on codes: warnings it ignores and codes it treats as errors.

Applied by the driver after suppression comments, so every command (and
the language server) counts the same findings. Which policy holds for a
finding depends on the file it points into (per-path rules in the project
configuration); a finding without a span follows the compiled file's.
"""

from __future__ import annotations

from collections.abc import Callable

from aiflang.diagnostics import Diagnostic, Severity
from aiflang.records import record, replace


@record
class CodePolicy:
    """Codes to drop (warnings only) and codes to report as errors."""

    ignore: frozenset[str] = frozenset()
    error: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.ignore or self.error)


PolicyOf = Callable[[str], CodePolicy]


def apply_policy(diagnostics: list[Diagnostic], policy_of: PolicyOf, file: str) -> list[Diagnostic]:
    """`diagnostics` less the ignored warnings, with promoted codes made errors."""
    kept: list[Diagnostic] = []
    for diagnostic in diagnostics:
        policy = policy_of(diagnostic.span.file if diagnostic.span else file)
        if diagnostic.code in policy.ignore and not diagnostic.is_error:
            continue
        if diagnostic.code in policy.error and not diagnostic.is_error:
            diagnostic = replace(diagnostic, severity=Severity.ERROR)
        kept.append(diagnostic)
    return kept
