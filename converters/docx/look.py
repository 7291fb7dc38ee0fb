"""DOCX as a publisher sets it: headings that are not printed stay navigable, font families,
hyphenation, footnotes numbered per entry.

A title page, dedication or epigraph keeps its Heading 1 paragraph, so Word's navigation pane,
LibreOffice's navigator and a PDF exported from either still list it; its text is set white at
1pt (hidden text, w:vanish, would drop it from LibreOffice's outline) and the paragraph takes
no room.
"""

from __future__ import annotations

import copy

from docx.document import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree


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
            _invisible(rpr)


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


def _invisible(rpr: etree._Element) -> None:
    """White and 1pt: on the page it is nothing, to the outline and to a reader it is the title."""
    for name in ("color", "sz", "szCs"):
        old = rpr.find(qn(f"w:{name}"))
        if old is not None:
            rpr.remove(old)
    color = OxmlElement("w:color", {qn("w:val"): "FFFFFF"})
    # w:color follows the toggles and precedes spacing, w, kern, position, sz (17.3.2.28).
    later = {"spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect",
             "bdr", "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang",
             "eastAsianLayout", "specVanish", "oMath"}
    position = next((i for i, c in enumerate(rpr) if etree.QName(c).localname in later), None)
    if position is None:
        rpr.append(color)
    else:
        rpr.insert(position, color)
    _tiny(rpr)


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


# --- typography: hyphenation, footnotes numbered per entry ------------------------------------

# w:settings children that precede w:autoHyphenation (ECMA-376 Part 1, 17.15.1.78), in order.
_BEFORE_HYPHENATION = (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions",
    "doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
    "styleLockTheme", "styleLockQFSet", "defaultTabStop")
# As in the PDF: at most two hyphenated lines in a row.
CONSECUTIVE_HYPHENS = "2"


def hyphenation_on(doc: DocxDocument) -> None:
    """Automatic hyphenation, at most two hyphenated lines in a row."""
    settings = doc.settings.element
    for name in ("autoHyphenation", "consecutiveHyphenLimit"):
        old = settings.find(qn(f"w:{name}"))
        if old is not None:
            settings.remove(old)
    auto = OxmlElement("w:autoHyphenation")
    limit = OxmlElement("w:consecutiveHyphenLimit", {qn("w:val"): CONSECUTIVE_HYPHENS})
    earlier = [c for c in settings if etree.QName(c).localname in _BEFORE_HYPHENATION]
    if earlier:
        earlier[-1].addnext(auto)
    else:
        settings.insert(0, auto)
    auto.addnext(limit)


def number_notes_per_entry(doc: DocxDocument, entry_marks: set[str]) -> dict[str, str]:
    """Footnotes numbered from 1 in each entry, as in the PDF and the EPUB.

    Word's own restart (numRestart eachSect) needs a section per entry and LibreOffice numbers
    such notes from 0, so each reference carries its number as a custom mark instead: the
    same in every application. The note keeps its w:footnoteRef, which shows the reference's
    custom mark (a literal number there would be shown twice by LibreOffice). ``entry_marks``
    are the bookmarks of the entries' headings. Returns {footnote id: number}.
    """
    numbers: dict[str, str] = {}
    n = 0
    for element in doc.element.body.iter(qn("w:bookmarkStart"), qn("w:footnoteReference")):
        if element.tag == qn("w:bookmarkStart"):
            if element.get(qn("w:name")) in entry_marks:
                n = 0
            continue
        n += 1
        ident = element.get(qn("w:id"))
        numbers[ident] = str(n)
        element.set(qn("w:customMarkFollows"), "1")
        run = element.getparent()
        mark = OxmlElement("w:r")
        rpr = run.find(qn("w:rPr"))
        if rpr is not None:
            mark.append(copy.deepcopy(rpr))
        text = OxmlElement("w:t")
        text.text = str(n)
        mark.append(text)
        run.addnext(mark)
    return numbers
