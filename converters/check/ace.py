"""Ace by DAISY, the trade's EPUB accessibility checker, run on Node and Debian's Chromium.

``make test`` npm-installs @daisy/ace-cli into .venv/ace with Puppeteer's own browser download
skipped; Ace then drives the system Chromium through PUPPETEER_EXECUTABLE_PATH.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import BuildError

ROOT = Path(__file__).resolve().parents[2]
LOCAL_ACE = ROOT / ".venv" / "ace" / "node_modules" / ".bin" / "ace-cli"


@dataclass(frozen=True)
class AceViolation:
    document: str  # path inside the EPUB
    rule: str  # e.g. heading-order, metadata-accessmode
    impact: str  # minor, moderate, serious, critical
    description: str

    def __str__(self) -> str:
        return f"{self.document}: {self.impact}[{self.rule}]: {self.description}"


@dataclass(frozen=True)
class AceReport:
    version: str
    outcome: str  # "pass" or "fail"
    violations: list[AceViolation]
    metadata: dict  # Ace's a11y-metadata block: present, missing, empty


def ace_command() -> list[str]:
    """The command that runs Ace, or BuildError saying what is missing."""
    node = shutil.which("node")
    if node is None:
        raise BuildError("Ace needs Node.js; install the Debian package nodejs")
    if os.environ.get("ACE_CLI"):
        if not Path(os.environ["ACE_CLI"]).is_file():
            raise BuildError(f"$ACE_CLI names {os.environ['ACE_CLI']}, which does not exist")
        return [os.environ["ACE_CLI"]]
    if LOCAL_ACE.exists():
        return [str(LOCAL_ACE)]
    found = shutil.which("ace")
    if found:
        return [found]
    raise BuildError(f"Ace is not installed (looked for $ACE_CLI, {LOCAL_ACE} and ace on PATH); "
                     "run make test, which npm-installs @daisy/ace-cli")


def chromium() -> str:
    """The browser Ace drives: $PUPPETEER_EXECUTABLE_PATH or Debian's chromium."""
    for candidate in (os.environ.get("PUPPETEER_EXECUTABLE_PATH"), shutil.which("chromium"),
                      shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    raise BuildError("Ace needs Chromium; install the Debian package chromium")


def run_ace(epub: Path, *, timeout: int = 600) -> AceReport:
    """Check ``epub`` with Ace; return its verdict and every violation it found."""
    command = ace_command()
    env = {**os.environ, "PUPPETEER_EXECUTABLE_PATH": chromium(), "PUPPETEER_SKIP_DOWNLOAD": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report"
        try:
            proc = subprocess.run([*command, "--silent", "--outdir", str(out),
                                   "--tempdir", str(Path(tmp) / "work"), str(epub)],
                                  capture_output=True, text=True, timeout=timeout, env=env)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise BuildError(f"Ace did not run: {exc}") from exc
        report = out / "report.json"
        if not report.exists():
            raise BuildError(f"Ace did not run: {(proc.stderr or proc.stdout).strip()[:800]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    violations = []
    for document in data.get("assertions", []):
        where = document.get("earl:testSubject", {}).get("url", "?")
        for check in document.get("assertions", []):
            result = check.get("earl:result", {})
            if result.get("earl:outcome") == "pass":
                continue
            test = check.get("earl:test", {})
            violations.append(AceViolation(where, test.get("dct:title", "?"),
                                           test.get("earl:impact", "?"),
                                           result.get("dct:description", "")))
    release = data.get("earl:assertedBy", {}).get("doap:release", {})
    return AceReport(release.get("doap:revision", "?"),
                     data.get("earl:result", {}).get("earl:outcome", "?"), violations,
                     data.get("a11y-metadata", {}))
