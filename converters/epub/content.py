"""EPUB content documents: the shared HTML of one entry re-wrapped as EPUB 3 XHTML.

Post-processing adds what only the EPUB needs: structural semantics (epub:type beside the
doc-* roles), a print page-break marker where the source gives the entry's pages, pop-up
footnotes (noteref/footnote asides with back-links) and links re-pointed across split files.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lxml import etree

from ..source.model import ROLES, Book
from . import manuscript
from .xhtml import (
    EPUB_TYPE,
    MATTER,
    ContentInfo,
    PageBreak,
    X,
    file_of,
    page_id,
    serialise,
    skeleton,
)

if TYPE_CHECKING:
    from ..render.book import RenderedEntry

def content_document(rendered: RenderedEntry, book: Book, owners: dict[str, str],
                     print_marks: list[dict[str, str]] | None = None
                     ) -> tuple[bytes, ContentInfo]:
    """The XHTML of one entry and what it contains."""
    entry = rendered.entry
    root = skeleton(entry.label, book.language, rendered.html, MATTER.get(entry.kind))
    info = ContentInfo()
    section = root.find(f"{X}body/{X}section")
    for element in root.iter(f"{X}section"):
        epub_type = ROLES.get(element.get("data-role") or "", (None,))[0]
        if epub_type:
            element.set(EPUB_TYPE, epub_type)
        for attr in ("data-kind", "data-role", "data-pages"):
            element.attrib.pop(attr, None)
    if print_marks is not None:  # the pages of our own print edition (epub/printpages.py)
        from .printpages import mark_pages

        info.page_breaks += mark_pages(root, print_marks, file_of(entry.id))
    elif entry.pages and section is not None:
        info.page_breaks.append(_page_break(section, entry.pages.first, file_of(entry.id)))
    info.footnotes = _footnotes(root)
    info.math = manuscript.add_semantics(root)
    _relink(root, rendered.id, owners)
    from .apparatus import index_semantics  # which needs this module's names

    info.index = index_semantics(root)
    for img in root.iter(f"{X}img"):
        img.set("src", "../" + img.get("src", ""))
        info.images += 1
        if not (img.get("alt") or "").strip():
            info.images_without_alt += 1
    tables = list(root.iter(f"{X}table"))
    info.tables = len(tables)
    info.tables_with_headers = sum(1 for t in tables if next(t.iter(f"{X}th"), None) is not None)
    return serialise(root), info


def _page_break(section: etree._Element, label: str, href: str) -> PageBreak:
    """A print page-break marker as the section's first child (EPUB 3.3 + DPUB-ARIA)."""
    marker = etree.Element(f"{X}span", {EPUB_TYPE: "pagebreak", "role": "doc-pagebreak",
                                        "id": page_id(label), "aria-label": label})
    section.insert(0, marker)
    return PageBreak(label, f"{href}#{page_id(label)}")


def _footnotes(root: etree._Element) -> int:
    """Turn pandoc's end-of-document note list into footnote asides reading systems pop up."""
    count = 0
    for anchor in root.iter(f"{X}a"):
        if "footnote-ref" in (anchor.get("class") or "").split():
            anchor.set(EPUB_TYPE, "noteref")
            anchor.set("role", "doc-noteref")
    for block in list(root.iter(f"{X}section")):
        if "footnotes" not in (block.get("class") or "").split():
            continue
        block.set("class", "footnotes")
        block.attrib.pop("role", None)  # doc-endnotes would promise endnote list items
        block.set(EPUB_TYPE, "footnotes")
        for rule in block.findall(f"{X}hr"):
            block.remove(rule)
        for ol in block.findall(f"{X}ol"):
            position = list(block).index(ol)
            for number, li in enumerate(ol.findall(f"{X}li"), 1):
                aside = etree.Element(f"{X}aside", {"id": li.get("id", ""), EPUB_TYPE: "footnote",
                                                    "role": "doc-footnote", "class": "footnote"})
                aside.text = li.text
                for child in li:
                    aside.append(child)
                _number(aside, number)
                for back in aside.iter(f"{X}a"):
                    if "footnote-back" in (back.get("class") or "").split():
                        back.set(EPUB_TYPE, "backlink")
                        back.set("role", "doc-backlink")
                block.insert(position, aside)
                position += 1
                count += 1
            block.remove(ol)
    return count


def _number(aside: etree._Element, number: int) -> None:
    """The list numbering is gone with the <ol>, so the note says its number itself."""
    label = etree.Element(f"{X}span", {"class": "note-number"})
    label.text = f"{number}. "
    first = aside[0] if len(aside) and aside[0].tag == f"{X}p" else aside
    label.tail = first.text
    first.text = None
    first.insert(0, label)


def _relink(root: etree._Element, own_id: str, owners: dict[str, str]) -> None:
    for anchor in root.iter(f"{X}a"):
        href = anchor.get("href", "")
        if href.startswith("#") and len(href) > 1:
            owner = owners.get(href[1:])
            if owner and owner != own_id:
                anchor.set("href", f"{Path(file_of(owner)).name}{href}")
