"""What ``build`` and ``check`` share beyond the build itself: the outputs for machines
(``--annotations``, ``--sarif``), ``--quiet``, ``--version`` and finding the book folder."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import SourceError, display_path
from .diagnostics import Diagnostic, from_failure, from_finding, from_problem, from_warning

if TYPE_CHECKING:
    from ..build.orchestrate import EditionResult
    from ..check.structural import CheckResult

BOOK_FILE = "book.yaml"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true",
                   help="print only problems (errors and warnings): no progress, no results")
    p.add_argument("--annotations", choices=("github",), default=None,
                   help="also print each problem as a GitHub Actions workflow command "
                   "(::error file=…,line=…,col=…::…), which GitHub shows on the changed lines")
    p.add_argument("--sarif", type=Path, default=None, metavar="FILE.sarif",
                   help="write every problem to FILE.sarif (SARIF 2.1.0, for code scanning)")


def versions() -> list[tuple[str, str]]:
    """editions and the tools whose versions a bug report needs."""
    from importlib import metadata

    from ..core.version import __version__

    found = [("editions", __version__)]
    try:
        import pypandoc  # type: ignore[import-untyped]

        found.append(("pandoc", pypandoc.get_pandoc_version()))
    except (ImportError, OSError, RuntimeError) as exc:
        found.append(("pandoc", f"not available ({exc})"))
    for label, dist in (("WeasyPrint", "weasyprint"), ("ebooklib", "ebooklib"),
                        ("python-docx", "python-docx")):
        try:
            found.append((label, metadata.version(dist)))
        except metadata.PackageNotFoundError:
            found.append((label, "not installed"))
    found.append(("Python", sys.version.split()[0]))
    return found


class VersionAction(argparse.Action):
    """``--version``, computed only when asked: asking pandoc its version starts a process."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: str | Sequence[Any] | None, option_string: str | None = None) -> None:
        first, *rest = versions()
        lines = [f"{first[0]} {first[1]}", *(f"  {name} {version}" for name, version in rest)]
        print("\n".join(lines))  # stdout, as argparse's own version action
        parser.exit(0)


def source_dir(given: str | None) -> Path | str:
    """The book folder ``given`` names; a message (str) when it names something else.

    ``mybook/book.yaml`` means ``mybook``; nothing given means the current folder if it holds a
    book.yaml, else ``source`` (the repository's sample).
    """
    if given is None:
        return Path(".") if Path(BOOK_FILE).is_file() else Path("source")
    path = Path(given)
    if path.is_file():
        if path.name == BOOK_FILE:
            return path.parent
        book = next((folder for folder in path.resolve().parents
                     if (folder / BOOK_FILE).is_file()), None)
        hint = (f"'{display_path(book)}'" if book is not None
                else "the folder that holds the book's book.yaml")
        return (f"{display_path(path)} is a file, not a book; pass the book's folder or its "
                f"book.yaml, e.g. {hint}")
    return path


class Silent:
    """The progress display under --quiet."""

    def __call__(self, kind: str, fmt: str | None, result: EditionResult | None) -> None:
        return None

    def close(self) -> None:
        return None


def problems_of(exc: SourceError) -> list[Diagnostic]:
    return [from_problem(p) for p in exc.problems]


def diagnostics(results: Iterable[EditionResult], checks: dict[Path, CheckResult],
                problems: Iterable[Diagnostic] = ()) -> list[Diagnostic]:
    """Every problem of a run, source first, then each edition's warnings, failure, findings."""
    found = list(problems)
    for r in results:
        found.extend(from_warning(w, r.format) for w in r.warnings)
        if r.status == "failed":
            found.append(from_failure(r.format, display_path(r.path), r.error or "failed"))
    for path, check in checks.items():
        found.extend(from_finding(f, path.suffix[1:]) for f in check.findings)
    return found


def emit(args: argparse.Namespace, results: Iterable[EditionResult],
         checks: dict[Path, CheckResult], problems: Iterable[Diagnostic]) -> None:
    if args.annotations is None and args.sarif is None:
        return
    found = diagnostics(results, checks, problems)
    if args.annotations:
        from .annotations import annotation_lines

        for line in annotation_lines(args.annotations, found):
            print(line)
    if args.sarif is not None:
        from ..core.version import __version__
        from .sarif import write_sarif

        write_sarif(args.sarif, found, __version__)
