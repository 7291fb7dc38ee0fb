"""Issue 15, the look of a book: subset fonts, front matter, typography, split EPUB files.

Each test opens the produced editions with real parsers (zipfile + lxml + fontTools, pypdf,
python-docx).
"""

from __future__ import annotations

import io
import posixpath
import shutil
import textwrap
import zipfile
from pathlib import Path

import docx
import pikepdf
import pytest
import weasyprint
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from fontTools.ttLib import TTFont
from lxml import etree
from pypdf import PdfReader

from converters import build, load_book, render
from converters.assets.fonts import serif_faces
from converters.check.typography import count
from converters.core.errors import SourceError
from converters.epub.subset import ALWAYS, subset_font, text_of
from tests.conftest import MINIMAL_YAML

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def _epub_files(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_epub_fonts_are_subsets_covering_every_character_shown(sample_dist, rich_dist):
    for dist, limit in ((sample_dist, 300_000), (rich_dist, None)):
        files = _epub_files(dist["epub"])
        if limit:
            assert dist["epub"].stat().st_size < limit
        shown = text_of(data for name, data in files.items() if name.endswith(".xhtml"))
        fonts = {n: d for n, d in files.items() if "/CharisSIL-" in n}
        assert len(fonts) == 4
        for name, data in fonts.items():
            full = serif_faces()[next(k for k, p in serif_faces().items() if name.endswith(p.name))]
            assert len(data) < full.stat().st_size / 10, name
            font = TTFont(io.BytesIO(data))
            cmap = font.getBestCmap()
            missing = {c for c in shown if ord(c) not in cmap and c.isprintable() and c != " "}
            # Only what Charis itself lacks may be missing from its subset.
            lacking = {c for c in missing if ord(c) in TTFont(full).getBestCmap()}
            assert not lacking, (name, sorted(lacking))
            assert font["name"].getDebugName(1) == "Charis SIL"
            assert "Open Font License" in font["name"].getDebugName(13)
            assert "GPOS" in font and "GSUB" in font  # kerning and ligatures kept


def test_subsets_are_deterministic_and_hold_only_what_is_asked():
    face = serif_faces()["regular"]
    one, two = subset_font(face, "Жук"), subset_font(face, "Жук")
    assert one == two
    cmap = TTFont(io.BytesIO(one)).getBestCmap()
    assert {ord(c) for c in "Жук" + ALWAYS} <= set(cmap)
    assert ord("Я") not in cmap


# --- title page, imprint, contents ------------------------------------------------------------

def _pdf_pages(path) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


def test_title_page_credits_every_creator_with_series_and_edition(rich_dist):
    pages = _pdf_pages(rich_dist["pdf"])
    title = next(p for p in pages if "Translated by" in p)
    for line in ("Studies in Northern Trade · 3", "Harbours of the White Sea",
                 "Anna Petrovna Volkova and James O’Neill", "Edited by Margaret Hale",
                 "Translated by Pavel Sokolov", "First edition", "Northern Lights Press"):
        assert line in title, line
    files = _epub_files(rich_dist["epub"])
    page = etree.fromstring(files["EPUB/text/title-page.xhtml"])
    credits = [" ".join(p.itertext()) for p in page.iterfind(".//x:p[@class='credit']", NS)]
    assert credits == ["Edited by Margaret Hale", "Translated by Pavel Sokolov"]
    document = docx.Document(rich_dist["docx"])
    styled = {p.style.name: p.text for p in document.paragraphs
              if p.style.name in ("Series", "Credit", "Edition")}
    assert styled == {"Series": "Studies in Northern Trade · 3", "Credit": "Translated by Pavel "
                      "Sokolov", "Edition": "First edition"}


def test_imprint_at_the_foot_of_the_verso_with_hyphenated_labelled_isbns(rich_dist, sample_dist):
    reader = PdfReader(rich_dist["pdf"])
    number = next(i for i, p in enumerate(reader.pages) if "ISBN" in p.extract_text())
    assert number % 2 == 1  # a verso (page 2, 4, ...)
    lines = [line.strip() for line in reader.pages[number].extract_text().splitlines()]
    assert lines == ["First published 2024 by Northern Lights Press",
                     "© 2024 Northern Lights Press. Text licensed for testing only.",
                     "ISBN 978-1-86197-876-9 (ebook)", "ISBN 978-0-9528313-0-3 (print)"]
    # At the foot: every line in the lower quarter of the page (PDF y grows upwards).
    ys: list[float] = []
    reader.pages[number].extract_text(visitor_text=lambda t, cm, tm, fd, fs: ys.append(
        tm[4] * cm[1] + tm[5] * cm[3] + cm[5]) if t.strip() else None)
    height = float(reader.pages[number].mediabox.height)
    assert ys and max(ys) < 0.25 * height, (ys, height)
    sample = _pdf_pages(sample_dist["pdf"])
    assert not any("UUID" in p or "7b0e3c1a" in p for p in sample)


def test_contents_lists_neither_title_page_nor_itself_and_keeps_them_in_navigation(rich_dist):
    files = _epub_files(rich_dist["epub"])
    contents = etree.fromstring(files["EPUB/text/contents.xhtml"])
    listed = [" ".join(a.itertext()) for a in contents.iterfind(".//x:nav//x:a", NS)]
    assert listed == ["Preface", "1 The Ports and Their Seasons",
                      "2 Archangel and the Timber Trade", "Notes on Sources", "Bibliography",
                      "Index"]
    # The EPUB's contents page shows its heading; the title page's heading is only heard.
    css = files["EPUB/style/book.css"].decode()
    assert ".heading-hidden > .entry-title" in css and ".toc .entry-title" not in css
    section = contents.find(".//x:section", NS)
    assert "heading-hidden" not in section.get("class")
    title = etree.fromstring(files["EPUB/text/title-page.xhtml"]).find(".//x:section", NS)
    assert "heading-hidden" in title.get("class")
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    toc = [" ".join(a.itertext()) for a in nav.iterfind(".//x:nav[@epub:type='toc']//x:a", NS)]
    assert toc[:2] == ["Title page", "Contents"]
    outline = [o.title for o in PdfReader(rich_dist["pdf"]).outline if not isinstance(o, list)]
    assert outline[:2] == ["Title page", "Contents"]
    pdf_contents = next(p for p in _pdf_pages(rich_dist["pdf"]) if p.startswith("Contents"))
    assert "Title page" not in pdf_contents and pdf_contents.count("Contents") == 1
    headings = [p.text for p in docx.Document(rich_dist["docx"]).paragraphs
                if p.style.name == "Heading 1"]
    assert headings[:2] == ["Title page", "Contents"]


def test_hidden_heading_key_and_default_for_dedication(write_source, tmp_path):
    src = write_source({"book.yaml": MINIMAL_YAML.replace("contents:\n", """contents:
  - title: For M.
    kind: front
    role: dedication
    file: ded.md
  - title: Shown
    kind: front
    role: epigraph
    heading: shown
    file: ded.md
  - title: Hush
    kind: chapter
    heading: hidden
    file: one.md
"""), "one.md": "Text.\n", "ded.md": "For M.\n"})
    rendered = render(load_book(src))
    hidden = {r.entry.title for r in rendered.entries if "heading-hidden" in r.html.split(">")[0]}
    assert hidden == {"For M.", "Hush"}
    bad = write_source({"book.yaml": MINIMAL_YAML.replace("    file: one.md",
                                                          "    file: one.md\n    heading: gone")})
    with pytest.raises(SourceError) as caught:
        load_book(bad)
    assert "heading 'gone' must be 'shown' or 'hidden'" in str(caught.value)
    assert caught.value.problems[0].location.line == 13


# --- style: theme, CSS, fonts -------------------------------------------------------------------

NOTO = Path("/usr/share/fonts/truetype/noto")
STYLED_YAML = MINIMAL_YAML.replace("contents:\n", """style:
  theme: technical
  css: {epub: epub.css, pdf: pdf.css}
  fonts:
    body: {family: Book Serif, regular: fonts/Body.ttf, italic: fonts/Body-Italic.ttf}
contents:
""")


def _restricted(source: Path) -> bytes:
    font = TTFont(source)
    font["OS/2"].fsType = 0x0002
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


@pytest.mark.slow
def test_style_block_sets_theme_css_and_fonts_in_all_three_editions(write_source, tmp_path):
    if not (NOTO / "NotoSerif-Regular.ttf").is_file():
        pytest.skip("fonts-noto-core is not installed (run .ci/sysdeps)")
    src = write_source({"book.yaml": STYLED_YAML,
                        "one.md": "Text with *italic* and `code()`.\n\n{.special}\nRed.\n",
                        "epub.css": "p.special { color: #c00; }\n",
                        "pdf.css": "p.special { color: #00c; }\n",
                        "fonts/Body.ttf": (NOTO / "NotoSerif-Regular.ttf").read_bytes(),
                        "fonts/Body-Italic.ttf": (NOTO / "NotoSerif-Italic.ttf").read_bytes()})
    dist = {r.format: r.path for r in build(src, tmp_path / "out")}
    files = _epub_files(dist["epub"])
    css = files["EPUB/style/book.css"].decode()
    assert css.index("p.special { color: #c00; }") > css.index('font-family: "Book Serif"')
    assert 'url("../fonts/Body.ttf")' in css and "pdf.css" not in css
    body = TTFont(io.BytesIO(files["EPUB/fonts/Body.ttf"]))
    assert body["name"].getDebugName(1) == "Noto Serif" and len(files["EPUB/fonts/Body.ttf"]) \
        < (NOTO / "NotoSerif-Regular.ttf").stat().st_size / 5
    assert "EPUB/fonts/NotoSans-Bold.ttf" in files  # the technical theme's headings
    with pikepdf.open(dist["pdf"]) as pdf:
        names = {str(f.get("/BaseFont")).split("+")[-1] for page in pdf.pages
                 for f in page.Resources.Font.values()}
    assert {"Book-Serif", "Book-Serif-Italic", "Noto-Sans-Bold", "DejaVu-Sans-Mono"} <= names
    document = docx.Document(dist["docx"])
    defaults = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    assert defaults.find(qn("w:rPr")).find(qn("w:rFonts")).get(qn("w:ascii")) == "Book Serif"
    heading = document.styles["Heading 1"].element.rPr.find(qn("w:rFonts"))
    assert heading.get(qn("w:ascii")) == "Noto Sans"


def test_style_errors_are_located(write_source):
    src = write_source({"book.yaml": MINIMAL_YAML.replace("contents:\n", """style:
  theme: literal
  css: notes.txt
  fonts:
    body: No Such Family
    code: {family: Locked, regular: fonts/Locked.ttf}
contents:
"""), "one.md": "Text.\n", "notes.txt": "x", "fonts/Locked.ttf":
        _restricted(serif_faces()["regular"])})
    with pytest.raises(SourceError) as caught:
        load_book(src)
    found = {(p.location.line, p.code) for p in caught.value.problems}
    assert found == {(9, "theme"), (10, "css"), (12, "font"), (13, "font-licence")}
    text = str(caught.value)
    assert "did you mean 'literary'?" in text and "forbids embedding" in text


# --- every script ---------------------------------------------------------------------------------

SCRIPTS_MD = """Greek λόγος and Russian слово.

Hebrew: [שלום עולם]{lang=he} is set right to left.

Arabic: [السلام عليكم]{lang=ar} too.

Japanese: [日本語のテキスト]{lang=ja}.

A character no font has: \ue000 here.
"""


@pytest.fixture(scope="module")
def scripts_dist(tmp_path_factory):
    if not Path("/usr/share/fonts/truetype/noto/NotoSerifHebrew-Regular.ttf").is_file():
        pytest.skip("fonts-noto-core is not installed (run .ci/sysdeps)")
    src = tmp_path_factory.mktemp("scripts") / "src"
    src.mkdir()
    (src / "book.yaml").write_text(textwrap.dedent(MINIMAL_YAML), encoding="utf-8")
    (src / "one.md").write_text(SCRIPTS_MD, encoding="utf-8")
    return {r.format: r for r in build(src, tmp_path_factory.mktemp("scripts-out"))}


@pytest.mark.slow
def test_every_script_falls_back_to_the_same_families_in_all_editions(scripts_dist,
                                                                       epubcheck_once):
    wanted = ["Noto Serif Hebrew", "Noto Naskh Arabic", "Noto Serif CJK JP"]
    with pikepdf.open(scripts_dist["pdf"].path) as pdf:
        names = {str(f.get("/BaseFont")).split("+")[-1] for page in pdf.pages
                 for f in page.Resources.Font.values()}
    assert {w.replace(" ", "-") for w in wanted} <= names
    files = _epub_files(scripts_dist["epub"].path)
    css = files["EPUB/style/book.css"].decode()
    stack = [line for line in css.splitlines() if line.startswith("body {")][-1]
    assert all(f'"{w}"' in stack for w in wanted)
    hebrew = TTFont(io.BytesIO(files["EPUB/fonts/NotoSerifHebrew-Regular.ttf"])).getBestCmap()
    assert all(ord(c) in hebrew for c in "שלוםעולם")
    cjk = files["EPUB/fonts/NotoSerifCJK-Regular-0.otf"]
    assert len(cjk) < 200_000 and ord("語") in TTFont(io.BytesIO(cjk)).getBestCmap()
    chapter = etree.fromstring(files["EPUB/text/chapter-1.xhtml"])
    span = chapter.find(".//x:span[@lang='he']", NS)
    assert span.get("dir") == "rtl" and chapter.find(".//x:span[@lang='ja']", NS).get("dir") is None
    document = docx.Document(scripts_dist["docx"].path)
    fonts = document.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(
        qn("w:rPr")).find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "Noto Serif CJK JP"
    assert fonts.get(qn("w:cs")) == "Noto Serif Hebrew"
    rtl_runs = [r for r in document.element.body.iter(qn("w:r"))
                if r.find(f"{qn('w:rPr')}/{qn('w:rtl')}") is not None]
    assert any("שלום" in "".join(t.text for t in r.iter(qn("w:t"))) for r in rtl_runs)
    if shutil.which("java"):
        _, messages = epubcheck_once(scripts_dist["epub"].path)
        assert [m for m in messages if m.severity in ("FATAL", "ERROR", "WARNING")] == []


@pytest.mark.slow
def test_a_character_no_font_has_is_one_located_warning(scripts_dist):
    for result in scripts_dist.values():
        about = [w for w in result.warnings if "U+E000" in w]
        assert len(about) == 1, (result.format, result.warnings)
        assert "one.md:9:26: no installed font has U+E000" in about[0]


# --- PDF typography ---------------------------------------------------------------------------

SHERLOCK = Path(__file__).resolve().parents[2] / "shared" / "books" / "sherlock"
if not SHERLOCK.is_dir():
    SHERLOCK = Path("/work/shared/books/sherlock")


def test_typography_counts_read_inserted_hyphens_from_pdf_lines(tmp_path):
    """The counter itself, on a PDF whose lines are known: three lines in a row ending in an
    inserted hyphen (U+2010), each leaving a two-letter fragment, and one turning the page."""
    html = ("<style>@page { size: 80mm 40mm; margin: 5mm; } p { margin: 0; font-size: 10pt; "
            "line-height: 12pt; }</style><p>aa bbbb\u2010<br>cc dd eeee\u2010<br>ff gg "
            "hhhh\u2010<br>ii and a compound-word</p><p style='break-before: page'>x "
            "yyyy\u2010</p><p>zzzz.</p>")
    path = tmp_path / "t.pdf"
    weasyprint.HTML(string=html).write_pdf(path)
    counts = count(path)
    assert counts.hyphenated_lines == 4 and counts.hyphen_ladders == 1
    assert counts.short_fragments == 3  # cc, ff, ii; "compound-word" is the text's own hyphen
    assert counts.examples["short_fragments"] == ["bbbb-cc", "eeee-ff", "hhhh-ii"]
    assert counts.pages == 2


@pytest.mark.slow
def test_sherlock_pdf_has_no_short_fragments_ladders_or_hyphens_across_page_turns(tmp_path):
    if not (SHERLOCK / "book.yaml").is_file():
        pytest.skip("the story collection is not in ../shared/books/sherlock")
    pdf = build(SHERLOCK, tmp_path, ["pdf"])[0].path
    counts = count(pdf)
    assert counts.hyphenated_lines > 300  # hyphenation is on, just better placed
    assert counts.short_fragments == 0, counts.examples.get("short_fragments")
    assert counts.hyphen_ladders == 0
    assert counts.page_turn_hyphens == 0, counts.examples.get("page_turn_hyphens")
    # Before issue 15: 78 short pages of 276 and 57 uneven spreads; now about 24 and 18.
    assert counts.short_pages < counts.pages // 8, counts.examples.get("short_pages")
    assert counts.uneven_spreads < counts.pages // 10


# --- DOCX typography ----------------------------------------------------------------------------

def test_docx_sets_body_text_as_a_book_with_hyphenation(rich_dist):
    document = docx.Document(rich_dist["docx"])
    body, first = document.styles["Body Text"], document.styles["First Paragraph"]
    assert body.paragraph_format.first_line_indent.pt == 13
    assert first.paragraph_format.first_line_indent.pt == 0
    for style in (body, first):
        assert style.paragraph_format.space_after.pt == style.paragraph_format.space_before.pt == 0
    settings = document.settings.element
    assert settings.find(qn("w:autoHyphenation")) is not None
    assert settings.find(qn("w:consecutiveHyphenLimit")).get(qn("w:val")) == "2"


def _docx_note_numbers(path) -> list[str]:
    numbers = []
    for ref in docx.Document(path).element.body.iter(qn("w:footnoteReference")):
        assert ref.get(qn("w:customMarkFollows")) == "1"
        numbers.append("".join(t.text for t in ref.getparent().getnext().iter(qn("w:t"))))
    return numbers


def test_docx_footnotes_restart_in_each_entry_like_the_epub(rich_dist):
    files = _epub_files(rich_dist["epub"])
    epub_numbers = []
    spine = etree.fromstring(files["EPUB/content.opf"])
    hrefs = {i.get("id"): i.get("href") for i in spine.iter("{*}item")}
    for ref in spine.iter("{*}itemref"):
        doc = etree.fromstring(files["EPUB/" + hrefs[ref.get("idref")]])
        epub_numbers += ["".join(a.itertext()).strip() for a in
                         doc.iterfind(".//x:a[@epub:type='noteref']", NS)]
    docx_numbers = _docx_note_numbers(rich_dist["docx"])
    assert docx_numbers == epub_numbers
    assert docx_numbers.count("1") > 1  # restarted in a later entry


def test_docx_verse_is_ragged(write_source, tmp_path):
    src = write_source({"book.yaml": MINIMAL_YAML, "one.md": "Prose before.\n\n| The rain in "
                        "Spain\n|    falls mainly on the plain,\n| said he.\n\nAfter.\n"})
    path = build(src, tmp_path / "out", ["docx"])[0].path
    document = docx.Document(path)
    verse = [p for p in document.paragraphs if p.style.name == "Verse"]
    assert len(verse) == 1 and "falls mainly" in verse[0].text
    assert document.styles["Verse"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.LEFT


# --- EPUB files of a sensible size -----------------------------------------------------------

def _split_epub(source: Path, out: Path, limit: int, monkeypatch) -> Path:
    from converters.core.options import BuildOptions
    from converters.epub import split
    from converters.epub.writer import write_epub

    monkeypatch.setattr(split, "SPLIT_BYTES", limit)
    out.mkdir()
    target = out / "book.epub"
    write_epub(render(load_book(source)), target, out, BuildOptions())
    return target


def _check_links(files: dict[str, bytes]) -> tuple[int, int]:
    """Every href of every XHTML document (nav included) lands on a file and an id in it;
    returns (links, cross-file links)."""
    ids = {}
    for name, data in files.items():
        if name.endswith(".xhtml"):
            root = etree.fromstring(data)
            ids[name] = {e.get("id") for e in root.iter() if isinstance(e.tag, str)}
    links = cross = 0
    for name in ids:
        base = name.rsplit("/", 1)[0]
        for a in etree.fromstring(files[name]).iter("{http://www.w3.org/1999/xhtml}a"):
            href = a.get("href", "")
            if not href or href.startswith(("http:", "https:", "mailto:")):
                continue
            path, _, frag = href.partition("#")
            target = posixpath.normpath(posixpath.join(base, path)) if path else name
            assert target in ids, (name, href)
            assert not frag or frag in ids[target], (name, href)
            links += 1
            cross += target != name
    return links, cross


def test_a_long_entry_is_split_with_notes_pages_and_links_intact(tmp_path, monkeypatch,
                                                                 epubcheck_once):
    from tests.conftest import RICH

    path = _split_epub(RICH, tmp_path / "rich", 1500, monkeypatch)
    files = _epub_files(path)
    parts = sorted(n for n in files if n.startswith("EPUB/text/chapter-1"))
    assert len(parts) >= 3 and "EPUB/text/chapter-1.2.xhtml" in parts
    links, cross = _check_links(files)
    assert links > 20 and cross > 5
    # A note referred to in one part and printed in another still pops up from its reference.
    notes = {n: etree.fromstring(files[n]).findall(".//x:a[@epub:type='noteref']", NS)
             for n in parts}
    assert any(a.get("href", "").startswith("chapter-1.") for refs in notes.values() for a in refs)
    nav = etree.fromstring(files["EPUB/nav.xhtml"])
    heading_links = [a.get("href") for a in nav.iterfind(".//x:nav[@epub:type='toc']//x:a", NS)]
    assert any(h.startswith("text/chapter-1.") and "#" in h for h in heading_links)
    page_list = nav.findall(".//x:nav[@epub:type='page-list']//x:a", NS)
    assert page_list
    if shutil.which("java"):
        _, messages = epubcheck_once(path)
        assert [str(m) for m in messages if m.severity in ("FATAL", "ERROR", "WARNING")] == []


@pytest.mark.slow
def test_sherlock_stories_split_into_files_under_the_limit(tmp_path, monkeypatch,
                                                           epubcheck_once):
    if not (SHERLOCK / "book.yaml").is_file():
        pytest.skip("the story collection is not in ../shared/books/sherlock")
    path = _split_epub(SHERLOCK, tmp_path / "sherlock", 25_000, monkeypatch)
    files = _epub_files(path)
    texts = {n: len(d) for n, d in files.items() if n.startswith("EPUB/text/")}
    assert len(texts) > 30 and max(texts.values()) < 25_000 + 3_000
    assert "EPUB/text/a-scandal-in-bohemia.2.xhtml" in texts
    _, cross = _check_links(files)
    assert cross > 10
    if shutil.which("java"):
        _, messages = epubcheck_once(path)
        assert [str(m) for m in messages if m.severity in ("FATAL", "ERROR", "WARNING")] == []
