"""The EPUB edition at publishing grade: package, navigation, content documents, validators.

Both test books are built once per session (sample_dist, rich_dist); EPUBCheck and Ace run
once per file.
"""

from __future__ import annotations

import io
import posixpath
import shutil
import zipfile

import pytest
from lxml import etree
from PIL import Image

from converters import build
from converters.assets.fonts import serif_faces
from converters.check.ace import ace_command, chromium, run_ace
from converters.core.errors import BuildError, SourceError
from converters.render.names import image_name
from tests.conftest import MINIMAL_YAML, RICH

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
BASE_FEATURES = ["structuralNavigation", "tableOfContents", "readingOrder"]


class Epub:
    """An EPUB opened as its parts: the OPF, the nav, the NCX and the spine documents."""

    def __init__(self, path):
        self.path = path
        with zipfile.ZipFile(path) as z:
            self.files = {name: z.read(name) for name in z.namelist()}
        container = etree.fromstring(self.files["META-INF/container.xml"])
        self.opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
        self.base = posixpath.dirname(self.opf_path)
        self.opf = etree.fromstring(self.files[self.opf_path])
        self.md = self.opf.find("opf:metadata", NS)
        self.items = {i.get("id"): i for i in self.opf.iterfind("opf:manifest/opf:item", NS)}
        self.nav_href = self.opf.xpath("//opf:item[@properties='nav']/@href", namespaces=NS)[0]
        self.nav = self.xml(self.nav_href)
        self.ncx = self.xml(self.opf.xpath("//opf:item[@media-type='application/x-dtbncx+xml']"
                                           "/@href", namespaces=NS)[0])
        self.spine = [self.items[r.get("idref")].get("href")
                      for r in self.opf.iterfind("opf:spine/opf:itemref", NS)]

    def read(self, href):
        return self.files[posixpath.join(self.base, href.split("#")[0])]

    def xml(self, href):
        return etree.fromstring(self.read(href))

    def dc(self, name):
        return [e.text for e in self.md.findall(f"dc:{name}", NS)]

    def meta(self, prop, refines=None):
        path = f"opf:meta[@property='{prop}']" + (f"[@refines='#{refines}']" if refines else "")
        return [e.text for e in self.md.xpath(path, namespaces=NS)]

    def refined(self, element, prop):
        return self.meta(prop, element.get("id"))

    def nav_links(self, kind):
        return self.nav.xpath(f"//x:nav[@epub:type='{kind}']//x:a", namespaces=NS)

    def target(self, href):
        """The element an href in the nav points at (or the document root)."""
        doc = self.xml(href)
        if "#" not in href:
            return doc
        found = doc.xpath("//*[@id=$id]", id=href.split("#", 1)[1])
        assert found, f"{href} points at nothing"
        return found[0]


@pytest.fixture(scope="module")
def sample(sample_dist):
    return Epub(sample_dist["epub"])


@pytest.fixture(scope="module")
def rich(rich_dist):
    return Epub(rich_dist["epub"])


@pytest.fixture(scope="module")
def epubs(sample_dist, rich_dist):
    return {"sample": sample_dist["epub"], "rich": rich_dist["epub"]}


# --- validators -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["sample", "rich"])
def test_epubcheck_with_usage_has_no_fatal_error_or_warning(epubs, name, epubcheck_once):
    if shutil.which("java") is None:
        pytest.skip("EPUBCheck needs Java (make test installs default-jre-headless)")
    version, messages = epubcheck_once(epubs[name])
    assert version.startswith("5.")
    assert [str(m) for m in messages if m.severity in ("FATAL", "ERROR", "WARNING")] == []
    # Usage notes too, except the one EPUBCheck gives for every @font-face of the embedded serif.
    assert [str(m) for m in messages if m.code != "CSS-028"] == []
    assert {m.code for m in messages} == {"CSS-028"}  # the fonts really are declared


@pytest.mark.parametrize("name", ["sample", "rich"])
def test_ace_finds_no_violations(epubs, name):
    try:
        ace_command(), chromium()
    except BuildError as exc:
        pytest.skip(f"Ace cannot run here: {exc}")
    report = run_ace(epubs[name])  # installed: an Ace that crashes or times out fails the test
    assert report.version.startswith("1.")
    assert [str(v) for v in report.violations] == []
    assert report.outcome == "pass"
    assert {"schema:accessMode", "schema:accessibilityFeature", "schema:accessibilityHazard",
            "schema:accessibilitySummary", "schema:accessModeSufficient",
            "dcterms:conformsTo"} <= set(report.metadata["present"])
    assert report.metadata["empty"] == []


# --- package metadata --------------------------------------------------------------------------

def test_rich_identifiers_titles_and_language(rich):
    unique = rich.opf.get("unique-identifier")
    assert rich.md.xpath(f"dc:identifier[@id='{unique}']/text()", namespaces=NS) == [
        "urn:isbn:9781861978769"]
    assert rich.dc("identifier") == ["urn:isbn:9781861978769"]  # one identifier per edition
    assert rich.dc("source") == ["urn:isbn:9780952831303"]  # the print edition
    assert rich.opf.get(XML_LANG) == "en-GB" and rich.dc("language") == ["en-GB"]
    titles = rich.md.findall("dc:title", NS)
    assert [(t.text, rich.refined(t, "title-type")) for t in titles] == [
        ("Harbours of the White Sea", ["main"]),
        ("Trade, Weather and Memory, 1890–1930", ["subtitle"])]
    assert rich.dc("publisher") == ["Northern Lights Press"] and rich.dc("date") == ["2024-03-15"]


def test_rich_creators_carry_marc_roles_and_sort_names(rich):
    people = {}
    for element in rich.md.xpath("dc:creator | dc:contributor", namespaces=NS):
        role = rich.md.xpath(f"opf:meta[@property='role'][@refines='#{element.get('id')}']",
                             namespaces=NS)
        assert [r.get("scheme") for r in role] == ["marc:relators"]
        people[element.text] = (etree.QName(element).localname, role[0].text,
                                rich.refined(element, "file-as")[0])
    assert people == {
        "Anna Petrovna Volkova": ("creator", "aut", "Volkova, Anna Petrovna"),
        "James O’Neill": ("creator", "aut", "O’Neill, James"),
        "Margaret Hale": ("contributor", "edt", "Hale, Margaret"),
        "Pavel Sokolov": ("contributor", "trl", "Sokolov, Pavel"),
    }


def test_rich_series_and_coded_subjects(rich):
    series = rich.md.xpath("opf:meta[@property='belongs-to-collection']", namespaces=NS)
    assert [s.text for s in series] == ["Studies in Northern Trade"]
    assert rich.refined(series[0], "collection-type") == ["series"]
    assert rich.refined(series[0], "group-position") == ["3"]
    subjects = {s.text: (rich.refined(s, "authority"), rich.refined(s, "term"))
                for s in rich.md.findall("dc:subject", NS)}
    assert subjects == {
        "History / Europe / Russia & the Former Soviet Union": (["BISAC"], ["HIS032000"]),
        "Maritime history": (["THEMA"], ["NHTM"]),
        "Arctic ports": ([], []),
    }


def test_accessibility_metadata_follows_the_content(sample, rich):
    # The rich book has images (all described) and print pages; the sample has pages only.
    pages = ["pageBreakMarkers", "pageNavigation"]
    assert rich.meta("schema:accessibilityFeature") == [*BASE_FEATURES, "alternativeText", *pages]
    # One page from a single pages: range is no navigation by page.
    assert sample.meta("schema:accessibilityFeature") == [*BASE_FEATURES, "pageBreakMarkers"]
    assert rich.meta("schema:accessMode") == ["textual", "visual"]
    assert sample.meta("schema:accessMode") == ["textual"]
    assert "textual" in rich.meta("schema:accessModeSufficient")
    for epub in (sample, rich):
        assert epub.meta("schema:accessibilityHazard") == ["none"]
        assert epub.meta("dcterms:conformsTo") == ["EPUB Accessibility 1.1 - WCAG 2.1 Level AA"]
        assert len(epub.meta("schema:accessibilitySummary")[0]) > 80
        assert epub.meta("a11y:pageBreakSource") == []  # the prefixed form EPUBCheck rejects
    assert rich.meta("pageBreakSource") == ["urn:isbn:9780952831303"]
    source = sample.meta("pageBreakSource")[0]
    assert "Cambridge University Press" in source and "1977" in source and "print" in source


def test_image_without_alt_text_withdraws_the_claims(write_source, tmp_path, monkeypatch):
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(picture, format="PNG")
    src = write_source({
        "book.yaml": MINIMAL_YAML,
        "one.md": "Text.\n\n![](red.png)\n",
        "red.png": picture.getvalue()})
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    [result] = build(src, tmp_path / "out", ["epub"])
    epub = Epub(result.path)
    assert epub.meta("dcterms:modified") == ["2023-11-14T22:13:20Z"]
    assert epub.meta("schema:accessibilityFeature") == BASE_FEATURES  # no alt text, no pages
    assert epub.meta("dcterms:conformsTo") == [] and epub.meta("pageBreakSource") == []
    assert "lack a text description" in epub.meta("schema:accessibilitySummary")[0]
    assert epub.nav_links("page-list") == []
    assert epub.ncx.find("ncx:pageList", NS) is None


def test_cover_page_and_generated_cover_never_clash_with_the_source(write_source, tmp_path):
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), (30, 30, 200)).save(picture, format="PNG")
    src = write_source({
        "book.yaml": """
            title: Covers
            creators: [Ann Author]
            date: 2020
            language: en
            identifiers:
              - scheme: uuid
                value: 4f3c2b1a-0000-4000-8000-000000000002
            contents:
              - title: Cover
                kind: front
                file: cover.md
            """,
        "cover.md": "About covers.\n\n![A blue card](images/cover.png)\n",
        "images/cover.png": picture.getvalue()})
    [result] = build(src, tmp_path / "out", ["epub"])
    with zipfile.ZipFile(result.path) as z:
        names = z.namelist()
    assert len(names) == len(set(names))
    epub = Epub(result.path)
    assert epub.spine == ["text/cover-2.xhtml", "text/cover.xhtml"]
    item, _ = cover_of(epub)
    # The source's images take collision-free names of their own (render/names.py), so the
    # generated cover keeps its plain one.
    assert item.get("href") == "images/cover.png"
    assert epub.read(image_name("images/cover.png", "image/png")) == picture.getvalue()


def test_missing_image_is_a_located_source_error(minimal_source, tmp_path):
    src = minimal_source({"one.md": "Text.\n\nSee ![A map](maps/nope.png) here.\n"})
    with pytest.raises(SourceError) as caught:
        build(src, tmp_path / "out", ["epub"])
    [problem] = caught.value.problems
    assert (problem.location.path.name, problem.location.line, problem.location.col,
            problem.code) == ("one.md", 3, 14, "missing-image")
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").glob("*.epub"))


# --- cover, fonts, images ----------------------------------------------------------------------

def cover_of(epub):
    [item] = epub.opf.xpath("//opf:item[@properties='cover-image']", namespaces=NS)
    first = epub.xml(epub.spine[0])
    [img] = first.xpath("//x:img", namespaces=NS)
    href = posixpath.normpath(posixpath.join(posixpath.dirname(epub.spine[0]), img.get("src")))
    assert href == item.get("href")  # the cover page leads the spine and shows the cover image
    assert img.get("role") == "doc-cover" and img.getparent().get(EPUB_TYPE) == "cover"
    assert epub.md.xpath("opf:meta[@name='cover']/@content", namespaces=NS) == [item.get("id")]
    return item, img


def test_rich_cover_is_the_source_image(rich):
    item, img = cover_of(rich)
    assert rich.read(item.get("href")) == (RICH / "images" / "cover.png").read_bytes()
    assert item.get("media-type") == "image/png"
    assert "Harbours of the White Sea" in img.get("alt")


def test_sample_cover_is_generated_from_the_title(sample):
    item, img = cover_of(sample)
    with Image.open(io.BytesIO(sample.read(item.get("href")))) as picture:
        assert picture.format == "PNG" and picture.size == (1600, 2560)
        # Drawn, not blank: the title's ink covers part of the background.
        assert len(picture.convert("L").getcolors(maxcolors=65536)) > 20
    assert img.get("alt") == ("The Precarious Truce: Anglo-Soviet Relations 1924–27 — "
                              "Gabriel Gorodetsky")


def test_the_house_serif_is_embedded_with_its_four_faces(rich):
    fonts = {i.get("href"): i for i in rich.items.values() if i.get("media-type") == "font/ttf"
             and "CharisSIL" in i.get("href")}  # script fallbacks: tests/test_look.py
    faces = serif_faces()
    # Subsets (tests/test_look.py checks their glyphs), named as the house faces are.
    assert sorted(posixpath.basename(h) for h in fonts) == sorted(p.name for p in faces.values())
    css = rich.read(rich.items["style"].get("href")).decode()
    assert css.count('@font-face { font-family: "Charis SIL"') == 4
    for href in fonts:
        assert f'url("../{href}")' in css
    assert 'font-family: "Charis SIL", serif' in css


def test_rich_images_keep_media_types_and_alt_text(rich):
    types = {i.get("href"): i.get("media-type") for i in rich.items.values()}
    map_png = image_name("images/map.png", "image/png")
    timber = image_name("images/timber.jpg", "image/jpeg")
    assert types[map_png] == "image/png" and types[timber] == "image/jpeg"
    alts = {img.get("src"): img.get("alt") for href in rich.spine
            for img in rich.xml(href).iter("{http://www.w3.org/1999/xhtml}img")}
    assert alts["../" + map_png] == ("A sketch map of the White Sea with Archangel, Onega "
                                     "and Kem marked")
    assert alts["../" + timber].strip()


# --- navigation --------------------------------------------------------------------------------

def nav_tree(ol):
    return [(" ".join("".join(li.find("x:a", NS).itertext()).split()),
             nav_tree(li.find("x:ol", NS)) if li.find("x:ol", NS) is not None else [])
            for li in ol.findall("x:li", NS)]


def ncx_tree(parent):
    return [(p.findtext("ncx:navLabel/ncx:text", namespaces=NS), ncx_tree(p))
            for p in parent.findall("ncx:navPoint", NS)]


def test_rich_toc_keeps_the_source_hierarchy_in_nav_and_ncx(rich):
    toc = nav_tree(rich.nav.find(".//x:nav[@epub:type='toc']/x:ol", NS))
    chapter = dict(toc)["1 The Ports and Their Seasons"]
    assert chapter == [("The open season", [("Tonnage by port", [("A note on measures", [])])]),
                       ("The closed season", [])]
    assert dict(toc)["Notes on Sources"] == [("Abbreviations used", [])]
    assert ncx_tree(rich.ncx.find("ncx:navMap", NS)) == toc
    head = {m.get("name"): m.get("content") for m in rich.ncx.iterfind("ncx:head/ncx:meta", NS)}
    assert head["dtb:uid"] == "urn:isbn:9781861978769" and head["dtb:depth"] == "4"


def test_landmarks_and_every_spine_document_reachable(sample, rich):
    for epub in (sample, rich):
        marks = [(a.get(EPUB_TYPE), a.get("href")) for a in epub.nav_links("landmarks")]
        assert [t for t, _ in marks] == ["cover", "toc", "bodymatter", "bibliography", "index"]
        assert marks[0][1] == epub.spine[0]
        for kind, href in marks[1:]:
            section = epub.xml(href).find(".//x:section", NS)
            assert section.get(EPUB_TYPE) == ("chapter" if kind == "bodymatter" else kind) or (
                kind == "bodymatter" and section.get(EPUB_TYPE) == "introduction")
        reachable = {a.get("href").split("#")[0] for kind in ("toc", "landmarks")
                     for a in epub.nav_links(kind)}
        assert set(epub.spine) <= reachable


def test_sample_page_list_marks_page_257_at_conclusions(sample):
    pages = sample.nav_links("page-list")
    assert [(a.text, a.get("href")) for a in pages] == [("257",
                                                         "text/conclusions.xhtml#page-257")]
    marker = sample.target(pages[0].get("href"))
    assert marker.get(EPUB_TYPE) == "pagebreak" and marker.get("role") == "doc-pagebreak"
    assert marker.get("aria-label") == "257"
    section = marker.getparent()
    assert section.get(EPUB_TYPE) == "conclusion" and section.index(marker) == 0
    assert [t.text for t in sample.ncx.iterfind(".//ncx:pageTarget/ncx:navLabel/ncx:text",
                                                NS)] == ["257"]


def test_rich_page_list_follows_each_entry_with_pages(rich):
    pages = rich.nav_links("page-list")
    assert [a.text for a in pages] == ["vii", "1", "15", "29", "33", "37"]
    for a in pages:
        marker = rich.target(a.get("href"))
        assert (marker.get(EPUB_TYPE), marker.get("role"), marker.get("aria-label")) == (
            "pagebreak", "doc-pagebreak", a.text)
    targets = rich.ncx.findall(".//ncx:pageTarget", NS)
    assert [(t.get("type"), t.findtext("ncx:navLabel/ncx:text", namespaces=NS))
            for t in targets] == [("front", "vii")] + [("normal", n) for n in
                                                       ("1", "15", "29", "33", "37")]


# --- content documents -------------------------------------------------------------------------

def test_every_document_has_language_title_and_semantics(sample, rich):
    roles = {"chapter": "doc-chapter", "preface": "doc-preface", "toc": "doc-toc",
             "appendix": "doc-appendix", "bibliography": "doc-bibliography",
             "index": "doc-index", "conclusion": "doc-conclusion",
             "introduction": "doc-introduction", "glossary": "doc-glossary"}
    seen = set()
    for epub in (sample, rich):
        for href in [*epub.spine, epub.nav_href]:
            doc = epub.xml(href)
            assert doc.get("lang") == doc.get(XML_LANG) == "en-GB", href
            assert doc.findtext("x:head/x:title", namespaces=NS).strip(), href
            levels = [int(h.tag[-1]) for h in doc.iter() if isinstance(h.tag, str)
                      and etree.QName(h).localname in ("h1", "h2", "h3", "h4", "h5", "h6")]
            steps = zip([0, *levels], levels, strict=False)
            assert all(b <= a + 1 for a, b in steps), (href, levels)  # no skipped level
            section = doc.find("x:body/x:section", NS)
            if section is None or href == epub.spine[0]:
                continue
            kind = section.get(EPUB_TYPE)
            seen.add(kind)
            assert kind, href
            if kind in roles:
                assert section.get("role") == roles[kind], href
            matter = doc.find("x:body", NS).get(EPUB_TYPE)
            assert matter in ("frontmatter", "bodymatter", "backmatter"), href
    assert {"titlepage", "toc", "preface", "chapter", "appendix", "bibliography", "index",
            "conclusion", "introduction"} <= seen


def test_rich_footnotes_are_noteref_and_footnote_asides_with_backlinks(rich):
    notes = 0
    for href in rich.spine:
        doc = rich.xml(href)
        assert not doc.xpath("//x:section[contains(@class,'footnotes')]/x:ol", namespaces=NS)
        for ref in doc.xpath("//x:a[contains(@class,'footnote-ref')]", namespaces=NS):
            assert ref.get(EPUB_TYPE) == "noteref" and ref.get("role") == "doc-noteref"
            [aside] = doc.xpath("//*[@id=$id]", id=ref.get("href")[1:])
            assert etree.QName(aside).localname == "aside"
            assert aside.get(EPUB_TYPE) == "footnote" and aside.get("role") == "doc-footnote"
            [back] = aside.xpath(".//x:a[@role='doc-backlink']", namespaces=NS)
            assert back.get("href") == "#" + ref.get("id")
            assert "".join(aside.itertext()).strip()
            notes += 1
    assert notes >= 3
