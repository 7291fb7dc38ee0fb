"""PDF edition: the shared sections re-wrapped as one book-shaped HTML document for WeasyPrint.

The shared HTML is adapted here, never re-rendered: the title-page entry is split into half-title,
title page and imprint; pandoc's end-of-section notes become WeasyPrint footnotes at their
reference; each section gets the page name and running-head string the page rules need.  What
WeasyPrint cannot write (page labels, full XMP) is added afterwards by pdfpost.py.
"""

from __future__ import annotations

import html
import re
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
from ..core.escape import css_string
from ..render import style
from ..render.book import RenderedBook
from ..source.model import Book
from . import apparatus, code, hyphenation, inparts, math_svg, overflow, pagemap, pdfx, spreads
from . import post as pdfpost
from .fetch import SOURCE_URL, ConfinedFetcher
from .glyphs import known_missing

if TYPE_CHECKING:
    from ..core.options import BuildOptions
    from ..core.targets import Target

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


def css_bleed_mm(book: Book, layout: str) -> float:
    """The CSS bleed: 0 on screen; the source's bleed, widened for crop marks, in print."""
    p = book.print
    if layout != "print":
        return 0.0
    return max(2 * p.bleed_mm, p.bleed_mm + MARKS_MM) if p.crop_marks else p.bleed_mm


def text_width_mm(book: Book) -> float:
    return book.print.width_mm - book.print.inner_mm - book.print.outer_mm


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
.imprint {{ height: {text_height - 2:.1f}mm; }}
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
          folios: dict[str, str] | None = None,
          nohyph: frozenset[tuple[str, str]] = frozenset(),
          spacing: dict[str, str] | None = None) -> str:
    """The entries' shared HTML, re-wrapped for the printed book; returns the <body> content.

    Paragraphs are numbered (data-n="ENTRY.N") so a layout pass can name one; those in
    ``turns`` start a new page (see _footnote_turns)."""
    first_body = next((r.id for r in rendered.entries if r.entry.kind == "chapter"), None)
    unhyphenated: dict[str, list[str]] = {}  # data-n -> words set whole (pdf/hyphenation.py)
    for key, word in nohyph:
        unhyphenated.setdefault(key, []).append(word)
    return "".join(adapt_entry(rendered, number, first_body, turns, folios, unhyphenated, spacing)
                   for number in range(len(rendered.entries)))


def adapt_entry(rendered: RenderedBook, number: int, first_body: str | None,
                turns: frozenset[str], folios: dict[str, str] | None,
                unhyphenated: dict[str, list[str]], spacing: dict[str, str] | None) -> str:
    """One entry re-wrapped (see adapt); a part laid out alone (pdf/inparts.py) is a run of
    these, numbered as in the whole book."""
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
    math_svg.replace_math(section)
    code.fit_code(section, text_width_mm(rendered.book))
    apparatus.adapt_section(section, rendered_entry, rendered, folios or {})
    blocks = (b for b in section.iter("p", "li")
              if not b.get("class", "").startswith("footnote"))
    for n, block in enumerate(blocks):
        block.set("data-n", f"{number}.{n}")
        if f"{number}.{n}" in turns:
            _turn(block)
        if f"{number}.{n}" in unhyphenated:
            hyphenation.apply(block, unhyphenated[f"{number}.{n}"])
        if spacing and f"{number}.{n}" in spacing:  # set looser or tighter (pdf/spreads.py)
            block.set("class", (block.get("class", "") + " " + spacing[f"{number}.{n}"])
                      .strip())
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
    for imprint in section.find_class("imprint"):  # its lines at the foot of the page
        foot = etree.SubElement(imprint, "div", {"class": "imprint-foot"})
        foot.extend([child for child in imprint if child is not foot])


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
        _bind_call(ref).addnext(note)
    for block in section.xpath(".//section[contains(@class,'footnotes')]"):
        block.getparent().remove(block)


def _bind_call(ref: etree._Element) -> etree._Element:
    """The note's call held to the word before it (``span.note-call``, set ``nowrap`` by
    pdf.css): with the house style WeasyPrint otherwise breaks between "1794." and its call,
    which then starts the next line.  Returns what now stands where ``ref`` stood."""
    previous = ref.getprevious()
    text = ref.getparent().text if previous is None else previous.tail
    if not text or text[-1] in " \t\n":
        return ref  # after an element, or a space a line may break at: nothing to hold
    # Back to the last space a line may break at: a no-break space holds its words together.
    cut = max(text.rfind(c) for c in " \t\n") + 1
    span = etree.Element("span", {"class": "note-call"})
    span.text = text[cut:]
    if previous is None:
        ref.getparent().text = text[:cut]
    else:
        previous.tail = text[:cut]
    ref.addprevious(span)
    span.append(ref)
    return span


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
                  folios: dict[str, str] | None = None,
                  nohyph: frozenset[tuple[str, str]] = frozenset(),
                  spacing: dict[str, str] | None = None, body: str | None = None) -> str:
    """The whole book (or ``body``, a part of it) as one HTML document, with the metadata
    WeasyPrint puts in the PDF."""
    book = rendered.book
    e = html.escape
    created = pdfpost.build_stamp()  # post.complete_metadata writes it again
    head = [f"<title>{e(book.full_title)}</title>",
            *(f'<meta name="author" content="{e(c.name)}">' for c in book.authors),
            f'<meta name="description" content="{e(pdfpost.subject(book))}">',
            f'<meta name="keywords" content="{e(", ".join(pdfpost.keywords(book)))}">',
            f'<meta name="generator" content="{e(pdfpost.creator_tool())}">',
            f'<meta name="dcterms.created" content="{created}">',
            f'<meta name="dcterms.modified" content="{created}">']
    return (f'<!DOCTYPE html><html lang="{e(book.language)}"><head><meta charset="utf-8">'
            + "".join(head) + "</head><body>"
            + (adapt(rendered, turns, folios, nohyph, spacing) if body is None else body)
            + "</body></html>")


def stylesheets(rendered: RenderedBook, paged: Book, layout: str, fetcher: ConfinedFetcher,
                font_config: FontConfiguration) -> list[weasyprint.CSS]:
    """The house style, the page rules of ``paged`` (the book as its target prints it), the
    apparatus' rules, then the book's own style."""
    book = rendered.book
    house = resources.files("converters.assets").joinpath("pdf.css").read_text(encoding="utf-8")
    sheets = [weasyprint.CSS(string=house), weasyprint.CSS(string=page_css(paged, layout)),
              weasyprint.CSS(string=apparatus.CSS)]
    # The book's theme, fonts, script fallbacks and CSS, after the house's.
    own = style.pdf_css(book, rendered.fallbacks, SOURCE_URL)
    if own:
        sheets.append(weasyprint.CSS(string=own, base_url=SOURCE_URL, url_fetcher=fetcher,
                                     font_config=font_config))
    return sheets


def write_pdf(rendered: RenderedBook, target: Path, workdir: Path,
              options: BuildOptions) -> None:
    book = rendered.book
    fonts.serif_faces()  # fail with the package name rather than fall back to another serif
    variant = "pdf/a-3b" if options.pdf_standard == "a-3b" else "pdf/ua-1"
    rules = options.rules  # a --target's rules (core/targets.py) outrank the flags
    if rules is not None:
        variant = rules.pdf_variant or variant
    paged = pdfx.print_book(book, rules)  # the bleed and marks the target allows
    if inparts.whole_reason(rendered, options) is None:  # long books: in parts, by workers
        typeset = inparts.Typeset(adapt_entry, html_document, stylesheets, page_css,
                                  _footnote_turns)
        ready = rules is not None and rules.print_ready
        bleed = paged.print.bleed_mm if options.pdf_layout == "print" else 0.0
        try:
            front_pages = inparts.write(rendered, target, workdir, options, variant, paged,
                                        typeset, pagemap.map_path(target) if ready else None,
                                        lambda front: pdfpost.Finishing(book, front, bleed))
        except inparts.Unsettled:  # page numbers that kept moving: laid out whole below
            front_pages = None
        if front_pages is not None:
            if ready:
                _print_ready(target, book, rules, workdir)  # type: ignore[arg-type]
            return
    turns: frozenset[str] = frozenset()
    folios: dict[str, str] = {}  # where the index marks fell in the last layout
    nohyph: frozenset[tuple[str, str]] = frozenset()
    spacing: dict[str, str] = {}
    # Parsed once and shared by the layout passes.
    font_config, cache = FontConfiguration(), {}
    fetcher = ConfinedFetcher(book.source_dir,
                              {ref.rel: path for path, ref in rendered.images.items()})
    sheets = stylesheets(rendered, paged, options.pdf_layout, fetcher, font_config)
    for _ in range(MAX_LAYOUTS):
        with known_missing(rendered.fallbacks.missing):  # already reported at their lines
            document = weasyprint.HTML(
                string=html_document(rendered, turns, folios, nohyph, spacing),
                base_url=SOURCE_URL, url_fetcher=fetcher
            ).render(font_config=font_config, cache=cache, stylesheets=sheets,
                     pdf_variant=variant, pdf_tags=True)
        more = _footnote_turns(document)
        fell = apparatus.folios(document, rendered)
        words = hyphenation.unhyphenations(document)  # page-turn hyphens and ladders
        adjust = spreads.adjustments(document, spacing)  # pages a line short
        if not more - turns and fell == folios and not words - nohyph and not adjust:
            break
        turns, folios = turns | more, fell
        nohyph |= words
        spacing = {**spacing, **adjust}
    overflow.warn(document, [(e.id, e.label) for e in book.entries], f"{book.slug}.pdf")
    first_body = next((e.id for e in book.entries if e.kind == "chapter"), None)
    # A book without chapter-kind entries is all front matter, numbered in roman throughout.
    front_pages = next((i for i, page in enumerate(document.pages)
                        if first_body and first_body in page.anchors), len(document.pages))
    raw = workdir / "weasyprint.pdf"
    with warnings.catch_warnings(), known_missing(rendered.fallbacks.missing):
        # WeasyPrint 70 opens its sRGB profile for PDF/A output intents and never closes it;
        # the ResourceWarning is WeasyPrint's, not a problem with the book.
        warnings.simplefilter("ignore", ResourceWarning)
        # Tagged in both variants: PDF/UA requires it, and an archived PDF/A stays accessible.
        document.write_pdf(str(raw), pdf_variant=variant, pdf_tags=True,
                           pdf_identifier=pdfx.file_identifier(book, rules))
    bleed = paged.print.bleed_mm if options.pdf_layout == "print" else 0.0
    pdfpost.finish(raw, target, book, front_pages=front_pages, bleed_mm=bleed)
    if rules is not None and rules.print_ready:
        pagemap.write_map(target, document, front_pages, [e.id for e in rendered.entries])
        _print_ready(target, book, rules, workdir)


def _print_ready(target: Path, book: Book, rules: Target, workdir: Path) -> None:
    """The finished PDF made a printer's interior (PDF/X, CMYK), and its cover wrap."""
    pdfx.make_print_ready(target, book, rules)
    from .cover_wrap import write_cover

    write_cover(target, book, rules, workdir)


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
