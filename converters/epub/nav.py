"""EPUB navigation: the EPUB 3 nav document (toc, landmarks, page-list) and the EPUB 2 NCX.

Written here rather than by ebooklib, whose page list takes every element with an epub:type
and an id for a page, and whose NCX has no depth and no page list.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from lxml import etree

from ..source.model import Book
from .xhtml import EPUB_TYPE, PageBreak, X, serialise, skeleton

NCX_NS = "http://www.daisy.org/z3986/2005/ncx/"
N = f"{{{NCX_NS}}}"


@dataclass
class NavPoint:
    title: str
    href: str
    children: list[NavPoint] = field(default_factory=list)


@dataclass
class Landmark:
    epub_type: str  # EPUB 3 landmark type
    guide_type: str  # EPUB 2 guide reference type
    title: str
    href: str


def nest(entries: list[tuple[int, str, str]]) -> list[NavPoint]:
    """(level, title, href) in reading order -> a tree; a skipped level nests one step."""
    root: list[NavPoint] = []
    stack: list[tuple[int, list[NavPoint]]] = [(0, root)]
    for level, title, href in entries:
        while len(stack) > 1 and stack[-1][0] >= level:
            stack.pop()
        point = NavPoint(title, href)
        stack[-1][1].append(point)
        stack.append((level, point.children))
    return root


def nav_document(book: Book, title: str, toc: list[NavPoint], landmarks: list[Landmark],
                 pages: list[PageBreak]) -> bytes:
    """The package's nav document; it sits beside text/, so hrefs are package-relative."""
    root = skeleton(title, book.language, "")
    root.find(f"{X}head/{X}link").set("href", "style/book.css")
    body = root.find(f"{X}body")
    nav = etree.SubElement(body, f"{X}nav", {EPUB_TYPE: "toc", "id": "toc", "role": "doc-toc",
                                             "aria-labelledby": "toc-title"})
    etree.SubElement(nav, f"{X}h1", {"id": "toc-title"}).text = title
    nav.append(_ol(toc))
    if landmarks:
        _hidden_nav(body, "landmarks", "Landmarks",
                    [({EPUB_TYPE: m.epub_type, "href": m.href}, m.title) for m in landmarks])
    if pages:
        _hidden_nav(body, "page-list", "Pages", [({"href": p.href}, p.label) for p in pages])
    return serialise(root)


def _hidden_nav(body: etree._Element, kind: str, heading: str,
                links: list[tuple[dict[str, str], str]]) -> None:
    """A nav that reading systems use but the page does not show (landmarks, page list)."""
    nav = etree.SubElement(body, f"{X}nav", {EPUB_TYPE: kind, "id": kind, "hidden": "hidden",
                                             "aria-labelledby": f"{kind}-title"})
    etree.SubElement(nav, f"{X}h2", {"id": f"{kind}-title"}).text = heading
    ol = etree.SubElement(nav, f"{X}ol")
    for attrs, text in links:
        etree.SubElement(etree.SubElement(ol, f"{X}li"), f"{X}a", attrs).text = text


def _ol(points: list[NavPoint]) -> etree._Element:
    ol = etree.Element(f"{X}ol")
    for point in points:
        li = etree.SubElement(ol, f"{X}li")
        etree.SubElement(li, f"{X}a", {"href": point.href}).text = point.title
        if point.children:
            li.append(_ol(point.children))
    return ol


def ncx_document(book: Book, uid: str, toc: list[NavPoint], pages: list[PageBreak]) -> bytes:
    """The EPUB 2 NCX, with the same tree as the nav and the print page list."""
    root = etree.Element(f"{N}ncx", nsmap={None: NCX_NS}, version="2005-1")
    root.set("{http://www.w3.org/XML/1998/namespace}lang", book.language)
    head = etree.SubElement(root, f"{N}head")
    numeric = [int(p.label) for p in pages if p.label.isdigit()]
    for name, content in (("dtb:uid", uid), ("dtb:depth", str(_depth(toc))),
                          ("dtb:totalPageCount", str(len(pages))),
                          ("dtb:maxPageNumber", str(max(numeric, default=0)))):
        etree.SubElement(head, f"{N}meta", name=name, content=content)
    etree.SubElement(etree.SubElement(root, f"{N}docTitle"), f"{N}text").text = book.title
    for creator in book.authors:
        etree.SubElement(etree.SubElement(root, f"{N}docAuthor"), f"{N}text").text = creator.name
    nav_map = etree.SubElement(root, f"{N}navMap")
    order = itertools.count(1)

    def add(parent: etree._Element, points: list[NavPoint]) -> None:
        for point in points:
            n = next(order)
            element = etree.SubElement(parent, f"{N}navPoint", id=f"navpoint-{n}",
                                       playOrder=str(n))
            etree.SubElement(etree.SubElement(element, f"{N}navLabel"),
                             f"{N}text").text = point.title
            etree.SubElement(element, f"{N}content", src=point.href)
            add(element, point.children)

    add(nav_map, toc)
    if pages:
        page_list = etree.SubElement(root, f"{N}pageList")
        etree.SubElement(etree.SubElement(page_list, f"{N}navLabel"), f"{N}text").text = "Pages"
        for n, page in enumerate(pages, 1):
            target = etree.SubElement(page_list, f"{N}pageTarget", id=f"pagetarget-{n}",
                                      value=str(n), playOrder=str(next(order)),
                                      type="normal" if page.label.isdigit() else "front")
            etree.SubElement(etree.SubElement(target, f"{N}navLabel"),
                             f"{N}text").text = page.label
            etree.SubElement(target, f"{N}content", src=page.href)
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)


def _depth(points: list[NavPoint]) -> int:
    return max((1 + _depth(p.children) for p in points), default=0)
