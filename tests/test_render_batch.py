"""The shared HTML made with many files per pandoc run (render/batch.py, render/files.py) is the
HTML made one file at a time, and the build cache sends only changed files to pandoc."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from lxml import html as lhtml

from converters import load_book
from converters.build.workers import collect_warnings
from converters.core.cache import Cache
from converters.render import batch, files, markdown
from converters.render.book import RenderedBook, render
from tests.conftest import book_yaml

ROOT = Path(__file__).resolve().parent.parent
# as tests/test_sherlock.py finds it: beside the checkout, or in $EDITIONS_SHARED
SHERLOCK = Path(os.environ.get("EDITIONS_SHARED") or ROOT.parent / "shared") / "books" / "sherlock"

YAML = book_yaml("Batches", "")
ONE = """# Notes

The first file's note.[^1] A reference link [defined here][ref].

[ref]: https://example.com/one

[^1]: Note of the first file.

# Same title

Math: $x^2 + y_1$.
"""
TWO = """# Notes

The second file's note.[^1] The same reference, [not defined here][ref].

[^1]: Note of the second file.

# Same title

$$\\frac{a}{b}$$
"""
TWICE = TWO.replace("[^1]: Note of", "[^1]: Twice.\n\n[^1]: Note of")  # pandoc warns
THREE = """Summary with its own note.[^1]

[^1]: Note of the summary.
"""


def _source(root: Path, texts: dict[str, str]) -> Path:
    root.mkdir()
    entries = []
    for number, name in enumerate([n for n in texts if not n.startswith("summary")], 1):
        entries.append(f"  - title: Chapter {number}\n    kind: chapter\n    number: {number}\n"
                       f"    file: {name}\n")
    entries[0] += "    summary: summary.md\n"
    (root / "book.yaml").write_text(YAML.lstrip() + "".join(entries), encoding="utf-8")
    for name, text in texts.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def _dump(rendered: RenderedBook) -> tuple:
    return ([(e.id, e.html, e.ids, e.headings) for e in rendered.entries],
            sorted((str(k), v) for k, v in rendered.images.items()),
            sorted(rendered.crossrefs.targets.items()) if rendered.crossrefs else None,
            repr(rendered.index))


def _one_by_one(book) -> RenderedBook:
    """The way every file was rendered before batches: one pandoc run per file and step."""
    return render(book, parse=markdown.parse, to_html=markdown.to_html)


@pytest.fixture
def small_batches(monkeypatch):
    # Two files a batch, so that files meet other files in a run and batches run in parallel.
    monkeypatch.setattr(files, "BATCH_FILES", 2)


def test_batched_is_file_by_file(tmp_path, small_batches):
    book = load_book(_source(tmp_path / "src", {"one.md": ONE, "two.md": TWO,
                                                "summary.md": THREE}))
    batched = render(book, jobs=2)
    assert _dump(batched) == _dump(_one_by_one(book))
    one, two = (lhtml.fragment_fromstring(e.html) for e in batched.entries)
    # Footnote labels stay in their file: each note says its own file's text.
    assert [li.text_content().strip() for li in one.xpath("//section[@id='chapter-1---body-"
                                                         "footnotes']//li")] == \
        ["Note of the first file.↩︎"]
    assert "Note of the second file." in two.xpath("string(//*[@id='chapter-2---body-fn1'])")
    assert "Note of the summary." in one.xpath("string(//*[@id='chapter-1---summary-fn1'])")
    # A reference link resolves only in the file that defines it.
    assert one.xpath("//a[@href='https://example.com/one']/text()") == ["defined here"]
    assert not two.xpath("//a[@href='https://example.com/one']")
    assert "[not defined here][ref]" in two.text_content()
    # Automatic heading ids restart in each file; the entry's id makes them unique.
    assert [h.id for h in batched.entries[0].headings] == ["chapter-1--notes",
                                                           "chapter-1--same-title"]
    assert [h.id for h in batched.entries[1].headings] == ["chapter-2--notes",
                                                           "chapter-2--same-title"]
    assert one.xpath("//math[@display='inline']/@alttext") == ["x^2 + y_1"]
    assert two.xpath("//math[@display='block']/@alttext") == ["\\frac{a}{b}"]


@pytest.mark.parametrize("name", ["manuscript", "apparatus", "rich"])
def test_batched_is_file_by_file_with_the_apparatus(name, small_batches):
    # citations (manuscript), cross-references and the index (apparatus), images (rich)
    book = load_book(ROOT / "tests" / "books" / name)
    batched = render(book, jobs=2)
    assert _dump(batched) == _dump(_one_by_one(book))
    if name == "manuscript":
        assert any("csl-entry" in e.html for e in batched.entries)


def test_a_warning_names_its_own_file(tmp_path, small_batches):
    texts = {"one.md": ONE, "two.md": TWICE, "three.md": "Plain.\n", "summary.md": THREE}
    book = load_book(_source(tmp_path / "src", texts))
    with collect_warnings() as warnings:
        batched = render(book, jobs=2)
    assert warnings == [f"pandoc: {book.source_dir / 'two.md'}:7:1: "
                        "Duplicate note reference '1'"]
    with collect_warnings() as alone:
        assert _dump(_one_by_one(book)) == _dump(batched)
    assert alone == warnings


class _Counter:
    """How many files reach pandoc, per direction (batched or one by one)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.read: list[int] = []
        self.written: list[int] = []
        read, write, run = batch.read, batch.write, files.run

        def counted_read(texts, reader):
            self.read.append(len(texts))
            return read(texts, reader)

        def counted_write(documents, writer, extra):
            self.written.append(len(documents))
            return write(documents, writer, extra)

        def counted_run(text, to, fmt, extra=None, **kwargs):
            (self.read if to == "json" else self.written).append(1)
            return run(text, to, fmt, extra, **kwargs)

        monkeypatch.setattr(batch, "read", counted_read)
        monkeypatch.setattr(batch, "write", counted_write)
        monkeypatch.setattr(files, "run", counted_run)


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_cache_sends_only_the_changed_file_to_pandoc(tmp_path, monkeypatch):
    monkeypatch.setattr(files, "CACHE_FROM_CHARS", 0)  # a small book is not cached
    texts = {"one.md": ONE, "two.md": TWICE,
             "three.md": "A [link to the notes](#chapter-1--notes).\n", "summary.md": THREE}
    src = _source(tmp_path / "src", texts)
    cache = Cache(tmp_path / "cache", salt="test")
    counter = _Counter(monkeypatch)
    with collect_warnings() as cold_warnings:
        cold = render(load_book(src), cache=cache)
    assert sum(counter.read) >= 4 and sum(counter.written) >= 4
    assert cold_warnings  # the repeated note label in two.md

    counter.read.clear()
    counter.written.clear()
    _edit(src / "three.md", "notes", "first notes")
    edited = load_book(src)
    with collect_warnings() as warm_warnings:
        warm = render(edited, cache=cache)
    assert (counter.read, counter.written) == ([1], [1])
    assert warm_warnings == cold_warnings  # said again from the cache
    assert _dump(warm) == _dump(render(edited))
    assert "first notes" in warm.entries[2].html and "first notes" not in cold.entries[2].html

    # A change that reaches other files' HTML through the book-wide steps: the heading a
    # link resolves to is renamed, so the linking file's final AST changes too.
    counter.read.clear()
    counter.written.clear()
    _edit(src / "one.md", "# Notes", "# Notes {#notes-one}")
    _edit(src / "three.md", "#chapter-1--notes", "#notes-one")
    edited = load_book(src)
    warm = render(edited, cache=cache)
    assert (sum(counter.read), sum(counter.written)) == (2, 2)
    assert _dump(warm) == _dump(render(edited))


def test_a_small_book_is_not_cached(tmp_path):
    src = _source(tmp_path / "src", {"one.md": ONE, "two.md": TWO, "summary.md": THREE})
    render(load_book(src), cache=Cache(tmp_path / "cache", salt="test"))
    assert not (tmp_path / "cache").exists()


@pytest.mark.slow
@pytest.mark.skipif(not SHERLOCK.is_dir(), reason="the Sherlock Holmes book is not here")
def test_one_word_in_sherlock_reaches_pandoc_alone(tmp_path, monkeypatch):
    src = tmp_path / "sherlock"
    shutil.copytree(SHERLOCK, src)
    cache = Cache(tmp_path / "cache", salt="test")
    render(load_book(src), cache=cache)
    counter = _Counter(monkeypatch)
    story = sorted(src.glob("*.md"))[3]
    _edit(story, " the ", " the very ")
    edited = load_book(src)
    warm = render(edited, cache=cache)
    assert (counter.read, counter.written) == ([1], [1])
    assert _dump(warm) == _dump(render(edited))
