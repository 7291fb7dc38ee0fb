"""Issue 13: parts, numbering, cross-references and the index, in all three editions.

The apparatus book (tests/books/apparatus) is built once; each test opens an edition with a
real parser and checks what the reader would see and follow.
"""

from __future__ import annotations

import re
import zipfile
from itertools import pairwise
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from lxml import etree
from pypdf import PdfReader

from converters import build, load_book
from converters.core.errors import SourceError
from converters.render.book import render

BOOK = Path(__file__).resolve().parent / "books" / "apparatus"
X = "{http://www.w3.org/1999/xhtml}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
PARTS = {"the-sea": ["tides", "weather"], "the-light": ["lamps", "logbooks"]}
# Every reference the Markdown writes, as the reader should see it (first occurrence per file).
REFERENCES = {
    "tides": ["Figure 1.1", "Table 1.1", "Equation 1.1", "1.1", "Chapter 2"],
    "weather": ["2.1", "Table 4.1", "Chapter 1"],
    "lamps": ["Figure 3.1", "3.1", "Section 3.1", "Table 4.1", "Figure 1.1"],
    "logbooks": ["Table 4.1", "Appendix A", "Section 1.1", "Part I"],
    "constants": ["Table 1.1", "Equation 1.1", "3.1"],
}


@pytest.fixture(scope="module")
def rendered():
    return render(load_book(BOOK))


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("apparatus")
    results = build(BOOK, out)
    assert [r.warnings for r in results] == [(), (), ()]
    return {r.format: r.path for r in results}


@pytest.fixture(scope="module")
def epub(editions):
    with zipfile.ZipFile(editions["epub"]) as z:
        return {name: z.read(name) for name in z.namelist()}


def _xml(epub: dict[str, bytes], name: str) -> etree._Element:
    return etree.fromstring(epub["EPUB/" + name])


# --- the model ------------------------------------------------------------------------------

def test_numbering_labels_and_parts(rendered):
    book = rendered.book
    shown = {e.id: (e.label, e.heading_number, e.parent) for e in book.entries}
    assert shown["the-sea"] == ("Part I: The Sea", "Part I", None)
    assert shown["tides"] == ("1 Tides", "Chapter 1", "the-sea")
    assert shown["logbooks"] == ("4 Logbooks", "Chapter 4", "the-light")  # continuous
    assert shown["constants"] == ("Appendix A: Constants", "Appendix A", None)
    assert shown["index"] == ("Index", None, None)


def test_every_target_is_numbered_within_its_chapter(rendered):
    numbers = {t.local: (t.kind, t.number) for t in rendered.crossrefs.targets.values()}
    assert numbers == {
        "fig-tide-curve": ("figure", "1.1"), "tbl-tides": ("table", "1.1"),
        "eq-tide": ("equation", "1.1"), "sec-neaps": ("section", "1.1"),
        "fig-barometer": ("figure", "2.1"), "sec-fog": ("section", "2.1"),
        "fig-lens": ("figure", "3.1"), "eq-range": ("equation", "3.1"),
        "sec-wicks": ("section", "3.1"), "tbl-watch": ("table", "4.1")}


def _book(write_source, yaml_tail: str, files: dict[str, str | bytes], lang: str = "en") -> Path:
    head = """
        title: T
        creators: [A]
        date: 2020
        language: {lang}
        identifiers:
          - scheme: uuid
            value: 4f3c2b1a-0000-4000-8000-000000000001
        """
    return write_source({"book.yaml": head.replace("{lang}", lang) + yaml_tail, **files})


def _problems(src: Path) -> list[str]:
    with pytest.raises(SourceError) as caught:
        render(load_book(src))
    return [str(p) for p in caught.value.problems]


def test_two_chapters_with_one_number_are_a_located_error(write_source):
    src = _book(write_source, """
        contents:
          - {title: One, kind: chapter, number: 3, file: a.md}
          - {title: Two, kind: chapter, number: 3, file: a.md}
        """, {"a.md": "Text.\n"})
    problems = _problems(src)
    assert len(problems) == 1
    assert re.search(r"book\.yaml:11:5: error: 'Two' has number 3, like 'One' at line 10.*"
                     r"\[duplicate-number\]", problems[0]), problems


def test_labels_follow_the_language_and_yield_to_book_yaml(write_source):
    src = _book(write_source, """
        numbering: {chapters: words, label: true, appendices: letters}
        labels: {appendix: Beilage}
        contents:
          - {title: Eins, kind: chapter, file: a.md}
          - {title: Zwei, kind: chapter}
          - {title: Zahlen, kind: back, role: appendix, file: b.md}
        """, lang="de-AT", files={"a.md": "![Karte](m.png){#fig-k}\n\nSiehe @fig-k.\n",
                                           "b.md": "![Tafel](m.png){#fig-t}\n",
                                         "m.png": (BOOK / "images" / "lens.png").read_bytes()})
    done = render(load_book(src))
    headings = [e.heading_number for e in done.book.entries]
    assert headings == ["Kapitel Eins", "Kapitel Zwei", "Beilage A"]
    assert "Abbildung\u00a01.1" in done.entries[0].html
    assert "Abbildung\u00a0A.1:" in done.entries[2].html


def test_unknown_references_and_see_targets_are_located_errors(write_source):
    src = _book(write_source, """
        contents:
          - {title: One, kind: chapter, file: a.md}
          - {title: Index, kind: back, role: index}
        """, {"a.md": (
        "Text and @fig-missing.\n\n"
        "[sleuth]{.index see=\"Holmes, Sherlock\"} and [pipe]{.index}.\n\n"
        "A citation [@smith2020] is left for the citations stage.\n")})
    problems = _problems(src)
    assert len(problems) == 2, problems
    assert re.search(r"a\.md:1:10: error: reference '@fig-missing' goes nowhere.*"
                     r"\[broken-reference\]", problems[0])
    assert re.search(r"a\.md:3:\d+: error: see=\"Holmes, Sherlock\" names a term marked "
                     r"nowhere.*\[index-see\]", problems[1])


def test_only_a_part_holds_contents(write_source):
    src = _book(write_source, """
        contents:
          - title: One
            kind: chapter
            file: a.md
            contents:
              - {title: Two, kind: chapter, file: a.md}
        """, {"a.md": "Text.\n"})
    with pytest.raises(SourceError) as caught:
        load_book(src)
    assert [p.code for p in caught.value.problems] == ["contents"]
    assert caught.value.problems[0].location.line == 13


def test_an_index_without_marks_is_a_warning(write_source, tmp_path):
    src = _book(write_source, """
        numbering: {chapters: arabic}
        contents:
          - {title: One, kind: chapter, file: a.md}
          - {title: Index, kind: back, role: index}
        """, {"a.md": "Text.\n"})
    results = build(src, tmp_path / "out", ["epub"])
    assert any("no index marks" in w for w in results[0].warnings)


# --- EPUB -------------------------------------------------------------------------------------

def test_epub_nav_and_ncx_nest_chapters_in_their_parts(epub):
    nav = _xml(epub, "nav.xhtml")
    toc = nav.find(f".//{X}nav[@{{http://www.idpf.org/2007/ops}}type='toc']/{X}ol")
    for part, chapters in PARTS.items():
        item = toc.find(f"{X}li/{X}a[@href='text/{part}.xhtml']/..")
        nested = [a.get("href") for a in item.findall(f"{X}ol/{X}li/{X}a")]
        assert nested == [f"text/{c}.xhtml" for c in chapters]
    ncx = _xml(epub, "toc.ncx")
    for part, chapters in PARTS.items():
        point = ncx.find(f".//{NCX}navPoint/{NCX}content[@src='text/{part}.xhtml']/..")
        children = [c.get("src") for c in point.findall(f"{NCX}navPoint/{NCX}content")]
        assert children == [f"text/{c}.xhtml" for c in chapters]


def test_epub_captions_and_references_link_to_their_targets(epub):
    ids = {}
    for name, data in epub.items():
        if name.startswith("EPUB/text/"):
            root = etree.fromstring(data)
            ids[name[len("EPUB/text/"):]] = {e.get("id") for e in root.iter() if e.get("id")}
    tides = _xml(epub, "text/tides.xhtml")
    caption = "".join(tides.find(f".//{X}figure/{X}figcaption").itertext()).replace("\u00a0", " ")
    assert caption == "Figure 1.1: The rise and fall of the water over one day"
    table = tides.find(f".//{X}table")
    assert "".join(table.find(f"{X}caption").itertext()).startswith("Table\u00a01.1:")
    assert table.index(table.find(f"{X}caption")) == 0  # above the table
    equation = tides.find(f".//{X}div[@id='tides--eq-tide']")
    assert equation.find(f".//{X}span[@class='equation-number']").text == "(1.1)"
    followed = 0
    for chapter, expected in REFERENCES.items():
        root = _xml(epub, f"text/{chapter}.xhtml")
        links = root.findall(f".//{X}a[@class='xref']")
        assert ["".join(a.itertext()).replace("\u00a0", " ") for a in links] == expected
        for link in links:
            target_file, _, fragment = link.get("href").rpartition("#")
            assert fragment in ids[target_file or f"{chapter}.xhtml"], link.get("href")
            followed += 1
    assert followed == 20


def test_epub_index_has_epub_indexes_semantics(epub, rendered):
    opf = epub["EPUB/content.opf"].decode()
    assert re.search(r'<item href="text/index.xhtml"[^>]*properties="index"', opf)
    root = _xml(epub, "text/index.xhtml")
    index = root.find(f".//{X}section[@role='doc-index']")
    assert index.get(EPUB_TYPE) == "index"
    groups = index.findall(f"{X}section")
    assert [g.get(EPUB_TYPE) for g in groups] == ["index-group"] * len(groups)
    assert [g.find(f"{X}h2").text for g in groups] == list("ABCEFHKLMPRSTWZ")
    entries = list(index.iter(f"{X}li"))
    assert all(e.get(EPUB_TYPE) == "index-entry" for e in entries)
    assert all(e.getparent().get(EPUB_TYPE) == "index-entry-list" for e in entries)
    terms = [e.find(f"{X}span").text for e in groups[-2].iter(f"{X}li")]
    assert terms == ["weather", "fog", "gales", "wind"]  # a heading, its subentries in order
    ids = {}
    for name, data in epub.items():
        if name.startswith("EPUB/text/"):
            ids[name[10:]] = {e.get("id") for e in etree.fromstring(data).iter() if e.get("id")}
    locators = root.findall(f".//{X}a[@{{http://www.idpf.org/2007/ops}}type='index-locator']")
    # One locator per term and entry: a reflowable edition has no pages to tell them apart.
    places = set()

    def visit(terms):
        for term in terms.values():
            places.update((term.path, m.entry_id) for m in term.marks)
            visit(term.children)

    visit(rendered.index.terms)
    assert len(locators) == len(places) == 35
    for a in locators:
        target, _, fragment = a.get("href").partition("#")
        assert fragment in ids[target]
    preferred = root.findall(f".//{X}a[@{{http://www.idpf.org/2007/ops}}type="
                             "'index-xref-preferred']")
    assert sorted("".join(a.itertext()) for a in preferred) == [
        "lighthouse", "weather, fog", "weather, gales"]
    for a in preferred:
        assert a.get("href")[1:] in ids["index.xhtml"]


@pytest.mark.slow
def test_epub_passes_epubcheck_and_ace(editions):
    from converters.check.ace import ace_command, chromium, run_ace
    from converters.check.epubcheck import run_epubcheck
    from converters.core.errors import BuildError

    _version, messages = run_epubcheck(editions["epub"])
    assert [str(m) for m in messages if m.severity in ("FATAL", "ERROR", "WARNING")] == []
    try:
        ace_command(), chromium()
    except BuildError as exc:
        pytest.skip(f"Ace cannot run here: {exc}")
    report = run_ace(editions["epub"])
    assert [str(v) for v in report.violations] == []


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


def test_index_order_is_the_unicode_collation_for_the_language():
    from converters.render.index import initial, sort_key

    spanish = ["zorro", "ñandú", "Oso", "nube", "Álamo", "nación"]
    assert sorted(spanish, key=lambda t: sort_key(t, "es")) == [
        "Álamo", "nación", "nube", "ñandú", "Oso", "zorro"]  # ñ a letter after n
    assert sorted(spanish, key=lambda t: sort_key(t, "en")) == [
        "Álamo", "nación", "ñandú", "nube", "Oso", "zorro"]  # ñ an accented n
    assert sorted(["Zug", "Äpfel", "Apfel", "Ödön"], key=lambda t: sort_key(t, "de")) == [
        "Apfel", "Äpfel", "Ödön", "Zug"]
    assert sorted(["Жук", "Ёж", "Арбуз", "Еда"], key=lambda t: sort_key(t, "ru")) == [
        "Арбуз", "Еда", "Ёж", "Жук"]
    assert [initial(t, "es") for t in ("ñandú", "Álamo", "3 Acts")] == ["Ñ", "A", "#"]
    assert initial("ñandú", "en") == "N"


def test_pdf_and_docx_pass_the_structural_check_against_the_source(editions):
    from converters.check.structural import Expected, check_edition

    expected = Expected.from_source(BOOK)
    assert expected.depth == 2 and "Chapter 1 Tides" in expected.labels
    for fmt in ("pdf", "docx"):
        result = check_edition(editions[fmt], expected)
        assert [str(f) for f in result.findings] == [], fmt


def test_a_hand_number_wins_and_the_count_goes_on_from_it(write_source):
    src = _book(write_source, """
        numbering: {chapters: roman}
        contents:
          - {title: Prologue, kind: front, role: prologue}
          - {title: One, kind: chapter}
          - {title: Five, kind: chapter, number: 5}
          - {title: Six, kind: chapter}
        """, {})
    book = load_book(src)
    assert [e.label for e in book.entries] == ["Prologue", "I One", "V Five", "VI Six"]
    assert [e.id for e in book.entries][2] == "chapter-5"  # a hand number keeps its id
