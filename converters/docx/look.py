"""DOCX front matter as a publisher sets it: headings that are not printed stay navigable.

A title page, dedication or epigraph keeps its Heading 1 paragraph, so Word's navigation pane
and the document outline still list it, but its text is hidden and the paragraph takes no room.
"""

from __future__ import annotations

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

# Children of w:rPr that must precede w:vanish (ECMA-376 Part 1, 17.3.2.28), in schema order.
_BEFORE_VANISH = ("rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike",
                  "dstrike", "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid")


def hide_headings(doc: DocxDocument, bookmarks: set[str]) -> None:
    """Hide the text of each heading paragraph that holds one of ``bookmarks``."""
    for para in doc.element.body.iter(qn("w:p")):
        names = {b.get(qn("w:name")) for b in para.iter(qn("w:bookmarkStart"))}
        if not names & bookmarks:
            continue
        ppr = para.find(qn("w:pPr"))
        if ppr is None:
            ppr = OxmlElement("w:pPr")
            para.insert(0, ppr)
        _set_spacing(ppr)
        mark = ppr.find(qn("w:rPr"))
        if mark is None:
            mark = OxmlElement("w:rPr")
            ppr.append(mark)  # w:rPr comes last but for sectPr and pPrChange, absent here
        _tiny(mark)
        for run in para.iter(qn("w:r")):
            rpr = run.find(qn("w:rPr"))
            if rpr is None:
                rpr = OxmlElement("w:rPr")
                run.insert(0, rpr)
            _vanish(rpr)


def _set_spacing(ppr: etree._Element) -> None:
    """No space before or after and an exact 1pt line: the paragraph takes no visible room."""
    old = ppr.find(qn("w:spacing"))
    if old is not None:
        ppr.remove(old)
    spacing = OxmlElement("w:spacing", {qn("w:before"): "0", qn("w:after"): "0",
                                         qn("w:line"): "20", qn("w:lineRule"): "exact"})
    # After pStyle, keepNext, keepLines, pageBreakBefore, framePr, widowControl, numPr,
    # suppressLineNumbers, pBdr, shd, tabs, suppressAutoHyphens, kinsoku.. (17.3.1.26).
    later = {"ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
             "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId",
             "cnfStyle", "rPr", "sectPr", "pPrChange"}
    for position, child in enumerate(ppr):
        if etree.QName(child).localname in later:
            ppr.insert(position, spacing)
            return
    ppr.append(spacing)


def _vanish(rpr: etree._Element) -> None:
    if rpr.find(qn("w:vanish")) is not None:
        return
    vanish = OxmlElement("w:vanish")
    earlier = [c for c in rpr if etree.QName(c).localname in _BEFORE_VANISH]
    if earlier:
        earlier[-1].addnext(vanish)
    else:
        rpr.insert(0, vanish)


def _tiny(rpr: etree._Element) -> None:
    """The paragraph mark at 1pt, so the empty line it leaves is 1pt high."""
    for name in ("sz", "szCs"):
        old = rpr.find(qn(f"w:{name}"))
        if old is not None:
            rpr.remove(old)
    size = OxmlElement("w:sz", {qn("w:val"): "2"})
    size_cs = OxmlElement("w:szCs", {qn("w:val"): "2"})
    # sz and szCs follow most run properties; before highlight, u, effect, bdr, shd, ... lang.
    later = {"highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em",
             "lang", "eastAsianLayout", "specVanish", "oMath"}
    for position, child in enumerate(rpr):
        if etree.QName(child).localname in later:
            rpr.insert(position, size)
            size.addnext(size_cs)
            return
    rpr.append(size)
    rpr.append(size_cs)


# --- the book's font families (style: fonts:) -----------------------------------------------

# Styles each font slot sets, by style name as pandoc's reference document has them.
SLOT_STYLES = {
    "headings": ("Heading 1", "Heading 2", "Heading 3", "Heading 4", "Heading 5", "Heading 6",
                 "Title", "Subtitle"),
    "code": ("Source Code", "Verbatim Char"),
}


def apply_families(doc: DocxDocument, families: dict[str, str], *, east_asian: str | None = None,
                   complex_script: str | None = None) -> None:
    """Set the body family as the document default and the others on their styles; the
    script fallbacks go to the default's East Asian and complex-script (RTL) slots."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    if "body" in families:
        _set_fonts(rpr, families["body"])
    fonts = rpr.find(qn("w:rFonts"))
    if east_asian and fonts is not None:
        fonts.set(qn("w:eastAsia"), east_asian)
    if complex_script and fonts is not None:
        fonts.set(qn("w:cs"), complex_script)
    by_name = {s.name: s for s in doc.styles}
    for slot, names in SLOT_STYLES.items():
        if slot not in families:
            continue
        for name in names:
            style = by_name.get(name)
            if style is not None:
                rpr = style.element.get_or_add_rPr()
                _set_fonts(rpr, families[slot])


def _set_fonts(rpr: etree._Element, family: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.lower().endswith("theme"):
            del fonts.attrib[attr]
    for slot in ("ascii", "hAnsi", "cs", "eastAsia"):
        fonts.set(qn(f"w:{slot}"), family)
