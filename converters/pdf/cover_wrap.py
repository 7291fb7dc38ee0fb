"""The cover wrap of a print target: back, spine and front on one sheet, ``cover-<target>.pdf``.

Geometry (millimetres), from the finished interior and the target's paper (core/targets.py):

    spine  = interior pages x caliper per page of the book's ``print: paper:``
    width  = bleed + trim width + spine + trim width + bleed
    height = bleed + trim height + bleed

The front panel carries the source's cover image, or the EPUB's typographic cover set as type;
the spine carries title, author and publisher only from the printer's minimum page count on;
the back carries the description and the EAN-13 of the print ISBN (python-barcode, as SVG, so
the bars stay vectors at any resolution).  The sheet is made with WeasyPrint as PDF/X-4 and
then goes through the same CMYK conversion and output intent as the interior.
"""

from __future__ import annotations

import base64
import html
import io
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import pikepdf
import weasyprint
from barcode import EAN13
from barcode.writer import SVGWriter
from stdnum import isbn as stdisbn

from ..core.dates import build_datetime
from ..core.targets import Target, spine_width_mm
from ..epub.cover import ACCENT, BACKGROUND, INK
from ..source.model import Book
from . import cmyk, pdfx
from .fetch import SOURCE_URL, ConfinedFetcher


@dataclass(frozen=True)
class Geometry:
    trim_w: float
    trim_h: float
    bleed: float
    spine: float
    pages: int
    caliper_mm: float
    spine_text: bool

    @property
    def width(self) -> float:
        return 2 * self.bleed + 2 * self.trim_w + self.spine

    @property
    def height(self) -> float:
        return 2 * self.bleed + self.trim_h


def geometry(book: Book, rules: Target, pages: int) -> Geometry:
    paper = rules.paper(book.print.paper)
    bleed = rules.bleed_mm if rules.bleed_mm is not None else book.print.bleed_mm
    return Geometry(book.print.width_mm, book.print.height_mm, bleed,
                    spine_width_mm(pages, paper), pages, paper.caliper_mm,
                    pages >= rules.spine_text_min_pages)


def barcode_svg(isbn13: str) -> tuple[bytes, str]:
    """The EAN-13 symbol of ``isbn13`` as SVG (no text: the digits are set as type below),
    and the bar pattern python-barcode encodes ('1' a dark module)."""
    code = EAN13(isbn13, writer=SVGWriter())
    out = io.BytesIO()
    code.write(out, options={"module_width": 0.33, "module_height": 22.0, "quiet_zone": 3.0,
                             "write_text": False, "background": "white", "foreground": "black"})
    return out.getvalue(), code.build()[0]


def _data_url(data: bytes, media: str) -> str:
    return f"data:{media};base64,{base64.b64encode(data).decode('ascii')}"


def typographic_front(book: Book) -> str:
    """The EPUB's generated cover, set as type (vectors print sharp at any size)."""
    e = html.escape
    parts = [f'<p class="title">{e(book.title)}</p><div class="rule"></div>']
    if book.subtitle:
        parts.append(f'<p class="subtitle">{e(book.subtitle)}</p>')
    parts.append(f'<div class="authors">{"<br>".join(e(c.name) for c in book.authors)}</div>')
    if book.publisher:
        parts.append(f'<div class="publisher">{e(book.publisher)}</div>')
    return f'<div class="front typographic">{"".join(parts)}</div>'


def cover_html(book: Book, g: Geometry) -> str:
    e = html.escape
    created = build_datetime().strftime("%Y-%m-%dT%H:%M:%SZ")  # reproducible with the interior
    ident = book.print_identifier
    isbn13 = ident.value if ident is not None else ""
    if book.cover_path:
        src = SOURCE_URL + quote(book.cover_path.resolve().relative_to(
            book.source_dir.resolve()).as_posix())
        front = f'<img class="front" alt="Front cover" src="{e(src)}">'
    else:
        front = typographic_front(book)
    svg, _pattern = barcode_svg(isbn13)
    bg = "rgb({},{},{})".format(*BACKGROUND)
    ink = "rgb({},{},{})".format(*INK)
    accent = "rgb({},{},{})".format(*ACCENT)
    b, w, s, h = g.bleed, g.trim_w, g.spine, g.trim_h
    # Spine type: at most 10 pt, and at most half the spine's width; the line box is turned
    # a quarter clockwise about its top-left corner, so it reads top to bottom, centred.
    size = min(10.0, s / 2 / 0.3528)
    line = size * 0.3528 * 1.3
    spine = ""
    if g.spine_text:
        by = " · ".join(filter(None, [book.author_line, book.publisher]))
        spine = (f'<div class="spine-text"><b>{e(book.title)}</b>'
                 f'<span>{e(by)}</span></div>')
    return f"""<!DOCTYPE html><html lang="{e(book.language)}"><head><meta charset="utf-8">
<title>{e(book.full_title)} (cover)</title>
<meta name="dcterms.created" content="{created}"><meta name="dcterms.modified" content="{created}">
<style>
@page {{ size: {g.width:.3f}mm {g.height:.3f}mm; margin: 0; bleed: 0; background: {bg}; }}
html, body {{ margin: 0; }}
body {{ font-family: "Charis SIL", serif; color: {ink}; }}
.sheet {{ position: relative; width: {g.width:.3f}mm; height: {g.height:.3f}mm;
          background: {bg}; overflow: hidden; }}
.front {{ position: absolute; left: {b + w + s:.3f}mm; top: 0; width: {w + b:.3f}mm;
          height: {g.height:.3f}mm; object-fit: cover; }}
.back {{ position: absolute; left: {b + 12:.3f}mm; top: {b + 18:.3f}mm; width: {w - 24:.3f}mm;
         font-size: 11pt; line-height: 1.45; }}
.back h2 {{ font-size: 16pt; margin: 0 0 6mm; }}
.code {{ position: absolute; left: {b + w - 12 - 48:.3f}mm; top: {b + h - 16 - 34:.3f}mm;
         width: 48mm; background: white; color: black; text-align: center;
         font-size: 8pt; padding-top: 1mm; }}
.code img {{ display: block; width: 48mm; }}
.typographic {{ box-sizing: border-box; padding: {b + 30:.3f}mm {b + 14:.3f}mm {b + 18:.3f}mm
                14mm; text-align: center; border: 0; }}
.typographic .title {{ font-size: 30pt; font-weight: bold; line-height: 1.15; margin: 0; }}
.typographic .rule {{ width: 30mm; margin: 8mm auto; border-top: 1.2pt solid {accent}; }}
.typographic .subtitle {{ font-size: 16pt; font-style: italic; margin: 0; }}
.typographic .authors {{ position: absolute; left: 14mm; right: {b + 14:.3f}mm;
                         bottom: {b + 34:.3f}mm; font-size: 18pt; }}
.typographic .publisher {{ position: absolute; left: 14mm; right: {b + 14:.3f}mm;
                           bottom: {b + 16:.3f}mm; font-size: 11pt; color: {accent}; }}
.spine {{ position: absolute; left: {b + w:.3f}mm; top: 0; width: {s:.3f}mm;
          height: {g.height:.3f}mm; }}
.spine-text {{ position: absolute; left: {s / 2 + line / 2:.3f}mm; top: 0;
               width: {g.height:.3f}mm; height: {line:.3f}mm; line-height: {line:.3f}mm;
               transform-origin: 0 0; transform: rotate(90deg); text-align: center;
               white-space: nowrap; font-size: {size:.1f}pt; }}
.spine-text span {{ margin-left: 4mm; }}
</style></head><body><div class="sheet">
<div class="back"><h2>{e(book.full_title)}</h2><p>{e(book.description or "")}</p></div>
<div class="code">ISBN {e(stdisbn.format(isbn13) if isbn13 else "")}
<img alt="EAN-13 {e(isbn13)}" src="{_data_url(svg, 'image/svg+xml')}"></div>
<div class="spine">{spine}</div>
{front}
</div></body></html>"""


def write_cover(interior: Path, book: Book, rules: Target, workdir: Path) -> Path:
    """Write ``cover-<target>.pdf`` beside ``interior``, sized for its final page count."""
    with pikepdf.open(interior) as pdf:
        pages = len(pdf.pages)
    g = geometry(book, rules, pages)
    raw = workdir / "cover.pdf"
    document = weasyprint.HTML(string=cover_html(book, g), base_url=SOURCE_URL,
                               url_fetcher=ConfinedFetcher(book.source_dir))
    document.write_pdf(str(raw), pdf_variant=rules.pdf_variant,
                       pdf_identifier=pdfx.file_identifier(book, rules, rules.cover_name()))
    target = interior.with_name(rules.cover_name())
    with pikepdf.open(raw) as pdf:
        page = pdf.pages[0].obj
        mm = 72 / 25.4
        trim = [g.bleed * mm, g.bleed * mm, (g.width - g.bleed) * mm, (g.height - g.bleed) * mm]
        page.TrimBox = pikepdf.Array(trim)
        page.BleedBox = pikepdf.Array(list(page.MediaBox))
        cmyk.convert_to_cmyk(pdf, rules.ink_limit)
        pdfx.add_output_intent(pdf)
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=True) as meta:
            meta["dc:title"] = f"{book.full_title} (cover)"
            meta["dc:creator"] = [c.name for c in book.authors]
            if book.print_identifier is not None:
                meta["dc:identifier"] = book.print_identifier.urn
                meta["xmpMM:DocumentID"] = pdfx.document_id(book.print_identifier.urn,
                                                            rules.cover_name())
        tmp = target.with_name(target.name + ".tmp")
        pdf.save(tmp, deterministic_id=True)
    os.replace(tmp, target)
    return target
