"""PDF edition: the shared sections re-wrapped as one book-shaped HTML document for WeasyPrint.

The shared HTML is adapted here, never re-rendered: the title-page entry is split into half-title,
title page and imprint; pandoc's end-of-section notes become WeasyPrint footnotes at their
reference; each section gets the page name and running-head string the page rules need.  What
WeasyPrint cannot write (page labels, full XMP) is added afterwards by pdfpost.py.
"""

from __future__ import annotations

import html
import re
import threading
import warnings
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import weasyprint
from lxml import etree
from lxml import html as lhtml
from weasyprint.formatting_structure.boxes import FootnoteAreaBox
from weasyprint.text.fonts import FontConfiguration

from ..assets import fonts
from ..core.cache import Cache, digest
from ..core.dates import build_datetime
from ..render.book import RenderedBook
from ..source.model import Book
from . import join, parallel, parts, worker
from . import post as pdfpost
from .fetch import SOURCE_URL, ConfinedFetcher

if TYPE_CHECKING:
    from ..core.options import BuildOptions

# Room for crop marks outside the bleed: WeasyPrint draws them in the outer half of the CSS
# bleed, so the CSS bleed is widened and the true bleed is restored in /BleedBox afterwards.
MARKS_MM = 8.0

# Page names (CSS `page`): the title pages carry no folio, front matter is numbered in roman,
# the body in arabic from the first chapter-kind entry ("bodystart" resets the counter).
TITLES, FRONT, BODYSTART, BODY = "titles", "front", "bodystart", "body"

# Layout passes allowed for moving paragraphs that would push a footnote off its page.
MAX_LAYOUTS = 6
HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# pandoc's note ids and their references, as render.py prefixes them: body and summary notes.
FOOTNOTE_ID = re.compile(r"-(?:body|summary)-fn(\d+)$")


def css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def css_bleed_mm(book: Book, layout: str) -> float:
    """The CSS bleed: 0 on screen; the source's bleed, widened for crop marks, in print."""
    p = book.print
    if layout != "print":
        return 0.0
    return max(2 * p.bleed_mm, p.bleed_mm + MARKS_MM) if p.crop_marks else p.bleed_mm


def page_css(book: Book, layout: str = "screen") -> str:
    """@page rules from the source's print settings: trim, mirrored margins, folios, heads."""
    p = book.print
    bleed = css_bleed_mm(book, layout)
    marks = "crop" if layout == "print" and p.crop_marks else "none"
    title = css_string(book.title)
    text_height = p.height_mm - p.top_mm - p.bottom_mm
    folio_front = "counter(page, lower-roman)"
    folio_body = "counter(page)"
    rules = [f"""
@page {{ size: {p.width_mm}mm {p.height_mm}mm; bleed: {bleed}mm; marks: {marks};
        margin: {p.top_mm}mm {p.outer_mm}mm {p.bottom_mm}mm {p.inner_mm}mm; }}
@page :left {{ margin-left: {p.outer_mm}mm; margin-right: {p.inner_mm}mm;
              @top-center {{ content: {title}; }} }}
@page :right {{ margin-left: {p.inner_mm}mm; margin-right: {p.outer_mm}mm;
               @top-center {{ content: string(running); }} }}
@page {FRONT} {{ @bottom-center {{ content: {folio_front}; }} }}
@page {BODY} {{ @bottom-center {{ content: {folio_body}; }} }}
@page {BODYSTART} {{ @bottom-center {{ content: {folio_body}; }} }}
@page :nth(1 of {BODYSTART}) {{ counter-reset: page 1; }}
.imprint {{ margin-top: {text_height * 0.55:.1f}mm; }}
.halftitle, .titlepage-block {{ margin-top: {text_height * 0.2:.1f}mm; }}
"""]
    # No running head on an entry's opening page (the folio stays: a drop folio).
    for name in (FRONT, BODYSTART, BODY):
        rules.append(f"@page :nth(1 of {name}) {{ @top-center {{ content: none; }} }}")
    # The title pages and the blank versos before a recto opening carry nothing at all.
    rules.append(f"@page {TITLES} {{ @top-center {{ content: none; }} "
                 "@bottom-center { content: none; } }")
    rules.append("@page :blank { @top-center { content: none; } "
                 "@bottom-center { content: none; } }")
    return "\n".join(rules)


def adapt(rendered: RenderedBook, turns: frozenset[str] = frozenset(),
          numbers: range | None = None) -> str:
    """The entries' shared HTML, re-wrapped for the printed book; returns the <body> content.

    Paragraphs are numbered (data-n="ENTRY.N") so a layout pass can name one; those in
    ``turns`` start a new page (see _footnote_turns).  ``numbers``: only those entries (a part
    of the book laid out alone, see parts.py); their numbering stays the whole book's."""
    first_body = next((r.id for r in rendered.entries if r.entry.kind == "chapter"), None)
    chosen = range(len(rendered.entries)) if numbers is None else numbers
    return "".join(adapt_entry(rendered, number, first_body, turns) for number in chosen)


def adapt_entry(rendered: RenderedBook, number: int, first_body: str | None,
                turns: frozenset[str]) -> str:
    rendered_entry = rendered.entries[number]
    entry = rendered_entry.entry
    section = lhtml.fragment_fromstring(rendered_entry.html)
    if entry.role == "titlepage":
        name = TITLES
        _split_titlepage(section, rendered.book)
    elif entry.kind == "front" or first_body is None:
        name = FRONT
    else:
        name = BODYSTART if entry.id == first_body else BODY
    section.set("data-page", name)
    section.set("data-running", entry.title)
    _inline_footnotes(section)
    blocks = (b for b in section.iter("p", "li")
              if not b.get("class", "").startswith("footnote"))
    for n, block in enumerate(blocks):
        block.set("data-n", f"{number}.{n}")
        if f"{number}.{n}" in turns:
            _turn(block)
    return etree.tostring(section, method="html", encoding="unicode")


def _turn(block: etree._Element) -> None:
    """Start a new page at this paragraph, or at the headings just above it, which must not
    be left at the foot of the page they would then end."""
    target = block
    while (previous := target.getprevious()) is not None and previous.tag in HEADINGS:
        target = previous
    if target.tag != "h1":  # never part an entry's opening from its heading
        target.set("class", (target.get("class", "") + " turn").strip())


def _split_titlepage(section: etree._Element, book: Book) -> None:
    """Half-title (recto i), its blank verso, title page (recto iii), imprint (verso iv)."""
    heading = section.find("h1")
    halftitle = etree.Element("div", {"class": "halftitle"})
    etree.SubElement(halftitle, "p", {"class": "title"}).text = book.title
    if heading is not None:
        heading.addnext(halftitle)
    else:
        section.insert(0, halftitle)


def _inline_footnotes(section: etree._Element) -> None:
    """Move each pandoc footnote to its reference, as an inline element WeasyPrint floats to
    the foot of the page.  The note keeps pandoc's id and number, and its number links back."""
    notes = {li.get("id"): li for block in section.xpath(".//section[contains(@class,'footnotes')]")
             for li in block.iter("li") if li.get("id")}
    for ref in section.xpath(".//a[contains(concat(' ', @class, ' '), ' footnote-ref ')]"):
        note_id = ref.get("href", "")[1:]
        li = notes.get(note_id)
        if li is None:
            continue
        number = "".join(ref.itertext()).strip()
        note = etree.Element("span", {"class": "footnote", "id": note_id, "role": "note"})
        back = etree.SubElement(note, "a", {"class": "footnote-number",
                                            "href": "#" + ref.get("id", "")})
        back.text = number
        back.tail = " "
        for backlink in li.xpath(".//a[contains(@class,'footnote-back')]"):
            _drop(backlink)
        for i, child in enumerate(li):
            if child.tag == "p":
                child.tag = "span"
                child.set("class", "footnote-para" if i else "footnote-first")
            note.append(child)
        if li.text and li.text.strip():
            back.tail = " " + li.text
        note.tail, ref.tail = ref.tail, None
        ref.addnext(note)
    for block in section.xpath(".//section[contains(@class,'footnotes')]"):
        block.getparent().remove(block)


def _drop(element: etree._Element) -> None:
    """Remove an element but keep the text after it."""
    parent = element.getparent()
    previous = element.getprevious()
    tail = (element.tail or "").rstrip()
    if previous is not None:
        previous.tail = (previous.tail or "").rstrip() + tail
    else:
        parent.text = (parent.text or "").rstrip() + tail
    parent.remove(element)


def html_document(rendered: RenderedBook, turns: frozenset[str] = frozenset(),
                  body: str | None = None) -> str:
    """The whole book (or ``body``, a part of it) as one HTML document, with the metadata
    WeasyPrint puts in the PDF."""
    book = rendered.book
    e = html.escape
    created = build_datetime().strftime("%Y-%m-%dT%H:%M:%SZ")
    head = [f"<title>{e(book.full_title)}</title>",
            *(f'<meta name="author" content="{e(c.name)}">' for c in book.authors),
            f'<meta name="description" content="{e(pdfpost.subject(book))}">',
            f'<meta name="keywords" content="{e(", ".join(pdfpost.keywords(book)))}">',
            f'<meta name="generator" content="{e(pdfpost.creator_tool())}">',
            f'<meta name="dcterms.created" content="{created}">',
            f'<meta name="dcterms.modified" content="{created}">']
    return (f'<!DOCTYPE html><html lang="{e(book.language)}"><head><meta charset="utf-8">'
            + "".join(head) + "</head><body>"
            + (adapt(rendered, turns) if body is None else body) + "</body></html>")


def stylesheets(book: Book, layout: str) -> list[weasyprint.CSS]:
    house = resources.files("converters.assets").joinpath("pdf.css").read_text(encoding="utf-8")
    return [weasyprint.CSS(string=house), weasyprint.CSS(string=page_css(book, layout))]


def write_pdf(rendered: RenderedBook, target: Path, workdir: Path,
              options: BuildOptions) -> None:
    book = rendered.book
    fonts.serif_faces()  # fail with the package name rather than fall back to another serif
    variant = "pdf/a-3b" if options.pdf_standard == "a-3b" else "pdf/ua-1"
    raw = workdir / "weasyprint.pdf"
    if options.jobs > 1 and threading.active_count() == 1 and len(parts.plan(rendered)) > 1:
        front_pages = _write_in_parts(rendered, raw, workdir, options, variant)
    else:
        document = lay_out(rendered, options)
        first_body = next((e.id for e in book.entries if e.kind == "chapter"), None)
        # A book without chapter-kind entries is all front matter, numbered in roman.
        front_pages = next((i for i, page in enumerate(document.pages)
                            if first_body and first_body in page.anchors), len(document.pages))
        with warnings.catch_warnings():
            # WeasyPrint 70 opens its sRGB profile for PDF/A output intents and never closes
            # it; the ResourceWarning is WeasyPrint's, not a problem with the book.
            warnings.simplefilter("ignore", ResourceWarning)
            # Tagged in both variants: PDF/UA requires it, and an archived PDF/A stays
            # accessible.
            document.write_pdf(str(raw), pdf_variant=variant, pdf_tags=True)
    bleed = book.print.bleed_mm if options.pdf_layout == "print" else 0.0
    pdfpost.finish(raw, target, book, front_pages=front_pages, bleed_mm=bleed)


def _write_in_parts(rendered: RenderedBook, raw: Path, workdir: Path, options: BuildOptions,
                    variant: str) -> int:
    """The parts laid out by worker processes (parallel.py), joined into ``raw``; returns the
    number of front-matter pages."""
    book = rendered.book
    first_body = next((r.id for r in rendered.entries if r.entry.kind == "chapter"), None)
    sheets, fetcher = stylesheets(book, options.pdf_layout), ConfinedFetcher(book.source_dir)
    mine: dict[str, object] = {}  # made in each worker: fonts are not shared across a fork

    def render_html(body: str, css: str) -> tuple:
        font_config = mine.setdefault("fonts", FontConfiguration())
        html = weasyprint.HTML(string=html_document(rendered, body=body), base_url=SOURCE_URL,
                               url_fetcher=fetcher)
        return worker.render(html, font_config=font_config, cache=mine.setdefault("cache", {}),
                             stylesheets=[*sheets, weasyprint.CSS(string=css)],
                             pdf_variant=variant, pdf_tags=True)

    def adapt_part(numbers: range, turns: frozenset[str]) -> str:
        return "".join(adapt_entry(rendered, n, first_body, turns) for n in numbers)

    def write(document: weasyprint.Document, path: str) -> None:
        document.write_pdf(path, pdf_variant=variant, pdf_tags=True)

    house = resources.files("converters.assets").joinpath("pdf.css").read_text(encoding="utf-8")
    # The dates reach the joined PDF through the first part only (join.py keeps its catalog
    # and metadata), so only its key holds them: other parts stay cached across days.
    head = re.sub(r'<meta name="dcterms\.\w+"[^>]*>', "", html_document(rendered, body=""))
    style = digest([house, page_css(book, options.pdf_layout), variant, head])
    cache = (Cache(Path(options.cache_dir), options.cache_salt) if options.cache_dir
             else None)
    files, front_pages, _facts = parallel.lay_out_in_parts(
        rendered, parallel.make_lay(render_html, adapt_part, _footnote_turns), write, style,
        options.jobs, workdir, cache)
    join.join(files, raw)
    return front_pages


def lay_out(rendered: RenderedBook, options: BuildOptions, whole: bool = False,
            known_turns: dict[str, frozenset[str]] | None = None) -> weasyprint.Document:
    """The book laid out: in parts (see parts.py), or ``whole`` as one document."""
    variant = "pdf/a-3b" if options.pdf_standard == "a-3b" else "pdf/ua-1"
    # Parsed once and shared by the layout passes and parts.
    font_config, cache = FontConfiguration(), {}
    sheets = stylesheets(rendered.book, options.pdf_layout)
    fetcher = ConfinedFetcher(rendered.book.source_dir)

    def render(body: str, css: str = "") -> weasyprint.Document:
        extra = [weasyprint.CSS(string=css)] if css else []
        return weasyprint.HTML(string=html_document(rendered, body=body), base_url=SOURCE_URL,
                               url_fetcher=fetcher
                               ).render(font_config=font_config, cache=cache,
                                        stylesheets=sheets + extra, pdf_variant=variant,
                                        pdf_tags=True)

    if whole:
        turns: frozenset[str] = frozenset()
        for _ in range(MAX_LAYOUTS):
            document = render(adapt(rendered, turns))
            more = _footnote_turns(document)
            if not more - turns:
                break
            turns |= more
        return document
    first_body = next((r.id for r in rendered.entries if r.entry.kind == "chapter"), None)

    def render_part(numbers: range, turns: frozenset[str], css: str, tail: str,
                    folios: dict[str, str]) -> weasyprint.Document:
        body = "".join(adapt_entry(rendered, n, first_body, turns) for n in numbers)
        return render((parts.with_folios(body, folios) if folios else body) + tail, css)

    laid = parts.lay_out(rendered, render_part, _footnote_turns, known_turns)
    return laid[0].document.copy([page for done in laid for page in done.pages])


def _footnote_turns(document: weasyprint.Document) -> frozenset[str]:
    """Paragraphs that pushed an earlier footnote off its reference's page.

    To honour `orphans` when a paragraph starts on a page's last line, WeasyPrint 70 moves
    that page's footnotes on to the next page rather than the paragraph.  Starting such a
    paragraph on a new page is what a compositor does, so the culprits are returned (by
    data-n) for the next layout pass to turn.  Turning one paragraph moves everything after
    it up to the next entry, which opens on a fresh recto, so only the first culprit of each
    entry is returned: later ones are found again, or not, in the next pass."""
    page_of = {anchor: i for i, page in enumerate(document.pages) for anchor in page.anchors}
    first: dict[int, int] = {}
    for anchor, page in page_of.items():
        ref = re.sub(r"-fn(\d+)$", r"-fnref\1", anchor) if FOOTNOTE_ID.search(anchor) else None
        if ref in page_of and page_of[ref] < page:
            culprit = _last_paragraph(document.pages[page_of[ref]])
            if culprit:
                entry, n = (int(x) for x in culprit.split("."))
                first[entry] = min(n, first.get(entry, n))
    return frozenset(f"{entry}.{n}" for entry, n in first.items())


def _last_paragraph(page: weasyprint.document.Page) -> str | None:
    last = None
    for child in page._page_box.children:  # no public API walks a laid-out page
        if isinstance(child, FootnoteAreaBox):
            continue
        for box in child.descendants():
            element = getattr(box, "element", None)
            if element is not None and element.get("data-n"):
                last = element.get("data-n")
    return last
