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
- **Page numbers of other parts.** A part that prints them (the contents, the lists of
  figures and tables, the index, a chapter with page references) is laid out with placeholder
  numbers to learn its length; once every part is laid out, the page of every anchor is known
  and such a part alone is laid out again with the numbers written in (anchors.py: text in
  place of ``target-counter``, which cannot see another part).  Only if that changes a page
  count are the numbers looked up again (a bounded number of rounds; parallel.py).

The layout passes (footnotes, page-turn hyphens, short pages; see inparts.settle) run per
part: a part that needs one is laid out again; the others are not.  Parts are laid out by
worker processes (parallel.py) and joined (join.py); which books are laid out whole instead is
decided in inparts.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:

    from ..render.book import RenderedBook

# A run of short entries shares a part up to about this much HTML (some 10 pages): a part costs
# a document's set-up, and fewer parts mean fewer placeholder-free recomputations.
PART_CHARS = 60_000
# The last pass of a part may only turn paragraphs it already turned (see writer.MAX_LAYOUTS).
MAX_LAYOUTS = 6
# An empty entry opening on a recto: WeasyPrint adds the blank verso before it if needed.
PART_END = '<section class="entry part-end" data-page="body"></section>'
PLACEHOLDER = "000"  # a page number not known yet
# Entries listing other entries' pages: each is a part alone, laid out again with the numbers.
LISTINGS = ("toc", "figures", "tables", "index")

@dataclass
class Part:
    numbers: range  # entry indices
    listing: bool = False  # holds the contents, a list of figures or tables or the index
    body_start: bool = False  # its first entry is the first chapter: arabic folios start here

    def key(self) -> str:
        return f"{self.numbers.start}-{self.numbers.stop}"


def plan(rendered: RenderedBook, part_chars: int | None = None) -> list[Part]:
    """Consecutive entries grouped into parts; the first chapter starts one, and each listing
    (the contents, the lists, the index) is alone: it is laid out again with the numbers."""
    first_body = next((i for i, r in enumerate(rendered.entries) if r.entry.kind == "chapter"),
                      None)
    part_chars = part_chars or PART_CHARS
    parts: list[Part] = []
    size = 0
    for i, r in enumerate(rendered.entries):
        listing = r.entry.role in LISTINGS
        alone = listing or i == first_body
        last = parts[-1] if parts else None
        if last is None or alone or last.listing or size + len(r.html) > part_chars:
            parts.append(Part(range(i, i + 1), listing, i == first_body))
            size = len(r.html)
        else:
            last.numbers = range(last.numbers.start, i + 1)
            size += len(r.html)
    return parts


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
