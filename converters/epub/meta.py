"""The EPUB package metadata: publisher fields from the source, accessibility from the content.

Accessibility claims are derived from what the build produced (EPUB Accessibility 1.1 and the
schema.org accessibility vocabulary), never asserted blindly: alternative text is claimed only
when every image has some, page navigation only when a page list exists, and WCAG conformance
only when nothing the build knows of breaks it.
"""

from __future__ import annotations

from dataclasses import dataclass

from ebooklib import epub

from ..source.model import Book
from .xhtml import ContentInfo

CONFORMS_TO = "EPUB Accessibility 1.1 - WCAG 2.1 Level AA"
# dc:creator for the people a book is "by"; everyone else is a dc:contributor.
CREATOR_ROLES = {"aut", "cre", "ill", "pht", "cmp"}
# ONIX code list 5 identifier types, refining dc:identifier and dc:source.
ONIX_ID_TYPE = {"isbn": "15", "doi": "06", "uri": "22"}
SUBJECT_AUTHORITY = {"bisac": "BISAC", "thema": "THEMA", "bic": "BIC", "lcsh": "LCSH"}


@dataclass
class AccessibilityFacts:
    images: int = 0
    images_without_alt: int = 0
    tables: int = 0
    tables_with_headers: int = 0
    footnotes: int = 0
    page_list: bool = False
    page_list_complete: bool = False  # every entry the source wrote opens with its page
    visual_cover: bool = False
    math: int = 0

    def add(self, info: ContentInfo) -> None:
        self.math += info.math
        self.images += info.images
        self.images_without_alt += info.images_without_alt
        self.tables += info.tables
        self.tables_with_headers += info.tables_with_headers
        self.footnotes += info.footnotes

    @property
    def all_alt(self) -> bool:
        return self.images_without_alt == 0

    @property
    def visual(self) -> bool:
        return self.images > 0 or self.visual_cover

    @property
    def features(self) -> list[str]:
        found = ["structuralNavigation", "tableOfContents", "readingOrder"]
        if self.images and self.all_alt:
            found.append("alternativeText")
        if self.page_list:
            found.append("pageBreakMarkers")
            # One page from a single pages: range is no navigation by page (issue 16).
            if self.page_list_complete:
                found.append("pageNavigation")
        if self.math:
            found.append("MathML")
        return found

    @property
    def conforms(self) -> bool:
        return self.all_alt


def write_metadata(out: epub.EpubBook, book: Book, facts: AccessibilityFacts) -> None:
    _publisher(out, book)
    _accessibility(out, book, facts)


def _meta(out: epub.EpubBook, prop: str, value: str, **attrs: str) -> None:
    out.add_metadata(None, "meta", value, {"property": prop, **attrs})


def _publisher(out: epub.EpubBook, book: Book) -> None:
    ident = book.unique_identifier
    # set_identifier wrote the unique identifier (id "id"); refine it with its ONIX type.
    if ident.scheme in ONIX_ID_TYPE:
        _meta(out, "identifier-type", ONIX_ID_TYPE[ident.scheme], refines="#id",
              scheme="onix:codelist5")
    out.add_metadata("DC", "title", book.title, {"id": "title"})
    _meta(out, "title-type", "main", refines="#title")
    _meta(out, "display-seq", "1", refines="#title")
    if book.subtitle:
        out.add_metadata("DC", "title", book.subtitle, {"id": "subtitle"})
        _meta(out, "title-type", "subtitle", refines="#subtitle")
        _meta(out, "display-seq", "2", refines="#subtitle")
    out.add_metadata("DC", "language", book.language)
    for n, creator in enumerate(book.creators, 1):
        element = "creator" if creator.role in CREATOR_ROLES else "contributor"
        out.add_metadata("DC", element, creator.name, {"id": f"creator{n}"})
        _meta(out, "role", creator.role, refines=f"#creator{n}", scheme="marc:relators")
        if creator.file_as:
            _meta(out, "file-as", creator.file_as, refines=f"#creator{n}")
        _meta(out, "display-seq", str(n), refines=f"#creator{n}")
    if book.publisher:
        out.add_metadata("DC", "publisher", book.publisher)
    out.add_metadata("DC", "date", book.date)
    if book.rights:
        out.add_metadata("DC", "rights", book.rights)
    if book.description:
        out.add_metadata("DC", "description", book.description)
    for n, subject in enumerate(book.subjects, 1):
        out.add_metadata("DC", "subject", subject.term, {"id": f"subject{n}"})
        if subject.scheme and subject.code:
            authority = SUBJECT_AUTHORITY.get(subject.scheme.lower(), subject.scheme)
            _meta(out, "authority", authority, refines=f"#subject{n}")
            _meta(out, "term", subject.code, refines=f"#subject{n}")
    source = book.print_identifier
    others = [i for i in book.identifiers if i is not ident and i is not source]
    for n, other in enumerate(others, 1):
        out.add_metadata("DC", "identifier", other.urn, {"id": f"ident{n}"})
    if source is not None:
        # The print edition this ebook reproduces (and whose pages the page list gives).
        out.add_metadata("DC", "source", source.urn, {"id": "print-source"})
        if source.scheme in ONIX_ID_TYPE:
            _meta(out, "identifier-type", ONIX_ID_TYPE[source.scheme], refines="#print-source",
                  scheme="onix:codelist5")
    if book.series:
        _meta(out, "belongs-to-collection", book.series.title, id="series")
        _meta(out, "collection-type", "series", refines="#series")
        if book.series.position:
            _meta(out, "group-position", str(book.series.position), refines="#series")
    if book.edition:
        # schema.org has bookEdition; EPUB has no property of its own for it.
        _meta(out, "schema:bookEdition", book.edition)


def page_break_source(book: Book) -> str:
    """Names the print edition the page list follows: its ISBN, else publisher and year."""
    source = book.print_identifier
    if source is not None:
        return source.urn
    by = f"{book.publisher} " if book.publisher else ""
    return f"{book.full_title}, {by}print edition, {book.year}"


def _accessibility(out: epub.EpubBook, book: Book, facts: AccessibilityFacts) -> None:
    _meta(out, "schema:accessMode", "textual")
    if facts.visual:
        _meta(out, "schema:accessMode", "visual")
    if facts.all_alt:
        _meta(out, "schema:accessModeSufficient", "textual")
    if facts.visual:
        _meta(out, "schema:accessModeSufficient", "textual,visual")
    for feature in facts.features:
        _meta(out, "schema:accessibilityFeature", feature)
    _meta(out, "schema:accessibilityHazard", "none")
    _meta(out, "schema:accessibilitySummary", summary(book, facts))
    if facts.page_list:
        _meta(out, "pageBreakSource", page_break_source(book))
    if facts.conforms:
        _meta(out, "dcterms:conformsTo", CONFORMS_TO)


def summary(book: Book, facts: AccessibilityFacts) -> str:
    parts = ["This publication has a table of contents, landmarks and a heading structure for "
             "navigation, and a logical reading order."]
    if facts.images:
        parts.append("Every image has a text description." if facts.all_alt else
                     f"{facts.images_without_alt} of {facts.images} images lack a text "
                     "description.")
    if facts.tables and facts.tables == facts.tables_with_headers:
        parts.append("Tables have header cells.")
    if facts.footnotes:
        parts.append("Footnotes are linked to and from their references.")
    if facts.page_list:
        parts.append(f"Page numbers of the print edition ({page_break_source(book)}) are marked "
                     "and listed for navigation.")
    parts.append("It contains no flashing, motion or sound hazards.")
    if facts.conforms:
        parts.append("It meets EPUB Accessibility 1.1 at WCAG 2.1 Level AA.")
    return " ".join(parts)
