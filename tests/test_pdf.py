"""The PDF edition as a printer and a reader get it: opened with pikepdf and pypdf, checked with
qpdf and rendered with pdftoppm, on the sample, the rich and the generated long book."""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pikepdf
import pytest
from PIL import Image, ImageStat
from pypdf import PdfReader

from converters import build, load_book, render
from converters.build.orchestrate import BuildOptions
from converters.render.frontmatter import NOT_IN_CONTENTS
from tests.books.long import write_long_book
from tests.conftest import RICH, SAMPLE

MM = 72 / 25.4
BOOKS = ["sample", "rich", "long"]


@pytest.fixture(scope="session")
def long_source(tmp_path_factory) -> Path:
    return write_long_book(tmp_path_factory.mktemp("long") / "src")


@pytest.fixture(scope="session")
def long_pdf(long_source, tmp_path_factory) -> Path:
    return build(long_source, tmp_path_factory.mktemp("long-dist"), ["pdf"])[0].path


@pytest.fixture(scope="session")
def rich_print_pdf(tmp_path_factory) -> Path:
    """The rich book's print layout, as an archival PDF/A-3b: one build for both options."""
    out = tmp_path_factory.mktemp("rich-print")
    return build(RICH, out, ["pdf"], BuildOptions(pdf_layout="print", pdf_standard="a-3b"))[0].path


@pytest.fixture(params=BOOKS)
def edition(request):
    """(source folder, PDF) of each test book's default (screen, PDF/UA-1) edition."""
    if request.param == "sample":
        return SAMPLE, request.getfixturevalue("sample_dist")["pdf"]
    if request.param == "rich":
        return RICH, request.getfixturevalue("rich_dist")["pdf"]
    return request.getfixturevalue("long_source"), request.getfixturevalue("long_pdf")


@cache
def rendered(source: Path):
    return render(load_book(source))


@cache
def reader(path: Path) -> PdfReader:
    return PdfReader(path)


def dest_pages(path: Path) -> dict[str, int]:
    """Named destination -> page index."""
    r = reader(path)
    return {name: r.get_destination_page_number(d) for name, d in r.named_destinations.items()}


def fragments(page) -> list[tuple[float, str]]:
    """(y in points from the bottom of the media box, text) of every text run on a page."""
    found: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((tm[4] * cm[1] + tm[5] * cm[3] + cm[5], " ".join(text.split())))

    page.extract_text(visitor_text=visit)
    return found


def head_and_folio(page, book) -> tuple[str, str]:
    """The running head (top margin) and folio (bottom margin) printed on a page."""
    p = book.print
    height = float(page.mediabox.height)
    runs = fragments(page)
    head = " ".join(t for y, t in runs if y > height - p.top_mm * MM)
    folio = " ".join(t for y, t in runs if y < p.bottom_mm * MM - 6)
    return head, folio


def link_dests(pdf: pikepdf.Pdf) -> list[tuple[int, str]]:
    return [(i, str(a.Dest)) for i, page in enumerate(pdf.pages) for a in page.get("/Annots", [])
            if a.get("/Subtype") == "/Link" and "/Dest" in a]


def roman(n: int) -> str:
    out = ""
    for value, letters in ((10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def is_blank(page) -> bool:
    ops = {str(op) for _, op in pikepdf.parse_content_stream(page)}
    return ops <= {"q", "Q", "cm"}


def test_screen_pages_are_the_trim_size(edition):
    source, path = edition
    p = load_book(source).print
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for box in ("/MediaBox", "/TrimBox"):
                x0, y0, x1, y1 = (float(v) / MM for v in page.obj[box])
                assert (round(x1 - x0, 1), round(y1 - y0, 1)) == (p.width_mm, p.height_mm)


def test_print_layout_has_bleed_and_crop_marks(rich_print_pdf, rich_book):
    p = rich_book.print
    assert (p.trim, p.width_mm, p.height_mm, p.bleed_mm) == ("demy", 138.0, 216.0, 3.0)
    with pikepdf.open(rich_print_pdf) as pdf:
        for page in pdf.pages:
            trim = [float(v) / MM for v in page.obj.TrimBox]
            bleed = [float(v) / MM for v in page.obj.BleedBox]
            media = [float(v) / MM for v in page.obj.MediaBox]
            assert round(trim[2] - trim[0], 1) == 138.0 and round(trim[3] - trim[1], 1) == 216.0
            assert [round(b - t, 1) for b, t in zip(bleed, trim, strict=True)] == [-3, -3, 3, 3]
            # the crop marks sit outside the bleed, on the media box
            assert media[0] < bleed[0] and media[2] > bleed[2]
        blank = pdf.pages[1]  # the half-title's verso: crop marks, no text
        ops = [str(op) for _, op in pikepdf.parse_content_stream(blank)]
        assert "BT" not in ops and ({"l", "m"} <= set(ops) or "Do" in ops)


def test_outline_matches_the_contents_with_levels(edition):
    source, path = edition
    expected = []
    for entry in rendered(source).entries:
        expected.append((1, entry.entry.label))
        open_levels = [1]  # heading levels of the open outline items, as a stack
        for h in entry.headings:
            while open_levels[-1] >= h.level:
                open_levels.pop()
            open_levels.append(h.level)
            expected.append((len(open_levels), h.title))  # an h4 under an h2 nests at 3
    found = []

    def walk(items, level):
        for item in items:
            found.append((level, item.title))
            walk(item.children, level + 1)

    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:
        walk(outline.root, 1)
    assert found == expected


def test_page_labels_folios_and_recto_openings(edition):
    source, path = edition
    book = load_book(source)
    pages = reader(path).pages
    labels = reader(path).page_labels
    dests = dest_pages(path)
    first_body = dests[next(e.id for e in book.entries if e.kind == "chapter")]
    assert first_body % 2 == 0  # a recto: the first page of a PDF is a recto
    assert labels == ([roman(i + 1) for i in range(first_body)]
                      + [str(i + 1) for i in range(len(pages) - first_body)])
    openings = {dests[e.id] for e in book.entries}
    assert all(i % 2 == 0 for i in openings)  # every entry, and so every chapter, on a recto
    for i, page in enumerate(pages):
        _, folio = head_and_folio(page, book)
        if i < 4 or not page.extract_text().strip():  # title pages and blank versos
            assert folio == ""
        else:
            assert folio == labels[i], f"page {i}"


def test_blank_versos_are_really_blank(edition):
    source, path = edition
    book = load_book(source)
    openings = set(dest_pages(path)[e.id] for e in book.entries)
    blanks = [i for i, page in enumerate(reader(path).pages) if not page.extract_text().strip()]
    assert blanks  # every one of these books has an entry ending on a recto
    with pikepdf.open(path) as pdf:
        for i in blanks:
            assert i % 2 == 1 and (i + 1 in openings or i == 1), f"page {i}"
            assert is_blank(pdf.pages[i]), f"page {i} draws something"


@pytest.mark.parametrize("which", ["rich", "long"])
def test_running_heads(which, request):
    source, path = ((RICH, request.getfixturevalue("rich_dist")["pdf"]) if which == "rich"
                    else (request.getfixturevalue("long_source"),
                          request.getfixturevalue("long_pdf")))
    book = load_book(source)
    dests = dest_pages(path)
    starts = sorted((dests[e.id], e) for e in book.entries if e.role != "titlepage")
    checked = 0
    for n, (first, entry) in enumerate(starts):
        last = starts[n + 1][0] if n + 1 < len(starts) else len(reader(path).pages)
        for i in range(first, last):
            page = reader(path).pages[i]
            head, _ = head_and_folio(page, book)
            if i == first or not page.extract_text().strip():
                assert head == "", f"page {i} ({entry.title}) opens or is blank: no head"
            else:
                assert head == (entry.title if i % 2 == 0 else book.title), f"page {i}"
                checked += 1
    assert checked >= (3 if which == "rich" else 40)


@pytest.mark.parametrize("which", ["rich", "long"])
def test_footnotes_sit_on_the_page_of_their_reference(which, request):
    path = (request.getfixturevalue("rich_dist")["pdf"] if which == "rich"
            else request.getfixturevalue("long_pdf"))
    source = RICH if which == "rich" else request.getfixturevalue("long_source")
    notes = sum(1 for e in rendered(source).entries
                for _ in re.finditer(r'class="footnote-ref"', e.html))
    dests = dest_pages(path)
    with pikepdf.open(path) as pdf:
        links = link_dests(pdf)
    calls = {(i, d) for i, d in links if re.search(r"--body-fn\d+$", d)}
    backs = {(i, d) for i, d in links if re.search(r"--body-fnref\d+$", d)}
    assert len({d for _, d in calls}) == notes >= 5
    assert len({d for _, d in backs}) == notes
    for i, d in calls | backs:
        assert dests[d] == i, f"{d} links from page {i} to page {dests[d]}"
    text = " ".join(p.extract_text() for p in reader(path).pages)
    assert "↩" not in text  # pandoc's back arrows are gone, the note number links back


def test_contents_numbers_are_the_page_labels_of_their_links(long_pdf, long_source):
    book = load_book(long_source)
    labels = reader(long_pdf).page_labels
    dests = dest_pages(long_pdf)
    contents = next(i for i, p in enumerate(reader(long_pdf).pages)
                    if p.extract_text().startswith("Contents"))
    lines = [" ".join(line.split()) for line in
             reader(long_pdf).pages[contents].extract_text().splitlines()]
    for entry in book.entries:
        if entry.role in NOT_IN_CONTENTS:
            continue
        line = next(x for x in lines if x.startswith(entry.label))
        assert line.rstrip(". ").split()[-1] == labels[dests[entry.id]], entry.label
    with pikepdf.open(long_pdf) as pdf:
        targets = {d for i, d in link_dests(pdf) if i == contents}
    assert targets == {e.id for e in book.entries if e.role not in NOT_IN_CONTENTS}


def test_metadata_in_docinfo_and_xmp(rich_dist, rich_book):
    with pikepdf.open(rich_dist["pdf"]) as pdf:
        info = pdf.docinfo
        meta = pdf.open_metadata()
        title = "Harbours of the White Sea: Trade, Weather and Memory, 1890–1930"
        assert str(info["/Title"]) == meta["dc:title"] == title
        assert meta["dc:creator"] == ["Anna Petrovna Volkova", "James O’Neill"]
        assert str(info["/Author"]) == "Anna Petrovna Volkova; James O’Neill"
        assert str(info["/Subject"]) == meta["dc:description"] == rich_book.description
        terms = {s.term for s in rich_book.subjects}
        assert meta["dc:subject"] == terms
        assert set(str(info["/Keywords"]).split(", ")) == terms
        assert meta["pdf:Keywords"] == str(info["/Keywords"])
        assert set(meta["dc:language"]) == {"en-GB"} and str(pdf.Root.Lang) == "en-GB"
        assert meta["xmp:CreatorTool"] == str(info["/Creator"])
        assert str(info["/Creator"]).startswith("editions ")
        assert meta["dc:identifier"] == "urn:isbn:9781861978769"
        assert meta["pdfuaid:part"] == "1"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True


def test_archival_variant_is_pdf_a_3b_and_still_tagged(rich_print_pdf):
    with pikepdf.open(rich_print_pdf) as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status == "3B"
        assert meta["dc:title"] == str(pdf.docinfo["/Title"])
        assert pdf.Root.MarkInfo.Marked is True and "/StructTreeRoot" in pdf.Root
        assert "/OutputIntents" in pdf.Root


def struct_types(pdf: pikepdf.Pdf) -> set[str]:
    found: set[str] = set()
    stack = [pdf.Root.StructTreeRoot.K]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Array):
            stack.extend(node)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            found.add(str(node.S))
            if "/K" in node:
                stack.append(node.K)
    return found


def test_tagged_pdf_structure(edition):
    _, path = edition
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert {"/Document", "/H1", "/P", "/Link"} <= struct_types(pdf)
        assert all("/StructParents" in page.obj for page in pdf.pages)
        assert "/ParentTree" in pdf.Root.StructTreeRoot


def test_fonts_are_charis_sil_embedded_and_subset(edition):
    _, path = edition
    names = set()
    with pikepdf.open(path) as pdf:
        for page in pdf.pages:
            for font in (page.Resources.get("/Font") or {}).values():
                descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                assert "/FontFile2" in descendant.FontDescriptor or \
                    "/FontFile3" in descendant.FontDescriptor
                names.add(str(font.BaseFont))
    # a six-letter subset tag, then the family's PostScript name
    assert names and all(re.fullmatch(r"/[A-Z]{6}\+Charis-SIL(-[A-Za-z-]+)?", n)
                         for n in names), names
    assert any(n.endswith("-Italic") for n in names)  # real italics, not slanted roman


def test_cyrillic_italics_quotes_and_hyphenation_survive(rich_dist, long_pdf):
    rich = " ".join(p.extract_text() for p in reader(rich_dist["pdf"]).pages)
    assert "Архангельск" in rich and "Песни лесопильщиков" in rich
    long = [p.extract_text() for p in reader(long_pdf).pages]
    text = " ".join(long)
    assert "‘navigation’" in text and "“Nothing”" in text and "1760–1960" in text
    # en-GB hyphenation breaks words at line ends (WeasyPrint sets U+2010 there)
    assert sum(line.endswith("\u2010") for page in long for line in page.splitlines()) >= 20


def test_long_book_is_long(long_pdf, long_source):
    book = load_book(long_source)
    assert sum(e.kind == "chapter" for e in book.entries) >= 8
    assert len(reader(long_pdf).pages) > 30


@pytest.mark.skipif(shutil.which("qpdf") is None, reason="qpdf is not installed (.ci/sysdeps)")
def test_qpdf_check_is_clean(sample_dist, rich_dist, long_pdf, rich_print_pdf):
    for path in (sample_dist["pdf"], rich_dist["pdf"], long_pdf, rich_print_pdf):
        done = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True,
                              check=False)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "No syntax or stream encoding errors found" in done.stdout


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm is not installed (Debian poppler-utils, .ci/sysdeps)")
def test_pages_render_and_are_not_blank(long_pdf, long_source, tmp_path):
    book = load_book(long_source)
    dests = dest_pages(long_pdf)
    pages = reader(long_pdf).pages
    chapter = dests[book.entries[3].id]
    footnoted = next(i for i, p in enumerate(pages)
                     if i > chapter and "/Annots" in p and "printed report" in p.extract_text())
    blank = next(i for i, p in enumerate(pages) if not p.extract_text().strip())
    wanted = {"title": 2, "contents": dests["contents"], "chapter": chapter,
              "footnotes": footnoted, "blank": blank}
    for name, index in wanted.items():
        stem = tmp_path / name
        subprocess.run(["pdftoppm", "-r", "40", "-gray", "-png", "-singlefile",
                        "-f", str(index + 1), "-l", str(index + 1), str(long_pdf), str(stem)],
                       check=True, capture_output=True)
        with Image.open(f"{stem}.png") as png:
            image = png.convert("L")
            spread = ImageStat.Stat(image).stddev[0]
            if name == "blank":
                assert image.getextrema() == (255, 255), f"the blank page {index} shows ink"
            else:
                assert spread > 10, f"the {name} page (index {index}) renders blank"


def test_a_note_call_never_starts_a_line(write_source, tmp_path) -> None:
    """The call stays with the word before it (writer._bind_call): laid out with the house
    style, "… of 1794.³ In …" broke before the call, which then started the next line.  The
    sentence is set after 0 to 39 words, so that it meets every place in a line."""
    from pypdf import PdfReader

    from converters import build
    from tests.conftest import book_yaml

    paragraphs = [f"{'Word ' * n}by the spring of 1794.[^n{n}] In the same years it rose.\n\n"
                  f"[^n{n}]: See the papers, box {n}.\n" for n in range(40)]
    source = write_source({"book.yaml": book_yaml("Calls", "  - {title: One, kind: chapter, "
                                                  "number: 1, file: one.md}\n"),
                           "one.md": "\n".join(paragraphs)})
    pdf = build(source, tmp_path / "out", ["pdf"], jobs=1)[0].path
    lines = [line.strip() for page in PdfReader(pdf).pages
             for line in page.extract_text().splitlines()]
    assert sum("by the spring of" in line or "1794" in line for line in lines) >= 40
    starting = [line for line in lines if re.match(r"\d+ In the same", line)]
    assert not starting, starting


@pytest.mark.parametrize(("before", "held", "left"), [
    ("the spring of 1794.", "1794.", "the spring of "),
    ("spring of\u00a01794.", "of\u00a01794.", "spring "),  # a no-break space holds "of" too
    ("spring of ", None, "spring of "),  # after a space: nothing to hold
])
def test_note_call_holds_the_word_before_it(before, held, left) -> None:
    from lxml import html as lxml_html

    from converters.pdf.writer import _inline_footnotes

    section = lxml_html.fragment_fromstring(
        f'<section><p>{before}<a class="footnote-ref" href="#fn1" id="fnref1"><sup>1</sup></a>'
        ' Then more.</p><section class="footnotes"><ol><li id="fn1"><p>A note.</p></li></ol>'
        '</section></section>')
    _inline_footnotes(section)
    paragraph = section.find("p")
    calls = paragraph.findall("span[@class='note-call']")
    assert paragraph.text == left
    if held is None:
        assert not calls and paragraph[0].get("class") == "footnote-ref"
    else:
        assert len(calls) == 1 and calls[0].text == held
        assert calls[0][0].get("class") == "footnote-ref"
        assert calls[0].getnext().get("class") == "footnote"  # the note follows the call
    assert "Then more." in "".join(paragraph.itertext())
