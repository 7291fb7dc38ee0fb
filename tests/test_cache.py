"""The build cache (core/cache.py: the PDF's parts, the EPUB's font subsets) makes builds
faster, never different."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pikepdf
import pytest

from converters import build
from converters.core.cache import CACHE_DIR, Cache
from tests.books.long import write_long_book


def _bytes(results: list) -> dict[str, bytes]:
    return {r.format: Path(r.path).read_bytes() for r in results}


@pytest.mark.slow
def test_edit_one_chapter_cached_equals_cold(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    source = write_long_book(tmp_path / "src")
    build(source, tmp_path / "out")
    assert any((tmp_path / "out" / CACHE_DIR).rglob("*"))
    chapter = next(p for p in sorted(source.glob("*.md")) if "preface" not in p.name)
    text = chapter.read_text(encoding="utf-8")
    chapter.write_text(text.replace(" the ", " one ", 1), encoding="utf-8")

    pdfs = tmp_path / "out" / CACHE_DIR / "part-pdf"
    before = {p for p in pdfs.rglob("*") if p.is_file()}
    fonts = tmp_path / "out" / CACHE_DIR / "epub-font"
    subsets = {p for p in fonts.rglob("*") if p.is_file()}
    assert len(subsets) >= 4  # the four Charis faces, and any fallback the text needs
    cached = _bytes(build(source, tmp_path / "out", jobs=2))
    # Only the edited chapter's part of the PDF was laid out and written again.
    assert len({p for p in pdfs.rglob("*") if p.is_file()} - before) == 1
    # The edit brought no new character: the EPUB's font subsets came from the cache.
    assert {p for p in fonts.rglob("*") if p.is_file()} == subsets
    cold = _bytes(build(source, tmp_path / "cold", jobs=2))
    assert cached.keys() == cold.keys() == {"epub", "pdf", "docx"}
    for fmt in cold:
        assert cached[fmt] == cold[fmt], f"the cached {fmt} differs from the cold one"


def test_cache_is_bounded_and_forgets_the_oldest(tmp_path) -> None:
    cache = Cache(tmp_path / "c", salt="s", limit=3000)
    for n in range(5):
        cache.put("html", n, bytes(1000))
        os.utime(cache._path("html", n), ns=(n * 10**9, n * 10**9))
    cache.trim()
    assert [cache.get("html", n) is not None for n in range(5)] == [False, False, True, True,
                                                                     True]
    assert Cache(tmp_path / "c", salt="other").get("html", 4) is None  # another toolchain


def test_damaged_entry_is_a_miss(tmp_path) -> None:
    cache = Cache(tmp_path / "c")
    cache.put("headings", "k", b"{not json")
    assert cache.get_json("headings", "k") is None


@pytest.mark.slow
def test_page_numbers_from_other_parts_cached_equals_cold(tmp_path, monkeypatch) -> None:
    """A chapter made longer moves the pages after it: the contents, the lists, the page
    references and the index (laid out in parts, pdf/anchors.py) print the new numbers from
    the cache as from a cold build, since their keys hold the numbers they print."""
    from pypdf import PdfReader

    from tests.conftest import ROOT

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    source = tmp_path / "src"
    shutil.copytree(ROOT / "tests" / "books" / "apparatus", source)
    first = build(source, tmp_path / "out", ["pdf"], jobs=2)[0].path
    assert any((tmp_path / "out" / CACHE_DIR / "part-facts").rglob("*"))  # laid out in parts
    lists = PdfReader(first).pages[6].extract_text()
    assert "List of Figures" in lists
    tides = source / "tides.md"
    text = tides.read_text(encoding="utf-8")
    more = "\n\nThe keeper writes the height of every tide in the book. " * 40
    tides.write_text(text.replace("\n", more + "\n", 1), encoding="utf-8")
    cached = Path(build(source, tmp_path / "out", ["pdf"], jobs=2)[0].path).read_bytes()
    cold = Path(build(source, tmp_path / "cold", ["pdf"], jobs=2)[0].path).read_bytes()
    assert cached == cold
    assert PdfReader(tmp_path / "cold" / Path(first).name).pages[6].extract_text() != lists


@pytest.mark.slow
def test_new_date_lays_out_nothing(tmp_path, monkeypatch) -> None:
    """The build's date is in no layout: the finishing writes it into the metadata
    (post.complete_metadata).  On a new day every part's facts and PDF and every piece of the
    joined file but the first part's come from the cache, and the PDF is the one a cold build
    makes that day."""
    source = write_long_book(tmp_path / "src")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(source, tmp_path / "out", ["pdf"], jobs=2)
    cache = tmp_path / "out" / CACHE_DIR
    before = {kind: {p for p in (cache / kind).rglob("*") if p.is_file()}
              for kind in ("part-facts", "part-pdf", "pdf-piece")}
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    cached = Path(build(source, tmp_path / "out", ["pdf"], jobs=2)[0].path).read_bytes()
    after = {kind: {p for p in (cache / kind).rglob("*") if p.is_file()}
             for kind in ("part-facts", "part-pdf", "pdf-piece")}
    assert after["part-facts"] == before["part-facts"]
    assert after["part-pdf"] == before["part-pdf"]
    assert after["pdf-piece"] == before["pdf-piece"]
    cold_pdf = Path(build(source, tmp_path / "cold", ["pdf"], jobs=2)[0].path)
    assert cached == cold_pdf.read_bytes()
    # Forced, with every part in the cache: nothing to lay out (once "stalled").
    forced = build(source, tmp_path / "out", ["pdf"], jobs=2, force=True)[0]
    assert forced.status == "built" and Path(forced.path).read_bytes() == cached
    with pikepdf.open(cold_pdf) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20270115080000")
        with pdf.open_metadata() as meta:
            assert meta["xmp:ModifyDate"].startswith("2027-01-15T08:00:00")


def test_drawn_cover_cached_under_its_words(tmp_path) -> None:
    from dataclasses import replace

    from converters.epub.cover import typographic_cover
    from converters.epub.writer import _drawn_cover
    from converters.source.loader import load_book

    book = load_book(write_long_book(tmp_path / "src"))
    cache = Cache(tmp_path / "c", salt="s")
    first = _drawn_cover(book, cache)
    assert first == typographic_cover(book) and cache.misses == 1
    assert _drawn_cover(book, cache) == first and cache.hits == 1
    retitled = replace(book, title="Another Title Altogether")
    assert _drawn_cover(retitled, cache) == typographic_cover(retitled) != first
    assert cache.misses == 2
