"""The house reference document for pandoc, built from pandoc's own default at build time.

Nothing binary is kept in the repository: pandoc's default reference.docx is patched with
python-docx so its style ids stay the ones pandoc's writer expects.
"""

from __future__ import annotations

import io
import subprocess

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.styles.style import BaseStyle

from ..assets.fonts import FAMILY
from ..render.pandoc import pandoc_binary
from ..render.scripts import Fallbacks
from ..source.model import Book
from .look import apply_families
from .sanitize import sanitize_reference

SERIF = FAMILY

# (style name, size in points, bold, italic, alignment); None keeps pandoc's value.
_PARAGRAPH_STYLES: tuple[tuple[str, float | None, bool | None, bool | None, str | None], ...] = (
    ("Normal", 11, None, None, None),
    ("Body Text", None, None, None, "justify"),
    ("First Paragraph", None, None, None, "justify"),
    ("Title", 24, True, None, "center"),
    ("Subtitle", 15, False, True, "center"),
    ("Author", 13, None, None, "center"),
    ("Date", 11, None, None, "center"),
    ("Heading 1", 18, True, None, None),
    ("Heading 2", 14, True, None, None),
    ("Heading 3", 12, True, True, None),
    ("Heading 4", 11, False, True, None),
    ("Heading 5", 11, False, True, None),
    ("Heading 6", 11, False, True, None),
    ("Block Text", 10, None, None, "justify"),
    ("Footnote Text", 9, None, None, None),
    ("Abstract", 10, False, True, "justify"),
)

# Styles pandoc's default lacks but the DOCX writer uses: (name, style id, base, size, align).
_ADDED_STYLES = (
    ("Publisher", "Publisher", "Normal", 12, "center"),
    ("Imprint", "Imprint", "Normal", 9, None),
    ("Series", "Series", "Normal", 9, "center"),
    ("Credit", "Credit", "Normal", 11, "center"),
    ("Edition", "Edition", "Normal", 10, "center"),
    ("Verse", "Verse", "Normal", None, None),
    ("toc 1", "TOC1", "Normal", 11, None),
    ("toc 2", "TOC2", "Normal", 10.5, None),
    ("toc 3", "TOC3", "Normal", 10, None),
    ("header", "Header", "Normal", 9, "center"),
    ("footer", "Footer", "Normal", 9, "center"),
)

_ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}


def pandoc_default_reference() -> bytes:
    return subprocess.run([pandoc_binary(), "--print-default-data-file",
                           "reference.docx"], check=True, capture_output=True).stdout


def reference_docx(book: Book, fallbacks: Fallbacks | None = None) -> bytes:
    """The publisher's reference document if the source names one, else the house style."""
    if book.docx_reference is not None:
        return sanitize_reference(book.docx_reference.read_bytes())
    doc = Document(io.BytesIO(pandoc_default_reference()))
    styles = doc.styles
    names = {s.name: s for s in styles}
    _serif_everywhere(doc)
    fallbacks = fallbacks or Fallbacks()
    apply_families(doc, {slot: c.family for slot, c in book.style.fonts.items()},
                   east_asian=fallbacks.first("Noto Serif CJK", "Noto Sans CJK"),
                   complex_script=fallbacks.first("Noto Serif Hebrew", "Noto Naskh Arabic",
                                                  "Noto Sans Hebrew", "Noto Sans Arabic"))
    for name, size, bold, italic, align in _PARAGRAPH_STYLES:
        style = names.get(name) or styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        _restyle(style, size, bold, italic, align)
    for name, style_id, base, size, align in _ADDED_STYLES:
        if name in names or name.title() in names:
            continue
        style = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.element.styleId = style_id  # Word's built-in ids, so Word treats them as its own
        style.base_style = names[base]
        _restyle(style, size, None, None, align)
    for level, indent in ((1, 0), (2, 5), (3, 10)):
        toc = next(s for s in styles if s.style_id == f"TOC{level}")
        toc.paragraph_format.left_indent = Mm(indent)
        toc.paragraph_format.space_after = Pt(3 if level == 1 else 1)
    heading1 = names["Heading 1"].paragraph_format
    heading1.page_break_before = True  # every entry of the book opens a page
    heading1.space_after = Pt(18)
    abstract = names["Abstract"].paragraph_format
    abstract.left_indent = abstract.right_indent = Mm(8)
    abstract.space_after = Pt(12)
    names["Title"].paragraph_format.space_before = Pt(48)
    _book_paragraphs(doc)
    _page(doc, book)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def _restyle(style: BaseStyle, size: float | None, bold: bool | None, italic: bool | None,
             align: str | None) -> None:
    font = style.font
    if size is not None:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    font.color.rgb = RGBColor(0, 0, 0)  # pandoc's default headings are blue; a book is not
    if align:
        style.paragraph_format.alignment = _ALIGN[align]


def _serif_everywhere(doc) -> None:
    """Charis SIL as the document default, and no style left on the theme's fonts.

    A style's ``w:asciiTheme`` wins over its ``w:ascii``, so pandoc's headings and title would
    keep Calibri/Cambria unless the theme references are removed; monospaced styles name their
    font directly and are left alone.
    """
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, fonts)
    for fonts_el in [fonts, *styles.iter(qn("w:rFonts"))]:
        themed = [a for a in fonts_el.attrib if a.lower().endswith("theme")]  # w:cstheme too
        if fonts_el is fonts or themed:
            for attr in themed:
                del fonts_el.attrib[attr]
            for slot in ("ascii", "hAnsi", "cs", "eastAsia"):
                fonts_el.set(qn(f"w:{slot}"), SERIF)


def _page(doc, book: Book) -> None:
    """Trim size and margins of the print edition; inner/outer margins mirrored on facing pages."""
    p = book.print
    for section in doc.sections:
        section.page_width, section.page_height = Mm(p.width_mm), Mm(p.height_mm)
        section.left_margin, section.right_margin = Mm(p.inner_mm), Mm(p.outer_mm)
        section.top_margin, section.bottom_margin = Mm(p.top_mm), Mm(p.bottom_mm)
        section.header_distance = section.footer_distance = Mm(8)


def _book_paragraphs(doc) -> None:
    """Body text as a book sets it: first-line indents and no space between paragraphs, the
    first paragraph after a heading flush left; verse ragged right (issue 15)."""
    by_name = {s.name: s for s in doc.styles}
    for name, indent in (("Body Text", Pt(13)), ("First Paragraph", Pt(0))):
        fmt = by_name[name].paragraph_format
        fmt.first_line_indent = indent
        fmt.space_before = fmt.space_after = Pt(0)
    verse = by_name["Verse"].paragraph_format
    verse.alignment = WD_ALIGN_PARAGRAPH.LEFT
    verse.left_indent = Mm(8)
    verse.first_line_indent = Pt(0)
    verse.space_before = verse.space_after = Pt(6)
