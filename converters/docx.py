"""DOCX edition: the shared HTML through pandoc, with a reference document built in code."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pypandoc
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.shared import Mm, Pt
from lxml import etree
from lxml import html as lhtml

from .model import Book
from .render import RenderedBook

if TYPE_CHECKING:
    from .build import BuildOptions

SERIF = "Charis SIL"
TOC_MARKER = "EDITIONS-TOC-FIELD"


def reference_docx(book: Book) -> bytes:
    """Pandoc's default reference document restyled with the house style and trim size."""
    if book.docx_reference is not None:
        return book.docx_reference.read_bytes()
    default = subprocess.run([pypandoc.get_pandoc_path(), "--print-default-data-file",
                              "reference.docx"], check=True, capture_output=True).stdout
    doc = Document(io.BytesIO(default))
    styles = doc.styles
    for name in ("Normal", "Body Text", "First Paragraph", "Title", "Subtitle", "Heading 1",
                 "Heading 2", "Heading 3", "Block Text", "Footnote Text"):
        if name in [s.name for s in styles]:
            styles[name].font.name = SERIF
    styles["Normal"].font.size = Pt(11)
    if "Abstract" not in [s.name for s in styles]:
        abstract = styles.add_style("Abstract", WD_STYLE_TYPE.PARAGRAPH)
        abstract.base_style = styles["Normal"]
        abstract.font.italic = True
        abstract.font.size = Pt(10)
        abstract.paragraph_format.left_indent = Mm(8)
        abstract.paragraph_format.right_indent = Mm(8)
        abstract.paragraph_format.space_after = Pt(6)
    p = book.print
    for section in doc.sections:
        section.page_width, section.page_height = Mm(p.width_mm), Mm(p.height_mm)
        section.left_margin, section.right_margin = Mm(p.inner_mm), Mm(p.outer_mm)
        section.top_margin, section.bottom_margin = Mm(p.top_mm), Mm(p.bottom_mm)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def docx_html(rendered: RenderedBook) -> str:
    """The shared sections, adapted only in how pandoc should style them."""
    body = []
    for entry in rendered.entries:
        root = lhtml.fragment_fromstring(entry.html)
        for div in root.find_class("abstract"):
            div.set("data-custom-style", "Abstract")
        for nav in root.find_class("contents-list"):
            marker = lhtml.Element("p")
            marker.text = TOC_MARKER
            nav.getparent().replace(nav, marker)
        body.append(lhtml.tostring(root, encoding="unicode"))
    return f'<html lang="{rendered.book.language}"><body>{"".join(body)}</body></html>'


def write_docx(rendered: RenderedBook, target: Path, workdir: Path,
               options: BuildOptions) -> None:
    book = rendered.book
    reference = workdir / "reference.docx"
    reference.write_bytes(reference_docx(book))
    meta = {"title": book.title, "subtitle": book.subtitle,
            "author": [c.name for c in book.authors], "subject": book.full_title,
            "description": book.description, "keywords": [s.term for s in book.subjects],
            "lang": book.language}
    meta_file = workdir / "docx-metadata.json"
    # JSON is YAML, and json.dumps quotes every value so pandoc reads none of it as Markdown.
    meta_file.write_text(json.dumps({k: v for k, v in meta.items() if v}), encoding="utf-8")
    args = [f"--reference-doc={reference}", f"--resource-path={book.source_dir.resolve()}",
            f"--metadata-file={meta_file}"]
    pypandoc.convert_text(docx_html(rendered), "docx", format="html", outputfile=str(target),
                          extra_args=args)
    _insert_toc_field(target)


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _insert_toc_field(path: Path) -> None:
    """Replace the marker paragraph with a Word TOC field over Heading 1–3."""

    def change(root: etree._Element) -> None:
        for para in root.iter(f"{{{W}}}p"):
            if "".join(para.itertext()).strip() == TOC_MARKER:
                para.getparent().replace(para, _toc_paragraph())
                return

    rewrite_part(path, "word/document.xml", change)


def _toc_paragraph() -> etree._Element:
    para = etree.Element(f"{{{W}}}p")
    for kind, text in (("begin", None), (None, ' TOC \\o "1-3" \\h \\z \\u '),
                       ("separate", None), (None, None), ("end", None)):
        run = etree.SubElement(para, f"{{{W}}}r")
        if kind:
            etree.SubElement(run, f"{{{W}}}fldChar", {f"{{{W}}}fldCharType": kind})
        elif text:
            instr = etree.SubElement(run, f"{{{W}}}instrText")
            instr.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            instr.text = text
        else:
            etree.SubElement(run, f"{{{W}}}t").text = "Contents"
    return para


def rewrite_part(path: Path, part: str, change: Callable[[etree._Element], None]) -> None:
    """Apply ``change`` to one XML part of a DOCX package, keeping every other entry as is."""
    with zipfile.ZipFile(path) as zin:
        items = [(info, zin.read(info.filename)) for info in zin.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info, data in items:
            if info.filename == part:
                root = etree.fromstring(data)
                change(root)
                data = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                      standalone=True)
            zout.writestr(info, data)
