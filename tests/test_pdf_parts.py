"""The PDF laid out in parts (pdf/parts.py) against the same book laid out as one document:
the same text on every page, the same outline, the same page labels and links.  The text of
the contents page holds its page numbers: in one document WeasyPrint's target-counter() writes
them; in parts, parts.py does, so the two agree only if parts.py found the right folios."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from converters.core.options import BuildOptions
from converters.pdf import inparts, pagemap, parallel, parts, writer
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


APPARATUS = Path(__file__).resolve().parent / "books" / "apparatus"


@pytest.mark.slow
@pytest.mark.parametrize("part_chars", [parts.PART_CHARS, 1_000])
def test_parts_match_whole_apparatus(tmp_path, monkeypatch, part_chars) -> None:
    """The contents, the lists of figures and tables, the page references and the index print
    the page numbers of other parts (anchors.py): the same text on every page as the whole
    layout, where target-counter() and apparatus.folios find them.  With small parts every
    chapter is a part of its own, so each page reference points into another part."""
    rendered = render(load_book(APPARATUS))
    monkeypatch.setattr(parallel, "RECYCLE", 2)  # fresh workers take over along the way
    planned = parts.plan(rendered, part_chars)
    assert [p.listing for p in planned].count(True) == 4  # contents, two lists, index
    assert len(planned) == (12 if part_chars < 2_000 else 6)
    whole = _build(APPARATUS, tmp_path / "whole.pdf", monkeypatch, whole=True)
    split = _build(APPARATUS, tmp_path / "parts.pdf", monkeypatch, whole=False,
                   part_chars=part_chars)
    assert len(split["text"]) == len(whole["text"]) > 10
    for number, (a, b) in enumerate(zip(whole["text"], split["text"], strict=True)):
        assert a == b, f"page {number + 1} differs"
    assert split == whole
    text = "\n".join(split["text"])
    assert not re.search(r"(page|\.) 000\b", text)  # no placeholder is left
    # The numbers are the pages' own: the list of figures' first entry and the page reference
    # to Table 4.1 name the page on which the figure and the table are printed.
    labels = split["labels"]
    pages = [" ".join(page.split()) for page in split["text"]]  # no-break spaces as spaces
    figure = next(n for n, page in enumerate(pages) if "Figure 1.1:" in page)
    listing = next(page for page in pages if page.startswith("List of Figures"))
    assert re.search(r"over one day[ .]*(\S+)", listing)[1] == labels[figure] == "3"
    table = next(n for n, page in enumerate(pages) if "Table 4.1:" in page)
    assert f"Table 4.1 on page {labels[table]}" in " ".join(pages)


def test_whole_reasons(tmp_path) -> None:
    """The apparatus book is laid out in parts with workers to spare; its own target-counter
    rule, or one job, still keeps a book whole."""
    rendered = render(load_book(APPARATUS))
    assert inparts.whole_reason(rendered, BuildOptions(jobs=2)) is None
    assert inparts.whole_reason(rendered, BuildOptions(jobs=1)) == "one job"


@pytest.mark.slow
def test_print_ready_in_parts_matches_whole(tmp_path, monkeypatch) -> None:
    """A print-ready target in parts: each part's worker reads its pages' first lines for the
    page map (pagemap.pages_of), the PDF/X step runs on the joined file; the same interior,
    page map and cover as the whole layout's."""
    source = tmp_path / "src"
    shutil.copytree(APPARATUS, source)
    text = (source / "book.yaml").read_text(encoding="utf-8")
    (source / "book.yaml").write_text(text.replace(
        "identifiers:\n", "identifiers:\n  - scheme: isbn\n    value: 9780000000002\n"
        "    edition: print\n"), encoding="utf-8")
    made = {}
    for name, jobs in (("whole", 1), ("parts", 2)):
        folder = tmp_path / name
        folder.mkdir()
        target = folder / "book.pdf"
        rendered = render(load_book(source))
        options = BuildOptions(jobs=jobs).for_target("ingramspark")
        assert (inparts.whole_reason(rendered, options) is None) is (jobs == 2)
        writer.write_pdf(rendered, target, folder, options)
        with pikepdf.open(target) as pdf:
            intents = [str(i.S) for i in pdf.Root.OutputIntents]
            with pdf.open_metadata() as meta:
                identifier = meta.get("dc:identifier")
        made[name] = {"text": [p.extract_text() for p in PdfReader(target).pages],
                      "map": json.loads(pagemap.map_path(target).read_text(encoding="utf-8")),
                      "intents": intents, "identifier": identifier,
                      "cover": sorted(p.name for p in folder.glob("*cover*.pdf"))}
    assert made["parts"] == made["whole"]
    assert made["parts"]["intents"] == ["/GTS_PDFX"] and made["parts"]["cover"]
    assert len(made["parts"]["map"]) > 10 and made["parts"]["map"][-1]["label"].isdigit()


@pytest.mark.slow
def test_editions_beside_leave_their_cores(tmp_path, monkeypatch) -> None:
    """While another edition is written beside the PDF (core/process.beside), its parts take
    one worker, not two; once that edition is done a second worker is forked; the PDF is the
    same either way."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    monkeypatch.setattr(parallel, "RECYCLE", 100)
    forks: list[int] = []
    fork = parallel._fork

    def counted(*args: object) -> tuple:
        forks.append(len(forks))
        return fork(*args)

    monkeypatch.setattr(parallel, "_fork", counted)
    results = {}
    for name, busy in (("alone", lambda: 0), ("beside", lambda: 1),
                       ("then-alone", iter([1] * 3 + [0] * 1000).__next__)):
        monkeypatch.setattr(parallel, "beside", busy)
        forks.clear()
        results[name] = _build(APPARATUS, tmp_path / f"{name}.pdf", monkeypatch, whole=False,
                               part_chars=1_000)
        results[name]["forks"] = len(forks)
        results[name]["bytes"] = (tmp_path / f"{name}.pdf").read_bytes()
    assert results["alone"]["forks"] == 2
    assert results["beside"]["forks"] == 1
    assert results["then-alone"]["forks"] == 2
    assert results["alone"] == {**results["beside"], "forks": 2} == results["then-alone"]
