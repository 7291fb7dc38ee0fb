"""A part's later layout passes re-make only the pages their fixes change (pdf/relayout.py):
the pages come out as fresh layouts of the same fixes would lay them out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from weasyprint.formatting_structure.boxes import FootnoteAreaBox, MarginBox, TextBox

from converters.core.options import BuildOptions
from converters.pdf import parallel, parts, relayout, writer
from converters.render.book import render
from converters.source.loader import load_book
from tests.books.long import write_long_book
from tests.test_pdf_parts import SHERLOCK


class _Captured(Exception):
    pass


def _parts(source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """The worker's layout of one part (parallel.make_lay's ``lay``) and the book's jobs, run
    here in this process."""
    rendered = render(load_book(source))
    seen: dict[str, object] = {}

    def capture(rendered: object, lay: object, *args: object) -> None:
        seen["lay"] = lay
        raise _Captured

    monkeypatch.setattr(parallel, "lay_out_in_parts", capture)
    with pytest.raises(_Captured):
        writer.write_pdf(rendered, tmp_path / "x.pdf", tmp_path, BuildOptions(jobs=2))
    planned = parts.plan(rendered)
    entries = rendered.entries
    jobs = []
    for k, p in enumerate(planned):
        html = "".join(entries[n].html for n in p.numbers)
        job = parallel.Job(p, {i for n in p.numbers for i in entries[n].ids}, html,
                           k == len(planned) - 1)
        jobs.append(job)
    return seen["lay"], jobs


def _pages(document: object) -> list[dict]:
    """Per page: its text (body and footnotes), its anchors, the footnotes set at its foot."""
    out = []
    for page in document.pages:  # type: ignore[attr-defined]
        body, notes = [], []
        for child in page._page_box.children:
            if isinstance(child, MarginBox):
                continue
            into = notes if isinstance(child, FootnoteAreaBox) else body
            into += [b.text for b in child.descendants() if isinstance(b, TextBox)]
        out.append({"body": re.sub(r"\s+", " ", "".join(body)).strip(),
                    "notes": re.sub(r"\s+", " ", "".join(notes)).strip(),
                    "anchors": sorted(page.anchors)})
    return out


def _both_ways(lay: object, job: parallel.Job, monkeypatch: pytest.MonkeyPatch) -> tuple:
    args = (job.part.numbers, {}, {}, job.stand_ins(), job.last, False)
    kept_document, _, kept = lay(*args)  # type: ignore[operator]
    with monkeypatch.context() as m:
        m.setattr(relayout.Kept, "step", lambda self, fixes: None)  # every pass afresh
        fresh_document, _, fresh = lay(*args)  # type: ignore[operator]
    return kept_document, kept, fresh_document, fresh


def _check(lay: object, jobs: list, monkeypatch: pytest.MonkeyPatch, wanted: int) -> None:
    fixed = 0
    for job in jobs:
        kept_document, kept, fresh_document, fresh = _both_ways(lay, job, monkeypatch)
        assert kept["state"] == fresh["state"]  # the same fixes found, pass by pass
        assert kept["pages"] == fresh["pages"]
        assert _pages(kept_document) == _pages(fresh_document)
        if kept["passes"] > 1:
            fixed += 1
            # Later passes made fewer pages than fresh layouts of the part did.
            assert sum(kept["remade"][1:]) < sum(fresh["remade"][1:]), kept["remade"]
        # Replaying the state lays the part out as the passes did.
        again, _, replayed = lay(job.part.numbers, kept["state"], {}, job.stand_ins(),
                                 job.last, False)
        assert replayed["state"] == kept["state"] and replayed["remade"] == kept["remade"]
        assert _pages(again) == _pages(kept_document)
    assert fixed >= wanted, f"only {fixed} parts needed fixes"


@pytest.mark.slow
@pytest.mark.skipif(not SHERLOCK.is_dir(), reason="the shared Sherlock Holmes book is absent")
def test_relayout_matches_fresh_layouts_sherlock(tmp_path, monkeypatch) -> None:
    lay, jobs = _parts(SHERLOCK, tmp_path, monkeypatch)
    _check(lay, jobs, monkeypatch, wanted=10)  # every part, 12 of which are fixed


@pytest.mark.slow
def test_relayout_matches_fresh_layouts_long_book(tmp_path, monkeypatch) -> None:
    lay, jobs = _parts(write_long_book(tmp_path / "src"), tmp_path, monkeypatch)
    _check(lay, jobs[1:], monkeypatch, wanted=1)


def test_rounds_replay_what_settle_found() -> None:
    done = relayout.merged({}, {"turns": ["3.4"], "nohyph": [["3.1", "word"]],
                                "spacing": {"3.2": "loose"}})
    later = {"turns": ["3.4", "4.0"], "nohyph": [["3.1", "word"], ["4.2", "other"]],
             "spacing": {"3.2": "loose", "4.9": "tight"}}
    fixes = relayout.new_fixes(done, later)
    assert fixes == {"turns": ["4.0"], "nohyph": [["4.2", "other"]], "spacing": {"4.9": "tight"}}
    assert relayout.merged(done, fixes) == later
    assert relayout.rounds_of({}) == [] and relayout.rounds_of({"rounds": [fixes]}) == [fixes]
