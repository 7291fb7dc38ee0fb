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

SELECTORS = {"body": "body", "headings": "h1, h2, h3, h4, h5, h6, .titlepage-block .title",
             "code": "code, pre, kbd, samp"}
GENERIC = {"body": "serif", "headings": "serif", "code": "monospace"}
FACE_CSS = {"regular": ("normal", "normal"), "italic": ("normal", "italic"),
            "bold": ("bold", "normal"), "bolditalic": ("bold", "italic")}


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def epub_font_files(book: Book) -> dict[Path, str]:
    """Each font file the EPUB embeds for the style -> its name under fonts/ (unique)."""
    names: dict[Path, str] = {}
    taken: set[str] = set()
    for choice in book.style.fonts.values():
        for path in choice.faces.values():
            if path in names:
                continue
            name, n = path.name, 1
            while name in taken:
                n += 1
                name = f"{path.stem}-{n}{path.suffix}"
            taken.add(name)
            names[path] = name
    return names


def _faces(choice: FontChoice, url_of: dict[Path, str]) -> list[str]:
    rules = []
    for key, path in choice.faces.items():
        weight, style = FACE_CSS[key]
        rules.append(f"@font-face {{ font-family: {css_string(choice.family)}; "
                     f"font-weight: {weight}; font-style: {style}; "
                     f"src: url({css_string(url_of[path])}); }}")
    return rules


def _families(book: Book) -> list[str]:
    rules = []
    for slot, choice in book.style.fonts.items():
        stack = [css_string(choice.family)]
        if slot != "code":
            stack.append(css_string(FAMILY))
        stack.append(GENERIC[slot])
        rules.append(f"{SELECTORS[slot]} {{ font-family: {', '.join(stack)}; }}")
    return rules


def epub_css(book: Book) -> str:
    """What follows the house epub.css in the EPUB's stylesheet."""
    files = epub_font_files(book)
    url_of = {path: f"../fonts/{name}" for path, name in files.items()}
    parts = [THEMES[book.style.theme].epub_css]
    for choice in book.style.fonts.values():
        parts += _faces(choice, url_of)
    parts += _families(book)
    if book.style.css_epub is not None:
        parts.append(book.style.css_epub.read_text(encoding="utf-8-sig"))
    return "\n".join(p for p in parts if p)


def pdf_css(book: Book, source_url: str) -> str:
    """What follows the house pdf.css: installed families are found by name, source files are
    read through the PDF's confined fetcher at ``source_url``."""
    parts = [THEMES[book.style.theme].pdf_css]
    root = book.source_dir.resolve()
    for choice in book.style.fonts.values():
        if not choice.installed:
            url_of = {p: source_url + p.resolve().relative_to(root).as_posix()
                      for p in choice.faces.values()}
            parts += _faces(choice, url_of)
    parts += _families(book)
    if book.style.css_pdf is not None:
        parts.append(book.style.css_pdf.read_text(encoding="utf-8-sig"))
    return "\n".join(p for p in parts if p)
