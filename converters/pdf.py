"""PDF edition: the shared sections as one HTML document, laid out by WeasyPrint."""

from __future__ import annotations

import html
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

import weasyprint

from .dates import build_datetime
from .fetch import confined_fetcher
from .model import Book
from .render import RenderedBook

if TYPE_CHECKING:
    from .build import BuildOptions


def page_css(book: Book) -> str:
    """@page rules from the source's print settings: trim size, mirrored margins, folios."""
    p = book.print
    return f"""
@page {{ size: {p.width_mm}mm {p.height_mm}mm; margin: {p.top_mm}mm {p.outer_mm}mm
        {p.bottom_mm}mm {p.inner_mm}mm;
        @bottom-center {{ content: counter(page); font-size: 9pt; }} }}
@page :left {{ margin-left: {p.outer_mm}mm; margin-right: {p.inner_mm}mm; }}
@page :right {{ margin-left: {p.inner_mm}mm; margin-right: {p.outer_mm}mm; }}
@page :first {{ @bottom-center {{ content: none; }} }}
"""


def html_document(rendered: RenderedBook) -> str:
    """The whole book as one HTML document, with the metadata WeasyPrint puts in the PDF."""
    book = rendered.book
    e = html.escape
    created = build_datetime().strftime("%Y-%m-%dT%H:%M:%SZ")
    keywords = ", ".join(s.term for s in book.subjects)
    head = [f"<title>{e(book.full_title)}</title>",
            *(f'<meta name="author" content="{e(c.name)}">' for c in book.authors),
            f'<meta name="description" content="{e(book.description or book.full_title)}">',
            f'<meta name="keywords" content="{e(keywords)}">',
            f'<meta name="generator" content="editions {_version()}">',
            f'<meta name="dcterms.created" content="{created}">',
            f'<meta name="dcterms.modified" content="{created}">']
    body = "".join(entry.html for entry in rendered.entries)
    return (f'<!DOCTYPE html><html lang="{e(book.language)}"><head><meta charset="utf-8">'
            + "".join(head) + f"</head><body>{body}</body></html>")


def write_pdf(rendered: RenderedBook, target: Path, workdir: Path,
              options: BuildOptions) -> None:
    book = rendered.book
    stylesheets = [
        weasyprint.CSS(string=page_css(book)),
        weasyprint.CSS(string=resources.files("converters.assets").joinpath("pdf.css")
                       .read_text(encoding="utf-8")),
    ]
    document = weasyprint.HTML(string=html_document(rendered),
                               base_url=str(book.source_dir.resolve()) + "/",
                               url_fetcher=confined_fetcher(book.source_dir))
    variant = "pdf/a-3b" if options.pdf_standard == "a-3b" else "pdf/ua-1"
    document.write_pdf(str(target), stylesheets=stylesheets, pdf_variant=variant)


def _version() -> str:
    from . import __version__

    return __version__
