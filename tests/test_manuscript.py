"""What manuscripts hold (issue 14), opened in each edition of tests/books/manuscript/.

Math (MathML in the EPUB, OMML in the DOCX, SVG with TeX alt text in the PDF), twenty citations
against a BibTeX and a CSL JSON file linked to their works-cited entries, code with 140-character
lines that stays inside the text block, a poem, scene breaks, small caps and an epigraph.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from lxml import etree
from pypdf import PdfReader

from converters import build
from converters.pdf.overflow import from_pdf

BOOK = Path(__file__).resolve().parent / "books" / "manuscript"
X = "{http://www.w3.org/1999/xhtml}"
M = "{http://www.w3.org/1998/Math/MathML}"
OPS = "{http://www.idpf.org/2007/ops}"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
OMML = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
CITATIONS = 20
FORMULAS = 15  # inline and display, as written in tides.md
SCENE_BREAKS = 4  # one in chapter 1, three in chapter 2
TEX = re.compile(r"\\[A-Za-z]+|\$")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("manuscript")
    return {r.format: r.path for r in build(BOOK, out, jobs=1)}


# -- EPUB ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def epub(dist) -> dict[str, bytes]:
    with zipfile.ZipFile(dist["epub"]) as z:
        return {name: z.read(name) for name in z.namelist()}


def xhtml(epub: dict[str, bytes], name: str) -> etree._Element:
    return etree.fromstring(epub[f"EPUB/text/{name}.xhtml"])


def visible_text(root: etree._Element) -> str:
    """The words a reader sees: without MathML and code, which may hold '\\' and '$'."""
    root = etree.fromstring(etree.tostring(root))
    for skip in list(root.iter(f"{M}math", f"{X}code", f"{X}pre")):
        skip.getparent().remove(skip)
    return "".join(root.itertext())


def test_epub_math_is_mathml_with_alttext(epub):
    root = xhtml(epub, "chapter-1")
    formulas = list(root.iter(f"{M}math"))
    assert len(formulas) == FORMULAS
    assert all(m.get("alttext") for m in formulas)
    alts = {m.get("alttext") for m in formulas}
    rms = r"\operatorname{rms}(h - \hat{h}) = \sqrt{\frac{1}{N}\sum_{i=1}^{N} (h_i - \hat{h}_i)^2}"
    assert rms in alts
    assert any(m.find(f".//{M}mtable") is not None for m in formulas)  # the matrices
    assert any(m.find(f".//{M}mfrac") is not None for m in formulas)
    assert [m.get("display") for m in formulas].count("block") == 2
    for name in ("chapter-1", "chapter-2", "chapter-3", "works-cited"):
        assert not TEX.search(visible_text(xhtml(epub, name))), name


def test_epub_declares_mathml(epub):
    opf = etree.fromstring(epub["EPUB/content.opf"])
    ns = {"opf": "http://www.idpf.org/2007/opf"}
    items = {i.get("href"): (i.get("properties") or "").split()
             for i in opf.iterfind(".//opf:manifest/opf:item", ns)}
    assert "mathml" in items["text/chapter-1.xhtml"]
    assert "mathml" not in items["text/chapter-2.xhtml"]
    features = [m.text for m in opf.iterfind(".//opf:meta", ns)
                if m.get("property") == "schema:accessibilityFeature"]
    assert "MathML" in features


def test_epub_citations_link_to_their_entries(epub):
    bibliography = xhtml(epub, "works-cited")
    entries = {li.get("id"): li for li in bibliography.iter(f"{X}li")
               if li.get(f"{OPS}type") == "biblioentry"}
    assert len(entries) == 7  # four works in works.bib, three in more.json
    assert "Doodson, Arthur Thomas. 1921." in "".join(entries["works-cited--ref-doodson1921"]
                                                       .itertext())
    cited = set()
    count = 0
    for name in ("chapter-1", "chapter-2", "chapter-3"):
        for span in xhtml(epub, name).iter(f"{X}span"):
            if span.get("class") != "citation":
                continue
            count += 1
            links = list(span.iter(f"{X}a"))
            assert links, etree.tostring(span)
            for a in links:
                assert a.get("role") == "doc-biblioref"
                target_file, _, target = a.get("href").partition("#")
                assert target_file == "works-cited.xhtml" and target in entries
                cited.add(target)
    assert count == CITATIONS
    assert cited == set(entries)


def test_epub_verse_breaks_small_caps_epigraph(epub):
    log = xhtml(epub, "chapter-2")
    verse = next(d for d in log.iter(f"{X}div") if d.get("class") == "line-block")
    assert len(verse.findall(f"{X}br")) == 8  # eight lines and a stanza break
    assert "\u00a0\u00a0\u00a0\u00a0and the tide goes out" in "".join(verse.itertext())
    breaks = [d for name in ("chapter-1", "chapter-2")
              for d in xhtml(epub, name).iter(f"{X}div") if d.get("class") == "scene-break"]
    assert len(breaks) == SCENE_BREAKS
    assert all(d.get("role") == "separator" and d.text.strip() == "* * *" for d in breaks)
    assert all(d.getnext().tag == f"{X}p" for d in breaks)
    opening = xhtml(epub, "chapter-1")
    epigraph = next(d for d in opening.iter(f"{X}div") if d.get("class") == "epigraph")
    assert epigraph.get("role") == "doc-epigraph"
    assert epigraph[-1].get("class") == "attribution"
    assert re.search(r"\.epigraph \+ p \{ text-indent: 0", epub["EPUB/style/book.css"].decode())
    caps = [s for s in opening.iter(f"{X}span") if s.get("class") == "smallcaps"]
    assert ["".join(s.itertext()) for s in caps] == ["NASA", "Met Office"]
    assert caps[0].getparent().get("class") == "all-caps"
    css = epub["EPUB/style/book.css"].decode()
    assert re.search(r"\.smallcaps \{[^}]*font-variant-caps: small-caps", css)
    assert re.search(r"\.all-caps \.smallcaps \{[^}]*all-small-caps", css)
    assert re.search(r"\.line-block \{[^}]*text-align: left", css)
    assert re.search(r"\.scene-break \+ p \{ text-indent: 0", css)


def test_epub_valid_and_accessible(dist, epubcheck_once):
    _version, messages = epubcheck_once(dist["epub"], usage=False)
    assert [m for m in messages if m.severity.upper() in ("FATAL", "ERROR", "WARNING")] == []


def test_epub_ace(dist):
    from converters.check.ace import ace_command, chromium, run_ace
    from converters.core.errors import BuildError

    try:
        ace_command(), chromium()
    except BuildError as exc:  # only a missing Ace skips, and says why
        pytest.skip(str(exc))
    report = run_ace(dist["epub"])
    assert report.violations == [], report.violations


# -- PDF ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pdf(dist) -> pdfplumber.PDF:
    with pdfplumber.open(dist["pdf"]) as opened:
        yield opened


def page_with(pdf: pdfplumber.PDF, words: str) -> pdfplumber.page.Page:
    return next(p for p in pdf.pages if words in (p.extract_text() or ""))


def test_pdf_no_glyph_outside_the_text_area(dist, pdf):
    assert from_pdf(dist["pdf"], 22.0, 16.0) == []  # pdfium's ink boxes, as editions check
    # pdfplumber's advance boxes, with the house margins (22 mm inner, 16 mm outer).
    for index, page in enumerate(pdf.pages):
        inner, outer = 22 * 72 / 25.4, 16 * 72 / 25.4
        left, right = (inner, page.width - outer) if index % 2 == 0 else \
            (outer, page.width - inner)
        outside = [c["text"] for c in page.chars
                   if c["x0"] < left - 0.5 or c["x1"] > right + 0.5]
        assert outside == [], (index + 1, outside)


def test_pdf_code_lines_wrap_with_a_mark(pdf):
    page = page_with(pdf, "import math")
    text = page.extract_text()
    assert "\u21aa" in text  # the continuation mark
    assert "include_shallow_water=True" in text.replace("\n", "").replace("\u21aa ", "")


def test_pdf_math_is_svg_with_tex_alt_text(dist, pdf):
    alts = []
    with pikepdf.open(dist["pdf"]) as doc:
        stack = [doc.Root.StructTreeRoot]
        while stack:
            node = stack.pop()
            if isinstance(node, pikepdf.Dictionary):
                if "/Alt" in node:
                    alts.append(str(node.Alt))
                kids = node.get("/K")
                if isinstance(kids, pikepdf.Array):
                    stack.extend(kids)
                elif isinstance(kids, pikepdf.Dictionary):
                    stack.append(kids)
    assert r"\frac{\partial h}{\partial t}" in alts and r"\alpha" in alts
    assert sum(1 for a in alts if TEX.search(a) or len(a) < 3) >= FORMULAS
    text = "".join((p.extract_text() or "") for p in pdf.pages
                   if "#!/bin/sh" not in (p.extract_text() or ""))
    assert not TEX.search(text), TEX.search(text)
    # Each formula is drawn as outlines, glyph by glyph; on the line of 'h(t) = A cos(2πt/T)'
    # most glyphs (not the parentheses, which descend) stand on the text's baseline.
    # Where the line breaks fall depends on the layout, so the formula's line is found as the
    # line of the opening paragraph ('… at time t as h(t) = …, where T is the period …') that
    # the most outlines stand on.
    page = page_with(pdf, "Every harbour-master")

    def near(line: dict) -> list[dict]:
        return [c for c in page.curves
                if c["top"] < line["bottom"] + 3 and c["bottom"] > line["top"] - 3]

    lines = page.extract_text_lines(return_chars=True)
    opening = [li for li in lines if re.search(r"at time|is the period", li["text"])]
    line = max(opening, key=lambda li: len(near(li)))
    baseline = page.height - line["chars"][0]["matrix"][5]
    glyphs = near(line)
    assert len(glyphs) >= 15
    on_baseline = [c for c in glyphs if abs(c["bottom"] - baseline) < 0.5]
    assert len(on_baseline) >= len(glyphs) / 2


def test_pdf_citations_link_to_their_entries(dist):
    reader = PdfReader(dist["pdf"])
    named = reader.named_destinations
    bibliography_page = next(i for i, p in enumerate(reader.pages)
                             if "Pugh, David, and Philip Woodworth" in (p.extract_text() or ""))
    links = [a.get_object().get("/Dest") for p in reader.pages[:bibliography_page]
             for a in p.get("/Annots", []) if a.get_object().get("/Subtype") == "/Link"]
    targets = {str(d) for d in links if d and str(d).startswith("works-cited--ref-")}
    assert len(targets) == 7
    for target in targets:
        assert reader.get_destination_page_number(named[target]) == bibliography_page


def test_pdf_verse_ornament_small_caps(pdf):
    page = page_with(pdf, "The tide comes in")
    lines = {line["text"]: line for line in page.extract_text_lines()}
    first = lines["The tide comes in by the harbour wall,"]
    second = lines["and the tide goes out by the stair;"]
    assert second["x0"] > first["x0"] + 10  # the indent is kept, the line break too
    left = min(line["x0"] for line in lines.values())
    body = [line for line in lines.values() if line["text"].startswith("On the third of March")]
    assert abs(body[0]["x0"] - left) < 0.5  # set flush after the break
    # ... and after the epigraph: its next line starts at the text block's left edge, where the
    # following paragraph's indented first line does not.
    opening = page_with(pdf, "Every harbour-master")
    starts = {line["text"].split()[0]: line["x0"] for line in opening.extract_text_lines()}
    assert starts["Every"] < starts["The"] - 5
    ornaments = 0
    for each in pdf.pages:
        found = each.extract_text_lines()
        for line in found:
            if line["text"] == "* * *":
                ornaments += 1
                middle = (min(f["x0"] for f in found) + max(f["x1"] for f in found)) / 2
                assert abs((line["x0"] + line["x1"]) / 2 - middle) < 2
    assert ornaments == SCENE_BREAKS
    # Small caps: the A of NASA is the font's small capital, narrower than a capital A.
    opening = page_with(pdf, "The warnings of")
    chars = opening.chars
    text = "".join(c["text"] for c in chars)
    nasa = text.index("NASA")
    capital = text.index("A better")
    assert chars[nasa + 1]["x1"] - chars[nasa + 1]["x0"] < \
        0.9 * (chars[capital]["x1"] - chars[capital]["x0"])


# -- DOCX ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def document(dist) -> etree._Element:
    with zipfile.ZipFile(dist["docx"]) as z:
        return etree.fromstring(z.read("word/document.xml"))


def paragraphs(document: etree._Element, style: str) -> list[etree._Element]:
    return [p for p in document.iter(f"{W}p")
            if p.find(f"{W}pPr/{W}pStyle") is not None
            and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == style]


def test_docx_math_is_omml_and_no_tex_is_left(document):
    equations = list(document.iter(f"{OMML}oMath"))
    assert len(equations) == FORMULAS
    words = "".join(t.text or "" for p in document.iter(f"{W}p")
                    if p not in paragraphs(document, "SourceCode")
                    for t in p.iter(f"{W}t"))
    assert not TEX.search(words)


def test_docx_citations_link_to_bookmarks(document):
    bookmarks = {b.get(f"{W}name") for b in document.iter(f"{W}bookmarkStart")}
    anchors = [h.get(f"{W}anchor") for h in document.iter(f"{W}hyperlink")
               if (h.get(f"{W}anchor") or "").startswith("works-cited--ref-")]
    assert len(set(anchors)) == 7 and set(anchors) <= bookmarks


def test_docx_verse_breaks_small_caps_epigraph_code(document):
    verse = paragraphs(document, "Verse")
    assert len(verse) == 1 and len(list(verse[0].iter(f"{W}br"))) == 8
    breaks = paragraphs(document, "SceneBreak")
    assert len(breaks) == SCENE_BREAKS
    for para in breaks:
        following = para.getnext()
        assert following.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "FirstParagraph"
    small = [r for r in document.iter(f"{W}r") if r.find(f"{W}rPr/{W}smallCaps") is not None]
    # Words in capitals are lower case under Word's small caps, which shrink only those.
    assert ["".join(t.text for t in r.iter(f"{W}t")) for r in small] == \
        ["nasa", "Met Office", "bbc"]
    assert paragraphs(document, "Epigraph") and paragraphs(document, "EpigraphAttribution")
    # The text after the epigraph opens flush, as after a scene break.
    after = paragraphs(document, "EpigraphAttribution")[-1].getnext()
    assert after.find(f"{W}pPr/{W}pStyle").get(f"{W}val") == "FirstParagraph"
    code = paragraphs(document, "SourceCode")
    assert len(code) > 10 and all(p.find(f".//{W}br") is None for p in code)
    # No highlighting in any edition: Word gets no token styles either.
    assert not any((s.get(f"{W}val") or "").endswith("Tok") for s in document.iter(f"{W}rStyle"))


# -- overflow, before and after -----------------------------------------------------------------

def test_overflow_is_found_and_named(tmp_path, capsys):
    """An unbreakable word past the margin: a build warning, and an error in editions check."""
    from converters.cli.main import main

    src = tmp_path / "src"
    shutil.copytree(BOOK, src)
    with (src / "log.md").open("a", encoding="utf-8") as f:
        f.write("\n\nAn unbreakable word: " + "Z" * 120 + " ends here.\n")
    assert main(["build", str(src), "--out", str(tmp_path / "out"), "--format", "pdf",
                 "--check"]) == 1
    err = capsys.readouterr()
    assert re.search(r"warning: pdf: editions: tides-and-tables\.pdf:page \d+: text runs "
                     r"[\d.]+ mm outside the text area in '2 Harbour Log'.*\[PDF-OVERFLOW\]",
                     err.err)
    screen = re.search(r"tides-and-tables\.pdf:page (\d+): error\[PDF-OVERFLOW\]: text runs "
                       r"([\d.]+) mm outside the text area in '2 Harbour Log': 'ZZZ", err.out)
    assert screen, err.out
    # The printer's file (bleed and crop marks around the trim) is measured from its trim box.
    assert main(["build", str(src), "--out", str(tmp_path / "print"), "--format", "pdf",
                 "--pdf-layout", "print", "--check"]) == 1
    found = re.findall(r"page (\d+): error\[PDF-OVERFLOW\]: text runs ([\d.]+) mm",
                       capsys.readouterr().out)
    assert found == [screen.groups()]
