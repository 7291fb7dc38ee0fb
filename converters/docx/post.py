"""OOXML finishing of pandoc's DOCX: what pandoc cannot express from HTML.

A filled-in contents field, front matter and body as separate sections with their own page
numbering, header and footer fields, heading bookmarks that span the heading alone, and the
document properties (docx_props).  Everything works on the package python-docx opened, so
relationships and content types stay consistent.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from ..render.book import RenderedBook, title_id
from ..render.frontmatter import NOT_IN_CONTENTS, heading_printed
from . import apparatus, manuscript
from .look import hide_headings, hyphenation_on, number_notes_per_entry
from .props import set_properties
from .reference import SERIF

TOC_MARKER = "EDITIONS-TOC-FIELD"
TOC_DEPTH = 3
# \o: built-in heading styles 1-3; \h: entries are hyperlinks; \z \u: Word's defaults;
# \n: no page numbers, which only layout can know (see _toc_paragraphs).
TOC_INSTRUCTION = f' TOC \\o "1-{TOC_DEPTH}" \\h \\z \\u \\n '
HEADER_INSTRUCTION = ' STYLEREF "Heading 1" '
FOOTER_INSTRUCTION = " PAGE "
BOOKMARK_MAX = 40  # Word drops longer bookmark names, and links to them stop working

# Children of w:sectPr in schema order (ECMA-376 Part 1, 17.6.17); Word rejects other orders.
_SECTPR_ORDER = ("headerReference", "footerReference", "footnotePr", "endnotePr", "type", "pgSz",
                 "pgMar", "paperSrc", "pgBorders", "lnNumType", "pgNumType", "cols", "formProt",
                 "vAlign", "noEndnote", "titlePg", "textDirection", "bidi", "rtlGutter",
                 "docGrid", "printerSettings", "sectPrChange")


@dataclass(frozen=True)
class TocEntry:
    level: int
    text: str
    anchor: str


def finish(path: Path, rendered: RenderedBook, when: dt.datetime) -> None:
    """Post-process the DOCX pandoc wrote at ``path`` in place."""
    book = rendered.book
    doc = Document(str(path))
    body = doc.element.body
    heading_ids = {title_id(r.id) for r in rendered.entries}
    heading_ids |= {h.id for r in rendered.entries for h in r.headings}
    _heading_bookmarks(doc, {bookmark_name(i) for i in heading_ids})
    _insert_toc(doc, {bookmark_name(title_id(r.id)) for r in rendered.entries
                      if r.entry.role in NOT_IN_CONTENTS})
    apparatus.finish(doc, rendered)
    hide_headings(doc, {bookmark_name(title_id(r.id)) for r in rendered.entries
                        if not heading_printed(r.entry)})
    hyphenation_on(doc)
    number_notes_per_entry(doc, {bookmark_name(title_id(r.id)) for r in rendered.entries})
    first_body = next((r.id for r in rendered.entries if r.entry.kind != "front"), None)
    has_front = any(r.entry.kind == "front" for r in rendered.entries)
    front_end = _front_matter_end(body, bookmark_name(first_body or ""))
    _sections(doc, front_end if has_front else None, running_head=book.title)
    _fit_tables(doc)
    manuscript.split_code(doc)
    _imprint_on_verso(doc)
    set_properties(doc, book, when)
    if book.docx_reference is None:
        _mirror_margins(doc)
        manuscript.style_blocks(doc)
        _declare_font(doc, SERIF)
    # build.py re-packs the saved package (reproducible.normalise_zip) with the build's date.
    doc.save(str(path))


# --- bookmarks -----------------------------------------------------------------------------

def _heading_bookmarks(doc: DocxDocument, heading_ids: set[str]) -> None:
    """Let each heading's bookmark span the heading paragraph rather than its whole section.

    pandoc bookmarks a heading's id around everything up to the next heading of the same level;
    Word's own TOC bookmarks sit inside the heading, and a link should land on the heading.
    """
    body = doc.element.body
    ends = {e.get(qn("w:id")): e for e in body.iter(qn("w:bookmarkEnd"))}
    for start in list(body.iter(qn("w:bookmarkStart"))):
        if start.get(qn("w:name")) not in heading_ids or start.getparent() is not body:
            continue
        para = next((s for s in start.itersiblings() if s.tag != qn("w:bookmarkStart")), None)
        end = ends.get(start.get(qn("w:id")))
        if para is None or para.tag != qn("w:p") or end is None:
            continue
        ppr = para.find(qn("w:pPr"))
        para.insert(0 if ppr is None else 1, start)
        para.append(end)


def bookmark_name(ident: str) -> str:
    """The bookmark pandoc writes for an id: Word keeps at most 40 characters of a name, so
    pandoc replaces a longer id by 'X' and most of its SHA-1 (and rewrites links to match)."""
    if len(ident) <= BOOKMARK_MAX:
        return ident
    return "X" + hashlib.sha1(ident.encode("utf-8")).hexdigest()[1:]


# --- contents ------------------------------------------------------------------------------

def toc_entries(doc: DocxDocument, depth: int = TOC_DEPTH,
                skip: frozenset[str] | set[str] = frozenset()) -> list[TocEntry]:
    """The heading paragraphs Word's TOC field would collect, with their bookmarks, less the
    headings bookmarked in ``skip`` (title pages and the contents, which no reader looks up)."""
    levels = _heading_levels(doc)
    entries = []
    for para in doc.element.body.iter(qn("w:p")):
        style = para.find(f"{qn('w:pPr')}/{qn('w:pStyle')}")
        level = levels.get(style.get(qn("w:val"))) if style is not None else None
        if level is None or level > depth:
            continue
        text = _text(para)
        mark = para.find(qn("w:bookmarkStart"))
        if mark is None:  # a heading pandoc gave no id: bookmark it the way Word would
            mark = _bookmark(para, f"_Toc{len(entries) + 1:06d}")
        if mark.get(qn("w:name")) not in skip:
            entries.append(TocEntry(level, text, mark.get(qn("w:name"))))
    return entries


def _text(para: etree._Element) -> str:
    # Not itertext(): python-docx's CT_P yields its text more than once through it.
    return "".join(t.text or "" for t in para.iter(qn("w:t"))).strip()


def _heading_levels(doc: DocxDocument) -> dict[str, int]:
    levels = {}
    for style in doc.styles:
        found = re.fullmatch(r"heading ([1-9])", (style.name or "").lower())
        if found:
            levels[style.style_id] = int(found.group(1))
    return levels


def _bookmark(para: etree._Element, name: str) -> etree._Element:
    used = {int(b.get(qn("w:id"))) for b in para.getroottree().iter(qn("w:bookmarkStart"))}
    ident = str(max(used, default=0) + 1)
    start = OxmlElement("w:bookmarkStart", {qn("w:id"): ident, qn("w:name"): name})
    ppr = para.find(qn("w:pPr"))
    para.insert(0 if ppr is None else 1, start)
    para.append(OxmlElement("w:bookmarkEnd", {qn("w:id"): ident}))
    return start


def _insert_toc(doc: DocxDocument, skip: set[str]) -> None:
    """Replace pandoc's marker paragraph with a TOC field whose result is already filled in."""
    marker = next((p for p in doc.element.body.iter(qn("w:p")) if _text(p) == TOC_MARKER), None)
    if marker is None:
        return
    entries = toc_entries(doc, skip=skip)
    styles = {level: _toc_style(doc, level) for level in range(1, TOC_DEPTH + 1)}
    for para in _toc_paragraphs(entries, styles):
        marker.addprevious(para)
    marker.getparent().remove(marker)


def _toc_style(doc: DocxDocument, level: int) -> str:
    for style in doc.styles:
        if (style.name or "").lower() == f"toc {level}":
            return style.style_id
    style = doc.styles.add_style(f"toc {level}", WD_STYLE_TYPE.PARAGRAPH)
    style.element.styleId = f"TOC{level}"
    return f"TOC{level}"


def _toc_paragraphs(entries: list[TocEntry], styles: dict[int, str]) -> list[etree._Element]:
    """The field as Word writes it after an update, so opening it changes nothing.

    The cached result has no page numbers (the instruction's ``\\n`` says so): they depend on
    the layout of whichever application opens the file, a stale number is worse than none, and
    an editor who wants them can add them in Word without the result changing otherwise.
    """
    paras = []
    for entry in entries or [TocEntry(1, "", "")]:
        para = OxmlElement("w:p")
        ppr = OxmlElement("w:pPr")
        ppr.append(OxmlElement("w:pStyle", {qn("w:val"): styles[entry.level]}))
        para.append(ppr)
        if not paras:
            para.extend(_field_start(TOC_INSTRUCTION))
        if entry.anchor:
            link = OxmlElement("w:hyperlink", {qn("w:anchor"): entry.anchor,
                                               qn("w:history"): "1"})
            link.append(_text_run(entry.text))
            para.append(link)
        paras.append(para)
    paras[-1].append(_fld_char("end"))
    return paras


# --- fields and runs -----------------------------------------------------------------------

def _fld_char(kind: str) -> etree._Element:
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): kind}))
    return run


def _text_run(text: str) -> etree._Element:
    run = OxmlElement("w:r")
    t = OxmlElement("w:t", {"{http://www.w3.org/XML/1998/namespace}space": "preserve"})
    t.text = text
    run.append(t)
    return run


def _field_start(instruction: str) -> list[etree._Element]:
    instr = OxmlElement("w:instrText", {"{http://www.w3.org/XML/1998/namespace}space":
                                        "preserve"})
    instr.text = instruction
    run = OxmlElement("w:r")
    run.append(instr)
    return [_fld_char("begin"), run, _fld_char("separate")]


def _field(instruction: str, cached: str) -> list[etree._Element]:
    return [*_field_start(instruction), _text_run(cached), _fld_char("end")]


# --- sections, headers and footers ---------------------------------------------------------

def _front_matter_end(body: etree._Element, first_body_id: str) -> etree._Element | None:
    """The last paragraph before the first body entry, which will carry the front's sectPr."""
    start = next((b for b in body.iter(qn("w:bookmarkStart"))
                  if b.get(qn("w:name")) == first_body_id and b.getparent() is body), None)
    if start is None:
        return None
    for sibling in start.itersiblings(preceding=True):
        if sibling.tag == qn("w:p"):
            return sibling
        if sibling.tag == qn("w:tbl"):  # a sectPr must sit in a paragraph: add an empty one
            para = OxmlElement("w:p")
            sibling.addnext(para)
            return para
    return None


def _sections(doc: DocxDocument, front_end: etree._Element | None, running_head: str) -> None:
    """Front matter numbered i, ii… and the body 1, 2…, each with page number and running head.

    The STYLEREF field's cached result is the book title: Word recomputes header fields on
    every page and shows the chapter, while an application that keeps cached results shows a
    running head that is right on every page rather than an empty one.
    """
    final = doc.element.body.find(qn("w:sectPr"))
    # Footnotes number through the book: pandoc's "restart each section" would restart them
    # after the front matter only, and LibreOffice then numbers the body's notes from 0.
    for sect in doc.element.body.iter(qn("w:sectPr")):
        for restart in sect.iter(qn("w:numRestart")):
            restart.getparent().remove(restart)
    _set_child(final, "pgNumType", {"fmt": "decimal", "start": "1"})
    if front_end is not None:
        front = copy.deepcopy(final)
        for ref in front.findall(qn("w:headerReference")) + front.findall(qn("w:footerReference")):
            front.remove(ref)
        _set_child(front, "type", {"val": "nextPage"})
        _set_child(front, "pgNumType", {"fmt": "lowerRoman", "start": "1"})
        ppr = front_end.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            front_end.insert(0, ppr)
        ppr.append(front)
    for index, section in enumerate(doc.sections):
        for part, instruction, cached in ((section.header, HEADER_INSTRUCTION, running_head),
                                          (section.footer, FOOTER_INSTRUCTION, "1")):
            part.is_linked_to_previous = False
            # python-docx's new header/footer holds one paragraph styled Header/Footer.
            part.paragraphs[0]._p.extend(_field(instruction, cached))
        if index == 0 and front_end is not None:
            # The title page carries neither running head nor folio.
            section.different_first_page_header_footer = True
            section.first_page_header.is_linked_to_previous = False
            section.first_page_footer.is_linked_to_previous = False


def _fit_tables(doc: DocxDocument) -> None:
    """Scale pandoc's column widths (made for its own default page) to the text width."""
    sect = doc.element.body.find(qn("w:sectPr"))
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    if size is None or margins is None:
        return
    width = int(size.get(qn("w:w"))) - int(margins.get(qn("w:left"))) \
        - int(margins.get(qn("w:right")))
    for grid in doc.element.body.iter(qn("w:tblGrid")):
        cols = grid.findall(qn("w:gridCol"))
        total = sum(int(c.get(qn("w:w"), "0")) for c in cols)
        if total > width:
            for col in cols:
                col.set(qn("w:w"), str(int(col.get(qn("w:w"))) * width // total))


def _imprint_on_verso(doc: DocxDocument) -> None:
    """The imprint starts its own page, as on the back of a printed title page."""
    imprint = {s.style_id for s in doc.styles if s.name == "Imprint"}
    for para in doc.paragraphs:
        if para.style is not None and para.style.style_id in imprint:
            para.paragraph_format.page_break_before = True
            return


def _set_child(sect: etree._Element, name: str, attrs: dict[str, str]) -> None:
    """Set a w:sectPr child (replacing any), keeping the schema's order of children."""
    old = sect.find(qn(f"w:{name}"))
    if old is not None:
        sect.remove(old)
    new = OxmlElement(f"w:{name}", {qn(f"w:{k}"): v for k, v in attrs.items()})
    later = set(_SECTPR_ORDER[_SECTPR_ORDER.index(name) + 1:])
    for position, child in enumerate(sect):
        if etree.QName(child).localname in later:
            sect.insert(position, new)
            return
    sect.append(new)


# --- settings and fonts --------------------------------------------------------------------

# What may precede w:mirrorMargins in w:settings (ECMA-376 Part 1, 17.15.1.78), in order.
_BEFORE_MIRROR = ("writeProtection", "view", "zoom", "removePersonalInformation",
                  "removeDateAndTime", "doNotDisplayPageBoundaries", "displayBackgroundShape",
                  "printPostScriptOverText", "printFractionalCharacterWidth", "printFormsData",
                  "embedTrueTypeFonts", "embedSystemFonts", "saveSubsetFonts", "saveFormsData")


def _mirror_margins(doc: DocxDocument) -> None:
    """Inner and outer margins swap on facing pages, as in the print edition."""
    settings = doc.settings.element
    if settings.find(qn("w:mirrorMargins")) is not None:
        return
    mirror = OxmlElement("w:mirrorMargins")
    earlier = [c for c in settings if etree.QName(c).localname in _BEFORE_MIRROR]
    if earlier:
        earlier[-1].addnext(mirror)
    else:
        settings.insert(0, mirror)


def _declare_font(doc: DocxDocument, name: str) -> None:
    """Describe the serif in the font table, so an application without it picks a serif."""
    part = _part(doc, "/word/fontTable.xml")
    if part is None:
        return
    root = _xml(part)
    if any(f.get(qn("w:name")) == name for f in root.iter(qn("w:font"))):
        return
    font = etree.SubElement(root, qn("w:font"), {qn("w:name"): name})
    etree.SubElement(font, qn("w:charset"), {qn("w:val"): "00"})
    etree.SubElement(font, qn("w:family"), {qn("w:val"): "roman"})
    etree.SubElement(font, qn("w:pitch"), {qn("w:val"): "variable"})
    _store(part, root)


# --- package helpers -----------------------------------------------------------------------

def _part(doc: DocxDocument, name: str) -> Part | None:
    return next((p for p in doc.part.package.iter_parts() if p.partname == name), None)


def _xml(part: Part) -> etree._Element:
    """The part's XML: python-docx's live element for parts it models, else parsed from bytes."""
    element = getattr(part, "_element", None)
    return element if element is not None else etree.fromstring(part.blob)


def _store(part: Part, root: etree._Element) -> None:
    """Write back XML parsed by _xml(); parts python-docx models serialise themselves."""
    if getattr(part, "_element", None) is None:
        part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8",
                                    standalone=True)
