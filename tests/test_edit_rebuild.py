"""The one-word-edit rebuild's path outside the writers (issue 12): the source read and
rendered in a child while the build imports the writers (build/apart.py), the faster source
checks (source/limits.py, source/yamlnodes.py) and the cache's trim (core/cache.py)."""

from __future__ import annotations

import os
import random
import zipfile
from pathlib import Path

import pytest

from converters import SourceError, build
from converters.core.cache import LEDGER, Cache
from converters.core.errors import ProblemCollector
from converters.core.limits import MAX_BRACKET_DEPTH
from converters.source import yamlnodes
from converters.source.limits import markdown_problems
from tests.conftest import book_yaml


def _open_brackets_reference(line: str) -> list[int]:
    """The depth after each unescaped bracket, found one character at a time: the way the
    check was first written, which the regex-driven one must agree with."""
    depth, depths = 0, []
    for i, char in enumerate(line):
        if char not in "[]":
            continue
        backslashes = len(line[:i]) - len(line[:i].rstrip("\\"))
        if backslashes % 2:
            continue
        depth = depth + 1 if char == "[" else max(depth - 1, 0)
        depths.append(depth)
    return depths


def test_bracket_depth_counts_only_unescaped_brackets() -> None:
    deep = "[" * (MAX_BRACKET_DEPTH + 1)
    assert [p.code for p in markdown_problems(Path("a.md"), deep + "\n")] == ["too-deep"]
    # '\[' is a character, '\\[' a backslash and then a real bracket.
    escaped = "\\[" * (MAX_BRACKET_DEPTH + 1)
    assert markdown_problems(Path("a.md"), escaped + "\n") == []
    doubled = "x\\\\[" * (MAX_BRACKET_DEPTH + 1)
    found = markdown_problems(Path("a.md"), "text\n" + doubled + "\n")
    assert [(p.code, p.location.line, p.location.col) for p in found] == [("too-deep", 2, 4)]


def test_bracket_depth_agrees_with_a_character_by_character_count() -> None:
    rng = random.Random(12)
    for _ in range(3000):
        line = "".join(rng.choice("[]\\\\a ") for _ in range(rng.randint(0, 60)))
        expected = max(_open_brackets_reference(line), default=0) > MAX_BRACKET_DEPTH
        found = [p for p in markdown_problems(Path("a.md"), line + "\n")
                 if p.code == "too-deep"]
        assert bool(found) == expected, line


RICH_YAML = ("title: \"Ünïcödé 😀\"  # a comment\r\nsubtitle: >-\r\n  folded\r\n  text\r\n"
             "creators: [{name: Ann, role: aut}, Bob]\r\ncontents:\r\n  - title: 'It''s'\r\n"
             "    file: a.md\r\n  - {title: \"😀😀\", kind: chapter, number: 2}\r\n"
             "empty:\r\nflag: yes\r\n")


def test_libyaml_and_pyyaml_give_the_same_located_nodes() -> None:
    if yamlnodes.CParser is None:
        pytest.skip("PyYAML without libyaml")
    path = Path("book.yaml")
    fast = yamlnodes._fast_compose(path, RICH_YAML)
    assert fast is not None
    loader = yamlnodes._Loader(RICH_YAML, path, ProblemCollector())
    slow = loader.get_single_node()
    problems = ProblemCollector()
    converted = yamlnodes._convert(fast, path, problems)
    assert converted == yamlnodes._convert(slow, path, problems)
    assert not problems
    # Locations count characters (an emoji is one column) and CRLF ends one line.
    number = converted.value["contents"].node.value[1].value["number"]  # type: ignore[index,union-attr]
    assert (number.key_location.line, number.key_location.col) == (9, 34)


@pytest.mark.parametrize(("text", "code", "words"), [
    ("a: &x 1\nb: *x\n", "yaml-alias", "aliases are not allowed"),
    ("a: 1\n\tb: 2\n", "yaml-syntax", "indent with spaces"),
    ("title: A\tB\n", "yaml-syntax", "indent with spaces"),  # libyaml would take it
    ("a: b\t\n", "yaml-syntax", "indent with spaces"),
    ("a: \"open\n", "yaml-syntax", "never closed"),
    ("a: 1\nb: \x07\n", "control-char", "U+0007"),
    ("c: [{title: Why Not?}]\n", "yaml-syntax", "expected ',' or '}'"),  # libyaml takes it
])
def test_a_yaml_mistake_is_reported_by_pyyaml_as_before(text, code, words) -> None:
    problems = ProblemCollector()
    assert yamlnodes.read_yaml(Path("book.yaml"), text, problems) is None
    assert [p.code for p in problems.problems] == [code]
    assert words in problems.problems[0].message


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and p.name != LEDGER)


def test_trim_walks_nested_folders_and_keeps_the_newest(tmp_path) -> None:
    cache = Cache(tmp_path / "c", salt="s", limit=2500)
    for n in range(6):
        kind = "a" if n % 2 else "b/deeper"
        cache.put(kind, n, bytes(1000))
        os.utime(cache._path(kind, n), ns=((10 - n) * 10**9, (10 - n) * 10**9))
    cache.trim()
    kept = [cache.get("a" if n % 2 else "b/deeper", n) is not None for n in range(6)]
    assert kept == [True, True, False, False, False, False]  # n=0, 1 were used last
    assert _folder_bytes(tmp_path / "c") == 2000
    cache.trim()  # within its bound: nothing more goes
    assert sum(1 for p in (tmp_path / "c").rglob("*") if p.is_file() and p.name != LEDGER) == 2


def _epub_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode() for n in z.namelist() if n.endswith(".xhtml"))


def test_an_edit_is_read_again_and_the_events_keep_their_order(write_source, tmp_path,
                                                               monkeypatch) -> None:
    """The source is read in the rendering child: an edit must reach the editions, and the
    progress must still say 'reading' before 'converting' before any edition starts."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    contents = "".join(f"  - {{title: Part {n}, kind: chapter, number: {n}, file: c{n}.md}}\n"
                       for n in (1, 2))
    source = write_source({"book.yaml": book_yaml("Edits", contents),
                           "c1.md": "The first word.\n", "c2.md": "The second word.\n"})
    events: list[tuple[str, str | None]] = []
    build(source, tmp_path / "out", ["epub", "docx"], jobs=2,
          on_event=lambda kind, fmt, result: events.append((kind, fmt)))
    assert [k for k, _ in events[:2]] == ["load", "render"]
    assert {k for k, _ in events[2:]} == {"start", "built"}
    (source / "c2.md").write_text("The edited word.\n", encoding="utf-8")
    edited = build(source, tmp_path / "out", ["epub", "docx"], jobs=2)
    assert [r.status for r in edited] == ["built", "built"]
    assert "edited word" in _epub_text(edited[0].path)
    assert "second word" not in _epub_text(edited[0].path)
    cold = build(source, tmp_path / "cold", ["epub", "docx"], jobs=2)
    for warm, fresh in zip(edited, cold, strict=True):
        assert warm.path.read_bytes() == fresh.path.read_bytes()


@pytest.mark.parametrize("jobs", [1, 2])
def test_yaml_and_markdown_problems_come_back_together(write_source, tmp_path, jobs) -> None:
    """A bad book.yaml does not hide a missing image, whether the source was read in the
    rendering child (--jobs 2) or in the build itself (--jobs 1); nothing is written."""
    yaml = book_yaml("Broken", "  - {title: One, kind: chapter, number: 1, file: one.md}\n")
    source = write_source({"book.yaml": yaml + "rights: [not, text]\n",
                           "one.md": "![A picture](missing.png)\n"})
    with pytest.raises(SourceError) as raised:
        build(source, tmp_path / "out", jobs=jobs)
    codes = {p.code for p in raised.value.problems}
    assert len(codes) == 2 and any("image" in c for c in codes), codes
    assert raised.value.partial is None or jobs == 1
    assert not (tmp_path / "out").exists()


def test_a_print_target_without_isbn_is_refused_before_rendering(minimal_source,
                                                                  tmp_path) -> None:
    events: list[str] = []
    with pytest.raises(SourceError) as raised:
        build(minimal_source(), tmp_path / "out", [], targets=["kdp-print"], jobs=2,
              on_event=lambda kind, fmt, result: events.append(kind))
    assert [p.code for p in raised.value.problems] == ["print-isbn"]
    assert events == ["load"]  # refused once read: the Markdown never went to pandoc


def test_the_ledger_spares_the_walk_only_while_within_the_bound(tmp_path) -> None:
    folder = tmp_path / "c"
    cache = Cache(folder, salt="s", limit=5000)
    for n in range(3):
        cache.put("html", n, bytes(1000))
    cache.trim()  # no total yet: walked, and the total written
    assert (folder / LEDGER).read_bytes() == b"=3000\n"
    # A file the cache did not write is not in the ledger: a trim within the bound does not
    # walk, so it is not seen (and not removed) ...
    stranger = folder / "html" / "zz" / "stranger"
    stranger.parent.mkdir(parents=True)
    stranger.write_bytes(bytes(4000))
    os.utime(stranger, ns=(0, 0))  # the least recently used of all
    cache.put("html", 3, bytes(1000))
    cache.trim()
    assert stranger.exists()
    # ... until the writes take the ledger past the bound: then the folder is walked and
    # trimmed to its bound, oldest first, and the ledger holds what is left.
    cache.put("html", 4, bytes(1500))
    cache.trim()
    assert not stranger.exists()
    assert _folder_bytes(folder) <= 5000
    assert (folder / LEDGER).read_bytes() == b"=%d\n" % _folder_bytes(folder)


@pytest.mark.parametrize("ledger", [b"=100\n+50", b"+100\n", b"=100\n+-5000\n", b"=1e9\n",
                                    b"=100\n+5 0\n"])
def test_a_damaged_ledger_means_a_walk(tmp_path, ledger) -> None:
    folder = tmp_path / "c"
    cache = Cache(folder, salt="s", limit=1500)
    for n in range(3):
        cache.put("html", n, bytes(1000))
        os.utime(cache._path("html", n), ns=(n * 10**9, n * 10**9))
    (folder / LEDGER).write_bytes(ledger)
    cache.trim()
    assert [cache.get("html", n) is not None for n in range(3)] == [False, False, True]
    assert (folder / LEDGER).read_bytes() == b"=1000\n"


def test_deferred_writes_are_counted_and_no_folder_is_made(tmp_path) -> None:
    cache = Cache(tmp_path / "c", salt="s", deferred=True)
    cache.trim()
    assert not (tmp_path / "c").exists()  # a book too small to cache keeps no folder
    cache.put("html", 1, bytes(700))
    cache.flush()
    cache.put("html", 2, bytes(300))
    assert (tmp_path / "c" / LEDGER).read_bytes() == b"+700\n+300\n"


def test_an_up_to_date_build_does_not_import_weasyprint(minimal_source, tmp_path) -> None:
    """A no-op build (0.2 s) and a build without a PDF never pay for importing WeasyPrint."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    source, out = minimal_source(), tmp_path / "out"
    build(source, out, ["epub", "docx"])
    probe = ("import sys; from converters.cli.main import main; "
             f"code = main(['build', {str(source)!r}, '--out', {str(out)!r}, '--quiet', "
             "'--format', sys.argv[1]]); print(code, 'weasyprint' in sys.modules)")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    (source / "one.md").write_text("Edited text.\n", encoding="utf-8")
    for formats, expected in (("epub,docx", "0 False"), ("epub,docx", "0 False"),
                              ("pdf", "0 True")):
        ran = subprocess.run([sys.executable, "-c", probe, formats], capture_output=True,
                             text=True, env=env, check=False)
        assert ran.stdout.split("\n")[-2:] == [expected, ""], ran.stderr


def test_a_rendering_child_that_dies_is_a_build_error(minimal_source, tmp_path,
                                                      monkeypatch) -> None:
    import sys

    from converters import BuildError

    def die(*args, **kwargs):
        os._exit(3)  # as if killed for its memory

    monkeypatch.setattr(sys.modules["converters.render.book"], "render", die)
    with pytest.raises(BuildError, match="exit code 3"):
        build(minimal_source(), tmp_path / "out", ["epub"], jobs=2)
    assert not (tmp_path / "out").exists()
