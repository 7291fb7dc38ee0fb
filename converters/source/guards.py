"""Small checks the loader calls in one line each: unreadable or looping folders, numbers too
long for Python's int, page geometry that makes no sense, and a DOCX reference that is not a
Word document.  Limits come from core/limits.py."""

from __future__ import annotations

import math
import os
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

from ..core import limits
from ..core.errors import Location, ProblemCollector
from .model import PrintSettings
from .yamlnodes import YNode

ErrorFn = Callable[..., None]  # _Loader.error(where, code, message)
# Uncompressed bytes a reference document may unpack to (a zip bomb is refused unopened).
MAX_REFERENCE_UNPACKED = 10 * limits.MAX_REFERENCE_BYTES
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
REFERENCE_ROOTS = {
    "[Content_Types].xml": "{http://schemas.openxmlformats.org/package/2006/content-types}Types",
    "word/document.xml": f"{_W}document", "word/styles.xml": f"{_W}styles"}
REFERENCE_PARTS = tuple(REFERENCE_ROOTS)


def check_folder(source: Path, book: Path, problems: ProblemCollector) -> None:
    """Refuse (located, at once) a source folder or book.yaml that loops or cannot be read."""
    for path, what in ((source, "the source folder"), (book, "book.yaml")):
        try:
            os.stat(path)
        except FileNotFoundError:
            return  # the loader's own checks say what is missing
        except OSError as exc:
            if exc.errno == 40:  # ELOOP
                problems.add(Location(path), "path", f"{what} is a symbolic link that loops; "
                             "replace it with the real folder or file")
            else:
                problems.add(Location(path), "unreadable",
                             f"cannot read {what}: {(exc.strerror or '').lower()}; "
                             "check its permissions")
            break
        if not os.access(path, os.R_OK | (os.X_OK if path == source else 0)):
            problems.add(Location(path), "unreadable",
                         f"cannot read {what}: permission denied; check its permissions")
            break
        if path == book and not stat.S_ISREG(os.stat(path).st_mode):
            problems.add(Location(path), "not-a-file", f"{what} is not a regular file (a "
                         "folder, FIFO or device); make it a plain text file")
    problems.raise_if_any()


def is_file(path: Path) -> bool:
    """``Path.is_file`` that says False, not raises, for a folder one may not enter."""
    try:
        return path.is_file()
    except OSError:
        return False


def number_too_long(node: YNode, error: ErrorFn) -> bool:
    digits = len(str(node.value))
    if digits > limits.MAX_NUMBER_DIGITS:
        error(node, "too-large", f"a chapter number of {digits} digits; the limit is "
              f"{limits.MAX_NUMBER_DIGITS}")
        return True
    return False


def page_number(text: str) -> bool:
    """ASCII digits, few enough for int() (Python refuses over 4,300; '²' is a digit too)."""
    return text.isascii() and text.isdecimal() and len(text) <= limits.MAX_NUMBER_DIGITS


def geometry(p: PrintSettings, node: YNode | None, fields: dict[str, YNode],
             error: ErrorFn) -> PrintSettings:
    """``p`` if trim, bleed and margins fit each other, else the defaults (with the errors)."""
    at = {key: fields.get(key) or node for key in ("trim", "bleed", "margins")}
    before = []

    def bad(key: str, message: str) -> None:
        before.append(key)
        error(at[key], "geometry", message)

    lo, hi = limits.MIN_TRIM_MM, limits.MAX_TRIM_MM
    for name, value in (("width", p.width_mm), ("height", p.height_mm)):
        if not (math.isfinite(value) and lo <= value <= hi):
            bad("trim", f"the trim {name} is {_mm(value)}; it must be between {lo:g} mm and "
                f"{hi:g} mm")
    if not (math.isfinite(p.bleed_mm) and p.bleed_mm <= limits.MAX_BLEED_MM):
        bad("bleed", f"the bleed is {_mm(p.bleed_mm)}; it must be at most "
            f"{limits.MAX_BLEED_MM:g} mm")
    if not before:
        room = limits.MIN_TEXT_MM
        across = p.inner_mm + p.outer_mm
        down = p.top_mm + p.bottom_mm
        if not math.isfinite(across) or p.width_mm - across < room:
            bad("margins", f"the inner and outer margins ({_mm(across)} together) leave less "
                f"than {room:g} mm of the {_mm(p.width_mm)} page width for text")
        if not math.isfinite(down) or p.height_mm - down < room:
            bad("margins", f"the top and bottom margins ({_mm(down)} together) leave less than "
                f"{room:g} mm of the {_mm(p.height_mm)} page height for text")
    return PrintSettings() if before else p


def _mm(value: float) -> str:
    if not math.isfinite(value) or value > 1e9:
        return "far too large"
    return f"{value:g} mm"


def reference_ok(path: Path, node: YNode, error: ErrorFn) -> bool:
    """Whether the DOCX reference is a Word document pandoc and Word can use."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        error(node, "unreadable", f"cannot read the reference document: {exc.strerror}")
        return False
    if size > limits.MAX_REFERENCE_BYTES:
        error(node, "too-large", f"the reference document is {size:,} bytes; the limit is "
              f"{limits.MAX_REFERENCE_BYTES >> 20} MiB")
        return False
    why = _reference_problem(path)
    if why:
        error(node, "reference", f"the reference document {why}; save it from Word or "
              "LibreOffice as a .docx")
    return why is None


def _reference_problem(path: Path) -> str | None:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if sum(i.file_size for i in infos) > MAX_REFERENCE_UNPACKED:
                return "unpacks to more than " \
                       f"{MAX_REFERENCE_UNPACKED >> 20} MiB"
            names = {i.filename for i in infos}
            missing = [part for part in REFERENCE_PARTS if part not in names]
            if missing:
                return f"is not a Word document (no {missing[0]})"
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            roots = {}
            for name in sorted(names):
                if name.endswith((".xml", ".rels")):
                    try:
                        roots[name] = etree.fromstring(z.read(name), parser).tag
                    except etree.XMLSyntaxError:
                        return f"is damaged: its part {name} is not well-formed XML"
            for part, tag in REFERENCE_ROOTS.items():
                if roots[part] != tag:
                    return f"is not a Word document (its {part} is not one)"
    except zipfile.BadZipFile:
        return "is not a zip file (every .docx is one)"
    except (etree.XMLSyntaxError, OSError, ValueError, RuntimeError) as exc:
        return f"is damaged ({' '.join(str(exc).split())[:80]})"
    return None
