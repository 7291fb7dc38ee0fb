"""Issue 13 in the paginated editions: PDF bookmarks, part pages, page references and index
pages checked against the PDF's own pages; DOCX heading levels, XE fields and the INDEX field.
"""

from __future__ import annotations

import re
from itertools import pairwise

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree
from pypdf import PdfReader

from tests.conftest import APPARATUS


@pytest.fixture(scope="module")
def rendered(apparatus_rendered):
    return apparatus_rendered


@pytest.fixture(scope="module")
def editions(apparatus_editions):
    return apparatus_editions


# --- PDF --------------------------------------------------------------------------------------

def _outline(reader: PdfReader, items=None, depth=0) -> list[tuple[int, str]]:
    out = []
    for item in reader.outline if items is None else items:
        if isinstance(item, list):
            out += _outline(reader, item, depth + 1)
        else:
            out.append((depth, item.title))
    return out


def _page_texts(reader: PdfReader) -> list[str]:
    """Each page's words, line-end hyphens joined and spaces collapsed."""
    return [" ".join(re.sub(r"-\n", "", p.extract_text()).split()) for p in reader.pages]


def test_pdf_bookmarks_nest_chapters_in_parts(editions):
    outline = _outline(PdfReader(editions["pdf"]))
    assert (0, "Part I The Sea") in outline and (1, "Chapter 1 Tides") in outline
    assert (2, "1.1 Springs and neaps") in outline and (1, "Chapter 4 Logbooks") in outline
    assert (0, "Appendix A Constants") in outline
    part = outline.index((0, "Part II The Light"))
    assert outline[part + 1] == (1, "Chapter 3 Lamps")


def test_pdf_parts_open_on_a_recto_with_their_title(editions):
    reader = PdfReader(editions["pdf"])
    texts = _page_texts(reader)
    for title in ("Part I The Sea", "Part II The Light"):
        page = next(i for i, t in enumerate(texts) if t.startswith(title))
        assert page % 2 == 0, title  # index 0 is a recto, so even indices are rectos
        assert texts[page + 1] == ""  # the blank verso before its first chapter


def test_pdf_page_references_name_the_real_page(editions):
    reader = PdfReader(editions["pdf"])
    labels, texts = reader.page_labels, _page_texts(reader)
    page_of = {name: reader.get_destination_page_number(dest)
               for name, dest in reader.named_destinations.items()}
    asked = {"Table 4.1": "logbooks--tbl-watch", "Figure 1.1": "tides--fig-tide-curve"}
    found = 0
    for text in texts:
        for said, page in re.findall(r"(Table 4\.1|Figure 1\.1) on page (\d+)", text):
            assert page == labels[page_of[asked[said]]]
            found += 1
    assert found == 3


def _words_in(page, rect) -> str:
    """The text pypdf draws inside a link's rectangle on ``page``."""
    x1, y1, x2, y2 = (float(v) for v in rect)
    left, right, bottom, top = min(x1, x2), max(x1, x2), min(y1, y2), max(y1, y2)
    found = []

    def visit(text, cm, tm, _font, _size):
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        if left - 1 <= x < right - 0.5 and bottom - 1 <= y <= top + 1:
            found.append(text)

    page.extract_text(visitor_text=visit)
    return "".join(found).strip()


def test_pdf_index_numbers_are_the_pages_of_the_marks(editions, rendered):
    reader = PdfReader(editions["pdf"])
    labels, texts = reader.page_labels, _page_texts(reader)
    page_of = {name: reader.get_destination_page_number(dest)
               for name, dest in reader.named_destinations.items()}
    marks = {m.anchor: m for m in rendered.index.marks}
    words = _marked_words(rendered)
    start = next(i for i, t in enumerate(texts) if t.startswith("Index A almanac"))
    checked, linked_pages = 0, {}
    for number in range(start, len(reader.pages)):
        page = reader.pages[number]
        for annot in page.get("/Annots") or []:
            annot = annot.get_object()
            mark = marks.get(str(annot.get("/Dest", "")))
            if mark is None:
                continue
            target = page_of[mark.anchor]
            # The number printed on the link is the label of the page it leads to ...
            assert _words_in(page, annot["/Rect"]) == labels[target], mark.anchor
            # ... and that page shows the words marked there.
            assert words[mark.anchor] in texts[target], (mark.anchor, labels[target])
            linked_pages.setdefault(mark.path, set()).add(target)
            checked += 1
    assert checked >= 30
    # Every mark's page is printed: listed, or inside a range between two listed pages.
    for mark in rendered.index.marks:
        if mark.see:
            continue
        listed = sorted(linked_pages[mark.path])
        page = page_of[mark.anchor]
        assert page in listed or any(a < page < b for a, b in pairwise(listed)), mark
    index_text = " ".join(texts[start:])
    assert "lamp, 9 wick, 10–11" in index_text  # a run of pages collapsed into a range
    assert "pharos, See lighthouse" in index_text


def _marked_words(rendered) -> dict[str, str]:
    out = {}
    for entry in rendered.entries:
        root = etree.fromstring(f"<r>{entry.html}</r>".encode())
        for span in root.iter("span"):
            if span.get("class") == "index":
                out[span.get("id")] = " ".join("".join(span.itertext()).split())
    return out



# --- DOCX -------------------------------------------------------------------------------------

def test_docx_headings_sit_below_their_part(editions):
    doc = Document(str(editions["docx"]))
    levels = {p.text: p.style.name for p in doc.paragraphs if p.style.name.startswith("Heading")}
    assert levels["Part I The Sea"] == "Heading 1"
    assert levels["Chapter 1 Tides"] == "Heading 2"
    assert levels["1.1 Springs and neaps"] == "Heading 3"
    assert levels["Appendix A Constants"] == "Heading 1"


def test_docx_xe_fields_and_a_filled_index_field(editions, rendered):
    doc = Document(str(editions["docx"]))
    body = doc.element.body
    instructions = [t.text for t in body.iter(qn("w:instrText"))]
    xe = [i for i in instructions if i.startswith(" XE ")]
    extra = sum(1 for m in rendered.index.marks if m.see_also)
    assert len(xe) == len(rendered.index.marks) + extra
    assert ' XE "tide:springs" ' in xe and ' XE "pharos" \\t "See lighthouse" ' in xe
    # Each XE sits just after its mark's bookmark, in the mark's paragraph.
    bookmarks = {b.get(qn("w:name")): b for b in body.iter(qn("w:bookmarkStart"))}
    for mark in rendered.index.marks:
        following = bookmarks[mark.anchor].getnext()
        assert following.find(qn("w:fldChar")).get(qn("w:fldCharType")) == "begin"
    assert [i for i in instructions if i.startswith(" INDEX ")] == [' INDEX \\h "A" \\e ", " ']
    styles = {s.style_id: s.name for s in doc.styles}
    result = [(styles[p.style.style_id], p.text) for p in doc.paragraphs
              if p.style is not None and p.style.name.lower().startswith("index")]
    assert result[:3] == [("index heading", "A"), ("index 1", "almanac, 1"),
                          ("index 1", "azimuth, A")]
    assert ("index 2", "springs, 1") in result and ("index 1", "pharos, See lighthouse") in result
    assert doc.settings.element.find(qn("w:updateFields")) is None  # no prompt on opening
    anchors = {h.get(qn("w:anchor")) for h in body.iter(qn("w:hyperlink"))}
    assert anchors and anchors <= set(bookmarks)  # every link, index and references, lands


def test_docx_references_read_as_in_the_other_editions(editions):
    doc = Document(str(editions["docx"]))
    text = "\n".join(p.text for p in doc.paragraphs).replace("\u00a0", " ")
    assert "Figure 1.1 shows two high waters" in text
    assert "see Table 4.1)" in text  # no page number: Word's layout is not ours
    assert "Figure 3.1: A Fresnel lens in section" in text


def test_pdf_and_docx_pass_the_structural_check_against_the_source(editions):
    from converters.check.structural import Expected, check_edition

    expected = Expected.from_source(APPARATUS)
    assert expected.depth == 2 and "Chapter 1 Tides" in expected.labels
    for fmt in ("pdf", "docx"):
        result = check_edition(editions[fmt], expected)
        assert [str(f) for f in result.findings] == [], fmt
