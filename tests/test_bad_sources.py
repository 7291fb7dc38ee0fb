"""The corpus of broken sources in tests/bad/: each must fail with exactly its expected problems.

Every case folder holds a source (possibly empty) and ``expect.txt``: one line per problem,
``file:line:col [code] message fragment``, or ``OK`` for the sources that must be accepted (a
UTF-8 BOM, CRLF line ends).  Each is built in-process through the command line, as a user would.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from converters.cli.main import main

BAD = Path(__file__).resolve().parent / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())
EXPECT = re.compile(r"^(?P<where>\S+:\d+:\d+) \[(?P<code>[a-z-]+)\] (?P<fragment>.+)$")
PREVIOUS = {"a-small-book.epub": b"the previous edition, complete", "notes.txt": b"keep me\n"}


def expectations(case: Path) -> list[tuple[str, str, str]] | None:
    """[(file:line:col, code, fragment)], or None for a source that must build."""
    lines = [line for line in (case / "expect.txt").read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    if lines == ["OK"]:
        return None
    parsed = [EXPECT.match(line) for line in lines]
    assert all(parsed), f"{case}/expect.txt has a malformed line"
    return [(m["where"], m["code"], m["fragment"]) for m in parsed if m]


def prepare(case_dir: Path, tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """Copy the case to tmp/src (without expect.txt) and a dist with previous files in tmp/out."""
    src = tmp_path / "src"
    shutil.copytree(case_dir, src, ignore=shutil.ignore_patterns("expect.txt"), symlinks=True)
    out = tmp_path / "out"
    out.mkdir()
    for name, data in PREVIOUS.items():
        (out / name).write_bytes(data)
    # Problems are printed relative to the working directory: run from inside the source.
    monkeypatch.chdir(src)
    return src, out


def assert_refused(argv: list[str], out: Path, expected: list[tuple[str, str, str]],
                   capsys) -> str:
    """Exit 1, exactly the expected located problems, no traceback, out/ untouched."""
    code = main(argv)
    captured = capsys.readouterr()
    err = captured.err
    assert code == 1, err
    assert "Traceback" not in err + captured.out
    reported = [line for line in err.splitlines() if ": error: " in line]
    unmatched = list(reported)
    for where, problem_code, fragment in expected:
        hits = [line for line in unmatched if line.startswith(f"{where}: error: ")
                and line.endswith(f"[{problem_code}]") and fragment in line]
        assert hits, f"expected {where} [{problem_code}] {fragment!r} in:\n{err}"
        unmatched.remove(hits[0])  # one reported line answers one expectation
    assert len(reported) == len(expected), err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == PREVIOUS  # nothing new, no temp
    return err


@pytest.mark.parametrize("case", CASES)
def test_bad_source(case, tmp_path, monkeypatch, capsys):
    expected = expectations(BAD / case)
    _, out = prepare(BAD / case, tmp_path, monkeypatch)
    if expected is None:
        # One edition is enough here: the BOM and CRLF are dealt with before any writer runs.
        assert main(["build", ".", "--out", str(out), "--format", "epub"]) == 0, \
            capsys.readouterr().err
        with zipfile.ZipFile(out / "a-small-book.epub") as z:
            text = z.read("EPUB/text/chapter-1.xhtml").decode("utf-8")
        assert "\ufeff" not in text and "\r" not in text
        assert 'id="chapter-1--heading"' in text and ">Heading</h2>" in text
        if case == "ok-crlf":
            assert 'href="#chapter-1--heading"' in text
        return
    assert_refused(["build", ".", "--out", str(out)], out, expected, capsys)


def test_corpus_is_large_enough():
    refused = [c for c in CASES if expectations(BAD / c) is not None]
    accepted = [c for c in CASES if expectations(BAD / c) is None]
    assert len(refused) >= 30 and {"ok-bom", "ok-crlf"} <= set(accepted)


def test_empty_folder_case_is_empty():
    # git cannot keep an empty folder, so the case holds only expect.txt; make sure it stays so.
    assert [p.name for p in (BAD / "empty-folder").iterdir()] == ["expect.txt"]


def test_author_ids_cannot_collide_with_ours(tmp_path):
    # Once these gave duplicate ids in the shared HTML (an invalid EPUB): an author's id on a
    # span or div may not take one of ours, nor repeat.
    from collections import Counter

    from lxml import html as lhtml

    from converters.render.book import render
    from converters.source.loader import load_book

    src = tmp_path / "src"
    shutil.copytree(BAD / "ok-crlf", src, ignore=shutil.ignore_patterns("expect.txt"))
    (src / "one.md").write_text("# Body A\n\n[s]{#chapter-1---title} [t]{#a}\n\n::: {#d}\nx\n:::"
                                "\n\n::: {#d}\ny\n:::\n", encoding="utf-8")
    rendered = render(load_book(src))
    ids = Counter(element.get("id") for entry in rendered.entries
                  for element in lhtml.fragment_fromstring(entry.html).iter()
                  if isinstance(element.tag, str) and element.get("id"))
    assert ids and max(ids.values()) == 1, ids
