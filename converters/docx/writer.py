"""DOCX edition: the shared HTML through pandoc in parts (parts.py), joined into one document
(join.py), then finished in OOXML (post.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from lxml import html as lhtml

from ..core.dates import build_datetime
from ..render.book import RenderedBook, RenderedEntry
from . import apparatus, manuscript, parts
from .join import join
from .post import TOC_MARKER, finish
from .reference import SERIF, reference_docx

if TYPE_CHECKING:
    from ..core.options import BuildOptions

__all__ = ["SERIF", "docx_html", "reference_docx", "write_docx"]

# Title page lines of the shared HTML -> paragraph styles of the reference document.
TITLEPAGE_STYLES = {"title": "Title", "subtitle": "Subtitle", "author": "Author",
                    "publisher": "Publisher", "year": "Date", "series": "Series",
                    "credit": "Credit", "edition": "Edition"}


def docx_html(rendered: RenderedBook) -> str:
    """The whole book's HTML for pandoc (the edition converts it in parts: docx/parts.py)."""
    body = "".join(entry_html(entry) for entry in rendered.entries)
    return f'<html lang="{rendered.book.language}"><body>{body}</body></html>'


def entry_html(entry: RenderedEntry) -> str:
    """One entry's shared HTML, adapted only in how pandoc should style it.

    pandoc's HTML reader turns ``data-custom-style`` on a div into a paragraph style, so the
    title page and summaries get their own styles; the contents list becomes a marker that
    docx_post replaces with a TOC field.
    """
    root = lhtml.fragment_fromstring(entry.html)
    apparatus.adapt_html(root, entry)
    for div in root.find_class("abstract"):
        div.set("data-custom-style", "Abstract")
    for block in root.find_class("titlepage-block"):
        for para in block.findall("p"):
            style = TITLEPAGE_STYLES.get(para.get("class", ""))
            if style:
                wrapper = lhtml.Element("div", {"data-custom-style": style})
                para.addprevious(wrapper)
                wrapper.append(para)
    manuscript.mark_blocks(root)  # verse, breaks, epigraphs, code: their own styles
    for div in root.find_class("imprint"):
        div.set("data-custom-style", "Imprint")
    for nav in root.find_class("contents-list"):
        if nav.tag != "nav":  # an author's own '::: {.contents-list}' div stays
            continue
        marker = lhtml.Element("p")
        marker.text = TOC_MARKER
        marker.tail = nav.tail
        nav.getparent().replace(nav, marker)
    return lhtml.tostring(root, encoding="unicode")


def write_docx(rendered: RenderedBook, target: Path, workdir: Path,
               options: BuildOptions) -> None:
    book = rendered.book
    reference = workdir / "reference.docx"
    reference.write_bytes(reference_docx(book, rendered.fallbacks))
    # Only the language goes to pandoc: with a title it would write its own title block,
    # duplicating the title page; docx_post writes the document properties instead.
    meta_file = workdir / "docx-metadata.json"
    meta_file.write_text(json.dumps({"lang": book.language}), encoding="utf-8")
    args = [f"--reference-doc={reference}", f"--metadata-file={meta_file}",
            "--syntax-highlighting=none"]
    # In cache keys the files stand for themselves: their paths change with every build.
    key_args = [parts.reference_digest(reference.read_bytes()), book.language, args[2:]]
    book_parts = parts.make_parts(rendered, [entry_html(e) for e in rendered.entries])
    join(parts.convert(book_parts, args, key_args, workdir, options), target)
    finish(target, rendered, build_datetime())
