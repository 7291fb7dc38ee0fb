"""A part's later layout passes re-make only the pages their fixes change (pdf/relayout.py):
the pages come out as fresh layouts of the same fixes would lay them out."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from weasyprint.formatting_structure.boxes import FootnoteAreaBox, MarginBox, TextBox

from converters.core.options import BuildOptions
from converters.pdf import hyphenation, inparts, parallel, parts, relayout, writer
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
    fixes = {"turns": ["4.0"], "nohyph": [["4.2", "other"]], "spacing": {"4.9": "tight"}}
    assert relayout.merged(done, fixes) == later
    assert relayout.rounds_of({}) == [] and relayout.rounds_of({"rounds": [fixes]}) == [fixes]


def test_settle_names_only_fixes_not_made_yet() -> None:
    """A pass's fixes are new ones: what earlier passes fixed is never named again."""
    document = _laid({}).document
    found = inparts.settle(document, {}, writer._footnote_turns)
    assert found is not None and (found["nohyph"] or found["spacing"])
    again = inparts.settle(document, found, writer._footnote_turns) or {}
    assert not set(again.get("turns", ())) & set(found["turns"])
    assert not {tuple(p) for p in again.get("nohyph", ())} & {tuple(p) for p in found["nohyph"]}
    assert not set(again.get("spacing") or {}) & set(found["spacing"])


_STYLE = """@page { size: 110mm 150mm; margin: 12mm; }
body { font-family: serif; font-size: 10pt; line-height: 1.3; }
p { text-align: justify; hyphens: auto; widows: 2; orphans: 2; margin: 0; text-indent: 1em; }
.nohyph { hyphens: manual; } .loose { word-spacing: 0.06em; }
.tight { word-spacing: -0.04em; } .turn { break-before: page; }
.note { float: footnote; font-size: 8pt; }"""
_WORDS = ["the", "canal", "company", "surveyors", "considered", "navigation", "extraordinarily",
          "unremarkable", "embankments", "notwithstanding", "a", "reservoir", "of",
          "shareholders", "and", "their", "misgivings"]


def _html(fixes: dict, own_spacing: str = "") -> str:
    """A small document of numbered paragraphs, some with footnotes, ``fixes`` written into
    the HTML as the writer does."""
    from lxml import etree, html

    body = []
    for n in range(40):
        words = [_WORDS[(n * 7 + k * 3) % len(_WORDS)] for k in range(25 + (n * 11) % 40)]
        note = f'<span class="note">A note on paragraph {n}: {" ".join(words[:12])}.</span>' \
            if n % 6 == 2 else ""
        style = f' style="word-spacing: {own_spacing}"' if own_spacing and n == 9 else ""
        body.append(f'<p data-n="0.{n}"{style}>{" ".join(words[:10])}{note} '
                    f'{" ".join(words[10:])}.</p>')
    root = html.fromstring(f"<section>{''.join(body)}</section>")
    words: dict[str, list[str]] = {}
    for key, word in fixes.get("nohyph", ()):
        words.setdefault(key, []).append(word)
    for p in root.iter("p"):
        key = p.get("data-n")
        classes = [c for c, on in (("turn", key in fixes.get("turns", ())),
                                   (fixes.get("spacing", {}).get(key), True)) if on and c]
        if classes:
            p.set("class", " ".join(classes))
        if key in words:
            hyphenation.apply(p, words[key])
    return (f'<!DOCTYPE html><html lang="en"><head><style>{_STYLE}</style></head><body>'
            f'{etree.tostring(root, method="html", encoding="unicode")}</body></html>')


def _laid(fixes: dict, own_spacing: str = "") -> relayout.Kept:
    import weasyprint
    return relayout.render(weasyprint.HTML(string=_html(fixes, own_spacing)))


def test_each_fix_on_the_tree_lays_out_as_the_html_would() -> None:
    first = _laid({})
    lines = hyphenation._lines(first.document)  # (page, text, data-n) of every body line
    i = next(i for i, (_, text, owner) in enumerate(lines) if text.endswith("\u2010") and owner)
    head, tail = re.search(r"\w+$", lines[i][1][:-1]), re.match(r"\w+", lines[i + 1][1])
    assert head and tail
    hyphenated = [lines[i][2], head.group(0) + tail.group(0)]
    rounds = [{"turns": ["0.21"], "nohyph": [], "spacing": {}},
              {"turns": [], "nohyph": [hyphenated], "spacing": {"0.4": "loose"}},
              {"turns": [], "nohyph": [], "spacing": {"0.30": "tight", "0.13": "loose"}}]
    kept, done = first, {}
    for fixes in rounds:
        done = relayout.merged(done, fixes)
        stepped = kept.step(fixes)
        assert stepped is not None
        kept = stepped
        fresh = _laid(done)
        assert _pages(kept.document) == _pages(fresh.document), fixes
        assert kept.remade[-1] < len(fresh.document.pages)


def test_a_fix_the_tree_cannot_take_is_laid_out_afresh() -> None:
    kept = _laid({}, own_spacing="1pt")  # paragraph 0.9 has a word spacing of its own
    assert kept.step({"turns": [], "nohyph": [], "spacing": {"0.9": "loose"}}) is None
    assert kept.step({"turns": [], "nohyph": [], "spacing": {"0.8": "loose"}}) is not None
    assert kept.step({"turns": ["0.99"], "nohyph": [], "spacing": {}}) is None  # no such one
