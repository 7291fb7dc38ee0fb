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

The footnote-fixing passes (see writer._footnote_turns) run per part: a part that needs a
paragraph turned is laid out again; the others are not.  The pages of every part are then
given to one WeasyPrint document, which writes one structure tree, one outline, and resolves
links and named destinations across parts, as it would for the book laid out whole.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lxml import etree
from lxml import html as lhtml

if TYPE_CHECKING:
    import weasyprint

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

# (entries, turned paragraphs, extra CSS, HTML after the entries, contents page numbers)
# -> the part laid out.
RenderPart = Callable[[range, frozenset[str], str, str, dict[str, str]],
                      "weasyprint.Document"]
FootnoteTurns = Callable[["weasyprint.Document"], frozenset[str]]


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


@dataclass
class Laid:
    """One part laid out: its document and the pages it contributes to the book."""

    part: Part
    document: weasyprint.Document
    pages: list
    counter: int  # the folio its first page was laid out with
    folios: dict[str, str]
    turns: frozenset[str]
    passes: int


def lay_out(rendered: RenderedBook, render: RenderPart, footnote_turns: FootnoteTurns,
            known_turns: dict[str, frozenset[str]] | None = None,
            part_chars: int | None = None) -> list[Laid]:
    """Every part laid out, in order, with folios and contents page numbers right.

    ``known_turns``: the paragraphs a previous build turned in each part (by part key), so a
    rebuild starts where the last one ended instead of redoing its passes."""
    parts = plan(rendered, part_chars)
    known = dict(known_turns or {})
    ids = {r.id: i for i, r in enumerate(rendered.entries)}
    folios = {r.id: PLACEHOLDER for r in rendered.entries}
    laid: list[Laid] = []
    for _ in range(3):
        laid = _lay_out_from(parts, laid, render, footnote_turns, known, folios)
        folios = _folios(rendered, laid, ids)
        at = next((k for k, done in enumerate(laid) if done.part.contents), None)
        if at is None:
            return laid
        redone = _lay_out_part(laid[at].part, render, footnote_turns, known, laid[at].counter,
                               at == len(parts) - 1, folios)
        if len(redone.pages) == len(laid[at].pages):
            laid[at] = redone
            return laid
        # The contents grew or shrank: the parts after it start elsewhere.
        laid = [*laid[:at], redone]
    return laid


def _lay_out_from(parts: list[Part], laid: list[Laid], render: RenderPart,
                  footnote_turns: FootnoteTurns, known: dict[str, frozenset[str]],
                  folios: dict[str, str]) -> list[Laid]:
    """Lay out the parts after those in ``laid`` (already laid out)."""
    laid = list(laid)
    pages = sum(len(done.pages) for done in laid)
    body_start = next((sum(len(d.pages) for d in laid[:k]) for k, d in enumerate(laid)
                       if d.part.body_start), None)
    for k in range(len(laid), len(parts)):
        part = parts[k]
        if part.body_start:
            body_start = pages
        counter = pages + 1 if body_start is None else pages - body_start + 1
        done = _lay_out_part(part, render, footnote_turns, known, counter,
                             k == len(parts) - 1, folios)
        laid.append(done)
        pages += len(done.pages)
    return laid


def _lay_out_part(part: Part, render: RenderPart, footnote_turns: FootnoteTurns,
                  known: dict[str, frozenset[str]], counter: int, last: bool,
                  folios: dict[str, str]) -> Laid:
    css = f"@page :first {{ counter-reset: page {counter}; }}\n"
    if part.contents:
        css += FOLIO_CSS
    tail = "" if last else PART_END
    turns = known.get(part.key(), frozenset())
    passes = 0
    while True:
        passes += 1
        document = render(part.numbers, turns, css, tail,
                          folios if part.contents else {})
        more = footnote_turns(document)
        if not more - turns or passes >= MAX_LAYOUTS:
            break
        turns |= more
    known[part.key()] = turns
    pages = document.pages if last else document.pages[:-1]
    return Laid(part, document, pages, counter, folios if part.contents else {}, turns, passes)


def _folios(rendered: RenderedBook, laid: list[Laid], ids: dict[str, int]) -> dict[str, str]:
    """Each entry's folio as printed: roman before the first chapter, arabic from it."""
    pages = [page for done in laid for page in done.pages]
    body_start = next((sum(len(d.pages) for d in laid[:k]) for k, d in enumerate(laid)
                       if d.part.body_start), None)
    out = {}
    for index, page in enumerate(pages):
        for anchor in page.anchors:
            if anchor in ids and anchor not in out:
                if body_start is None or index < body_start:
                    out[anchor] = roman(index + 1)
                else:
                    out[anchor] = str(index - body_start + 1)
    return out


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
