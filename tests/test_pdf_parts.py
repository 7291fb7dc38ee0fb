"""The PDF laid out in parts (pdf/parts.py) against the same book laid out as one document:
the same text on every page, the same outline, the same page labels and links.  The text of
the contents page holds its page numbers: in one document WeasyPrint's target-counter() writes
them; in parts, parts.py does, so the two agree only if parts.py found the right folios."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from converters.core.options import BuildOptions
from converters.pdf import inparts, parts, writer
from converters.render.book import render
from converters.source.loader import load_book
from tests.books.long import write_long_book

# The shared story collection (../shared/books/sherlock beside the checkout), used in place.
SHERLOCK = next((up / "shared" / "books" / "sherlock" for up in Path(__file__).resolve().parents
                 if (up / "shared" / "books" / "sherlock" / "book.yaml").is_file()),
                Path("/nonexistent"))


def _build(source: Path, target: Path, monkeypatch: pytest.MonkeyPatch, *, whole: bool,
           part_chars: int = parts.PART_CHARS) -> dict:
    """With one job the book is laid out whole; with two, in parts by worker processes."""
    rendered = render(load_book(source))
    monkeypatch.setattr(parts, "PART_CHARS", part_chars)
    options = BuildOptions(jobs=1 if whole else 2)
    assert (inparts.whole_reason(rendered, options) is None) is not whole
    writer.write_pdf(rendered, target, target.parent, options)
    reader = PdfReader(target)

    def outline(items: list) -> list:
        out = []
        for item in items:
            if isinstance(item, list):
                out.append(outline(item))
            else:
                out.append((item.title, reader.get_destination_page_number(item)))
        return out

    with pikepdf.open(target) as pdf:
        links = sorted(
            (n, str(a.get("/Dest", a.get("/A", {}).get("/URI", ""))))
            for n, page in enumerate(pdf.pages) for a in page.obj.get("/Annots", []))
        tagged = "/StructTreeRoot" in pdf.Root
    return {"text": [page.extract_text() for page in reader.pages],
            "labels": list(reader.page_labels), "outline": outline(reader.outline),
            "links": links, "tagged": tagged}


@pytest.mark.slow
def test_parts_match_whole_long_book(tmp_path, monkeypatch) -> None:
    """Each part is written by a worker process and the files are joined (join.py)."""
    source = write_long_book(tmp_path / "src")
    whole = _build(source, tmp_path / "whole.pdf", monkeypatch, whole=True)
    # Small parts: runs of entries share a part, and most entries are a part alone.
    split = _build(source, tmp_path / "parts.pdf", monkeypatch, whole=False, part_chars=20_000)
    assert len(parts.plan(render(load_book(source)), 20_000)) > 5
    assert len(split["text"]) == len(whole["text"]) > 30
    for number, (a, b) in enumerate(zip(whole["text"], split["text"], strict=True)):
        assert a == b, f"page {number + 1} differs"
    assert split["labels"] == whole["labels"]
    assert "i" in split["labels"] and "1" in split["labels"]
    assert split["outline"] == whole["outline"] and len(split["outline"]) > 10
    assert split["links"] == whole["links"] and split["links"]
    assert split["tagged"] and whole["tagged"]


@pytest.mark.slow
@pytest.mark.skipif(not SHERLOCK.is_dir(), reason="the shared Sherlock Holmes book is absent")
def test_parts_match_whole_sherlock(tmp_path, monkeypatch) -> None:
    whole = _build(SHERLOCK, tmp_path / "whole.pdf", monkeypatch, whole=True)
    split = _build(SHERLOCK, tmp_path / "parts.pdf", monkeypatch, whole=False)
    assert split == whole
    assert len(split["text"]) > 200


def test_roman() -> None:
    assert [parts.roman(n) for n in (1, 4, 9, 14, 40, 90, 400, 1994)] == [
        "i", "iv", "ix", "xiv", "xl", "xc", "cd", "mcmxciv"]


def test_page_numbers_from_the_whole_layout_keep_it_whole(tmp_path) -> None:
    """An index, page references or a list of figures need the whole book's page numbers:
    such a book is laid out whole even with workers to spare."""
    from tests.conftest import ROOT

    rendered = render(load_book(ROOT / "tests" / "books" / "apparatus"))
    reason = inparts.whole_reason(rendered, BuildOptions(jobs=2))
    assert reason is not None and ("index" in reason or "page references" in reason)
    assert inparts.whole_reason(rendered, BuildOptions(jobs=1)) == "one job"
