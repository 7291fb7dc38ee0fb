"""A real book in CI: The Adventures of Sherlock Holmes (105,000 words, twelve stories) built in
all three editions, in place, and run through every validator the suite has.

The source lives outside the repository, at ``../shared/books/sherlock`` beside the checkout
(``EDITIONS_SHARED`` names another folder holding ``books/``); without it the tests skip.
The book is built once per module (about 30 s alone; minutes on a busy machine).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from converters import build
from converters.check.structural import Expected, check_edition
from converters.core.errors import BuildError
from tests.conftest import ROOT

SHARED = Path(os.environ.get("EDITIONS_SHARED") or ROOT.parent / "shared")
SHERLOCK = SHARED / "books" / "sherlock"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
STORIES = 12

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not (SHERLOCK / "book.yaml").is_file(),
                                 reason=f"the Sherlock source is not at {SHERLOCK}")]


@pytest.fixture(scope="module")
def sherlock(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("sherlock")
    results = build(SHERLOCK, out, strict=True)  # pandoc's or WeasyPrint's warnings fail it
    assert [r.status for r in results] == ["built"] * 3
    assert not list(out.glob(".editions-*-*"))  # nothing left in the source's name either
    return {r.format: r.path for r in results}


def test_source_is_read_in_place_and_left_untouched(sherlock):
    assert not list(SHERLOCK.glob(".editions*")) and not (SHERLOCK / "dist").exists()


@pytest.mark.parametrize("fmt", ["epub", "pdf", "docx"])
def test_structural_checks_and_epubcheck(sherlock, fmt):
    if fmt == "epub" and shutil.which("java") is None:
        pytest.skip("EPUBCheck needs Java (make test installs default-jre-headless)")
    # For the EPUB this is EPUBCheck itself; for the PDF qpdf, outline, tags, fonts; for the
    # DOCX headings, TOC and properties; every one against the book's own contents.
    result = check_edition(sherlock[fmt], Expected.from_source(SHERLOCK))
    assert [str(f) for f in result.findings] == []


def test_epubcheck_with_usage_notes(sherlock, epubcheck_once):
    if shutil.which("java") is None:
        pytest.skip("EPUBCheck needs Java")
    _, messages = epubcheck_once(sherlock["epub"])
    assert [str(m) for m in messages if m.code != "CSS-028"] == []


def test_ace_finds_no_violations(sherlock):
    from converters.check.ace import ace_command, chromium, run_ace

    try:
        ace_command(), chromium()
    except BuildError as exc:
        pytest.skip(f"Ace cannot run here: {exc}")
    report = run_ace(sherlock["epub"])
    assert [str(v) for v in report.violations] == [] and report.outcome == "pass"


def test_pdf_is_clean_and_navigable(sherlock):
    if shutil.which("qpdf"):
        proc = subprocess.run(["qpdf", "--check", str(sherlock["pdf"])], capture_output=True,
                              text=True)
        assert proc.returncode == 0 and "No syntax or stream encoding errors" in proc.stdout
    with pikepdf.open(sherlock["pdf"]) as pdf:
        assert pdf.Root.MarkInfo.Marked and "/StructTreeRoot" in pdf.Root
        assert str(pdf.Root.Lang) == "en-GB"
        with pdf.open_outline() as outline:
            titles = [item.title for item in outline.root]
        assert len(pdf.pages) > 200
    assert "A Scandal in Bohemia" in titles and "The Adventure of the Copper Beeches" in titles
    reader = PdfReader(sherlock["pdf"])
    assert reader.metadata.title == "The Adventures of Sherlock Holmes"


def test_libreoffice_opens_the_docx(sherlock, tmp_path):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    command = [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
               "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path),
               str(sherlock["docx"])]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
    pdf = tmp_path / f"{sherlock['docx'].stem}.pdf"
    assert proc.returncode == 0 and pdf.is_file(), proc.stdout + proc.stderr
    reader = PdfReader(pdf)
    text = "".join(page.extract_text() for page in reader.pages[:40])
    assert len(reader.pages) > 150
    assert "To Sherlock Holmes she is always" in " ".join(text.split())
