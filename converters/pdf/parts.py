"""The PDF laid out part by part: each contents entry, or a run of short entries, is one
WeasyPrint document, and the laid-out pages of all parts are written as one PDF.

Why: in a book every entry opens on a new recto, so an entry's pages never depend on the
pages before it except through three numbers, all set here before a part is laid out:

- **Folios.** A part knows where it starts (the pages of the parts before it), so its first
  page resets the page counter to its folio (``@page :first { counter-reset: page N }``):
  roman folios count from the first page, arabic ones from the first chapter, as in one
  document.
- **Rectos.** Each part but the last ends with an empty entry that opens on a recto; WeasyPrint
  puts the blank verso before it when the part ends on a recto, exactly as in one document,
  and that empty entry's page is dropped.  So every part starts on a recto.
- **Contents page numbers.** The contents part is laid out with placeholder numbers to learn
  its length; once every other part is laid out, the page of each entry is known and the
  contents part alone is laid out again with the numbers written into ``data-folio``
  (the CSS shows them in place of ``target-counter``, which cannot see another part).  Only
  if that changes its page count is the rest laid out again.

The layout passes (footnotes, page-turn hyphens, short pages; see inparts.settle) run per
part: a part that needs one is laid out again; the others are not.  Parts are laid out by
worker processes (parallel.py) and joined (join.py); which books are laid out whole instead is
decided in inparts.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree
from lxml import html as lhtml

if TYPE_CHECKING:

    from ..render.book import RenderedBook

# A run of short entries shares a part up to about this much HTML (some 10 pages): a part costs
# a document's set-up, and fewer parts mean fewer placeholder-free recomputations.
PART_CHARS = 60_000
# The last pass of a part may only turn paragraphs it already turned (see writer.MAX_LAYOUTS).
MAX_LAYOUTS = 6
# An empty entry opening on a recto: WeasyPrint adds the blank verso before it if needed.
PART_END = '<section class="entry part-end" data-page="body"></section>'
# The contents' page numbers, once known, replace target-counter() (see the module docstring).
FOLIO_CSS = ('html .contents-list li a[data-folio]::after '
             '{ content: leader(". ") attr(data-folio); }')
PLACEHOLDER = "000"

@dataclass
class Part:
    numbers: range  # entry indices
    contents: bool = False  # holds the contents entry
    body_start: bool = False  # its first entry is the first chapter: arabic folios start here

    def key(self) -> str:
        return f"{self.numbers.start}-{self.numbers.stop}"


def plan(rendered: RenderedBook, part_chars: int | None = None) -> list[Part]:
    """Consecutive entries grouped into parts; the contents and the first chapter each start
    one, and the contents is alone (it is laid out again with the page numbers)."""
    first_body = next((i for i, r in enumerate(rendered.entries) if r.entry.kind == "chapter"),
                      None)
    part_chars = part_chars or PART_CHARS
    parts: list[Part] = []
    size = 0
    for i, r in enumerate(rendered.entries):
        contents = r.entry.role == "toc"
        alone = contents or i == first_body
        last = parts[-1] if parts else None
        if last is None or alone or last.contents or size + len(r.html) > part_chars:
            parts.append(Part(range(i, i + 1), contents, i == first_body))
            size = len(r.html)
        else:
            last.numbers = range(last.numbers.start, i + 1)
            size += len(r.html)
    return parts


def with_folios(section_html: str, folios: dict[str, str]) -> str:
    """The contents entry with each entry's page number in its link's ``data-folio``."""
    out = []
    for section in lhtml.fragments_fromstring(section_html):
        for anchor in section.xpath(".//*[contains(@class,'contents-list')]//a[@href]"):
            target = anchor.get("href", "")[1:]
            if target in folios:
                anchor.set("data-folio", folios[target])
        out.append(etree.tostring(section, method="html", encoding="unicode"))
    return "".join(out)


def roman(number: int) -> str:
    """Lower-case roman numerals, as CSS lower-roman writes them."""
    out = []
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):
        while number >= value:
            out.append(letters)
            number -= value
    return "".join(out)
