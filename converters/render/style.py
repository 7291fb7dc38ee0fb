"""The book's own look as CSS: its theme, its font families and its CSS files, in that order,
each laid over the house stylesheet of the EPUB or the PDF.

Font families become @font-face rules pointing at the files an edition carries (the EPUB's
fonts/ folder) or reads (the PDF reads source files through its confined fetcher and finds
installed families by name), and font-family rules for body text, headings and code.
"""

from __future__ import annotations

from pathlib import Path

from ..assets.fonts import FAMILY
from ..assets.themes import THEMES
from ..source.model import Book
from ..source.style import FontChoice
from .scripts import Fallbacks

SELECTORS = {"body": "body", "headings": "h1, h2, h3, h4, h5, h6, .titlepage-block .title",
             "code": "code, pre, kbd, samp"}
GENERIC = {"body": "serif", "headings": "serif", "code": "monospace"}
FACE_CSS = {"regular": ("normal", "normal"), "italic": ("normal", "italic"),
            "bold": ("bold", "normal"), "bolditalic": ("bold", "italic")}


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def epub_font_files(book: Book, fallbacks: Fallbacks) -> dict[tuple[Path, int], str]:
    """Each font the EPUB embeds beside the house serif, as (file, face number in a collection)
    -> its unique name under fonts/: the style's families, then the script fallbacks."""
    names: dict[tuple[Path, int], str] = {}
    taken: set[str] = set()
    faces = [(p, 0) for c in book.style.fonts.values() for p in c.faces.values()]
    faces += [(f.path, f.index) for f in fallbacks.fonts]
    for path, index in faces:
        if (path, index) in names:
            continue
        stem = path.stem + (f"-{index}" if path.suffix.lower() == ".ttc" else "")
        suffix = ".otf" if path.suffix.lower() in (".otf", ".ttc") else ".ttf"
        name, n = stem + suffix, 1
        while name in taken:
            n += 1
            name = f"{stem}-{n}{suffix}"
        taken.add(name)
        names[(path, index)] = name
    return names


def _faces(choice: FontChoice, url_of: dict[tuple[Path, int], str]) -> list[str]:
    rules = []
    for key, path in choice.faces.items():
        weight, style = FACE_CSS[key]
        rules.append(f"@font-face {{ font-family: {css_string(choice.family)}; "
                     f"font-weight: {weight}; font-style: {style}; "
                     f"src: url({css_string(url_of[(path, 0)])}); }}")
    return rules


def _fallback_faces(fallbacks: Fallbacks, url_of: dict[tuple[Path, int], str]) -> list[str]:
    """One face per fallback family: reading systems slant or embolden it where asked."""
    return [f"@font-face {{ font-family: {css_string(f.family)}; "
            f"src: url({css_string(url_of[(f.path, f.index)])}); }}" for f in fallbacks.fonts]


def _families(book: Book, fallbacks: Fallbacks) -> list[str]:
    """font-family stacks: the slot's family, the house serif, then the script fallbacks."""
    rules = []
    extra = [css_string(family) for family in fallbacks.families]
    for slot in SELECTORS:
        choice = book.style.fonts.get(slot)
        if choice is None and (slot != "body" or not extra):
            continue
        stack = [css_string(choice.family)] if choice else []
        if slot != "code":
            stack.append(css_string(FAMILY))
        stack += extra
        stack.append(GENERIC[slot])
        rules.append(f"{SELECTORS[slot]} {{ font-family: {', '.join(stack)}; }}")
    return rules


def epub_css(book: Book, fallbacks: Fallbacks) -> str:
    """What follows the house epub.css in the EPUB's stylesheet."""
    files = epub_font_files(book, fallbacks)
    url_of = {key: f"../fonts/{name}" for key, name in files.items()}
    parts = [THEMES[book.style.theme].epub_css]
    for choice in book.style.fonts.values():
        parts += _faces(choice, url_of)
    parts += _fallback_faces(fallbacks, url_of)
    parts += _families(book, fallbacks)
    if book.style.css_epub is not None:
        parts.append(book.style.css_epub.read_text(encoding="utf-8-sig"))
    return "\n".join(p for p in parts if p)


def pdf_css(book: Book, fallbacks: Fallbacks, source_url: str) -> str:
    """What follows the house pdf.css: installed families are found by name, source files are
    read through the PDF's confined fetcher at ``source_url``."""
    parts = [THEMES[book.style.theme].pdf_css]
    root = book.source_dir.resolve()
    for choice in book.style.fonts.values():
        if not choice.installed:
            url_of = {(p, 0): source_url + p.resolve().relative_to(root).as_posix()
                      for p in choice.faces.values()}
            parts += _faces(choice, url_of)
    parts += _families(book, fallbacks)  # installed families: WeasyPrint finds them by name
    if book.style.css_pdf is not None:
        parts.append(book.style.css_pdf.read_text(encoding="utf-8-sig"))
    return "\n".join(p for p in parts if p)
