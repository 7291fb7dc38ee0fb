"""What an edition was made from, so an unchanged edition is not made again.

An edition's fingerprint is a SHA-256 over everything that can change its bytes: the bytes of
every source file the build read (``book.yaml``, the Markdown files, the cover, the reference
document and every image a Markdown file pulled in), the build options that edition uses, the
format, ``SOURCE_DATE_EPOCH``, the toolkit's own code and assets, the versions of pandoc and of
the Python libraries that write the editions, and the house font files.

The list of input files is recorded with the edition (like a compiler's depfile), so the next
build can recompute the fingerprint from file bytes alone, without parsing the YAML or running
pandoc: any change that could add a new input (a new image in a Markdown file, a new entry in
``book.yaml``) changes the bytes of a file already on the list.

The record lives in ``OUT/.editions-state.json``; it is git-ignored with the output folder.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from ..core.errors import EditionsError

STATE_FILE = ".editions-state.json"
STATE_VERSION = 1
# The libraries whose output lands in an edition's bytes.
LIBRARIES = ("weasyprint", "pydyf", "fonttools", "ebooklib", "python-docx", "pypandoc-binary",
             "pikepdf", "lxml", "pillow", "ziamath", "ziafont")
PACKAGE_DIR = Path(__file__).resolve().parents[1]


def sha256_file(path: Path) -> str:
    """The file's SHA-256; OSError for anything but a regular file.

    Opened non-blocking and checked before reading: a FIFO put where an input or an edition
    was would otherwise block the build forever."""
    digest = hashlib.sha256()
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(f"{path} is not a regular file")
    with os.fdopen(fd, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def toolchain() -> dict[str, str]:
    """Versions of everything outside the source that shapes the editions (once a process)."""
    from ..core.version import __version__

    versions = {"editions": __version__, "python": sys.version.split()[0],
                "code": _code_digest(), "fonts": _font_digest()}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "absent"
    versions["pandoc"] = _pandoc_version()
    return versions


def _pandoc_version() -> str:
    from ..render.pandoc import version

    try:
        return version()
    except (OSError, EditionsError):
        return "absent"


def _code_digest() -> str:
    """The package's own modules and assets: a code change rebuilds, whatever the version."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0")
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _font_digest() -> str:
    """Name, size and modification time of the house font files (a font update rebuilds)."""
    from ..assets.fonts import serif_faces
    from ..core.errors import BuildError

    try:
        faces = serif_faces()
    except BuildError:  # the build itself says which package to install
        return "absent"
    parts = []
    for key, path in faces.items():
        st = path.stat()
        parts.append(f"{key}:{path}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def input_digests(source_dir: Path, files: Iterable[Path]) -> dict[str, str] | None:
    """{path relative to the source folder: sha256}; None if any file cannot be read."""
    root = source_dir.resolve()
    out: dict[str, str] = {}
    for path in files:
        try:
            absolute = Path(path).resolve()
            rel = absolute.relative_to(root).as_posix()
            out[rel] = sha256_file(absolute)
        except (OSError, ValueError, RuntimeError):  # RuntimeError: a symlink loop
            return None
    return dict(sorted(out.items()))


def fingerprint(fmt: str, options: dict[str, str], source_dir: Path,
                inputs: dict[str, str]) -> str:
    """One edition's fingerprint from its format, options and input digests."""
    material = {
        "format": fmt,
        "options": options,
        "source": str(source_dir.resolve()),
        "source_date_epoch": os.environ.get("SOURCE_DATE_EPOCH", "").strip(),
        "toolchain": toolchain(),
        "inputs": inputs,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


@dataclass
class EditionRecord:
    """What the state file remembers of one edition."""

    path: str  # file name inside the output folder
    fingerprint: str
    sha256: str
    size: int
    pages: int | None
    inputs: list[str] = field(default_factory=list)  # relative to the source folder
    warnings: list[str] = field(default_factory=list)  # reported again when skipped


@dataclass
class State:
    out_dir: Path
    source: str = ""
    editions: dict[str, EditionRecord] = field(default_factory=dict)
    # The digests of each recorded input list, hashed once for all the editions that share it
    # (every edition of a book does: 3 x 13 ms for 362 files).
    _hashed: dict[tuple[str, ...], dict[str, str] | None] = field(
        default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, out_dir: Path) -> State:
        """The recorded state, or an empty one if there is none or it cannot be read."""
        state = cls(out_dir)
        try:
            data = json.loads((out_dir / STATE_FILE).read_text(encoding="utf-8"))
            if data.get("version") != STATE_VERSION:
                return state
            state.source = data.get("source", "")
            for fmt, rec in data.get("editions", {}).items():
                state.editions[fmt] = EditionRecord(**rec)
        except (OSError, ValueError, TypeError, AttributeError):
            return cls(out_dir)  # an unreadable record only costs a rebuild
        return state

    def save(self, scratch: Path | None = None) -> None:
        """Write atomically, so a killed build never leaves half a state file.

        The new file is written in ``scratch`` (a folder on the same file system; by default
        the output folder) and renamed over the old one.
        """
        data = {"version": STATE_VERSION, "source": self.source,
                "editions": {fmt: vars(rec) for fmt, rec in sorted(self.editions.items())}}
        target = self.out_dir / STATE_FILE
        tmp = (scratch or self.out_dir) / f"{STATE_FILE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")
        os.replace(tmp, target)

    def unchanged(self, fmt: str, options: dict[str, str],
                  source_dir: Path) -> EditionRecord | None:
        """The record of ``fmt`` if its output is intact and its inputs are as recorded.

        The recorded input list is hashed afresh: the fast path needs no YAML and no pandoc.
        """
        rec = self.editions.get(fmt)
        if rec is None:
            return None
        key = (str(source_dir), *rec.inputs)
        if key not in self._hashed:
            self._hashed[key] = input_digests(source_dir, (source_dir / p for p in rec.inputs))
        digests = self._hashed[key]
        if digests is None:
            return None
        if fingerprint(fmt, options, source_dir, digests) != rec.fingerprint:
            return None
        output = self.out_dir / rec.path
        try:
            if output.stat().st_size != rec.size or sha256_file(output) != rec.sha256:
                return None
        except OSError:
            return None
        return rec
