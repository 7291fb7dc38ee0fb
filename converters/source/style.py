"""The ``style:`` block of book.yaml: a house theme, extra CSS and the book's font families.

    style:
      theme: literary            # classic (default), literary or technical
      css: style/extra.css       # after the house style in EPUB and PDF; or per edition:
      # css: {epub: style/epub.css, pdf: style/pdf.css}
      fonts:
        body: Noto Serif         # an installed family (fontconfig), or files in the source:
        headings: {family: My Sans, regular: fonts/MySans.ttf, bold: fonts/MySans-Bold.ttf}
        code: DejaVu Sans Mono

Every font is checked here, while the source is read: a family that is not installed, a face
file that is not a font, or a font whose licence forbids embedding (OS/2 ``fsType``) is a
located error rather than a silent substitution or an embed the licence does not allow.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from fontTools.ttLib import TTFont, TTLibError

from ..assets.fonts import family_faces
from ..assets.themes import THEMES

if TYPE_CHECKING:
    from .yamlnodes import YNode

STYLE_KEYS = ("theme", "css", "fonts")
CSS_KEYS = ("epub", "pdf")
FONT_SLOTS = ("body", "headings", "code")
FACE_KEYS = ("regular", "italic", "bold", "bolditalic")
FONT_KEYS = ("family", *FACE_KEYS)
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


class _Reader(Protocol):
    files: list[Path]

    def error(self, where: YNode, code: str, message: str) -> None: ...
    def mapping(self, node: YNode, allowed: tuple[str, ...], what: str) -> dict | None: ...
    def string(self, fields: dict, key: str, what: str) -> str | None: ...
    def source_file(self, node: YNode, what: str) -> Path | None: ...


def read_style(loader: _Reader, node: YNode | None) -> Style:
    """The Style of a ``style:`` node (the default Style when there is none)."""
    if node is None:
        return Style()
    fields = loader.mapping(node, STYLE_KEYS, "style")
    if not fields:
        return Style()
    theme = loader.string(fields, "theme", "style") or "classic"
    if theme not in THEMES:
        close = difflib.get_close_matches(theme, THEMES, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(THEMES)}"
        loader.error(fields["theme"], "theme", f"unknown theme '{theme}'; {hint}")
        theme = "classic"
    css_epub = css_pdf = None
    if "css" in fields:
        css = fields["css"]
        if css.kind == "mapping":
            per = loader.mapping(css, CSS_KEYS, "style css") or {}
            css_epub = _css(loader, per.get("epub"))
            css_pdf = _css(loader, per.get("pdf"))
        else:
            css_epub = css_pdf = _css(loader, css)
    fonts = {}
    if "fonts" in fields:
        slots = loader.mapping(fields["fonts"], FONT_SLOTS, "style fonts") or {}
        for slot, font_node in slots.items():
            choice = _font(loader, font_node, slot)
            if choice is not None:
                fonts[slot] = choice
    for slot, family in THEMES[theme].fonts.items():
        if slot in fonts or slot in ((fields.get("fonts") and fields["fonts"].value) or {}):
            continue
        faces = family_faces(family)
        if "regular" not in faces:
            loader.error(fields["theme"], "font", f"the theme '{theme}' sets its {slot} in "
                         f"{family}, which is not installed; run .ci/sysdeps or name another "
                         f"family under style: fonts: {slot}:")
            continue
        fonts[slot] = FontChoice(family, faces, installed=True)
    return Style(theme, css_epub, css_pdf, fonts)


def _css(loader: _Reader, node: YNode | None) -> Path | None:
    if node is None:
        return None
    path = loader.source_file(node, "style css")
    if path is None:
        return None
    if path.suffix.lower() != ".css":
        loader.error(node, "css", f"'{node.value}' is not a .css file")
        return None
    loader.files.append(path)
    return path


def _font(loader: _Reader, node: YNode, slot: str) -> FontChoice | None:
    what = f"the {slot} font"
    if node.kind == "scalar":
        family = str(node.value or "").strip()
        faces = family_faces(family) if family else {}
        if "regular" not in faces:
            loader.error(node, "font", f"{what} '{family}' is not an installed family; install "
                         "it, or give its files: {family: ..., regular: fonts/....ttf}")
            return None
        ok = all(_embeddable(loader, node, path, what) for path in faces.values())
        return FontChoice(family, faces, installed=True) if ok else None
    fields = loader.mapping(node, FONT_KEYS, what)
    if fields is None:
        return None
    family = loader.string(fields, "family", what)
    if family is None:
        loader.error(node, "font", f"{what} needs 'family:' (the name its CSS uses)")
    if "regular" not in fields:
        loader.error(node, "font", f"{what} needs at least 'regular:' (a .ttf or .otf file)")
    faces, ok = {}, True
    for key in FACE_KEYS:
        if key not in fields:
            continue
        path = loader.source_file(fields[key], f"{what} {key} face")
        if path is None or not _embeddable(loader, fields[key], path, what):
            ok = False
            continue
        loader.files.append(path)
        faces[key] = path
    if not ok or family is None or "regular" not in faces:
        return None
    return FontChoice(family, faces, installed=False)


def _embeddable(loader: _Reader, node: YNode, path: Path, what: str) -> bool:
    """A readable outline font whose licence allows embedding in a document."""
    if path.suffix.lower() not in FONT_SUFFIXES:
        loader.error(node, "font", f"{what}: '{path.name}' is not a .ttf or .otf font")
        return False
    try:
        font = TTFont(path, lazy=True)
        fs_type = font["OS/2"].fsType if "OS/2" in font else 0
        font.close()
    except (TTLibError, OSError, AssertionError, KeyError, ValueError) as exc:
        loader.error(node, "font", f"{what}: '{path.name}' cannot be read as a font ({exc})")
        return False
    if fs_type & FS_RESTRICTED:
        loader.error(node, "font-licence", f"{what}: the licence of '{path.name}' forbids "
                     "embedding it (OS/2 fsType 'restricted'); choose a font licensed for "
                     "embedding, such as an OFL font")
        return False
    if fs_type & FS_BITMAP_ONLY:
        loader.error(node, "font-licence", f"{what}: the licence of '{path.name}' allows only "
                     "bitmap embedding (OS/2 fsType); choose a font licensed for embedding")
        return False
    return True
