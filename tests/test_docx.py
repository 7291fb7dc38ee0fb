"""The DOCX edition opened as OOXML: styles, contents field, sections, links, notes, properties."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from functools import cache
from pathlib import Path

import docx
import pytest
from docx.shared import Mm, Pt
from lxml import etree
from lxml import html as lhtml

from converters import build
from converters.docx.post import bookmark_name
from converters.render.book import render, title_id
from tests.conftest import MINIMAL_YAML, SAMPLE_LABELS

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W, "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dcterms": "http://purl.org/dc/terms/",
      "op": "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties",
      "vt": "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"}


def w(name: str) -> str:
    return f"{{{W}}}{name}"


@cache
def part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read(name))


def text(element: etree._Element) -> str:
    """Visible text: w:t only, not field instructions."""
    return "".join(t.text or "" for t in element.iter(w("t"))).strip()


def style_ids(path: Path) -> dict[str, str]:
    """style id -> style name."""
    return {s.get(w("styleId")): s.find(w("name")).get(w("val"))
            for s in part(path, "word/styles.xml").iter(w("style"))}


def styled(path: Path, name: str) -> list[etree._Element]:
    ids = {i for i, n in style_ids(path).items() if n.lower() == name.lower()}
    return [p for p in part(path, "word/document.xml").iter(w("p"))
            if p.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS) in ids]


def headings(path: Path, depth: int = 9) -> list[tuple[int, str, etree._Element]]:
    levels = {i: int(n[-1]) for i, n in style_ids(path).items()
              if re.fullmatch(r"heading [1-9]", n.lower())}
    out = []
    for para in part(path, "word/document.xml").iter(w("p")):
        level = levels.get(para.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS))
        if level and level <= depth:
            out.append((level, text(para), para))
    return out


def bookmarks(path: Path) -> dict[str, etree._Element]:
    return {b.get(w("name")): b for b in part(path, "word/document.xml").iter(w("bookmarkStart"))}


def toc_result(path: Path) -> list[etree._Element]:
    """The paragraphs of the TOC field's cached result (between its separate and end)."""
    body = part(path, "word/document.xml").find(w("body"))
    instr = [i for i in body.iter(w("instrText")) if i.text.strip().startswith("TOC ")]
    assert len(instr) == 1
    first = instr[0].getparent().getparent()
    paras = [first]
    for para in first.itersiblings():
        if para.tag != w("p"):
            break
        paras.append(para)
        if para.xpath(".//w:fldChar[@w:fldCharType='end']", namespaces=NS):
            break
    assert paras[-1].xpath(".//w:fldChar[@w:fldCharType='end']", namespaces=NS)
    return paras


BOOKS = ["sample_dist", "rich_dist"]


@pytest.fixture(params=BOOKS)
def edition(request) -> Path:
    return request.getfixturevalue(request.param)["docx"]


def test_house_reference_styles_and_page(rich_dist, rich_book):
    path = rich_dist["docx"]
    names = set(style_ids(path).values())
    for name in ("Title", "Subtitle", "Author", "Date", "Publisher", "Imprint", "heading 1",
                 "heading 2", "heading 3", "Body Text", "Block Text", "Footnote Text",
                 "Abstract", "toc 1", "toc 2", "toc 3"):
        assert name in names, name
    styles = part(path, "word/styles.xml")
    default = styles.find(f"{w('docDefaults')}//{w('rFonts')}")
    assert default.get(w("ascii")) == default.get(w("hAnsi")) == "Charis SIL"
    themed = [f for f in styles.iter(w("rFonts"))
              if any(etree.QName(a).localname.lower().endswith("theme") for a in f.attrib)]
    assert not themed, "a theme font would override the serif"
    heading1 = docx.Document(path).styles["Heading 1"]
    assert heading1.paragraph_format.page_break_before
    fonts = {f.get(w("name")) for f in part(path, "word/fontTable.xml").iter(w("font"))}
    assert "Charis SIL" in fonts
    # Trim size and margins of the print settings (demy), on every section.
    for section in docx.Document(path).sections:
        assert abs(section.page_width - Mm(rich_book.print.width_mm)) < Mm(0.1)
        assert abs(section.page_height - Mm(rich_book.print.height_mm)) < Mm(0.1)
        assert abs(section.left_margin - Mm(rich_book.print.inner_mm)) < Mm(0.1)
        assert abs(section.right_margin - Mm(rich_book.print.outer_mm)) < Mm(0.1)
    settings = [etree.QName(c).localname for c in part(path, "word/settings.xml")]
    assert "mirrorMargins" in settings  # after embedSystemFonts, in the schema's order
    assert settings.index("mirrorMargins") > settings.index("embedSystemFonts")


def test_title_page_without_pandoc_title_block(rich_dist, rich_book):
    path = rich_dist["docx"]
    lines = {name: [text(p) for p in styled(path, name)]
             for name in ("Title", "Subtitle", "Author", "Publisher", "Date")}
    assert lines == {"Title": [rich_book.title], "Subtitle": [rich_book.subtitle],
                     "Author": [rich_book.author_line], "Publisher": [rich_book.publisher],
                     "Date": ["2024"]}
    body = part(path, "word/document.xml").find(w("body"))
    first = body.find(f".//{w('p')}")
    assert text(first) == "Title page", "pandoc's own title block must not precede the book"
    # The title page's heading stays for navigation but is hidden and takes no room.
    runs = first.findall(f".//{w('r')}")
    assert runs and all(r.find(f"{w('rPr')}/{w('color')}").get(w("val")) == "FFFFFF"
                        and r.find(f"{w('rPr')}/{w('sz')}").get(w("val")) == "2" for r in runs)
    assert first.find(f"{w('pPr')}/{w('spacing')}").get(w("line")) == "20"
    imprint = [text(p) for p in styled(path, "Imprint")]
    assert "ISBN 978-0-9528313-0-3 (print)" in imprint
    assert styled(path, "Imprint")[0].find(f"{w('pPr')}/{w('pageBreakBefore')}") is not None


def test_contents_field_is_filled_in(edition):
    result = toc_result(edition)
    instr = part(edition, "word/document.xml").xpath("//w:instrText[contains(., 'TOC')]",
                                                     namespaces=NS)[0].text
    assert re.fullmatch(r' TOC \\o "1-3" \\h \\z \\u \\n ', instr)
    names = style_ids(edition)
    marks = bookmarks(edition)
    # The title page and the contents itself are not listed.
    expected = [h for h in headings(edition, depth=3) if h[1] not in ("Contents", "Title page",
                                                                      "Frontmatter")]
    assert len(result) == len(expected) > 5
    for para, (level, title, heading) in zip(result, expected, strict=True):
        style = names[para.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS)]
        assert style == f"toc {level}"
        links = para.findall(w("hyperlink"))
        assert len(links) == 1 and text(links[0]) == title
        anchor = links[0].get(w("anchor"))
        assert marks[anchor].getparent() is heading, f"{anchor} is not on {title!r}"
    # Nothing asks Word to update fields on opening, and no field is marked dirty.
    settings = part(edition, "word/settings.xml")
    assert settings.find(w("updateFields")) is None
    with zipfile.ZipFile(edition) as z:
        for name in z.namelist():
            if name.endswith(".xml"):
                assert b"w:dirty=" not in z.read(name), name


def test_sample_contents_lists_every_entry(sample_dist):
    level1 = [text(p) for p in toc_result(sample_dist["docx"])
              if p.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS) == "TOC1"]
    assert level1 == [label for label in SAMPLE_LABELS if label not in ("Frontmatter", "Contents")]


def test_rich_contents_has_subheadings(rich_dist):
    entries = [(p.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS), text(p))
               for p in toc_result(rich_dist["docx"])]
    assert ("TOC2", "The open season") in entries
    assert ("TOC3", "Tonnage by port") in entries
    assert all(title != "A note on measures" for _, title in entries)  # level 4: too deep


@pytest.mark.parametrize(("dist", "first_body"), [("sample_dist", "Introduction: Striving for "
                                                   "acceptance"),
                                                  ("rich_dist", "1 The Ports and Their Seasons")])
def test_front_matter_and_body_sections(request, dist, first_body):
    path = request.getfixturevalue(dist)["docx"]
    body = part(path, "word/document.xml").find(w("body"))
    sections = list(body.iter(w("sectPr")))
    assert len(sections) == 2
    front, main = sections
    assert front.getparent().tag == w("pPr") and main.getparent() is body
    assert front.find(w("pgNumType")).get(w("fmt")) == "lowerRoman"
    assert front.find(w("titlePg")) is not None  # the title page has no head or folio
    assert main.find(w("pgNumType")).get(w("fmt")) == "decimal"
    assert main.find(w("pgNumType")).get(w("start")) == "1"
    following = front.getparent().getparent().itersiblings(w("p"))
    heading = next(p for p in following if text(p))
    assert text(heading) == first_body
    # Each section has its own default header (STYLEREF) and footer (PAGE field).
    rels = {r.get("Id"): r.get("Target") for r in part(path, "word/_rels/document.xml.rels")}
    for sect in sections:
        for kind, instr in (("header", 'STYLEREF "Heading 1"'), ("footer", "PAGE")):
            ref = sect.find(f"{w(kind + 'Reference')}[@{w('type')}='default']")
            assert ref is not None
            target = rels[ref.get("{http://schemas.openxmlformats.org/officeDocument/2006/"
                                  "relationships}id")]
            fields = [i.text.strip() for i in part(path, f"word/{target}").iter(w("instrText"))]
            assert fields == [instr]
    sections_docx = docx.Document(path).sections
    assert len(sections_docx) == 2 and not sections_docx[1].header.is_linked_to_previous


def test_headings_bookmarks_and_links_resolve(rich_dist, rich_book):
    path = rich_dist["docx"]
    rendered = render(rich_book)
    ids = {title_id(r.id) for r in rendered.entries} | {h.id for r in rendered.entries
                                                           for h in r.headings}
    marks = bookmarks(path)
    assert all(len(name) <= 40 for name in marks)
    names = {bookmark_name(i) for i in ids}
    assert headings(path)
    for _level, title, para in headings(path):
        own = [b.get(w("name")) for b in para.findall(w("bookmarkStart"))]
        assert len(own) == 1 and own[0] in names, title
    anchors = []
    for name in ("word/document.xml", "word/footnotes.xml"):
        anchors += [a.get(w("anchor")) for a in part(path, name).iter(w("hyperlink"))
                    if a.get(w("anchor"))]
    assert all(a in marks for a in anchors), set(anchors) - set(marks)
    # The Markdown cross-links of the rich book, including one from a footnote.
    for target in ("archangel", "chapter-1--the-open-season", "chapter-1--tonnage-by-port",
                   "notes-on-sources", "bibliography"):
        assert target in anchors


def test_long_heading_ids_keep_their_bookmark(sample_dist):
    # The sample's introduction heading id has 43 characters; Word keeps at most 40, so pandoc
    # names the bookmark 'X' + SHA-1 and the writer must follow it to the heading.
    path = sample_dist["docx"]
    marks = bookmarks(path)
    assert marks and all(len(name) <= 40 for name in marks)
    name = bookmark_name(title_id("introduction-striving-for-acceptance"))
    assert name.startswith("X") and len(name) == 40
    assert text(marks[name].getparent()) == "Introduction: Striving for acceptance"
    assert not [m for m in marks if m.startswith("_Toc")]  # no heading lacked its own bookmark
    anchors = {a.get(w("anchor")) for a in part(path, "word/document.xml").iter(w("hyperlink"))}
    assert name in anchors and anchors <= set(marks)


def test_footnotes_are_word_footnotes(rich_dist, rich_book):
    path = rich_dist["docx"]
    shared = sum(len(lhtml.fragment_fromstring(r.html).xpath(
        "//section[contains(@class,'footnotes')]//li")) for r in render(rich_book).entries)
    refs = [r.get(w("id")) for r in part(path, "word/document.xml").iter(w("footnoteReference"))]
    notes = {n.get(w("id")): text(n) for n in part(path, "word/footnotes.xml").iter(w("footnote"))
             if not n.get(w("type"))}
    assert len(refs) == len(notes) == shared == 6
    assert set(refs) == set(notes)
    assert any(t.startswith("Delivered at the Northern Lights summer school") for t in
               notes.values())
    assert not any("↩" in t for t in notes.values())
    numbering = part(path, "word/document.xml").xpath("//w:numRestart", namespaces=NS)
    assert not numbering  # numbered through the book


def test_images_have_alt_text(rich_dist):
    descr = [d.get("descr") for d in part(rich_dist["docx"], "word/document.xml").iter(
        f"{{{NS['wp']}}}docPr")]
    assert descr == ["A sketch map of the White Sea with Archangel, Onega and Kem marked",
                     "A timber yard on the Dvina, drawn from a photograph of 1910"]


def test_core_and_custom_properties(rich_dist):
    path = rich_dist["docx"]
    props = docx.Document(path).core_properties
    assert props.title == "Harbours of the White Sea"
    assert props.subject == "Harbours of the White Sea: Trade, Weather and Memory, 1890–1930"
    assert props.author == "Anna Petrovna Volkova; James O’Neill"
    assert props.keywords.split("; ") == ["History / Europe / Russia & the Former Soviet Union",
                                          "Maritime history", "Arctic ports"]
    assert props.comments.startswith("A test book for the editions toolkit")
    assert props.language == "en-GB"
    assert props.category == "BISAC HIS032000: History / Europe / Russia & the Former Soviet Union"
    assert props.created == props.modified
    custom = {p.get("name"): p.findtext("vt:lpwstr", namespaces=NS)
              for p in part(path, "docProps/custom.xml").iter(f"{{{NS['op']}}}property")}
    assert custom == {"ISBN": "978-1-86197-876-9", "Print ISBN": "978-0-9528313-0-3",
                      "Publisher": "Northern Lights Press", "Series": "Studies in Northern Trade",
                      "Series number": "3", "Edition": "First edition"}
    rels = part(path, "_rels/.rels")
    assert any(r.get("Target").endswith("docProps/custom.xml") for r in rels)
    types = etree.tostring(part(path, "[Content_Types].xml")).decode()
    assert "custom-properties+xml" in types


def test_sample_custom_properties_without_isbn(sample_dist):
    custom = {p.get("name"): p.findtext("vt:lpwstr", namespaces=NS) for p in
              part(sample_dist["docx"], "docProps/custom.xml").iter(f"{{{NS['op']}}}property")}
    assert custom == {"Identifier": "urn:uuid:7b0e3c1a-5d2f-5c61-9a4e-3f1c2b8d6e90",
                      "Publisher": "Cambridge University Press"}


def test_publisher_reference_document_is_used(write_source, tmp_path):
    reference = docx.Document()
    heading = reference.styles["Heading 1"]
    heading.font.name = "DejaVu Sans Mono"
    heading.font.size = Pt(31)
    reference.sections[0].page_width = Mm(216)
    buffer = io.BytesIO()
    reference.save(buffer)
    yaml = MINIMAL_YAML + "docx:\n  reference: house.docx\n"
    src = write_source({"book.yaml": yaml, "one.md": "Text.\n", "house.docx": buffer.getvalue()})
    path = build(src, tmp_path / "out", ["docx"])[0].path
    built = docx.Document(path)
    assert built.styles["Heading 1"].font.name == "DejaVu Sans Mono"
    assert built.styles["Heading 1"].font.size == Pt(31)
    assert abs(built.sections[-1].page_width - Mm(216)) < Mm(0.1)
    fonts = etree.tostring(part(path, "word/styles.xml")).decode()
    assert "Charis SIL" not in fonts  # the house style was not applied on top
    assert [p.text for p in built.paragraphs if p.style.name == "Heading 1"] == ["1 One"]
    shutil.rmtree(src)


def test_block_quote_and_notes_in_house_styles(minimal_source, tmp_path):
    src = minimal_source({"one.md": "Text.[^1]\n\n> Quoted words.\n\n[^1]: A note.\n"})
    path = build(src, tmp_path / "out", ["docx"])[0].path
    built = docx.Document(path)
    quote = [p for p in built.paragraphs if p.text == "Quoted words."]
    assert [p.style.name for p in quote] == ["Block Text"]
    notes = part(path, "word/footnotes.xml")
    styles = {p.xpath("string(w:pPr/w:pStyle/@w:val)", namespaces=NS)
              for n in notes.iter(w("footnote")) if not n.get(w("type"))
              for p in n.iter(w("p"))}
    assert styles == {"FootnoteText"}
    assert built.styles["Footnote Text"].font.size == Pt(9)
    assert built.styles["Block Text"].font.size == Pt(10)
