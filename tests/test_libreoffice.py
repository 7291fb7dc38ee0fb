"""A real client opens the DOCX: LibreOffice converts both test books to PDF once per session."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
BOOKS = ("sample", "rich")

# The title page and the contents itself are not in the contents list (issue 15).
UNLISTED = ("Frontmatter", "Title page", "Contents")


@pytest.fixture(scope="module")
def lo_pdfs(request, tmp_path_factory) -> dict[str, tuple[Path, Path]]:
    """{book: (docx, pdf LibreOffice made of it)}."""
    if SOFFICE is None:  # checked before the books are built, so a skip costs nothing
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install "
                    "libreoffice-writer-nogui (.ci/sysdeps does so when run as root)")
    out = tmp_path_factory.mktemp("libreoffice")
    docs = {book: request.getfixturevalue(f"{book}_dist")["docx"] for book in BOOKS}
    # A private profile: parallel runs (and a desktop session) must not share one.
    command = [SOFFICE, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
               "--norestore", "--convert-to", "pdf", "--outdir", str(out),
               *map(str, docs.values())]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        pytest.fail("LibreOffice did not convert the DOCX editions within 300 s")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    pdfs = {}
    for name, path in docs.items():
        pdf = out / f"{path.stem}.pdf"
        assert pdf.is_file(), f"no PDF for {path.name}: {proc.stdout}{proc.stderr}"
        pdfs[name] = (path, pdf)
    return pdfs


def outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth from 1, title, page index) of every PDF bookmark, in order."""
    out: list[tuple[int, str, int]] = []

    def walk(items, depth):
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                out.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 1)
    return out


def docx_headings(path: Path) -> list[tuple[int, str]]:
    found = []
    for para in docx.Document(path).paragraphs:
        match = re.fullmatch(r"Heading ([1-9])", para.style.name)
        if match:
            found.append((int(match.group(1)), para.text))
    return found


def lines(reader: PdfReader, page: int) -> list[str]:
    text = reader.pages[page].extract_text() or ""
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize("book", BOOKS)
def test_pdf_bookmarks_list_the_headings(lo_pdfs, book):
    path, pdf = lo_pdfs[book]
    marks = outline(PdfReader(pdf))
    headings = docx_headings(path)
    assert [title for _, title, _ in marks] == [title for _, title in headings]
    # An outline cannot skip a level (a Heading 3 straight after a Heading 1 nests at 2).
    assert all(depth <= level for (depth, _, _), (level, _) in zip(marks, headings, strict=True))
    assert any(depth == 3 for depth, _, _ in marks) or book == "sample"  # it has no ###


@pytest.mark.parametrize("book", BOOKS)
def test_pdf_shows_the_full_contents_list(lo_pdfs, book):
    path, pdf = lo_pdfs[book]
    reader = PdfReader(pdf)
    marks = outline(reader)
    contents = next(i for i, (_, title, _) in enumerate(marks) if title == "Contents")
    first, last = marks[contents][2], marks[contents + 1][2]
    shown = [line for page in range(first, max(first + 1, last)) for line in lines(reader, page)]
    entries = [title for level, title in docx_headings(path)
               if level <= 3 and title not in UNLISTED]
    # The first line is the running head; then the heading, then every entry in order, each on
    # its own line: LibreOffice laid out the field's cached result as it is.
    position = shown.index("Contents")
    assert position <= 1
    for title in entries:
        assert title in shown[position + 1:], f"{title!r} missing from the contents page"
        position = shown.index(title, position + 1)


@pytest.mark.parametrize("book", BOOKS)
def test_pdf_page_numbers_roman_then_arabic(lo_pdfs, book):
    _, pdf = lo_pdfs[book]
    reader = PdfReader(pdf)
    marks = outline(reader)
    first_body = next(page for _, title, page in marks
                      if title in ("Introduction: Striving for acceptance",
                                   "1 The Ports and Their Seasons"))
    assert lines(reader, first_body)[-1] == "1"
    folios = [lines(reader, page)[-1] for page in range(1, first_body)]
    assert folios and all(re.fullmatch(r"[ivxl]+", folio) for folio in folios), folios
    assert folios[0] == "ii"  # the title page is i, and shows no folio
    assert "i" not in lines(reader, 0)


@pytest.mark.parametrize("book", BOOKS)
def test_pdf_contents_entries_link_to_their_headings(lo_pdfs, book):
    path, pdf = lo_pdfs[book]
    reader = PdfReader(pdf)
    marks = outline(reader)
    contents = next(i for i, (_, title, _) in enumerate(marks) if title == "Contents")
    first, last = marks[contents][2], marks[contents + 1][2]
    targets = []
    for page in range(first, max(first + 1, last)):
        for annot in reader.pages[page].get("/Annots", []):
            annot = annot.get_object()
            dest = annot.get("/Dest")
            if annot.get("/Subtype") == "/Link" and isinstance(dest, list):
                top = -float(annot["/Rect"][3])  # annotations are not in reading order
                targets.append((page, top, reader.get_page_number(dest[0].get_object())))
    headings = docx_headings(path)
    expected = [page for (_, _, page), (level, title) in zip(marks, headings, strict=True)
                if level <= 3 and title not in UNLISTED]
    assert [target for _, _, target in sorted(targets)] == expected
