"""What the DOCX adds to the apparatus: heading levels under parts, XE fields and an INDEX field.

Each index mark reaches the DOCX as a bookmark (pandoc writes one for every id); an ``XE``
field goes in just after it, so Word's own index update finds every mark.  The index entry
gets an ``INDEX`` field whose cached result is already the index, styled with Word's own
'index 1', 'index 2' and 'index heading' styles, so the file opens with a usable index and no
update prompt.  Its locators are the entries' numbers, each a link to the mark, since only
Word's layout knows the pages; Word's update replaces them with page numbers.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.enum.style import WD_STYLE_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from lxml import etree

from ..render import index as book_index

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

    from ..render.book import RenderedBook, RenderedEntry

INDEX_MARKER = "EDITIONS-INDEX-FIELD"
# \h "A": a letter heading before each group; \e ", ": the separator before page numbers.
INDEX_INSTRUCTION = ' INDEX \\h "A" \\e ", " '
HEADINGS = ("h1", "h2", "h3", "h4", "h5")
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def adapt_html(root: etree._Element, rendered_entry: RenderedEntry) -> None:
    """A part's entries sit one heading level below it; the index becomes a field marker."""
    if rendered_entry.entry.parent is not None:
        for heading in [h for h in root.iter() if h.tag in HEADINGS]:
            heading.tag = f"h{int(heading.tag[1]) + 1}"
    for div in root.find_class("index-body"):
        marker = etree.Element("p")
        marker.text = INDEX_MARKER
        marker.tail = div.tail
        div.getparent().replace(div, marker)


def field_text(text: str) -> str:
    """Text inside a quoted field argument: quotes escaped, ':' is Word's subentry mark."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace(":", "\\:")


def xe_instruction(path: tuple[str, ...], text: str | None = None) -> str:
    entry = ":".join(field_text(p) for p in path)
    return f' XE "{entry}"' + (f' \\t "{field_text(text)}"' if text else "") + " "


def finish(doc: DocxDocument, rendered: RenderedBook) -> None:
    index = rendered.index
    if index is None or not index.marks:
        return
    labels = rendered.book.labels
    by_anchor = {m.anchor: m for m in index.marks}
    for start in list(doc.element.body.iter(qn("w:bookmarkStart"))):
        mark = by_anchor.get(start.get(qn("w:name")))
        if mark is None:
            continue
        fields = []
        if mark.see:
            fields.append(xe_instruction(mark.path, f"{labels['see'].capitalize()} "
                                         + ", ".join(mark.see)))
        else:
            fields.append(xe_instruction(mark.path))
        if mark.see_also:
            fields.append(xe_instruction(mark.path, f"{labels['see-also'].capitalize()} "
                                         + ", ".join(mark.see_also)))
        anchor = start
        if start.getparent().tag == qn("w:body"):  # a block bookmark: into the next paragraph
            following = next(start.itersiblings(qn("w:p")), None)
            if following is None:
                continue
            anchor = following.find(qn("w:pPr"))
            if anchor is None:
                anchor = OxmlElement("w:pPr")
                following.insert(0, anchor)
        for instruction in fields:
            for run in _field_runs(instruction):
                anchor.addnext(run)
                anchor = run
    _index_field(doc, rendered)


def _field_runs(instruction: str, cached: list[etree._Element] | None = None
                ) -> list[etree._Element]:
    instr = OxmlElement("w:instrText", {XML_SPACE: "preserve"})
    instr.text = instruction
    run = OxmlElement("w:r")
    run.append(instr)
    middle = [_fld("separate"), *cached] if cached is not None else []
    return [_fld("begin"), run, *middle, _fld("end")]


def _fld(kind: str) -> etree._Element:
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): kind}))
    return run


def _run(text: str, italic: bool = False) -> etree._Element:
    run = OxmlElement("w:r")
    if italic:
        props = OxmlElement("w:rPr")
        props.append(OxmlElement("w:i"))
        run.append(props)
    t = OxmlElement("w:t", {XML_SPACE: "preserve"})
    t.text = text
    run.append(t)
    return run


def _style(doc: DocxDocument, name: str) -> str:
    """Word's built-in index style (by name), added with Word's own id if missing."""
    for style in doc.styles:
        if (style.name or "").lower() == name:
            return style.style_id
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.element.styleId = name.title().replace(" ", "")  # 'Index1', 'IndexHeading'
    style.base_style = doc.styles["Normal"] if "Normal" in [s.name for s in doc.styles] else None
    if name == "index heading":
        style.font.bold = True
        style.paragraph_format.space_before = Pt(8)
    else:
        level = int(name[-1])
        style.paragraph_format.left_indent = Pt(14 * level)
        style.paragraph_format.first_line_indent = Pt(-14)
    style.paragraph_format.space_after = Pt(0)
    return style.style_id


def _index_field(doc: DocxDocument, rendered: RenderedBook) -> None:
    """Replace the marker paragraph with the INDEX field, its result already filled in."""
    body = doc.element.body
    marker = next((p for p in body.iter(qn("w:p"))
                   if "".join(t.text or "" for t in p.iter(qn("w:t"))).strip() == INDEX_MARKER),
                  None)
    if marker is None:
        return
    book = rendered.book
    styles = {level: _style(doc, f"index {level}") for level in (1, 2, 3)}
    heading_style = _style(doc, "index heading")
    paras: list[etree._Element] = []

    def para(style: str) -> etree._Element:
        p = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        ppr.append(OxmlElement("w:pStyle", {qn("w:val"): style}))
        p.append(ppr)
        paras.append(p)
        return p

    def entries(terms: list[book_index.Term], level: int) -> None:
        for term in terms:
            p = para(styles[min(level, 3)])
            p.append(_run(term.path[-1]))
            seen = set()
            for mark in term.marks:
                if mark.entry_id in seen:
                    continue
                seen.add(mark.entry_id)
                p.append(_run(", "))
                link = OxmlElement("w:hyperlink", {qn("w:anchor"): mark.anchor})
                link.append(_run(book_index.short_label(book, mark.entry_id)))
                p.append(link)
            for key, targets in (("see", term.see), ("see-also", term.see_also)):
                for target in targets:
                    p.append(_run(". " if seen or key == "see-also" else ", "))
                    p.append(_run(book.labels[key].capitalize(), italic=True))
                    p.append(_run(" " + ", ".join(target)))
            entries(book_index.ordered(term.children, book.language), level + 1)

    for letter, terms in book_index.groups(rendered.index, book.language):
        para(heading_style).append(_run(letter))
        entries(terms, 1)
    first, last = paras[0], paras[-1]
    begin = _field_runs(INDEX_INSTRUCTION, [])[:-1]  # begin, instruction, separate
    for offset, run in enumerate(begin):
        first.insert(1 + offset, run)
    last.append(_fld("end"))
    for p in paras:
        marker.addprevious(p)
    marker.getparent().remove(marker)
