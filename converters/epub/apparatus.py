"""What the EPUB adds to the apparatus: a nav nested by parts, EPUB Indexes 1.0 semantics.

The shared HTML marks the index with classes; here they become the structural semantics of
EPUB Indexes 1.0 (``index-group``, ``index-entry-list``, ``index-entry``, ``index-term``,
``index-locator``, ``index-xref-preferred``/``-related``), and a term's locators in one entry
become one locator, since a reflowable edition has no pages to tell them apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

from .xhtml import EPUB_TYPE, X

if TYPE_CHECKING:
    from ..render.book import RenderedBook
    from .nav import NavPoint

# Added to the book's stylesheet only when the book uses the apparatus, so other books'
# editions stay byte for byte what they were.
CSS = b"""
.equation p { text-align: center; text-indent: 0; }
.equation-number { float: right; }
.equation + p { text-indent: 0; }
.caption-label { font-style: normal; font-weight: bold; }
.index-entries, .figure-list ol, .table-list ol, .contents-list ol ol { list-style: none; }
.index-entries { margin: 0; padding: 0; }
.index-entries .index-entries { padding-left: 1.5em; }
.index-entry { text-indent: -1.5em; padding-left: 1.5em; }
.index-group h2 { font-size: 1em; margin: 1em 0 0.3em; }
"""


def uses_apparatus(rendered: RenderedBook) -> bool:
    return bool((rendered.crossrefs and rendered.crossrefs.targets)
                or (rendered.index and rendered.index.marks)
                or any(r.entry.parent for r in rendered.entries))


# Class in the shared HTML -> EPUB Indexes 1.0 type.
INDEX_TYPES = {"index-group": "index-group", "index-entries": "index-entry-list",
               "index-entry": "index-entry", "index-term": "index-term",
               "index-locator": "index-locator"}


def nest_parts(rendered: RenderedBook, points: list[NavPoint]) -> list[NavPoint]:
    """A part's entries become the children of its own navigation point."""
    by_id = {r.id: point for r, point in zip(rendered.entries, points, strict=True)}
    top = []
    for r, point in zip(rendered.entries, points, strict=True):
        parent = r.entry.parent
        if parent in by_id:
            by_id[parent].children.append(point)
        else:
            top.append(point)
    return top


def index_semantics(root: etree._Element) -> bool:
    """Give the index document its EPUB Indexes semantics; True if it holds an index."""
    body = root.find(f"{X}body")
    index = body.find(f".//{X}div[@class='index-body']") if body is not None else None
    if index is None:
        return False
    # EPUBCheck's index schema wants the groups as the index's own children; the index is
    # the generated list itself, so the entry's heading stays outside it and the body keeps
    # its 'backmatter' (a body holding nothing but an index would have to be typed 'index').
    for section in body.iter(f"{X}section"):
        if section.get(EPUB_TYPE) == "index":
            del section.attrib[EPUB_TYPE]
            section.attrib.pop("role", None)
    index.tag = f"{X}section"
    index.set(EPUB_TYPE, "index")
    index.set("role", "doc-index")
    heading = body.find(f".//{X}h1")
    if heading is not None and heading.get("id"):
        index.set("aria-labelledby", heading.get("id"))
    for element in index.iter(f"{X}*"):
        for cls in (element.get("class") or "").split():
            if cls in INDEX_TYPES:
                element.set(EPUB_TYPE, INDEX_TYPES[cls])
            elif cls == "index-xref":
                related = "index-see-also" in (element.getparent().get("class") or "")
                element.set(EPUB_TYPE, "index-xref-related" if related
                            else "index-xref-preferred")
        element.attrib.pop("data-entry", None)
    for entry in index.iter(f"{X}li"):
        _one_locator_per_entry(entry)
    return True


def _one_locator_per_entry(item: etree._Element) -> None:
    """Keep the first locator of each entry (they would all read '3'), with its comma."""
    seen: set[str] = set()
    for locator in item.findall(f"{X}a[@class='index-locator']"):
        href = locator.get("href", "")
        place = href.split("#")[0] + "|" + locator.text if locator.text else href
        if place in seen:
            previous = locator.getprevious()
            if previous is not None:  # its ', ' went before this locator: keep what follows
                previous.tail = locator.tail
            item.remove(locator)
        seen.add(place)
