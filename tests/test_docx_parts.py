"""The DOCX edition converted in parts (docx/parts.py) and joined (docx/join.py) holds what one
pandoc run over the whole book gives, holds together as a package, and caches per part."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from converters import build
from converters.core.cache import CACHE_DIR
from converters.core.options import BuildOptions
from converters.docx import parts
from converters.docx.join import join
from converters.docx.writer import entry_html, write_docx
from converters.render.book import render
from converters.source.loader import load_book
from tests import docx_compare as compare
from tests.conftest import ROOT, book_yaml
from tests.test_sherlock import SHERLOCK

BOOKS = ROOT / "tests" / "books"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _both(source: Path, tmp: Path, monkeypatch, part_chars: int) -> tuple[Path, Path]:
    """(the whole-book DOCX, the DOCX in parts of at most ``part_chars``)."""
    monkeypatch.setattr(parts, "PART_CHARS", part_chars)
    rendered = render(load_book(source))
    for name in ("whole", "parts"):
        (tmp / name).mkdir()
    compare.whole_docx(rendered, tmp / "whole.docx", tmp / "whole")
    write_docx(rendered, tmp / "parts.docx", tmp / "parts", BuildOptions(jobs=2))
    return tmp / "whole.docx", tmp / "parts.docx"


def _assert_same(whole: Path, joined: Path) -> None:
    assert compare.problems(whole) == []
    assert compare.problems(joined) == []
    assert compare.paragraphs(joined) == compare.paragraphs(whole)
    assert compare.footnotes(joined) == compare.footnotes(whole)
    assert compare.bookmark_names(joined) == compare.bookmark_names(whole)
    assert compare.list_runs(joined) == compare.list_runs(whole)
    assert compare.media(joined) == compare.media(whole)
    assert compare.style_ids(joined) == compare.style_ids(whole)
    assert compare.targets(joined) == compare.targets(whole)


@pytest.mark.parametrize("book", ["apparatus", "manuscript", "rich"])
def test_every_entry_a_part_gives_the_whole_books_docx(book, tmp_path, monkeypatch):
    # Parts far smaller than an entry: each entry is its own part, the most joining there is.
    whole, joined = _both(BOOKS / book, tmp_path, monkeypatch, part_chars=1)
    _assert_same(whole, joined)
    if book == "rich":  # the test has teeth
        assert compare.footnotes(joined) and compare.media(joined)
        assert {kind for _, kind, _ in compare.targets(joined)} >= {"anchor", "embed"}
    if book == "apparatus":
        assert compare.list_runs(joined).count("new") > 1


@pytest.mark.slow
@pytest.mark.skipif(not (SHERLOCK / "book.yaml").is_file(), reason="no Sherlock source")
def test_sherlock_in_parts_gives_the_whole_books_docx(tmp_path, monkeypatch):
    whole, joined = _both(SHERLOCK, tmp_path, monkeypatch, part_chars=parts.PART_CHARS)
    _assert_same(whole, joined)
    assert len(compare.heading_texts(joined)) >= 12


def test_plan_groups_small_entries_and_keeps_large_ones_alone():
    sizes = [10, 20, 30, 200, 5, 5, 90, 1]
    groups = parts.plan(["x" * n for n in sizes], limit=100)
    assert groups == [(0, 1, 2), (3,), (4, 5, 6), (7,)]
    assert [n for g in groups for n in g] == list(range(len(sizes)))
    assert parts.plan([], limit=100) == []


def test_a_part_joined_to_itself_collides_nowhere(tmp_path):
    """Two copies of one part: every id, relationship and list of the second is renumbered,
    and the image both use is stored once."""
    rendered = render(load_book(BOOKS / "rich"))
    htmls = [entry_html(e) for e in rendered.entries]
    book_parts = parts.make_parts(rendered, htmls, limit=10**9)  # the whole book, one part
    (tmp_path / "w").mkdir()
    write_docx(rendered, tmp_path / "one.docx", tmp_path / "w", BuildOptions())
    from converters.docx.reference import reference_docx

    reference = tmp_path / "reference.docx"
    reference.write_bytes(reference_docx(rendered.book, rendered.fallbacks))
    [data] = parts.convert(book_parts, [f"--reference-doc={reference}"], "k", tmp_path,
                           BuildOptions())
    join([data, data], tmp_path / "twice.docx")
    twice = tmp_path / "twice.docx"
    assert compare.problems(twice) == []
    once_paras = compare.paragraphs(tmp_path / "one.docx")
    assert len(compare.footnotes(twice)) == 2 * len(compare.footnotes(tmp_path / "one.docx"))
    lists = compare.list_runs(twice)
    assert lists[: len(lists) // 2] == lists[len(lists) // 2:]  # the copy's lists start anew
    with zipfile.ZipFile(twice) as z:
        images = [n for n in z.namelist() if n.startswith("word/media/")]
    assert len(images) == len(set(compare.media(twice))) > 0
    assert len(compare.paragraphs(twice)) > len(once_paras)


def _docx_bytes(results) -> bytes:
    [docx] = [r for r in results if r.format == "docx"]
    return Path(docx.path).read_bytes()


@pytest.mark.slow
def test_edit_one_entry_converts_one_part_and_gives_the_cold_bytes(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(parts, "PART_CHARS", 1)  # every entry its own part
    source = shutil.copytree(BOOKS / "rich", tmp_path / "src")
    out = tmp_path / "out"
    first = _docx_bytes(build(source, out, formats=["docx"], jobs=2))
    cached_parts = out / CACHE_DIR / parts.KIND
    before = {p for p in cached_parts.rglob("*") if p.is_file()}
    assert len(before) == len(render(load_book(source)).entries)
    # Nothing changed, forced: every part from the cache, the same bytes.
    assert _docx_bytes(build(source, out, formats=["docx"], force=True)) == first
    chapter = source / "text" / "chapter-2.md"
    chapter.write_text(chapter.read_text(encoding="utf-8").replace(" the ", " one ", 1),
                       encoding="utf-8")
    edited = _docx_bytes(build(source, out, formats=["docx"], jobs=2))
    assert len({p for p in cached_parts.rglob("*") if p.is_file()} - before) == 1
    cold = _docx_bytes(build(source, tmp_path / "cold", formats=["docx"], jobs=2))
    assert edited == cold != first


@pytest.mark.slow
def test_libreoffice_opens_the_joined_docx(tmp_path, monkeypatch):
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    _, joined = _both(BOOKS / "rich", tmp_path, monkeypatch, part_chars=1)
    command = [SOFFICE, f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
               "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path),
               str(joined)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reader = PdfReader(tmp_path / "parts.pdf")
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    words = " ".join(text.split())
    for heading in compare.heading_texts(joined):
        if heading.strip() and heading not in ("Title page", "Contents"):
            assert " ".join(heading.split()) in words, heading


def test_a_cached_part_warns_as_when_it_was_converted(tmp_path, caplog):
    """pandoc's warnings are kept with the part and logged again, in the book's order."""
    from converters.render.pandoc import LOG

    def dangling(n: int) -> parts.Part:  # a note reference without its note: pandoc warns
        return parts.Part((n,), f'<html><body><p>Text<a href="#n{n}" class="footnote-ref" '
                                f'role="doc-noteref">{n}</a></p></body></html>')

    book = [dangling(1), parts.Part((2,), "<html><body><p>Quiet.</p></body></html>"),
            dangling(3)]
    options = BuildOptions(jobs=2, cache_dir=str(tmp_path / "cache"), cache_salt="test")
    logs = []
    for _ in range(2):  # cold, then every part from the cache
        caplog.clear()
        with caplog.at_level("WARNING", logger=LOG.name):
            parts.convert(book, [], "k", tmp_path, options)
        logs.append([r.getMessage() for r in caplog.records if r.name == LOG.name])
    assert len(logs[0]) == 2 and "n1" in logs[0][0] and "n3" in logs[0][1], logs[0]
    assert logs[1] == logs[0]


LINKS_YAML = book_yaml("Links", """\
  - {title: One, kind: chapter, number: 1, file: one.md}
  - {title: Two, kind: chapter, number: 2, file: two.md}
""")


def test_links_and_lists_in_body_and_notes_survive_the_join(write_source, tmp_path, monkeypatch):
    text = ("See [the site](https://example.org/{n}) and [the other](https://example.org/same)."
            "[^a]\n\n1. first\n2. second\n\n[^a]: A note with [a link](https://example.org/n{n})"
            " and [the same](https://example.org/same).\n")
    source = write_source({"book.yaml": LINKS_YAML, "one.md": text.format(n=1),
                           "two.md": text.format(n=2)})
    whole, joined = _both(source, tmp_path, monkeypatch, part_chars=1)
    _assert_same(whole, joined)
    with zipfile.ZipFile(joined) as z:
        notes = z.read("word/_rels/footnotes.xml.rels").decode()
        body = z.read("word/_rels/document.xml.rels").decode()
    for n in (1, 2):
        assert f"https://example.org/n{n}" in notes and f"https://example.org/{n}" in body
    assert body.count("https://example.org/same") == 1 == notes.count("https://example.org/same")
    assert compare.list_runs(joined) == ["new", "continue", "new", "continue"]
