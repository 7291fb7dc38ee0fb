"""Issue 13: parts, numbering, cross-references and the index; the model and the EPUB.

The apparatus book (tests/books/apparatus) is built once for this module and
test_apparatus_print.py (conftest's apparatus_editions); each test opens an edition with a real
parser and checks what the reader would see and follow.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from converters import build, load_book
from converters.core.errors import SourceError
from converters.render.book import render
from tests.conftest import APPARATUS as BOOK

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
def rendered(apparatus_rendered):
    return apparatus_rendered


@pytest.fixture(scope="module")
def editions(apparatus_editions):
    return apparatus_editions


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
    # The citation is the citations stage's (render/citations.py): a book without a
    # bibliography reports it there, and the apparatus adds nothing of its own about it.
    ours = [p for p in problems if "[broken-reference]" in p or "[index-see]" in p]
    assert len(ours) == 2, problems
    assert all("smith2020" not in p for p in ours)
    assert re.search(r"a\.md:1:10: error: reference '@fig-missing' goes nowhere.*"
                     r"\[broken-reference\]", ours[0])
    assert re.search(r"a\.md:3:\d+: error: see=\"Holmes, Sherlock\" names a term marked "
                     r"nowhere.*\[index-see\]", ours[1])
    assert any("smith2020" in p for p in problems), problems


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
