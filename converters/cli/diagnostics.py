"""One shape for everything a run finds wrong: source problems, edition warnings, check findings.

The JSON report, the GitHub annotations and the SARIF log are all written from
:class:`Diagnostic`, so a CI tool sees the same file, line and column a person sees in the
terminal.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from ..core.errors import display_path

if TYPE_CHECKING:
    from ..check.finding import Finding
    from ..core.errors import Problem


@dataclass(frozen=True)
class Diagnostic:
    file: str | None  # relative to the working directory, as the terminal shows it
    line: int | None
    column: int | None
    severity: str  # "error" or "warning"
    code: str
    message: str
    edition: str | None  # "epub", "pdf", "docx"; None for the source, which all share

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def from_problem(problem: Problem) -> Diagnostic:
    loc = problem.location
    return Diagnostic(display_path(loc.path), loc.line, loc.col, problem.severity, problem.code,
                      problem.message, None)


# An edition's warning is "origin: message", the message often led by "path:line:col: "
# (pandoc's warnings are located that way by render.markdown).
_WARNING = re.compile(r"^(?P<origin>[\w.-]+): (?:(?P<file>[^\s:][^:]*):(?P<line>\d+):"
                      r"(?P<col>\d+): )?(?P<message>.*)$", re.S)


def from_warning(text: str, edition: str | None) -> Diagnostic:
    m = _WARNING.match(text)
    if m is None:
        return Diagnostic(None, None, None, "warning", "warning", text, edition)
    line = int(m["line"]) if m["line"] else None
    column = int(m["col"]) if m["col"] else None
    return Diagnostic(m["file"], line, column, "warning", m["origin"], m["message"], edition)


def from_finding(finding: Finding, edition: str | None) -> Diagnostic:
    return Diagnostic(finding.file, finding.line, finding.column, finding.severity,
                      finding.code, finding.message, edition)


def from_failure(edition: str, path: str, message: str) -> Diagnostic:
    """An edition that could not be written (the source was fine)."""
    return Diagnostic(path, None, None, "error", "edition-failed", message, edition)
