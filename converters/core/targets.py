"""What each delivery target needs, as data: the writers read these rules, never a target's name.

A target is one file a publisher uploads somewhere: the EPUB retailers take, today's accessible
screen PDF, a printer's interior PDF, the manuscript DOCX, the ONIX feed.  Every rule here is
cited in the README's target table with the printer's or retailer's published source.  Kept in
``core`` because the writers (a lower stage than ``build``) read it through ``BuildOptions``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

INCH_MM = 25.4


@dataclass(frozen=True)
class Paper:
    """A paper stock a printer offers: the thickness of one page (one leaf side counted)."""

    name: str
    caliper_in: float  # inches per page, as the printer publishes it for spine width

    @property
    def caliper_mm(self) -> float:
        return self.caliper_in * INCH_MM


@dataclass(frozen=True)
class Target:
    name: str
    format: str  # the writer: "epub", "pdf", "docx" or "onix"
    suffix: str  # file extension, with the dot
    description: str
    pdf_variant: str | None = None  # WeasyPrint's: "pdf/ua-1", "pdf/x-4", ...
    print_ready: bool = False  # CMYK, output intent, print ISBN, padded, cover wrap
    bleed_mm: float | None = None  # None: the book's own print.bleed (screen: no bleed at all)
    gutter_bleed: bool = True  # False: no bleed at the spine (page = trim + 1 bleed wide)
    crop_marks: bool = False  # allowed at all (the book's crop-marks: can still turn them off)
    bookmarks: bool = True
    annotations: bool = True  # links; print targets drop them (nothing to click on paper)
    page_multiple: int = 1  # the page count is padded with blank pages to a multiple of this
    ink_limit: int = 300  # total area coverage, percent (C+M+Y+K)
    min_dpi: int = 300  # image resolution at placed size
    papers: dict[str, Paper] = field(default_factory=dict)
    spine_text_min_pages: int = 0  # below this the spine carries no text
    min_pages: int = 1

    def file_name(self, slug: str) -> str:
        return f"{slug}-{self.name}{self.suffix}"

    def cover_name(self) -> str:
        return f"cover-{self.name}.pdf"

    def paper(self, name: str) -> Paper:
        return self.papers.get(name) or next(iter(self.papers.values()))


# KDP Print "Paperback cover calculator / Cover templates": 0.002252 in per page on white,
# 0.0025 in on cream; no spine text under 79 pages.  IngramSpark gives its spine widths only
# through its cover template generator (not consulted here): KDP's figures stand in for its
# 50# white and creme stocks until checked against one of its templates.
KDP_PAPERS = {"white": Paper("white", 0.002252), "cream": Paper("cream", 0.0025)}
INGRAM_PAPERS = {"white": Paper("white", 0.002252), "cream": Paper("cream", 0.0025)}
BLEED_125_IN = 0.125 * INCH_MM  # 3.175 mm

TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("ebook", "epub", ".epub", "the EPUB 3 retailers (and KDP for Kindle) take"),
    Target("screen", "pdf", ".pdf", "the accessible screen PDF (PDF/UA-1, tagged, links)",
           pdf_variant="pdf/ua-1"),
    Target("print", "pdf", ".pdf", "a generic printer's interior: PDF/X-4, CMYK, bleed, marks",
           pdf_variant="pdf/x-4", print_ready=True, crop_marks=True, page_multiple=2,
           ink_limit=300, papers=KDP_PAPERS, spine_text_min_pages=79, annotations=False),
    Target("ingramspark", "pdf", ".pdf", "IngramSpark's interior: PDF/X-4, CMYK within 240 %, "
           "0.125 in bleed, even page count", pdf_variant="pdf/x-4", print_ready=True,
           bleed_mm=BLEED_125_IN, gutter_bleed=False, crop_marks=False, page_multiple=2,
           ink_limit=240,
           papers=INGRAM_PAPERS, spine_text_min_pages=48, annotations=False, min_pages=18),
    Target("kdp-print", "pdf", ".pdf", "KDP Print's interior: no crop marks, bookmarks or "
           "annotations", pdf_variant="pdf/x-4", print_ready=True, bleed_mm=BLEED_125_IN,
           gutter_bleed=False, crop_marks=False, bookmarks=False, annotations=False,
           page_multiple=2, ink_limit=300, papers=KDP_PAPERS, spine_text_min_pages=79,
           min_pages=24),
    Target("docx", "docx", ".docx", "the manuscript for editors (Word)"),
    Target("onix", "onix", ".xml", "ONIX 3.0 product records for distributors"),
)}

PRINT_TARGETS = tuple(name for name, t in TARGETS.items() if t.print_ready)


def spine_width_mm(pages: int, paper: Paper) -> float:
    """Spine width = page count x the printer's caliper per page (KDP's and IngramSpark's
    published formula)."""
    return pages * paper.caliper_mm
