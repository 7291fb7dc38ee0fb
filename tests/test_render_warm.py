"""After an edit, render() walks only the files the edit reaches (render/incremental.py,
survey.py, warm.py): the others take their finished HTML from the build cache, and the book
is the one a cold render makes, warnings included."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from converters import load_book
from converters.build.workers import collect_warnings
from converters.core.cache import Cache
from converters.render import files, markdown, warm
from converters.render.book import render
from tests.test_render_batch import ONE, THREE, TWICE, _Counter, _dump, _edit, _source

ROOT = Path(__file__).resolve().parent.parent


class _Walks:
    """Which files are decoded (or read) into an AST, and which are walked and rewritten."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.decoded: list[str] = []
        self.walked: list[str] = []
        read_all, prepare = self.read_all, self.prepare = files.read_all, markdown.prepare

        def counted_read_all(jobs, wanted, *args):
            self.decoded += [jobs[i][2].name for i in wanted]
            return read_all(jobs, wanted, *args)

        def counted_prepare(p, *args):
            self.walked.append(p.path.name)
            return prepare(p, *args)

        monkeypatch.setattr(files, "read_all", counted_read_all)
        monkeypatch.setattr(markdown, "prepare", counted_prepare)

    def clear(self) -> None:
        self.decoded.clear()
        self.walked.clear()


@pytest.fixture
def cached(monkeypatch, tmp_path):
    monkeypatch.setattr(files, "CACHE_FROM_CHARS", 0)  # a small book is not cached otherwise
    return Cache(tmp_path / "cache", salt="test")


def _copy(name: str, tmp_path: Path) -> Path:
    src = tmp_path / name
    shutil.copytree(ROOT / "tests" / "books" / name, src)
    return src


def _warm_equals_cold(src: Path, cache: Cache, walks: _Walks | None = None) -> tuple:
    """The warm render of ``src`` and its warnings, checked against a cold one (``walks``
    then counts the warm render's alone)."""
    book = load_book(src)
    with collect_warnings() as said:
        warm_book = render(book, cache=cache)
    if walks is not None:
        monkeypatch = pytest.MonkeyPatch()
        monkeypatch.setattr(files, "read_all", walks.read_all)
        monkeypatch.setattr(markdown, "prepare", walks.prepare)
    with collect_warnings() as cold_said:
        cold = render(book)
    if walks is not None:
        monkeypatch.undo()
    assert _dump(warm_book) == _dump(cold)
    assert said == cold_said
    return warm_book, said


def test_an_edit_walks_only_the_edited_file(tmp_path, monkeypatch, cached):
    src = _copy("apparatus", tmp_path)
    render(load_book(src), cache=cached)
    walks = _Walks(monkeypatch)
    _warm_equals_cold(src, cached, walks)  # nothing changed: nothing decoded, nothing walked
    assert (walks.decoded, walks.walked) == ([], [])
    _edit(src / "weather.md", "decides how far", "decides how very far")
    rendered, _ = _warm_equals_cold(src, cached, walks)
    assert (walks.decoded, walks.walked) == (["weather.md"], ["weather.md"])
    assert "how very far" in next(e.html for e in rendered.entries if e.id == "weather")


def test_a_renumbered_figure_rerenders_the_files_that_name_it(tmp_path, monkeypatch, cached):
    """A figure added before fig-tide-curve makes it Figure 1.2: lamps.md, which refers to it,
    must be written again; a key without the numbers of what a file names would keep its
    'Figure 1.1' (and fail the comparison with the cold render)."""
    src = _copy("apparatus", tmp_path)
    before = render(load_book(src), cache=cached)
    walks = _Walks(monkeypatch)
    _edit(src / "tides.md", "![The rise", "![A new first figure](images/tide-curve.png)"
          "{#fig-first}\n\n![The rise")
    book = load_book(src)
    rendered = render(book, cache=cached)
    assert sorted(walks.walked) == ["lamps.md", "tides.md"]
    lamps = next(e.html for e in rendered.entries if e.id == "lamps")
    assert "Figure\u00a01.2" in lamps
    assert lamps != next(e.html for e in before.entries if e.id == "lamps")
    assert _dump(rendered) == _dump(render(book))


def test_a_moved_index_mark_or_a_renamed_label_rerenders_who_reads_it(tmp_path, monkeypatch,
                                                                    cached):
    src = _copy("apparatus", tmp_path)
    render(load_book(src), cache=cached)
    walks = _Walks(monkeypatch)
    # A new mark in the first chapter moves the anchors of every later mark in the book.
    _edit(src / "tides.md", "Every [tide]", "Every [wave]{.index} and [tide]")
    _warm_equals_cold(src, cached, walks)
    assert {"lamps.md", "logbooks.md", "constants.md"} <= set(walks.walked)
    assert "part-sea.md" not in walks.walked  # its one mark comes before the new one
    walks.clear()
    # Only what the label reaches: the files whose cross-references print "Table".
    yaml = src / "book.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "numbering:", "labels:\n  table: Tab.\nnumbering:"), encoding="utf-8")
    rendered, _ = _warm_equals_cold(src, cached, walks)
    assert sorted(walks.walked) == ["constants.md", "lamps.md", "logbooks.md", "tides.md",
                                    "weather.md"]  # not part-sea.md
    assert "Tab.\u00a0" in next(e.html for e in rendered.entries if e.id == "logbooks")


def test_citations_are_resolved_together_and_the_rest_stays_warm(tmp_path, monkeypatch,
                                                                 cached):
    src = _copy("manuscript", tmp_path)
    (src / "notes.md").write_text("A file that cites nothing.\n", encoding="utf-8")
    yaml = src / "book.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "  - title: Works Cited", "  - title: Notes\n    kind: back\n    file: notes.md\n"
        "  - title: Works Cited"), encoding="utf-8")
    render(load_book(src), cache=cached)
    walks = _Walks(monkeypatch)
    _edit(src / "works.bib", "The Harbour Almanac", "The Harbour Almanack")
    rendered, _ = _warm_equals_cold(src, cached, walks)
    cited = next(e.html for e in rendered.entries if e.entry.role == "bibliography")
    assert "Harbour Almanack" in cited
    # citeproc sees every citing file together; the file that cites nothing stays warm.
    assert sorted(walks.walked) == ["book.yaml", "code.md", "log.md", "tides.md"]  # the list
    assert walks.decoded == ["tides.md", "log.md", "code.md"]
    # An edit elsewhere: the citing files are walked again, but what citeproc gives them is
    # unchanged, so their HTML comes from the cache (kept under their final AST).
    counter = _Counter(monkeypatch)
    _edit(src / "notes.md", "cites nothing", "cites nothing at all")
    _warm_equals_cold(src, cached, walks)
    assert (counter.read[:1], counter.written[:1]) == ([1], [1])  # the warm render's: notes.md


def test_warnings_are_said_again_from_the_warm_entries(tmp_path, monkeypatch, cached):
    texts = {"one.md": ONE, "two.md": TWICE, "three.md": "Plain words.\n",
             "summary.md": THREE}
    src = _source(tmp_path / "src", texts)
    with collect_warnings() as cold_said:
        render(load_book(src), cache=cached)
    assert cold_said == [f"pandoc: {src / 'two.md'}:7:1: Duplicate note reference '1'"]
    walks = _Walks(monkeypatch)
    _edit(src / "three.md", "Plain", "Plainer")
    _, said = _warm_equals_cold(src, cached, walks)
    assert said == cold_said
    assert walks.walked == ["three.md"]


def test_a_damaged_warm_entry_is_a_miss(tmp_path, monkeypatch, cached):
    src = _copy("apparatus", tmp_path)
    render(load_book(src), cache=cached)
    for path in (cached.folder / warm.KIND).rglob("*"):
        if path.is_file():
            path.write_bytes(b"not zlib")
    walks = _Walks(monkeypatch)
    _warm_equals_cold(src, cached, walks)
    assert len(walks.walked) == len(list(src.glob("*.md")))


def test_a_moved_heading_rerenders_the_file_that_links_to_it(tmp_path, monkeypatch, cached):
    """three.md, unchanged, links to '#alpha': when that heading moves to another file its
    link must follow (a key without where each link goes would keep the old target)."""
    texts = {"one.md": "# Alpha\n\nWords.\n", "two.md": "# Beta\n\nWords.\n",
             "three.md": "See [the first](#alpha).\n", "summary.md": THREE}
    src = _source(tmp_path / "src", texts)
    render(load_book(src), cache=cached)
    walks = _Walks(monkeypatch)
    _edit(src / "one.md", "# Alpha", "# Gamma")
    _edit(src / "two.md", "# Beta", "# Alpha\n\nMore.\n\n# Beta")
    rendered, _ = _warm_equals_cold(src, cached, walks)
    assert sorted(walks.walked) == ["one.md", "three.md", "two.md"]
    assert 'href="#chapter-2--alpha"' in rendered.entries[2].html


def test_an_image_changed_in_kind_rerenders_the_file_that_shows_it(tmp_path, monkeypatch,
                                                                 cached):
    """A PNG replaced by a JPEG under the same name gets another name in the editions (its
    suffix follows its bytes): the file showing it must be written again."""
    src = _copy("apparatus", tmp_path)
    render(load_book(src), cache=cached)
    walks = _Walks(monkeypatch)
    shutil.copyfile(ROOT / "tests" / "books" / "rich" / "images" / "timber.jpg",
                    src / "images" / "lens.png")
    rendered, _ = _warm_equals_cold(src, cached, walks)
    assert walks.walked == ["lamps.md"]
    assert ".jpg" in next(e.html for e in rendered.entries if e.id == "lamps")


def test_a_warm_render_writes_no_survey_again(tmp_path, cached) -> None:
    """A file read again only because it cites (citeproc sees every citation) keeps the survey
    it had: nothing is written, so the cache's ledger does not grow on a render that changed
    nothing."""
    source = tmp_path / "book"
    shutil.copytree(Path(__file__).parent / "books" / "manuscript", source)
    book = load_book(source)
    with collect_warnings():
        render(book, cache=cached)
    assert any((cached.folder / files.SURVEY_KIND).rglob("*"))
    puts = []
    original = cached.put
    cached.put = lambda kind, key, data: (puts.append(kind), original(kind, key, data))
    with collect_warnings():
        render(load_book(source), cache=cached)
    assert puts.count(files.SURVEY_KIND) == 0, puts
