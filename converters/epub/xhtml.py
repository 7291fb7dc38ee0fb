"""The XHTML every EPUB document is made of: namespaces, names, the document skeleton, and
what a content document tells the navigation and metadata."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
X = f"{{{XHTML_NS}}}"
EPUB_TYPE = f"{{{OPS_NS}}}type"
STYLE_HREF = "style/book.css"
# Sections of the book that are front, body or back matter, as EPUB names them on <body>.
MATTER = {"front": "frontmatter", "chapter": "bodymatter", "back": "backmatter"}


@dataclass
class PageBreak:
    label: str  # the printed folio, e.g. "257" or "vii"
    href: str  # file#id inside the EPUB


@dataclass
class ContentInfo:
    """What a content document holds, for the navigation and accessibility metadata."""

    page_breaks: list[PageBreak] = field(default_factory=list)
    images: int = 0
    images_without_alt: int = 0
    tables: int = 0
    tables_with_headers: int = 0
    footnotes: int = 0
    math: int = 0  # MathML formulas (manifest property and accessibility feature)
    index: bool = False  # holds the book's index (EPUB Indexes 1.0)


def file_of(entry_id: str) -> str:
    return f"text/{entry_id}.xhtml"


def page_id(label: str) -> str:
    return "page-" + re.sub(r"[^A-Za-z0-9_-]", "-", label)


def skeleton(title: str, lang: str, body: str, body_type: str | None = None) -> etree._Element:
    """An XHTML document with the book's language, a title and the stylesheet."""
    body_attr = f' epub:type="{body_type}"' if body_type else ""
    text = (
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{OPS_NS}" lang="{lang}" xml:lang="{lang}">'
        f'<head><meta charset="utf-8"/><title></title>'
        f'<link rel="stylesheet" type="text/css" href="../{STYLE_HREF}"/></head>'
        f"<body{body_attr}>{body}</body></html>"
    )
    root = etree.fromstring(text.encode("utf-8"))
    root.find(f"{X}head/{X}title").text = title
    return root


def serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, encoding="utf-8", xml_declaration=True, doctype="<!DOCTYPE html>")
