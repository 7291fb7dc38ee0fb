"""``editions check``: any glyph outside its page's text area is a PDF-OVERFLOW error.

The page's entry is named from the PDF's top-level bookmarks (the entries, in order).
"""

from __future__ import annotations

from pathlib import Path

from ..pdf.overflow import from_pdf
from ..source.model import PrintSettings


def check_overflow(path: Path, pdf, margins: tuple[float, float] | None,
                   name: str) -> list:
    """A finding for each page with overflowing glyphs; ``pdf`` is the open pikepdf document."""
    import pikepdf

    from .finding import Finding, outline_page

    inner, outer = margins or (PrintSettings.inner_mm, PrintSettings.outer_mm)
    found = from_pdf(path, inner, outer)
    if not found:
        return []
    page_ids = {page.obj.objgen: n for n, page in enumerate(pdf.pages, 1)}
    named = {}
    if "/Names" in pdf.Root and "/Dests" in pdf.Root.Names:
        named = pikepdf.NameTree(pdf.Root.Names.Dests)
    starts: list[tuple[int, str]] = []
    with pdf.open_outline() as outline:
        for item in outline.root:
            page = outline_page(item, named, page_ids)
            if page is not None:
                starts.append((page, item.title))
    findings = []
    for item in found:
        entry = None
        for first, title in starts:
            if first <= item.page:
                entry = title
        findings.append(Finding(f"{name}:page {item.page}", "error", "PDF-OVERFLOW",
                                item.describe(entry)))
    return findings
