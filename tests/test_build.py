"""build(): incremental skips, parallel editions with isolated failures, warnings and --strict."""

from __future__ import annotations

import io
import json
import pickle
import sys
import zipfile

import pytest
from PIL import Image

from converters import build, render
from converters.build.fingerprint import STATE_FILE, sha256_file
from converters.build.orchestrate import BuildOptions, EditionsFailed
from converters.core.cache import CACHE_DIR

DUPLICATE_REFERENCE = "See [a].\n\n[a]: https://example.org/one\n[a]: https://example.org/two\n"


def png(colour: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


def statuses(results) -> dict[str, str]:
    return {r.format: r.status for r in results}


@pytest.fixture
def pictured_source(minimal_source):
    """The minimal book with an image pulled in by its Markdown (not listed in book.yaml)."""
    return minimal_source({"one.md": "Text.\n\n![A red square](red.png)\n", "red.png": png("red")})


def test_unchanged_editions_are_skipped_without_reading_the_source(pictured_source, tmp_path,
                                                                    monkeypatch):
    out = tmp_path / "out"
    first = build(pictured_source, out, ["epub", "docx"])
    assert statuses(first) == {"epub": "built", "docx": "built"}
    state = json.loads((out / STATE_FILE).read_text(encoding="utf-8"))
    assert state["editions"]["epub"]["inputs"] == ["book.yaml", "one.md", "red.png"]
    assert state["editions"]["epub"]["sha256"] == sha256_file(out / "a-small-book.epub")

    # A no-op must not even parse the YAML or run pandoc.
    def refuse(*args, **kwargs):
        raise AssertionError("a no-op build loaded or rendered the book")

    # (the package re-exports functions named like their modules, hence sys.modules)
    monkeypatch.setattr(sys.modules["converters.source.loader"], "load_book", refuse)
    monkeypatch.setattr(sys.modules["converters.render.book"], "render", refuse)
    second = build(pictured_source, out, ["epub", "docx"])
    assert statuses(second) == {"epub": "skipped", "docx": "skipped"}
    assert [r.sha256 for r in second] == [r.sha256 for r in first]
    assert second[0].pages == first[0].pages and first[0].pages >= 1


def test_what_changes_what_rebuilds(pictured_source, tmp_path):
    out = tmp_path / "out"
    build(pictured_source, out)
    # An image that only a Markdown file names is an input too.
    (pictured_source / "red.png").write_bytes(png("blue"))
    assert statuses(build(pictured_source, out)) == dict.fromkeys(("epub", "pdf", "docx"),
                                                                  "built")
    # A PDF option rebuilds the PDF only.
    rebuilt = build(pictured_source, out, options=BuildOptions(pdf_layout="print"))
    assert statuses(rebuilt) == {"epub": "skipped", "pdf": "built", "docx": "skipped"}
    # An edition file deleted or altered in the output folder is rebuilt.
    (out / "a-small-book.epub").unlink()
    (out / "a-small-book.docx").write_bytes(b"tampered")
    again = build(pictured_source, out, options=BuildOptions(pdf_layout="print"))
    assert statuses(again) == {"epub": "built", "pdf": "skipped", "docx": "built"}
    assert zipfile.is_zipfile(out / "a-small-book.docx")
    # --force rebuilds everything.
    forced = build(pictured_source, out, options=BuildOptions(pdf_layout="print"), force=True)
    assert set(statuses(forced).values()) == {"built"}


def test_one_failing_edition_does_not_lose_the_others(minimal_source, tmp_path, monkeypatch):
    # The DOCX writer's pandoc run gets a time ceiling no run can meet: a real pandoc failure
    # in one edition only (a broken reference document is now refused by the loader).
    from functools import partial

    import converters.docx.parts as docx_parts

    monkeypatch.setattr(docx_parts, "run", partial(docx_parts.run, timeout=0.001))
    src = minimal_source()
    out = tmp_path / "out"
    out.mkdir()
    (out / "a-small-book.docx").write_bytes(b"previous docx")
    with pytest.raises(EditionsFailed) as caught:
        build(src, out, jobs=3)
    results = {r.format: r for r in caught.value.results}
    assert results["docx"].status == "failed" and "pandoc took longer" in results["docx"].error
    assert "CallStack" not in results["docx"].error and "\n" not in results["docx"].error
    assert results["epub"].status == results["pdf"].status == "built"
    assert zipfile.is_zipfile(out / "a-small-book.epub")
    assert (out / "a-small-book.pdf").read_bytes().startswith(b"%PDF-")
    assert (out / "a-small-book.docx").read_bytes() == b"previous docx"
    # Nothing else: no work folder or partial file left behind (the cache is the build's own).
    assert sorted(p.name for p in out.iterdir()) == [CACHE_DIR, STATE_FILE, "a-small-book.docx",
                                                     "a-small-book.epub", "a-small-book.pdf"]
    # The next build retries only the failed edition.
    with pytest.raises(EditionsFailed) as again:
        build(src, out, jobs=3)
    assert statuses(again.value.results) == {"epub": "skipped", "pdf": "skipped",
                                             "docx": "failed"}


def test_pandoc_warnings_are_collected_and_strict_fails(minimal_source, tmp_path):
    src = minimal_source({"one.md": DUPLICATE_REFERENCE})
    out = tmp_path / "out"
    [result] = build(src, out, ["epub"])
    assert result.status == "built"
    assert any(w.startswith("pandoc: ") and w.endswith("one.md:4:1: Duplicate link reference '[a]'")
               for w in result.warnings), result.warnings
    before = (out / "a-small-book.epub").read_bytes()
    # Skipped, its warnings are reported again; under --strict it is rebuilt so they count.
    [skipped] = build(src, out, ["epub"])
    assert skipped.status == "skipped" and skipped.warnings == result.warnings
    with pytest.raises(EditionsFailed) as caught:
        build(src, out, ["epub"], strict=True)
    [failed] = caught.value.results
    assert failed.status == "failed" and "--strict" in failed.error
    assert failed.warnings and (out / "a-small-book.epub").read_bytes() == before


def test_clean_source_passes_strict(minimal_source, tmp_path):
    results = build(minimal_source(), tmp_path / "out", strict=True)
    assert [r.warnings for r in results] == [(), (), ()]


def test_rendered_book_pickles_for_the_workers(rich_book):
    rendered = render(rich_book)
    copy = pickle.loads(pickle.dumps(rendered))
    assert [e.html for e in copy.entries] == [e.html for e in rendered.entries]
    assert copy.book == rendered.book and copy.images == rendered.images
