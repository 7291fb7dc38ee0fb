"""The ``style:`` block of book.yaml: a house theme, extra CSS and the book's font families.

    style:
      theme: literary            # classic (default), literary or technical
      css: style/extra.css       # after the house style in EPUB and PDF; or per edition:
      # css: {epub: style/epub.css, pdf: style/pdf.css}
      fonts:
        body: Noto Serif         # an installed family (fontconfig), or files in the source:
        headings: {family: My Sans, regular: fonts/MySans.ttf, bold: fonts/MySans-Bold.ttf}
        code: DejaVu Sans Mono

The keys are declared in schema.py; every font is checked while the source is read: a family
that is not installed, a face file that is not a font, or a font whose licence forbids
embedding (OS/2 ``fsType``) is a located error rather than a silent substitution or an embed
the licence does not allow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fontTools.ttLib import TTFont, TTLibError

from ..assets.fonts import family_faces
from ..assets.themes import THEMES
from ..core.errors import Location

FONT_SLOTS = ("body", "headings", "code")
FACE_KEYS = ("regular", "italic", "bold", "bolditalic")
# OS/2 fsType (OpenType spec): bit 1 "Restricted License embedding" forbids embedding; bit 9
# "Bitmap embedding only" forbids embedding the outlines a PDF or EPUB needs.
FS_RESTRICTED, FS_BITMAP_ONLY = 0x0002, 0x0200
FONT_SUFFIXES = (".ttf", ".otf")


@dataclass(frozen=True)
class FontChoice:
    family: str
    faces: dict[str, Path]  # FACE_KEYS -> file; at least "regular"
    installed: bool  # True: a system family (PDF and DOCX find it by name)


@dataclass(frozen=True)
class Style:
    theme: str = "classic"
    css_epub: Path | None = None
    css_pdf: Path | None = None
    fonts: dict[str, FontChoice] = field(default_factory=dict)  # FONT_SLOTS -> choice


def build_style(fields: dict[str, Any] | None, written_slots: set[str],
                theme_at: Location, error: Callable[[Location, str, str], None]) -> Style:
    """The Style of the validated ``style:`` fields; the theme's families fill the font slots
    the book leaves unwritten, and must be installed."""
    if not fields:
        return Style()
    theme = fields.get("theme") or "classic"
    css = fields.get("css")
    css_epub, css_pdf = (css.get("epub"), css.get("pdf")) if isinstance(css, dict) else (css, css)
    fonts: dict[str, FontChoice] = {}
    for slot, choice in (fields.get("fonts") or {}).items():
        if isinstance(choice, str):
            fonts[slot] = FontChoice(choice, family_faces(choice), installed=True)
        elif isinstance(choice, dict):
            faces = {key: choice[key] for key in FACE_KEYS if choice.get(key) is not None}
            fonts[slot] = FontChoice(choice["family"], faces, installed=False)
    for slot, family in THEMES[theme].fonts.items():
        if slot in fonts or slot in written_slots:
            continue
        faces = family_faces(family)
        if "regular" not in faces:
            error(theme_at, "font", f"the theme '{theme}' sets its {slot} in {family}, which is "
                  f"not installed; run .ci/sysdeps or name another family under style: fonts: "
                  f"{slot}:")
            continue
        fonts[slot] = FontChoice(family, faces, installed=True)
    return Style(theme, css_epub, css_pdf, fonts)


def files_of(style: Style) -> list[Path]:
    """The source files a style reads, for the build's fingerprints."""
    found = [path for path in (style.css_epub, style.css_pdf) if path is not None]
    found += [path for choice in style.fonts.values() if not choice.installed
              for path in choice.faces.values()]
    return found


def embeddable_problem(path: Path, what: str) -> tuple[str, str] | None:
    """(code, message) unless ``path`` is a readable outline font whose licence allows
    embedding it in a document."""
    if path.suffix.lower() not in FONT_SUFFIXES:
        return "font", f"{what}: '{path.name}' is not a .ttf or .otf font"
    try:
        font = TTFont(path, lazy=True)
        fs_type = font["OS/2"].fsType if "OS/2" in font else 0
        font.close()
    except (TTLibError, OSError, AssertionError, KeyError, ValueError) as exc:
        return "font", f"{what}: '{path.name}' cannot be read as a font ({exc})"
    if fs_type & FS_RESTRICTED:
        return "font-licence", (f"{what}: the licence of '{path.name}' forbids embedding it "
                                "(OS/2 fsType 'restricted'); choose a font licensed for "
                                "embedding, such as an OFL font")
    if fs_type & FS_BITMAP_ONLY:
        return "font-licence", (f"{what}: the licence of '{path.name}' allows only bitmap "
                                "embedding (OS/2 fsType); choose a font licensed for embedding")
    return None
