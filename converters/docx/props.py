"""Document properties of the DOCX edition: core (docProps/core.xml) and custom (custom.xml)."""

from __future__ import annotations

import datetime as dt

from docx.document import Document as DocxDocument
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from lxml import etree
from stdnum import isbn as stdnum_isbn

from ..source.model import Book

_CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
_VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
_CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one fmtid custom properties use


def set_properties(doc: DocxDocument, book: Book, when: dt.datetime) -> None:
    _core_properties(doc, book, when)
    _custom_properties(doc, book)


def _core_properties(doc: DocxDocument, book: Book, when: dt.datetime) -> None:
    props = doc.core_properties
    # Written into the XML directly: python-docx refuses text over 255 characters, which
    # OOXML does not (War and Peace's description has 1,186; a real title had 350).
    element = props._element
    for name, value in (("title", book.title), ("subject", book.full_title),
                        ("creator", "; ".join(c.name for c in book.authors)),
                        ("keywords", "; ".join(s.term for s in book.subjects)),
                        ("description", book.description or ""), ("language", book.language),
                        ("category", category(book)), ("lastModifiedBy", book.publisher or "")):
        element._get_or_add(name).text = value
    props.revision = 1
    naive = when.astimezone(dt.timezone.utc).replace(tzinfo=None)
    props.created = props.modified = naive


def category(book: Book) -> str:
    """The first coded subject (e.g. 'BISAC HIS032000'), else the first subject, else 'Book'."""
    coded = next((s for s in book.subjects if s.scheme and s.code), None)
    if coded:
        return f"{coded.scheme} {coded.code}: {coded.term}"
    return book.subjects[0].term if book.subjects else "Book"


def custom_properties(book: Book) -> list[tuple[str, str]]:
    props = []
    isbn = book.isbn
    if isbn:
        props.append(("ISBN", stdnum_isbn.format(isbn)))
    printed = book.print_identifier
    if printed and printed.scheme == "isbn" and printed.value != isbn:
        props.append(("Print ISBN", stdnum_isbn.format(printed.value)))
    if not isbn:
        props.append(("Identifier", book.unique_identifier.urn))
    if book.publisher:
        props.append(("Publisher", book.publisher))
    if book.series:
        props.append(("Series", book.series.title))
        if book.series.position:
            props.append(("Series number", book.series.position))
    if book.edition:
        props.append(("Edition", book.edition))
    return props


def _custom_properties(doc: DocxDocument, book: Book) -> None:
    """docProps/custom.xml with the book's own properties (replacing pandoc's, if any)."""
    root = etree.Element(f"{{{_CUSTOM_NS}}}Properties", nsmap={None: _CUSTOM_NS, "vt": _VT_NS})
    for pid, (name, value) in enumerate(custom_properties(book), start=2):
        prop = etree.SubElement(root, f"{{{_CUSTOM_NS}}}property",
                                {"fmtid": _CUSTOM_FMTID, "pid": str(pid), "name": name})
        etree.SubElement(prop, f"{{{_VT_NS}}}lpwstr").text = value
    blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    package = doc.part.package
    part = next((p for p in package.iter_parts() if p.partname == "/docProps/custom.xml"), None)
    if part is None:
        part = Part(PackURI("/docProps/custom.xml"), CT.OFC_CUSTOM_PROPERTIES, blob, package)
        package.relate_to(part, RT.CUSTOM_PROPERTIES)
    else:
        part._blob = blob
