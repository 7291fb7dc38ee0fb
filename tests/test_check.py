"""`editions check`: clean on good builds, located findings on deliberately damaged files."""

from __future__ import annotations

import re
import shutil
import zipfile

import docx
import pikepdf
import pytest

from converters.check.structural import Expected, check_edition
from converters.cli.main import main
from tests.conftest import SAMPLE, SAMPLE_LABELS

FINDING = re.compile(r"^(?P<file>.+?): (?P<severity>error|warning)\[(?P<code>[A-Z0-9-]+)\]: "
                     r"(?P<message>.+)$")
needs_java = pytest.mark.skipif(shutil.which("java") is None,
                                reason="EPUBCheck needs Java (make test installs "
                                "default-jre-headless)")


def findings(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if line.strip()]
    parsed = [FINDING.match(line) for line in lines]
    assert all(parsed), f"not in the house format: {lines}"
    return [m.groupdict() for m in parsed if m]


@needs_java
def test_check_passes_on_the_sample_editions(sample_dist, capsys, monkeypatch, epubcheck_once):
    # The same EPUBCheck run test_epub.py asserts on; check re-reports it in its own format.
    monkeypatch.setattr("converters.check.epubcheck.run_epubcheck", epubcheck_once)
    dist = sample_dist["epub"].parent
    assert main(["check", str(dist), "--source", str(SAMPLE)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "checked 3 editions: 0 errors, 0 warnings" in captured.err


@pytest.fixture
def damaged(sample_dist, tmp_path):
    """Copies of the sample editions, each broken the way a bad writer change would."""
    out = tmp_path / "damaged"
    out.mkdir()
    epub = out / sample_dist["epub"].name
    with zipfile.ZipFile(sample_dist["epub"]) as zin, zipfile.ZipFile(epub, "w") as zout:
        for info in zin.infolist():
            if not info.filename.endswith("nav.xhtml"):
                zout.writestr(info, zin.read(info))
    pdf_path = out / sample_dist["pdf"].name
    with pikepdf.open(sample_dist["pdf"]) as pdf:
        del pdf.Root.Outlines
        del pdf.Root.MarkInfo
        pdf.save(pdf_path)
    document = docx.Document(str(sample_dist["docx"]))
    for para in document.paragraphs:
        if para.style.name.startswith("Heading"):
            para.style = document.styles["Normal"]
    document.core_properties.title = ""
    document.save(str(out / sample_dist["docx"].name))
    return out


def test_damaged_pdf_and_docx_are_reported(damaged):
    expected = Expected.from_source(SAMPLE)
    pdf = check_edition(next(damaged.glob("*.pdf")), expected)
    codes = {f.code for f in pdf.findings}
    assert {"PDF-OUTLINE", "PDF-TAGGED"} <= codes and pdf.errors >= 2
    assert all(f.file.endswith("the-precarious-truce.pdf") for f in pdf.findings)
    document = check_edition(next(damaged.glob("*.docx")), expected)
    by_code = {}
    for f in document.findings:
        by_code.setdefault(f.code, []).append(f)
    assert {"DOCX-HEADINGS", "DOCX-HEADING-MISMATCH", "DOCX-PROPS"} <= set(by_code)
    assert len(by_code["DOCX-HEADING-MISMATCH"]) == len(SAMPLE_LABELS)
    first = by_code["DOCX-HEADING-MISMATCH"][0]
    assert first.file.endswith("the-precarious-truce.docx/word/document.xml")
    assert "'Frontmatter'" in first.message and "style 'Normal'" in first.message
    assert by_code["DOCX-PROPS"][0].file.endswith("docProps/core.xml")


@needs_java
def test_check_command_reports_every_damaged_edition(damaged, capsys):
    assert main(["check", str(damaged), "--source", str(SAMPLE)]) == 1
    found = findings(capsys.readouterr().out)
    files = {f["file"].split(".epub")[0].split(".pdf")[0].split(".docx")[0] for f in found}
    assert len(files) == 1  # every finding names one of the three editions
    epub = [f for f in found if ".epub" in f["file"]]
    # EPUBCheck's own codes and locations, re-reported in the house format.
    assert epub and all(re.fullmatch(r"[A-Z]{3}-\d{3}[a-z]?", f["code"]) for f in epub)
    assert any(f["severity"] == "error" and f["code"] == "RSC-001"
               and f["file"].endswith("the-precarious-truce.epub/EPUB/nav.xhtml") for f in epub)
    assert {"PDF-OUTLINE", "PDF-TAGGED", "DOCX-HEADINGS", "DOCX-TOC"} - {
        f["code"] for f in found} == {"DOCX-TOC"}  # the TOC field survived the restyling


def test_check_needs_editions(tmp_path, capsys):
    assert main(["check", str(tmp_path)]) == 1
    assert "no EPUB, PDF or DOCX edition" in capsys.readouterr().err
    assert main(["check", str(tmp_path / "missing")]) == 1


def test_unembedded_font_is_reported_with_its_first_page(sample_dist, tmp_path):
    pdf_path = tmp_path / "fonts.pdf"
    with pikepdf.open(sample_dist["pdf"]) as pdf:
        font = next(f for page in pdf.pages for f in page.Resources.Font.values())
        name = str(font.BaseFont).lstrip("/")
        descendant = font.DescendantFonts[0] if "/DescendantFonts" in font else font
        for key in ("/FontFile", "/FontFile2", "/FontFile3"):
            if key in descendant.FontDescriptor:
                del descendant.FontDescriptor[key]
        pdf.save(pdf_path)
    result = check_edition(pdf_path, Expected(SAMPLE_LABELS))
    fonts = [f for f in result.findings if f.code == "PDF-FONT"]
    assert [f.message for f in fonts] == [f"font '{name}' is not embedded (first used on page 1)"]
