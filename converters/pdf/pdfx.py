"""A printer's interior PDF: what a print target's rules ask of WeasyPrint's PDF/X output.

WeasyPrint writes the PDF/X identification (version key, XMP, /Trapped) but no output intent
without a profile it may fetch, and keeps CSS colours in RGB.  Here, with pikepdf, in order:
blank pages to the target's page multiple, links and (for KDP) bookmarks dropped, every colour
made CMYK (cmyk.py), the CMYK output intent embedded, and the print ISBN named in the metadata.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import replace
from pathlib import Path

import pikepdf

from ..core.errors import BuildError
from ..core.targets import Target
from ..source.model import Book
from . import cmyk

OUTPUT_CONDITION = "Custom"


def print_book(book: Book, rules: Target | None) -> Book:
    """The book with the bleed and crop marks the target allows."""
    if rules is None or not rules.print_ready:
        return book
    settings = replace(book.print,
                       bleed_mm=rules.bleed_mm if rules.bleed_mm is not None
                       else book.print.bleed_mm,
                       crop_marks=book.print.crop_marks and rules.crop_marks)
    return replace(book, print=settings)


def make_print_ready(path: Path, book: Book, rules: Target) -> None:
    """Rewrite the finished PDF at ``path`` in place for the print target ``rules``."""
    ident = book.print_identifier
    if ident is None:  # the orchestrator refuses such a book first, with its location
        raise BuildError(f"the {rules.name} target needs a print ISBN")
    tmp = path.with_name(path.name + ".x")
    with pikepdf.open(path) as pdf:
        pad_pages(pdf, rules.page_multiple)
        if not rules.gutter_bleed:
            trim_gutter(pdf)
        if not rules.annotations:
            drop_annotations(pdf)
        if not rules.bookmarks:
            drop_bookmarks(pdf)
        cmyk.convert_to_cmyk(pdf, rules.ink_limit)
        add_output_intent(pdf)
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
            meta["dc:identifier"] = ident.urn
            meta["xmpMM:DocumentID"] = document_id(ident.urn, rules.name)
        pdf.save(tmp, deterministic_id=True)
    os.replace(tmp, path)


def document_id(urn: str, name: str) -> str:
    """WeasyPrint's PDF/X packet has a random xmpMM:DocumentID; ours follows from the edition,
    so builds are reproducible and a rebuilt file is recognisably the same document."""
    return f"xmp.did:{uuid.uuid5(uuid.NAMESPACE_URL, f'{urn}/{name}')}"


def file_identifier(book: Book, rules: Target | None, name: str | None = None) -> bytes | None:
    """The first half of a print PDF's /ID, from the edition rather than WeasyPrint's hash of
    a packet holding a random DocumentID (None: WeasyPrint's default, for other PDFs)."""
    if rules is None or not rules.print_ready or book.print_identifier is None:
        return None
    return document_id(book.print_identifier.urn, name or rules.name).encode("ascii")


def pad_pages(pdf: pikepdf.Pdf, multiple: int) -> int:
    """Blank pages at the end until the count is a multiple of ``multiple``; returns how many."""
    added = 0
    while len(pdf.pages) % multiple:
        last = pdf.pages[-1].obj
        blank = pikepdf.Dictionary(Type=pikepdf.Name.Page,
                                   Resources=pikepdf.Dictionary(),
                                   Contents=pdf.make_stream(b""))
        for box in ("/MediaBox", "/TrimBox", "/BleedBox", "/CropBox", "/ArtBox"):
            if box in last:
                blank[box] = pikepdf.Array(list(last[box]))
        pdf.pages.append(pikepdf.Page(blank))
        added += 1
    return added


def trim_gutter(pdf: pikepdf.Pdf) -> None:
    """Cut the bleed at the spine: KDP and IngramSpark take pages of trim + 0.125 in wide,
    bleeding at the top, foot and fore-edge only.  Page 1 is a recto (spine on its left)."""
    for number, page in enumerate(pdf.pages):
        trim = [float(v) for v in page.obj.TrimBox]
        recto = number % 2 == 0
        for box in ("/MediaBox", "/BleedBox", "/CropBox"):
            if box in page.obj:
                values = [float(v) for v in page.obj[box]]
                if recto:
                    values[0] = trim[0]
                else:
                    values[2] = trim[2]
                page.obj[box] = pikepdf.Array(values)


def drop_annotations(pdf: pikepdf.Pdf) -> None:
    """No links on paper; KDP refuses annotations and PDF/X forbids them inside the bleed."""
    for page in pdf.pages:
        if "/Annots" in page.obj:
            del page.obj["/Annots"]
    if "/AcroForm" in pdf.Root:
        del pdf.Root["/AcroForm"]


def drop_bookmarks(pdf: pikepdf.Pdf) -> None:
    if "/Outlines" in pdf.Root:
        del pdf.Root["/Outlines"]
    if pdf.Root.get("/PageMode") == "/UseOutlines":
        del pdf.Root["/PageMode"]


def add_output_intent(pdf: pikepdf.Pdf) -> None:
    description = cmyk.profile_description()
    intent = pikepdf.Dictionary(
        Type=pikepdf.Name.OutputIntent, S=pikepdf.Name.GTS_PDFX,
        OutputConditionIdentifier=pikepdf.String(OUTPUT_CONDITION),
        OutputCondition=pikepdf.String(description),
        Info=pikepdf.String(description),
        RegistryName=pikepdf.String("http://www.color.org"),
        DestOutputProfile=pdf.make_indirect(cmyk.icc_stream(pdf)))
    pdf.Root.OutputIntents = pikepdf.Array([pdf.make_indirect(intent)])

