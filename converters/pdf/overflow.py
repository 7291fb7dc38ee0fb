"""Text outside the text block: a code line, a long URL or an unbreakable word past the margin.

Two measures of one rule, "no glyph outside its page's text area" (horizontally: the text
block between the margins; vertically: the trimmed page, since running heads and folios live in
the top and bottom margins):

- ``from_layout`` reads WeasyPrint's laid-out boxes while the PDF is written, so every build
  warns at no extra cost;
- ``from_pdf`` reads the finished file's character boxes (pdfium), for ``editions check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import weasyprint

PT_PER_MM = 72 / 25.4
PX_PER_PT = 96 / 72  # WeasyPrint lays out in CSS pixels
# pdfium's character boxes are ink boxes: the hook of an italic f or the tail of a j at the end
# of a line overhangs the margin by up to 0.3 mm in Charis SIL, as in any typeset book (the
# advance stays inside).  Anything past 1.5 pt (0.53 mm) is text that did not fit.
TOLERANCE_PT = 1.5


@dataclass(frozen=True)
class Overflow:
    page: int  # 1-based
    distance_mm: float  # how far the furthest glyph reaches past the text area
    sample: str  # the text that overflows

    def describe(self, entry: str | None) -> str:
        where = f" in '{entry}'" if entry else ""
        return (f"text runs {self.distance_mm:.1f} mm outside the text area{where}: "
                f"'{_short(self.sample)}'; let it wrap (a code block, URL or long word) or "
                "shorten it")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"


def from_layout(document: weasyprint.Document) -> list[Overflow]:
    """Overflowing text and images on each laid-out page (margin boxes excluded)."""
    from weasyprint.formatting_structure import boxes

    found = []
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box  # no public API walks a laid-out page
        left = page_box.content_box_x()
        right = left + page_box.width
        worst, sample = 0.0, []
        for child in page_box.children:
            if isinstance(child, boxes.MarginBox):
                continue
            for box in child.descendants():
                if not isinstance(box, (boxes.TextBox, boxes.ReplacedBox)):
                    continue
                x0, x1 = box.position_x, box.position_x + box.margin_width()
                past = max(left - x0, x1 - right)
                if past > TOLERANCE_PT * PX_PER_PT:
                    worst = max(worst, past)
                    sample.append(getattr(box, "text", "") or "[image]")
        if worst:
            found.append(Overflow(number, worst / PX_PER_PT / PT_PER_MM, " ".join(sample)))
    return found


def from_pdf(path: Path, inner_mm: float, outer_mm: float) -> list[Overflow]:
    """Overflowing glyphs in a finished PDF, from its character boxes (pdfium's, as fast on a
    300-page book as the layout itself).  The first page is a recto: inner margin on the left.
    """
    import pypdfium2

    found = []
    document = pypdfium2.PdfDocument(str(path))
    try:
        for index in range(len(document)):
            page = document[index]
            # Character boxes are in the page's user space, as the trim box is (the media box
            # when the PDF has none; in the print layout it starts at minus bleed and marks).
            trim = page.get_trimbox()
            recto = index % 2 == 0
            left = trim[0] + (inner_mm if recto else outer_mm) * PT_PER_MM
            right = trim[2] - (outer_mm if recto else inner_mm) * PT_PER_MM
            bottom, top = trim[1], trim[3]
            text = page.get_textpage()
            worst, sample = 0.0, []
            for i in range(text.count_chars()):
                char = text.get_text_range(i, 1)
                if not char.strip():
                    continue
                x0, y0, x1, y1 = text.get_charbox(i, loose=True)
                past = max(left - x0, x1 - right, bottom - y0, y1 - top)
                if past > TOLERANCE_PT:
                    worst = max(worst, past)
                    sample.append(char)
            if worst:
                found.append(Overflow(index + 1, worst / PT_PER_MM, "".join(sample)))
    finally:
        document.close()
    return found


def entry_of_pages(document: weasyprint.Document, entries: list[tuple[str, str]]) -> list[str]:
    """The label of the entry each page belongs to, from the entries' (id, label) in order."""
    labels = dict(entries)
    current, out = "", []
    for page in document.pages:
        for ident in labels:
            if ident in page.anchors:
                current = labels[ident]
        out.append(current)
    return out


def warn(document: weasyprint.Document, entries: list[tuple[str, str]], name: str) -> None:
    """Log each page with overflowing text as a build warning (``--strict`` fails on it)."""
    import logging

    found = from_layout(document)
    if not found:
        return
    pages = entry_of_pages(document, entries)
    log = logging.getLogger("converters.pdf")
    for item in found:
        log.warning("%s:page %d: %s [PDF-OVERFLOW]", name, item.page,
                    item.describe(pages[item.page - 1]))
