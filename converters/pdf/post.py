"""What WeasyPrint leaves out of the PDF, added with pikepdf after rendering.

Page labels (so a viewer shows i, ii, … then 1, 2, …), the exact /BleedBox of the print
layout, and the XMP packet completed to match the document info (language, subjects,
publisher, rights, identifier).  pikepdf rewrites the file object by object, so WeasyPrint's
structure tree, outline, links and PDF/UA or PDF/A identification are carried over untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf

from ..core.dates import build_datetime
from ..core.errors import BuildError
from ..source.model import Book

PT_PER_MM = 72 / 25.4


def subject(book: Book) -> str:
    return book.description or book.full_title


def keywords(book: Book) -> list[str]:
    return [s.term for s in book.subjects]


def creator_tool() -> str:
    from ..core.version import __version__

    return f"editions {__version__}"


def finish(raw: Path, target: Path, book: Book, *, front_pages: int, bleed_mm: float) -> None:
    """Read WeasyPrint's output from ``raw`` and write the finished edition to ``target``.

    The book laid out in parts is finished as join.py writes it (``Finishing``)."""
    with pikepdf.open(raw) as pdf:
        finish_pdf(pdf, book, front_pages=front_pages, bleed_mm=bleed_mm)
        pdf.save(target, deterministic_id=True)


def finish_pdf(pdf: pikepdf.Pdf, book: Book, *, front_pages: int, bleed_mm: float) -> None:
    """What ``finish`` adds, added to an open ``pdf`` that its caller saves."""
    finishing = Finishing(book, front_pages, bleed_mm)
    finishing.document(pdf, len(pdf.pages))
    finishing.pages(pdf, [page.obj for page in pdf.pages])


@dataclass(frozen=True)
class Finishing:
    """The finishing split for a PDF written in pieces (join.py): ``document`` on the piece
    holding the catalog, ``pages`` on each piece's pages."""

    book: Book
    front_pages: int
    bleed_mm: float

    def document(self, pdf: pikepdf.Pdf, total_pages: int) -> None:
        add_page_labels(pdf, self.front_pages, total_pages)
        complete_metadata(pdf, self.book)

    def pages(self, pdf: pikepdf.Pdf, pages: list[pikepdf.Object]) -> None:
        if self.bleed_mm:
            set_bleed_box(pages, self.bleed_mm)
        unembedded = [name for name, embedded, _page in fonts(pdf) if not embedded]
        if unembedded:
            raise BuildError(f"the PDF would not embed the font(s) {', '.join(unembedded)}")


def add_page_labels(pdf: pikepdf.Pdf, front_pages: int, total_pages: int) -> None:
    """Lower-case roman for the front matter, arabic from 1 on the first body page."""
    nums: list[object] = []
    if front_pages:
        nums += [0, pikepdf.Dictionary(S=pikepdf.Name.r)]
    if front_pages < total_pages:
        nums += [front_pages, pikepdf.Dictionary(S=pikepdf.Name.D, St=1)]
    pdf.Root.PageLabels = pdf.make_indirect(pikepdf.Dictionary(Nums=pikepdf.Array(nums)))


def set_bleed_box(pages: list[pikepdf.Object], bleed_mm: float) -> None:
    """The trim box grown by the source's bleed: WeasyPrint's own guess is capped at 10 pt and
    ignores that our CSS bleed also holds the crop marks."""
    bleed = bleed_mm * PT_PER_MM
    for page in pages:
        left, bottom, right, top = (float(v) for v in page.TrimBox)
        page.BleedBox = pikepdf.Array([left - bleed, bottom - bleed, right + bleed,
                                           top + bleed])


def complete_metadata(pdf: pikepdf.Pdf, book: Book) -> None:
    """XMP and document info with the same title, authors, subject, keywords and language.

    WeasyPrint's packet holds the PDF/UA or PDF/A identification, which is kept; pikepdf
    mirrors the Dublin Core fields into the document info on save."""
    with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
        meta["dc:title"] = book.full_title
        meta["dc:creator"] = [c.name for c in book.authors]
        meta["dc:description"] = subject(book)
        if book.subjects:
            meta["dc:subject"] = set(keywords(book))
            meta["pdf:Keywords"] = ", ".join(keywords(book))
        meta["dc:language"] = [book.language]
        if book.publisher:
            meta["dc:publisher"] = [book.publisher]
        if book.rights:
            meta["dc:rights"] = book.rights
        meta["dc:identifier"] = book.unique_identifier.urn
        meta["xmp:CreatorTool"] = creator_tool()
        # The build's date, written here rather than left as the layout wrote it: a PDF laid
        # out in parts keeps its first part's metadata, and that part is cached across days.
        meta["xmp:CreateDate"] = meta["xmp:ModifyDate"] = stamp = build_stamp()
        if "xmp:MetadataDate" in meta:  # PDF/X-4's packet has one
            meta["xmp:MetadataDate"] = stamp
    pdf.Root.Lang = pikepdf.String(book.language)


def build_stamp() -> str:
    """The build's date as the metadata hold it (and the HTML's dcterms for WeasyPrint)."""
    return build_datetime().strftime("%Y-%m-%dT%H:%M:%SZ")


def fonts(pdf: pikepdf.Pdf) -> list[tuple[str, bool, int]]:
    """(base font name, embedded?, first page using it) for every font the pages use.

    Fonts of form XObjects count too; Type 3 fonts are drawn glyph by glyph, nothing to embed.
    The writer refuses to finish a PDF with an unembedded font; ``editions check`` reports one.
    """
    seen: dict[str, tuple[bool, int]] = {}
    for number, page in enumerate(pdf.pages, 1):
        resources = page.obj.get("/Resources") or {}
        found = dict(resources.get("/Font") or {})
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
                found.update(dict(xobject.Resources.get("/Font") or {}))
        for font in found.values():
            name = str(font.get("/BaseFont", "?")).lstrip("/")
            if font.get("/Subtype") == "/Type3" or name in seen:
                continue
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.get("/FontDescriptor") or {}
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            seen[name] = (embedded, number)
    return [(name, embedded, page) for name, (embedded, page) in sorted(seen.items())]
