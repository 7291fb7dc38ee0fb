"""ONIX 3.0 for distributors: one <Product> per edition, from the same metadata as the editions.

The ebook (EPUB) and, when the book has a print ISBN, the paperback each get a record:
identifiers, title and subtitle, series, contributors with their ONIX roles (code list 17),
edition statement, language, extent, subjects with their scheme codes (list 27), description,
publisher and publication date.  The ebook's accessibility facts (code list 196) are the ones
the EPUB declares, derived the same way from the content (epub/meta.py).  Extents are real
page counts: those of the print PDF when a print target was built into the same folder.
Validated against the ONIX 3.0 reference schema with ``onixcheck`` (see tests).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import langcodes
from lxml import etree

from ..core.dates import build_datetime
from ..core.targets import PRINT_TARGETS, TARGETS
from ..epub.content import content_document
from ..epub.meta import AccessibilityFacts
from ..render.book import RenderedBook
from ..source.model import Book, Identifier

if TYPE_CHECKING:
    from ..core.options import BuildOptions

NS = "http://ns.editeur.org/onix/3.0/reference"
# MARC relator -> ONIX code list 17 contributor role.
ROLES = {"aut": "A01", "cre": "A01", "edt": "B01", "trl": "B06", "ill": "A12", "pht": "A13",
         "aui": "A24", "aft": "A19", "wpr": "A15", "com": "C01", "ann": "A20", "adp": "B05",
         "cov": "A36", "dsr": "A11", "art": "A07", "cmm": "A21", "nrt": "E07", "ant": "A38",
         "red": "B01", "ctb": "A32", "wat": "A14"}
# Subject scheme (book.yaml) -> ONIX code list 27.
SCHEMES = {"bisac": "10", "thema": "93", "bic": "12", "lcsh": "04", "dewey": "01"}
ID_TYPES = {"isbn": "15", "doi": "06", "uri": "22"}


def _sub(parent: etree._Element, tag: str, text: str | None = None,
         **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _identifier(parent: etree._Element, ident: Identifier) -> None:
    node = _sub(parent, "ProductIdentifier")
    kind = ID_TYPES.get(ident.scheme, "01")
    _sub(node, "ProductIDType", kind)
    if kind == "01":
        _sub(node, "IDTypeName", ident.scheme.upper())
    _sub(node, "IDValue", ident.value)


def accessibility_facts(rendered: RenderedBook, print_paged: bool = False) -> AccessibilityFacts:
    """What the EPUB writer derives, derived the same way (from the content documents).
    ``print_paged``: the EPUB of this run takes its page list from our print edition."""
    facts = AccessibilityFacts()
    owners = rendered.owner_of()
    pages = 0
    for entry in rendered.entries:
        _xhtml, info = content_document(entry, rendered.book, owners)
        facts.add(info)
        pages += len(info.page_breaks)
    facts.visual_cover = rendered.book.cover_path is not None
    facts.page_list = pages > 0 or print_paged
    from ..epub.writer import page_list_complete

    facts.page_list_complete = print_paged or page_list_complete(rendered.book)
    return facts


def accessibility_codes(facts: AccessibilityFacts) -> list[str]:
    """Code list 196 values for the facts the EPUB declares in schema.org terms."""
    codes = ["11", "13", "22", "29", "32", "36"]  # toc, reading order, lang, headings, landmarks
    if facts.conforms:
        codes = ["04", "81", "85", *codes]  # EPUB Accessibility 1.1, WCAG 2.1, level AA
    if facts.images and facts.all_alt:
        codes.append("14")
    if facts.page_list:
        codes.append("19")
    if facts.page_list_complete:
        codes.append("41")
    return codes


def _descriptive(product: etree._Element, book: Book, form: str, detail: str | None,
                 pages: int | None, extent_type: str, facts: AccessibilityFacts | None,
                 summary: str | None) -> None:
    desc = _sub(product, "DescriptiveDetail")
    _sub(desc, "ProductComposition", "00")
    _sub(desc, "ProductForm", form)
    if detail:
        _sub(desc, "ProductFormDetail", detail)
    if facts is not None:
        for code in accessibility_codes(facts):
            feature = _sub(desc, "ProductFormFeature")
            _sub(feature, "ProductFormFeatureType", "09")
            _sub(feature, "ProductFormFeatureValue", code)
        # schema:accessibilityHazard "none" (the EPUB's): no flashing, sound or motion hazard,
        # as code list 143 values under feature type 12.
        for code in ("14", "16", "18"):
            feature = _sub(desc, "ProductFormFeature")
            _sub(feature, "ProductFormFeatureType", "12")
            _sub(feature, "ProductFormFeatureValue", code)
        if summary:
            feature = _sub(desc, "ProductFormFeature")
            _sub(feature, "ProductFormFeatureType", "09")
            _sub(feature, "ProductFormFeatureValue", "00")
            _sub(feature, "ProductFormFeatureDescription", summary)
    if form == "BC":
        for kind, value in (("01", book.print.height_mm), ("02", book.print.width_mm)):
            measure = _sub(desc, "Measure")
            _sub(measure, "MeasureType", kind)
            _sub(measure, "Measurement", f"{value:g}")
            _sub(measure, "MeasureUnitCode", "mm")
    if book.series:
        collection = _sub(desc, "Collection")
        _sub(collection, "CollectionType", "10")
        title = _sub(collection, "TitleDetail")
        _sub(title, "TitleType", "01")
        element = _sub(title, "TitleElement")
        _sub(element, "TitleElementLevel", "02")
        if book.series.position:
            _sub(element, "PartNumber", str(book.series.position))
        _sub(element, "TitleText", book.series.title)
    else:
        _sub(desc, "NoCollection")
    title = _sub(desc, "TitleDetail")
    _sub(title, "TitleType", "01")
    element = _sub(title, "TitleElement")
    _sub(element, "TitleElementLevel", "01")
    _sub(element, "TitleText", book.title)
    if book.subtitle:
        _sub(element, "Subtitle", book.subtitle)
    for n, creator in enumerate(c for c in book.creators if c.role != "pbl"):
        contributor = _sub(desc, "Contributor")
        _sub(contributor, "SequenceNumber", str(n + 1))
        _sub(contributor, "ContributorRole", ROLES.get(creator.role, "Z99"))
        _sub(contributor, "PersonName", creator.name)
        if creator.file_as:
            _sub(contributor, "PersonNameInverted", creator.file_as)
    if book.edition:
        _sub(desc, "EditionStatement", book.edition)
    else:
        _sub(desc, "NoEdition")
    language = _sub(desc, "Language")
    _sub(language, "LanguageRole", "01")
    _sub(language, "LanguageCode", langcodes.Language.get(book.language).to_alpha3(variant="B"))
    if pages:
        extent = _sub(desc, "Extent")
        _sub(extent, "ExtentType", extent_type)
        _sub(extent, "ExtentValue", str(pages))
        _sub(extent, "ExtentUnit", "03")
    _subjects(desc, book)


def _subjects(desc: etree._Element, book: Book) -> None:
    main = True
    keywords = []
    for subject in book.subjects:
        scheme = SCHEMES.get((subject.scheme or "").lower())
        if scheme is None:
            keywords.append(subject.term)
            continue
        node = _sub(desc, "Subject")
        if main and scheme in ("10", "93", "12"):
            _sub(node, "MainSubject")
            main = False
        _sub(node, "SubjectSchemeIdentifier", scheme)
        if subject.code:
            _sub(node, "SubjectCode", subject.code)
        _sub(node, "SubjectHeadingText", subject.term)
    if keywords:
        node = _sub(desc, "Subject")
        _sub(node, "SubjectSchemeIdentifier", "20")
        _sub(node, "SubjectHeadingText", "; ".join(keywords))


def _date(parent: etree._Element, role: str, date: str) -> None:
    node = _sub(parent, "PublishingDate")
    _sub(node, "PublishingDateRole", role)
    digits = date.replace("-", "")
    _sub(node, "Date", digits, dateformat={4: "05", 6: "01"}.get(len(digits), "00"))


def _product(root: etree._Element, book: Book, ident: Identifier, related: Identifier | None,
             *, form: str, detail: str | None, pages: int | None, extent_type: str,
             facts: AccessibilityFacts | None, summary: str | None) -> None:
    product = _sub(root, "Product")
    _sub(product, "RecordReference", f"editions:{book.slug}:{ident.scheme}:{ident.value}")
    _sub(product, "NotificationType", "03")
    _identifier(product, ident)
    _descriptive(product, book, form, detail, pages, extent_type, facts, summary)
    if book.description:
        collateral = _sub(product, "CollateralDetail")
        text = _sub(collateral, "TextContent")
        _sub(text, "TextType", "03")
        _sub(text, "ContentAudience", "00")
        _sub(text, "Text", book.description)
    publishing = _sub(product, "PublishingDetail")
    if book.publisher:
        publisher = _sub(publishing, "Publisher")
        _sub(publisher, "PublishingRole", "01")
        _sub(publisher, "PublisherName", book.publisher)
    _sub(publishing, "PublishingStatus", "04")
    _date(publishing, "01", book.date)
    if related is not None:
        material = _sub(product, "RelatedMaterial")
        other = _sub(material, "RelatedProduct")
        # 13: an e-publication based on (the print product); 27: its electronic version.
        _sub(other, "ProductRelationCode", "13" if form == "ED" else "27")
        _identifier(other, related)


def print_pages(book: Book, folder: Path | None) -> int | None:
    """The page count of a print edition already built into ``folder``, if any."""
    if folder is None:
        return None
    import pikepdf

    for name in PRINT_TARGETS:
        path = folder / TARGETS[name].file_name(book.slug)
        if path.is_file():
            with pikepdf.open(path) as pdf:
                return len(pdf.pages)
    return None


def onix_document(rendered: RenderedBook, folder: Path | None,
                  print_paged: bool = False) -> bytes:
    book = rendered.book
    root = etree.Element(f"{{{NS}}}ONIXMessage", nsmap={None: NS}, release="3.0")
    header = _sub(root, "Header")
    sender = _sub(header, "Sender")
    _sub(sender, "SenderName", book.publisher or "editions")
    _sub(header, "SentDateTime", build_datetime().strftime("%Y%m%dT%H%M%SZ"))
    facts = accessibility_facts(rendered, print_paged)
    from ..epub.meta import summary

    ebook = book.unique_identifier
    printed = book.print_identifier
    pages = print_pages(book, folder)
    _product(root, book, ebook, printed, form="ED", detail="E101", pages=pages,
             extent_type="08", facts=facts, summary=summary(book, facts))
    if printed is not None:
        _product(root, book, printed, ebook, form="BC", detail=None, pages=pages,
                 extent_type="07", facts=None, summary=None)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_onix(rendered: RenderedBook, target: Path, workdir: Path,
               options: BuildOptions) -> None:
    folder = Path(options.editions_dir) if options.editions_dir else None
    paged = bool(options.page_source) and not any(e.pages for e in rendered.book.entries)
    target.write_bytes(onix_document(rendered, folder, paged))
