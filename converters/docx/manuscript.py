"""Manuscript blocks in the DOCX: verse, scene breaks, epigraphs and code, in Word's terms.

On the HTML side each block is given a paragraph style pandoc writes (``data-custom-style``);
after pandoc, the styles get their look (unless the source brings its own reference document)
and each code block becomes one paragraph per line, so that a long line wraps under a hanging
indent, visibly a continuation, and never leaves the text block.
"""

from __future__ import annotations

import copy

from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import html as lhtml

VERSE, SCENE_BREAK, EPIGRAPH = "Verse", "Scene Break", "Epigraph"
ATTRIBUTION, FIRST = "Epigraph Attribution", "First Paragraph"
CODE_STYLE_ID = "SourceCode"
HANGING_PT = 14


def mark_blocks(root: lhtml.HtmlElement) -> None:
    """Give verse, scene breaks, epigraphs and what follows a break their paragraph styles."""
    for div in root.find_class("line-block"):
        _wrap(div, VERSE)
    for div in root.find_class("scene-break"):
        div.set("data-custom-style", SCENE_BREAK)
        after = div.getnext()
        if after is not None and after.tag == "p":
            _wrap(after, FIRST)
    for span in root.find_class("all-caps"):
        # Word's small caps shrink lower-case letters only: a word in capitals is written in
        # lower case under w:smallCaps to look as it does in the PDF and EPUB (c2sc).
        for inner in span.iter():
            inner.text = inner.text.lower() if inner.text else inner.text
            if inner is not span:
                inner.tail = inner.tail.lower() if inner.tail else inner.tail
    for div in root.find_class("epigraph"):
        for attribution in div.find_class("attribution"):
            attribution.set("data-custom-style", ATTRIBUTION)
        for para in div.findall("p"):
            _wrap(para, EPIGRAPH)
        after = div.getnext()  # the text after an epigraph opens flush, as after a break
        if after is not None and after.tag == "p":
            _wrap(after, FIRST)


def _wrap(element: lhtml.HtmlElement, style: str) -> None:
    wrapper = lhtml.Element("div", {"data-custom-style": style})
    element.addprevious(wrapper)
    wrapper.append(element)  # moves it, with its tail


def style_blocks(doc: DocxDocument) -> None:
    """The house look of the manuscript styles (only those pandoc created for this book)."""
    styles = {s.name: s for s in doc.styles}
    looks = {VERSE: (WD_ALIGN_PARAGRAPH.LEFT, False, Pt(18)),
             SCENE_BREAK: (WD_ALIGN_PARAGRAPH.CENTER, False, None),
             EPIGRAPH: (WD_ALIGN_PARAGRAPH.LEFT, True, Pt(72)),
             ATTRIBUTION: (WD_ALIGN_PARAGRAPH.RIGHT, False, Pt(72))}
    for name, (align, italic, indent) in looks.items():
        style = styles.get(name)
        if style is None:
            continue
        style.paragraph_format.alignment = align
        if indent is not None:
            style.paragraph_format.left_indent = indent
        style.font.italic = italic
    code = styles.get("Source Code")
    if code is None and any(True for _ in _code_paragraphs(doc)):
        # pandoc defines the style only along with its highlighting styles, and there is none.
        code = doc.styles.add_style("Source Code", WD_STYLE_TYPE.PARAGRAPH)
        code.base_style = styles.get("Normal")
        code.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.LEFT
    if code is not None:
        code.paragraph_format.left_indent = Pt(HANGING_PT)
        code.paragraph_format.first_line_indent = Pt(-HANGING_PT)
        code.paragraph_format.space_before = Pt(0)
        code.paragraph_format.space_after = Pt(0)
        code.font.size = Pt(8.5)


def _code_paragraphs(doc: DocxDocument) -> list:
    found = []
    for para in doc.element.body.iter(qn("w:p")):
        style = para.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        if style is not None and style.get(qn("w:val")) == CODE_STYLE_ID:
            found.append(para)
    return found


def split_code(doc: DocxDocument) -> None:
    """One paragraph per line of code, so a wrapped line hangs under its first line."""
    for para in _code_paragraphs(doc):
        properties = para.find(qn("w:pPr"))
        current = para
        for run in list(para.findall(qn("w:r"))):
            if run.find(qn("w:br")) is None:
                if current is not para:
                    current.append(run)
                continue
            para.remove(run)
            fresh = OxmlElement("w:p")
            fresh.append(copy.deepcopy(properties))
            current.addnext(fresh)
            current = fresh
