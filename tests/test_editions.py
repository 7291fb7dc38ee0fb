"""Stage 3: the three editions of the sample book, opened with real parsers and validators."""

from __future__ import annotations

import zipfile

import docx
import pikepdf
from lxml import etree
from pypdf import PdfReader

from tests.conftest import SAMPLE_LABELS

NS = {"opf": "http://www.idpf.org/2007/opf", "dc": "http://purl.org/dc/elements/1.1/",
      "x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops",
      "ncx": "http://www.daisy.org/z3986/2005/ncx/"}


def epub_part(path, name_suffix):
    with zipfile.ZipFile(path) as z:
        name = next(n for n in z.namelist() if n.endswith(name_suffix))
        return etree.fromstring(z.read(name))


# EPUBCheck on the sample and rich books runs once, in test_epub.py.


def test_epub_nav_lists_the_14_entries_in_order(sample_dist):
    nav = epub_part(sample_dist["epub"], "nav.xhtml")
    toc = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li/*[1]", namespaces=NS)
    assert [" ".join("".join(a.itertext()).split()) for a in toc] == SAMPLE_LABELS
    landmarks = nav.xpath("//x:nav[@epub:type='landmarks']//x:a/@epub:type", namespaces=NS)
    assert {"toc", "bodymatter", "bibliography", "index"} <= set(landmarks)
    ncx = epub_part(sample_dist["epub"], "toc.ncx")
    labels = ncx.xpath("//ncx:navMap/ncx:navPoint/ncx:navLabel/ncx:text/text()", namespaces=NS)
    assert labels == SAMPLE_LABELS


def test_epub_metadata(sample_dist):
    opf = epub_part(sample_dist["epub"], ".opf")
    md = opf.find("opf:metadata", NS)

    def dc(name):
        return [e.text for e in md.findall(f"dc:{name}", NS)]

    assert dc("title")[0] == "The Precarious Truce"
    assert "Anglo-Soviet Relations 1924–27" in dc("title")
    assert dc("creator") == ["Gabriel Gorodetsky"]
    assert dc("publisher") == ["Cambridge University Press"]
    assert dc("date") == ["1977"] and dc("language") == ["en-GB"]
    assert dc("identifier") == ["urn:uuid:7b0e3c1a-5d2f-5c61-9a4e-3f1c2b8d6e90"]
    assert dc("rights") and dc("description") and len(dc("subject")) == 4
    assert md.xpath("opf:meta[@property='dcterms:modified']/text()", namespaces=NS)


def test_pdf_outline_text_and_metadata(sample_dist):
    with pikepdf.open(sample_dist["pdf"]) as pdf, pdf.open_outline() as outline:
        assert [item.title for item in outline.root] == SAMPLE_LABELS
        info = pdf.docinfo
        assert str(info["/Title"]) == "The Precarious Truce: Anglo-Soviet Relations 1924–27"
        assert str(info["/Author"]) == "Gabriel Gorodetsky"
        assert "Anglo-Soviet relations" in str(info["/Keywords"])
        assert str(info["/Subject"]).startswith("A study of Anglo-Soviet relations")
        assert str(pdf.Root.Lang) == "en-GB"
        fonts = [font for page in pdf.pages
                 for font in (page.Resources.get("/Font") or {}).values()]
        assert fonts
        for font in fonts:
            descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
            descriptor = descendant.FontDescriptor
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(sample_dist["pdf"]).pages)
    assert "The Precarious Truce" in text
    for fragment in ("There are notoriously no precedents", "like the Soviets",
                     "Prior to recognition the dilemma was not yet acute."):
        assert fragment in text


def test_pdf_contents_page_links_and_numbers(sample_dist, sample_book):
    reader = PdfReader(sample_dist["pdf"])
    contents_page = next(i for i, p in enumerate(reader.pages)
                         if "Contents" in p.extract_text() and "Conclusions" in p.extract_text())
    page = reader.pages[contents_page]
    dests = {str(a.get_object()["/Dest"]) for a in page.get("/Annots", [])
             if a.get_object()["/Subtype"] == "/Link"}
    ids = [e.id for e in sample_book.entries if e.role not in ("toc", "titlepage")]
    assert dests == set(ids)  # every entry but the title page and the contents itself
    named = reader.named_destinations
    assert all(d in named for d in dests)
    assert reader.get_destination_page_number(named["conclusions"]) > contents_page
    lines = [" ".join(line.split()) for line in page.extract_text().splitlines()]
    conclusions = next(line for line in lines if line.startswith("Conclusions"))
    assert conclusions.rstrip(". ").split()[-1].isdigit()


def test_docx_headings_and_properties(sample_dist):
    document = docx.Document(sample_dist["docx"])
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == SAMPLE_LABELS
    props = document.core_properties
    assert props.title == "The Precarious Truce"
    assert props.author == "Gabriel Gorodetsky"
    assert props.subject and "Anglo-Soviet relations" in props.keywords
    assert props.comments.startswith("A study") and props.language == "en-GB"
    with zipfile.ZipFile(sample_dist["docx"]) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert ' TOC \\o "1-3"' in body
    abstract = [p.text for p in document.paragraphs if p.style.name == "Abstract"]
    assert abstract and abstract[0].startswith("The Soviet Union’s drive")
