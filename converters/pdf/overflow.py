"""Text outside the text block: a code line, a long URL or an unbreakable word past the margin.

Two measures of one rule, "no glyph outside its page's text area" (horizontally: the text
block between the margins; vertically: the trimmed page, since running heads and folios live in
the top and bottom margins):

- ``from_layout`` reads WeasyPrint's laid-out boxes while the PDF is written, so every build
  warns at no extra cost;
- ``from_pdf`` reads the finished file's character boxes (pdfplumber), for ``editions check``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import weasyprint

PT_PER_MM = 72 / 25.4
PX_PER_PT = 96 / 72  # WeasyPrint lays out in CSS pixels
TOLERANCE_PT = 0.5  # side bearings and rounding


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
    """Overflowing glyphs in a finished PDF, from its character boxes.

    The first page is a recto: on rectos the inner margin is on the left.
    """
    import pdfplumber

    found = []
    with pdfplumber.open(path) as pdf:
        for index, page in enumerate(pdf.pages):
            media = [float(v) for v in page.mediabox]
            trim = [float(v) for v in page.page_obj.attrs.get("TrimBox", media)]
            x0 = trim[0] - media[0]
            x1 = trim[2] - media[0]
            top = media[3] - trim[3]
            bottom = media[3] - trim[1]
            recto = index % 2 == 0
            left = x0 + (inner_mm if recto else outer_mm) * PT_PER_MM
            right = x1 - (outer_mm if recto else inner_mm) * PT_PER_MM
            worst, sample = 0.0, []
            for char in page.chars:
                if not char["text"].strip():
                    continue
                past = max(left - char["x0"], char["x1"] - right,
                           top - char["top"], char["bottom"] - bottom)
                if past > TOLERANCE_PT:
                    worst = max(worst, past)
                    sample.append(char["text"])
            if worst:
                found.append(Overflow(index + 1, worst / PT_PER_MM, "".join(sample)))
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
