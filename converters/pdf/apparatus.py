"""The printed apparatus: part title pages, nested bookmarks, page references and the index.

Page numbers of the index come from the laid-out document's own anchor map (each mark keeps
its id, WeasyPrint records the page every id lands on): the writer lays the book out, reads
where each mark fell, writes those folios into the index, consecutive pages collapsed into
ranges, and lays it out again until the numbers stand still.  A reference that asks for its
page (``[@fig-x, page]``) uses CSS ``target-counter`` instead, which needs no second pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from lxml import etree

if TYPE_CHECKING:
    import weasyprint

    from ..render.book import RenderedBook, RenderedEntry

CSS = """
section.part > h1 { margin-top: 55mm; text-align: center; font-size: 22pt; }
section.part > h1 .number { font-size: 12pt; }
section.part { break-after: right; }
.in-part h1 { bookmark-level: 2; }
.in-part h2 { bookmark-level: 3; }
.in-part h3 { bookmark-level: 4; }
.in-part h4, .in-part h5, .in-part h6 { bookmark-level: 5; }
.contents-list ol ol { margin-top: 5pt; margin-left: 1.5em; }
.contents-list li.toc-part > a { font-variant: small-caps; letter-spacing: 0.04em; }
.figure-list ol, .table-list ol { list-style: none; margin: 0; padding: 0; }
.figure-list li, .table-list li { margin: 0 0 5pt; }
.figure-list a::after, .table-list a::after {
  content: leader(". ") target-counter(attr(href url), page); }
figure[id] { margin: 10pt 0; text-align: center; break-inside: avoid; }
figure[id] img { max-width: 100%; }
figure[id] figcaption, table[id] caption { font-size: 9pt; margin: 4pt 0; text-align: center; }
table[id] caption { caption-side: top; break-after: avoid; }
table[id] { break-inside: avoid; }
.caption-label { font-weight: bold; }
.equation p { text-align: center; text-indent: 0; margin: 6pt 0; position: relative; }
.equation-number { position: absolute; right: 0; }
.equation + p { text-indent: 0; }
a.xref { hyphens: manual; }
a.xref[data-xref-page]::after {
  content: " " attr(data-xref-page) " " target-counter(attr(href url), page); }
a.xref.xref-front[data-xref-page]::after {
  content: " " attr(data-xref-page) " " target-counter(attr(href url), page, lower-roman); }
.index-body { columns: 2; column-gap: 6mm; font-size: 9pt; line-height: 1.3; }
.index-group h2 { bookmark-level: none; font-size: 10pt; font-style: normal; font-weight: bold;
                  margin: 8pt 0 2pt; }
.index-entries { list-style: none; margin: 0; padding: 0; }
.index-entries .index-entries { margin-left: 1em; }
.index-entry { text-indent: -1em; margin-left: 1em; text-align: left; }
"""


def adapt_section(section: etree._Element, rendered_entry: RenderedEntry,
                  rendered: RenderedBook, folios: dict[str, str]) -> None:
    """Re-wrap one entry's section for print."""
    entry = rendered_entry.entry
    if entry.parent is not None:
        section.set("class", section.get("class", "") + " in-part")
    asking = [a for a in section.iter("a") if a.get("data-xref-page")]
    if asking:  # a page reference into the front matter reads its page in roman
        front = {r.id for r in rendered.entries if r.entry.kind == "front"}
        owners = rendered.owner_of()
        for link in asking:
            if owners.get(link.get("href", "#")[1:]) in front:
                link.set("class", link.get("class", "") + " xref-front")
    if folios:
        for item in section.iter("li"):
            if "index-entry" in (item.get("class") or "").split():
                _paginate(item, folios)


def _paginate(item: etree._Element, folios: dict[str, str]) -> None:
    """Replace an index entry's locators by the folios of their pages, runs collapsed."""
    locators = [a for a in item if a.tag == "a" and a.get("class") == "index-locator"]
    if not locators:
        return
    pages: list[tuple[int, str, str]] = []  # (page index, folio, anchor), one per page
    for locator in locators:
        anchor = locator.get("href", "#")[1:]
        if anchor in folios:
            index, folio = folios[anchor].split(":", 1)
            if not pages or pages[-1][0] != int(index):
                pages.append((int(index), folio, anchor))
    runs: list[list[tuple[int, str, str]]] = []
    for page in pages:
        if runs and page[0] == runs[-1][-1][0] + 1:
            runs[-1].append(page)
        else:
            runs.append([page])
    position = list(item).index(locators[0])
    before = locators[0].getprevious()
    tail = locators[-1].tail
    for locator in locators:
        item.remove(locator)
    made = []
    for number, run in enumerate(runs):
        first = _locator(run[0])
        first.tail = ", " if number < len(runs) - 1 else tail
        made.append(first)
        if len(run) > 1:
            first.tail = "–"
            last = _locator(run[-1])
            last.tail = ", " if number < len(runs) - 1 else tail
            made.append(last)
    for offset, element in enumerate(made):
        item.insert(position + offset, element)
    if before is not None and not made:
        before.tail = tail


def _locator(page: tuple[int, str, str]) -> etree._Element:
    link = etree.Element("a", {"class": "index-locator", "href": "#" + page[2]})
    link.text = page[1]
    return link


def folios(document: weasyprint.Document, rendered: RenderedBook) -> dict[str, str]:
    """'page index:folio' of every index mark, as the page labels will number the pages."""
    marks = {m.anchor for m in rendered.index.marks} if rendered.index else set()
    if not marks:
        return {}
    first_body = next((r.id for r in rendered.entries if r.entry.kind == "chapter"), None)
    front = next((i for i, page in enumerate(document.pages)
                  if first_body and first_body in page.anchors), len(document.pages))
    out = {}
    for i, page in enumerate(document.pages):
        for anchor in page.anchors:
            if anchor in marks:
                out[anchor] = f"{i}:{_roman(i + 1) if i < front else i - front + 1}"
    return out


def _roman(n: int) -> str:
    from ..source.labels import roman

    return roman(n).lower()
