"""The one exception family for user mistakes: every error carries a location."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .escape import terminal


@dataclass(frozen=True, order=True)
class Location:
    path: Path
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        return f"{terminal(display_path(self.path))}:{self.line}:{self.col}"


def display_path(path: Path) -> str:
    """Paths relative to the working directory read best in a terminal and in CI logs."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith(".." + os.sep + "..") else rel


@dataclass(frozen=True)
class Problem:
    """One located finding: ``path:line:col: error: message [code]``."""

    location: Location
    message: str
    code: str
    severity: str = "error"

    def __str__(self) -> str:
        return f"{self.location}: {self.severity}: {terminal(self.message)} [{self.code}]"


class EditionsError(Exception):
    """Base of every error the toolkit raises on purpose."""


class SourceError(EditionsError):
    """The book source has one or more problems; all of them are in ``problems``.

    ``partial`` is the book as far as it could be read (or None), so that later checks (the
    Markdown's links and images) can still run and report in the same pass; ``complete`` says
    whether every contents entry and its text made it into ``partial``, without which a link
    target cannot be judged missing.
    """

    def __init__(self, problems: list[Problem], partial: object | None = None,
                 complete: bool = False) -> None:
        self.problems = sorted(problems, key=lambda p: (str(p.location.path), p.location.line,
                                                        p.location.col))
        self.partial = partial
        self.complete = complete
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple:
        # Raised in the process that renders (build/apart.py) and again in the build's.
        return (type(self), (self.problems, self.partial, self.complete))


class BuildError(EditionsError):
    """An edition could not be produced although the source was valid."""


class ProblemCollector:
    """Collects every problem of a pass so they are reported together (MkDocs-style)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, location: Location, code: str, message: str) -> None:
        self.problems.append(Problem(location, message, code))

    def raise_if_any(self) -> None:
        if self.problems:
            raise SourceError(self.problems)

    def __bool__(self) -> bool:
        return bool(self.problems)
