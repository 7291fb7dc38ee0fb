"""``--report FILE.json``: what a CI job needs to know about each edition, as JSON.

Schema, version 2 (``"report_version": 2``; version 1 had preformatted strings)::

    {"report_version": 2, "editions_version": "0.1.0", "command": "build" | "check",
     "source": "/abs/source" | null, "out": "dist", "source_date_epoch": "…" | null,
     "ok": true, "exit_code": 0, "problems": [DIAGNOSTIC, …],
     "editions": [{"format": "pdf", "path": "dist/book.pdf", "status": "built",
                   "sha256": "…", "size": 123, "pages": 29, "seconds": 1.27,
                   "warnings": [DIAGNOSTIC, …], "error": null,
                   "check": {"ok": true, "errors": 0, "warnings": 0,
                             "findings": [DIAGNOSTIC, …]} | null}]}

    DIAGNOSTIC = {"file": "source/ch1.md" | null, "line": 4 | null, "column": 1 | null,
                  "severity": "error" | "warning", "code": "broken-link",
                  "message": "…", "edition": "pdf" | null}

``problems`` are the source's (``edition`` null: every edition shares the source).  ``file``
is relative to the working directory; a check finding inside an edition names the edition and
the part in it (``dist/book.epub/EPUB/ch1.xhtml``).  ``status`` is ``built``, ``skipped``
(unchanged since the last build), ``failed`` or, for ``editions check``, ``checked``.
``pages`` is the PDF's page count, the number of documents in the EPUB's spine, and null for
the DOCX (its pages exist only once a word processor lays it out).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import display_path
from .diagnostics import Diagnostic, from_finding, from_warning

if TYPE_CHECKING:
    from ..build.orchestrate import EditionResult
    from ..check.structural import CheckResult

REPORT_VERSION = 2


def edition_entry(result: EditionResult, check: CheckResult | None) -> dict:
    checked = None
    if check is not None:
        checked = {"ok": check.errors == 0, "errors": check.errors, "warnings": check.warnings,
                   "findings": [from_finding(f, result.format).as_dict()
                                for f in check.findings]}
    return {"format": result.format, "path": display_path(result.path),
            "status": result.status, "sha256": result.sha256,
            "size": result.size if result.ok else None, "pages": result.pages,
            "seconds": round(result.seconds, 3) if result.status != "checked" else None,
            "warnings": [from_warning(w, result.format).as_dict() for w in result.warnings],
            "error": result.error, "check": checked}


def report_data(command: str, results: Iterable[EditionResult],
                checks: dict[Path, CheckResult], *, source: Path | None, out: Path,
                exit_code: int, problems: Iterable[Diagnostic] = ()) -> dict:
    from ..core.version import __version__

    return {"report_version": REPORT_VERSION, "editions_version": __version__,
            "command": command,
            "source": str(source.resolve()) if source else None, "out": display_path(out),
            "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH") or None,
            "ok": exit_code == 0, "exit_code": exit_code,
            "problems": [p.as_dict() for p in problems],
            "editions": [edition_entry(r, checks.get(r.path)) for r in results]}


def write_report(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def report_problem(path: Path | None) -> bool:
    """Print why ``--report`` cannot be written there (True), or say nothing (False)."""
    if path is None:
        return False
    from ..build.guard import path_problem

    why = path_problem(Path(path), "--report", folder=False)
    if why:
        print(f"editions: error: {why}", file=sys.stderr)
    return why is not None
