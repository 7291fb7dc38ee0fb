"""The cross-part anchor map: on which page of the joined PDF each anchor lands, and the page
numbers a part prints for anchors in other parts, written in as text.

In one document WeasyPrint's ``target-counter()`` prints the page of a link's target (the
contents, the lists of figures and tables, page references) and the writer reads the index
marks' pages back from the layout (apparatus.folios).  A part laid out alone cannot see the
other parts, so once every part is laid out the writer knows each anchor's page (the page
counts of the parts before it plus its page within its part; parallel.py), and a part that
prints such numbers (``needs``) is laid out again with them written into its HTML
(``with_numbers``): ``data-folio`` on the contents' and the lists' links, ``data-xref-folio``
on page references, shown by ``CSS`` in place of ``target-counter()``, and the index's
locators replaced by their folios as apparatus.py does for the whole book.  Each number is
formatted as the counter style of the CSS rule it stands in for would have printed it.

An anchor's place is ``"INDEX:FOLIO"``: its page's index in the book (0-based) and the folio
printed on that page (roman before the first chapter, arabic from it), the form apparatus.py
reads for the index, whose runs of consecutive pages are collapsed by page index.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree
from lxml import html as lhtml

from . import parts

# Shown in place of target-counter() once the numbers are written in: more specific than
# pdf.css's and apparatus.CSS's rules, and after them.
CSS = """
html body .contents-list a[data-folio]::after, html body .figure-list a[data-folio]::after,
html body .table-list a[data-folio]::after { content: leader(". ") attr(data-folio); }
html a.xref[data-xref-page][data-xref-folio]::after {
  content: " " attr(data-xref-page) " " attr(data-xref-folio); }
"""
# Cheap test before parsing: a part without any of these prints no other part's numbers.
_MARKERS = ("contents-list", "figure-list", "table-list", "data-xref-page", "index-locator")
_HREF = re.compile(r'href="#([^"]+)"')
_LISTED = "contents-list", "figure-list", "table-list"


def needs(html: str) -> list[str]:
    """The anchors whose page numbers the shared HTML of a part prints, sorted."""
    if not any(marker in html for marker in _MARKERS):
        return []
    found: set[str] = set()
    for element in lhtml.fragments_fromstring(html):
        if not isinstance(element, etree._Element):
            continue
        for link in element.iter("a"):
            href = link.get("href", "")
            if not href.startswith("#"):
                continue
            classes = (link.get("class") or "").split()
            if ("index-locator" in classes or link.get("data-xref-page") is not None
                    or _listed(link)):
                found.add(href[1:])
    return sorted(found)


def _listed(link: etree._Element) -> str | None:
    """The list (contents, figures, tables) a link is an item of, if any."""
    for ancestor in link.iterancestors():
        classes = (ancestor.get("class") or "").split()
        for name in _LISTED:
            if name in classes:
                return name
    return None


def counter(place: str) -> int:
    """The page counter at a place, as ``target-counter(..., page)`` reads it: the folio's
    number (roman folios count from the book's first page)."""
    index, folio = place.split(":", 1)
    return int(folio) if folio.isdigit() else int(index) + 1


def with_numbers(body: str, places: dict[str, str]) -> str:
    """A part's adapted HTML with the page numbers of its links written in (placeholders for
    those not known yet: the first layout of a part only learns its length)."""
    out = []
    for element in lhtml.fragments_fromstring(body):
        if not isinstance(element, etree._Element):
            out.append(str(element))
            continue
        for link in element.iter("a"):
            href = link.get("href", "")
            if not href.startswith("#"):
                continue
            place = places.get(href[1:])
            if link.get("data-xref-page") is not None:
                front = "xref-front" in (link.get("class") or "").split()
                link.set("data-xref-folio", _format(place, front))
            elif (listed := _listed(link)) is not None:
                front = listed == "contents-list" and any(
                    "toc-front" in (li.get("class") or "").split()
                    for li in link.iterancestors("li"))
                link.set("data-folio", _format(place, front))
        out.append(etree.tostring(element, method="html", encoding="unicode"))
    return "".join(out)


def _format(place: str | None, roman: bool) -> str:
    if place is None:
        return parts.PLACEHOLDER
    number = counter(place)
    return parts.roman(number) if roman else str(number)


def places(found: Iterable[tuple[dict[str, int], int]], body_start: int | None) -> dict[str, str]:
    """Each anchor's place in the book, from each part's anchors (name -> page within the
    part) and the page index its part starts at; ``body_start`` is the first chapter's."""
    out: dict[str, str] = {}
    for anchors, start in found:
        for name, page in anchors.items():
            if name not in out:
                index = start + page
                folio = (parts.roman(index + 1) if body_start is None or index < body_start
                         else str(index - body_start + 1))
                out[name] = f"{index}:{folio}"
    return out
