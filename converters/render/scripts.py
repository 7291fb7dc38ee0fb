"""Every script: which installed family sets the characters the book's fonts lack, and the
``dir`` that right-to-left languages need.

The book's own families (Charis SIL, or those of its style: block) come first; for each
character they lack, fontconfig names the families that have it, and the most book-like of
them (a Noto serif before a sans, a family for the book's language before its cousins) is
chosen. The same list of families then goes to all three editions, so a Hebrew word is set in
one face everywhere. A character that no installed font has is reported once, at the first
Markdown line that uses it.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont
from lxml import etree
from lxml import html as lhtml

from ..assets.fonts import serif_faces
from ..core.errors import Location
from ..source.model import Book

log = logging.getLogger("converters.render.scripts")

# Languages written right to left (ISO 639-1 and -3 codes as BCP 47 uses them).
RTL_LANGUAGES = {"ar", "arc", "ckb", "dv", "fa", "he", "iw", "ks", "ku-arab", "ps", "sd", "syr",
                 "ug", "ur", "yi"}
# fontconfig's CJK family for a language; Japanese when the text does not say.
CJK_SUFFIX = {"ja": "JP", "ko": "KR", "zh": "SC", "zh-hans": "SC", "zh-hant": "TC",
              "zh-tw": "TC", "zh-hk": "HK"}
# Characters that are never drawn by themselves: joiners, variation selectors, controls.
SILENT_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Mn", "Me"}
UNWANTED = ("Mono", "Display", " UI", "Condensed", "Rashi", "Looped", "Unjoined", "Kufi",
            "Nastaliq")


@dataclass(frozen=True)
class Fallback:
    family: str
    path: Path
    index: int  # the face's number in a collection (.ttc); 0 otherwise
    chars: str  # the book's characters this family sets


@dataclass(frozen=True)
class Fallbacks:
    fonts: tuple[Fallback, ...] = ()
    missing: str = ""  # characters no installed font has

    @property
    def families(self) -> list[str]:
        return [f.family for f in self.fonts]

    def first(self, *prefixes: str) -> str | None:
        return next((f.family for f in self.fonts if f.family.startswith(prefixes)), None)


def set_directions(fragment: str) -> str:
    """``dir="rtl"`` on every element whose ``lang`` is a right-to-left language."""
    if "lang=" not in fragment:
        return fragment
    root = lhtml.fragment_fromstring(fragment, create_parent="div")
    changed = False
    for element in root.iter():
        lang = (element.get("lang") or "").lower() if isinstance(element.tag, str) else ""
        if lang and element.get("dir") is None and (
                lang in RTL_LANGUAGES or lang.split("-")[0] in RTL_LANGUAGES):
            element.set("dir", "rtl")
            changed = True
    if not changed:
        return fragment
    return (root.text or "") + "".join(
        etree.tostring(child, method="xml", encoding="unicode", with_tail=True) for child in root)


def find_fallbacks(book: Book, text: set[str]) -> Fallbacks:
    """The families that set what the book's own fonts lack (in ``text``, the characters the
    book shows), and what nothing sets (warned)."""
    covered = set()
    for path in _own_faces(book):
        covered |= _cmap(path, 0)
    needed = sorted(c for c in text if ord(c) not in covered
                    and unicodedata.category(c) not in SILENT_CATEGORIES and not c.isspace())
    fonts: list[Fallback] = []
    missing = []
    left = list(needed)
    while left:
        char = left[0]
        found = _best_face(ord(char), book.language)
        if found is None:
            missing.append(char)
            left.pop(0)
            continue
        family, path, index = found
        cmap = _cmap(path, index)
        mine = "".join(c for c in left if ord(c) in cmap)
        fonts.append(Fallback(family, path, index, mine))
        left = [c for c in left if ord(c) not in cmap]
    if missing:
        _warn_missing(book, "".join(missing))
    return Fallbacks(tuple(fonts), "".join(missing))


def _own_faces(book: Book) -> list[Path]:
    faces = [serif_faces()["regular"]]
    faces += [c.faces["regular"] for c in book.style.fonts.values()]
    return faces


@lru_cache(maxsize=64)
def _cmap(path: Path, index: int) -> frozenset[int]:
    font = TTFont(path, fontNumber=index, lazy=True)
    try:
        return frozenset(font.getBestCmap() or {})
    finally:
        font.close()


@lru_cache(maxsize=1024)
def _best_face(codepoint: int, language: str) -> tuple[str, Path, int] | None:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        listing = subprocess.run(
            [fc_list, f":charset={codepoint:x}:style=Regular", "--format",
             "%{family[0]}|%{file}|%{index}\\n"],
            capture_output=True, text=True, timeout=30, check=False).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    cjk = "CJK " + CJK_SUFFIX.get(language.lower(), CJK_SUFFIX.get(language[:2].lower(), "JP"))
    candidates = []
    for line in listing.splitlines():
        family, path, index = [*line.split("|"), "", "", "0"][:3]
        if not path.lower().endswith((".ttf", ".otf", ".ttc")) or any(
                u in family for u in UNWANTED):
            continue
        candidates.append((_rank(family, cjk), family, path, int(index or 0)))
    if not candidates:
        return None
    _, family, path, index = min(candidates)
    return family, Path(path), index


def _rank(family: str, cjk: str) -> int:
    if "CJK" in family and cjk not in family:
        return 5
    if family.startswith(("Noto Serif", "Noto Naskh")):
        return 0
    if family.startswith("Noto Sans"):
        return 1
    if family.startswith("Noto Color Emoji"):  # a text face first for arrows and symbols
        return 4
    if family.startswith("Noto"):
        return 2
    return 3 if family.startswith("DejaVu") else 6


def _warn_missing(book: Book, chars: str) -> None:
    """One warning per Markdown line that holds characters no font has."""
    lines: dict[Location, list[str]] = {}
    unplaced = set(chars)
    for entry in book.entries:
        for path, text in ((entry.body_path, entry.body_text),
                           (entry.summary_path, entry.summary_text)):
            if path is None or text is None:
                continue
            for number, line in enumerate(text.splitlines(), 1):
                here = [c for c in chars if c in line]
                if here:
                    col = min(line.index(c) for c in here) + 1
                    lines.setdefault(Location(path, number, col), []).extend(here)
                    unplaced -= set(here)
    for where, here in lines.items():
        log.warning("%s: no installed font has %s; the editions show a box. Install a font "
                    "for it (see .ci/sysdeps) or remove it", where, _describe(here))
    if unplaced:
        log.warning("%s: no installed font has %s (in the book's metadata)",
                    Location(book.source_dir / "book.yaml"), _describe(sorted(unplaced)))


def _describe(chars: list[str]) -> str:
    return ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, 'unnamed character')}"
                     for c in dict.fromkeys(chars))
