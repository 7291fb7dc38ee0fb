"""The PDF laid out in parts by worker processes (parts.py, parallel.py, worker.py, join.py),
or the reason it must be laid out whole as one document (writer.write_pdf).

A part is laid out alone: its folios are remade once its start is known (worker.py), and the
page numbers it prints of anchors in other parts (the contents, the lists of figures and
tables, page references, the index) are written in as text once every part is laid out
(anchors.py, parallel.py).  Still laid out whole (``whole_reason``), as one document:

- the book's own CSS uses ``target-counter()`` (or ``target-text()``): its rules could point
  anywhere and print in any counter style, and only the whole layout sees every target;
- ``--jobs 1``, other threads running (forking the workers would be unsafe), or a book that is
  one part;
- page numbers that do not settle: if writing them in keeps changing page counts after
  parallel.MAX_ROUNDS rounds, the writer lays the book out whole (``Unsettled``).

The layout passes that fix footnotes, page-turn hyphens
and short pages (writer, hyphenation.py, spreads.py) read page turns inside an entry only;
every part starts on a recto as in the whole book, so they run per part with the same result;
each pass after a part's first re-makes only the pages its fixes change (relayout.py).
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import warnings
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import weasyprint
from weasyprint.text.fonts import FontConfiguration

from ..core.cache import Cache, digest
from ..render import style
from . import (
    anchors,
    apparatus,
    hyphenation,
    join,
    math_svg,
    overflow,
    pagemap,
    parallel,
    parts,
    pdfx,
    relayout,
    spreads,
)
from .parallel import Unsettled

__all__ = ["Typeset", "Unsettled", "whole_reason", "write"]
from .fetch import SOURCE_URL, ConfinedFetcher
from .glyphs import known_missing

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..core.options import BuildOptions
    from ..render.book import RenderedBook
    from ..source.model import Book
    from .post import Finishing


class Typeset(NamedTuple):
    """What writer.py makes of the book, handed down (writer.py imports this module)."""

    adapt_entry: Callable[..., str]
    html_document: Callable[..., str]
    stylesheets: Callable[..., list]
    page_css: Callable[..., str]
    footnote_turns: Callable[[weasyprint.Document], frozenset[str]]


def whole_reason(rendered: RenderedBook, options: BuildOptions) -> str | None:
    """Why the book is laid out whole as one document, or None: in parts."""
    if options.jobs <= 1:
        return "one job"
    if threading.active_count() != 1:
        return "other threads run (forking the workers would be unsafe)"
    own = style.pdf_css(rendered.book, rendered.fallbacks, SOURCE_URL)
    if "target-counter" in own or "target-text" in own:
        return "the book's CSS uses target-counter (only the whole layout sees every target)"
    if len(parts.plan(rendered)) < 2:
        return "one part"
    return None


def write(rendered: RenderedBook, target: Path, workdir: Path, options: BuildOptions,
          variant: str, paged: Book, writer: Typeset, map_to: Path | None = None,
          finish: Callable[[int], Finishing] | None = None) -> int:
    """The parts laid out by worker processes, joined into ``target``; returns the number of
    front-matter pages.  ``map_to``: where a print-ready target's page map goes; ``finish``:
    post.py's finishing for that number of front-matter pages, done as the parts are joined."""
    book = rendered.book
    first_body = next((r.id for r in rendered.entries if r.entry.kind == "chapter"), None)
    fetcher = ConfinedFetcher(book.source_dir,
                              {ref.rel: path for path, ref in rendered.images.items()})
    mine: dict[str, object] = {}  # made in each worker: fonts are not shared across a fork

    def render_html(body: str, css: str) -> tuple:
        if "sheets" not in mine:
            mine["fonts"] = FontConfiguration()
            mine["sheets"] = writer.stylesheets(rendered, paged, options.pdf_layout, fetcher,
                                                mine["fonts"])  # type: ignore[arg-type]
        html = weasyprint.HTML(string=writer.html_document(rendered, body=body),
                               base_url=SOURCE_URL, url_fetcher=fetcher)
        with known_missing(rendered.fallbacks.missing):  # already reported at their lines
            # A fresh image cache for each part: one kept across a worker's parts drew an
            # image met before otherwise, so a part's bytes depended on which worker laid
            # out which parts before it (a cached build would not match a cold one).
            return relayout.render(html, font_config=mine["fonts"], cache={},
                                   stylesheets=[*mine["sheets"], weasyprint.CSS(string=css)],
                                   pdf_variant=variant, pdf_tags=True)

    def adapt_part(numbers: range, state: dict, folios: dict[str, str]) -> str:
        unhyphenated: dict[str, list[str]] = {}
        for key, word in state.get("nohyph", ()):
            unhyphenated.setdefault(key, []).append(word)
        turns = frozenset(state.get("turns", ()))
        # The index's locators become their folios (apparatus.adapt_section) once known.
        return "".join(writer.adapt_entry(rendered, n, first_body, turns, folios, unhyphenated,
                                          state.get("spacing") or None) for n in numbers)

    def report(document: weasyprint.Document, keep: int) -> list:
        entries = [(e.id, e.label) for e in book.entries]
        found = [o for o in overflow.from_layout(document) if o.page <= keep]
        labels = overflow.entry_of_pages(document, entries) if found else []
        return [[o.page, o.distance_mm, o.sample, labels[o.page - 1]] for o in found]

    identifier = pdfx.file_identifier(book, options.rules)  # the first half of the /ID

    def write_part(document: weasyprint.Document, path: str) -> None:
        with known_missing(rendered.fallbacks.missing):
            document.write_pdf(path, pdf_variant=variant, pdf_tags=True,
                               pdf_identifier=identifier)

    entry_ids = [r.id for r in rendered.entries]
    page_map = (lambda pages: pagemap.pages_of(pages, entry_ids)) if map_to else None

    house = resources.files("converters.assets").joinpath("pdf.css").read_text(encoding="utf-8")
    # The dates are written by the finishing (post.complete_metadata), not taken from the
    # layout: no part's key holds them, so every part stays cached across days.
    head = re.sub(r'<meta name="dcterms\.\w+"[^>]*>', "", writer.html_document(rendered, body=""))
    own = style.pdf_css(book, rendered.fallbacks, SOURCE_URL)
    # Images and the book's font files are fetched by name: their bytes are in the key (the
    # Markdown's are in the entries' HTML, so an edit re-lays its own part only).
    text = {p.resolve() for e in book.entries for p in (e.body_path, e.summary_path) if p}
    files = sorted({f.resolve() for f in (*book.files, *rendered.images)} - text)
    shas = [(str(f), hashlib.sha256(f.read_bytes()).hexdigest()) for f in files if f.is_file()]
    key = digest([house, writer.page_css(paged, options.pdf_layout), apparatus.CSS,
                  anchors.CSS, own, variant, head, shas, identifier, map_to is not None])
    cache = Cache(Path(options.cache_dir), options.cache_salt) if options.cache_dir else None
    if any("<math" in r.html for r in rendered.entries):
        math_svg.typesetter()  # imported once, before the workers are forked: they share it
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)  # see writer.write_pdf
        files_out, front_pages, facts = parallel.lay_out_in_parts(
            rendered, parallel.make_lay(render_html, adapt_part,
                                       lambda d, state: settle(d, state, writer.footnote_turns),
                                       report, page_map), write_part,
            key, options.jobs, workdir, cache)
    join.join(files_out, target, None if finish is None else finish(front_pages), cache,
              identifier)
    if map_to is not None:
        starts = [sum(f["keep"] for f in facts[:k]) for k in range(len(facts))]
        pagemap.save_map(map_to, pagemap.join_maps(
            [(start, f["pagemap"]) for start, f in zip(starts, facts, strict=True)], front_pages))
    _warn_overflow(facts, f"{book.slug}.pdf")
    return front_pages


def settle(document: weasyprint.Document, done: dict,
           footnote_turns: Callable[[weasyprint.Document], frozenset[str]]) -> dict | None:
    """The passes of writer.write_pdf on one part: the fixes the next pass makes, those not
    among ``done`` (every fix so far), or None if the part stands."""
    turns = footnote_turns(document) - set(done.get("turns", ()))
    words = hyphenation.unhyphenations(document) - {tuple(p) for p in done.get("nohyph", ())}
    spacing = spreads.adjustments(document, dict(done.get("spacing") or {}))  # new ones only
    if not turns and not words and not spacing:
        return None
    return {"turns": sorted(turns), "nohyph": sorted(map(list, words)), "spacing": spacing}


def _warn_overflow(facts: list[dict], name: str) -> None:
    """overflow.warn's lines, with each part's pages counted from the book's first page."""
    log, start = logging.getLogger("converters.pdf"), 0
    for part in facts:
        for page, distance, sample, label in part.get("overflow", ()):
            item = overflow.Overflow(start + page, distance, sample)
            log.warning("%s:page %d: %s [PDF-OVERFLOW]", name, item.page, item.describe(label))
        start += part["keep"]
