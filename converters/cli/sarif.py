"""``--sarif FILE``: the run's diagnostics as a SARIF 2.1.0 log, which code-scanning dashboards
(GitHub code scanning, GitLab, Azure DevOps) read."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from .diagnostics import Diagnostic

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/editions/"


def _uri(file: str) -> str:
    """A relative URI reference: forward slashes, percent-encoded, never a drive letter."""
    return quote(str(PurePosixPath(*Path(file).parts)), safe="/")


def sarif_log(diagnostics: Iterable[Diagnostic], version: str) -> dict:
    rules: dict[str, int] = {}
    results = []
    for d in diagnostics:
        index = rules.setdefault(d.code, len(rules))
        result: dict = {"ruleId": d.code, "ruleIndex": index,
                        "level": "error" if d.severity == "error" else "warning",
                        "message": {"text": d.message}}
        if d.file:
            physical: dict = {"artifactLocation": {"uri": _uri(d.file),
                                                   "uriBaseId": "%SRCROOT%"}}
            if d.line:
                physical["region"] = {"startLine": d.line, "startColumn": d.column or 1}
            result["locations"] = [{"physicalLocation": physical}]
        if d.edition:
            result["properties"] = {"edition": d.edition}
        results.append(result)
    driver = {"name": "editions", "version": version, "informationUri": INFORMATION_URI,
              "rules": [{"id": code, "name": code, "shortDescription": {"text": code}}
                        for code in rules]}
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION,
            "runs": [{"tool": {"driver": driver},
                      "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri() + "/"}},
                      "results": results}]}


def write_sarif(path: Path, diagnostics: Iterable[Diagnostic], version: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(sarif_log(diagnostics, version), indent=2, ensure_ascii=False)
                   + "\n", encoding="utf-8")
    os.replace(tmp, path)
