"""Property-based: random metadata and Markdown never end in a traceback.

A build either succeeds or raises SourceError (every problem located); nothing else.  On a small
sample of valid random books, the EPUB is run through EPUBCheck.  Each example builds the EPUB
only (the writers all start from the same shared HTML, which is what random input stresses).
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from converters.build.orchestrate import build
from converters.core.errors import SourceError
from converters.source.yamlnodes import XML_INVALID

# Everything Unicode has, control characters and lone surrogates included, weighted towards
# the characters that break things: XML specials, quotes, RTL and bidi controls, emoji.
NASTY = st.sampled_from(list("<>&\"'`\\{}[]#*_|:-!%$\u200f\u202e\u2067\u0627\u05d0\U0001f600"
                             "\u0301\ufeff\x00\x01\x08\x0b\x1b\x7f\x85\u2028\ufffe"))
ANY_CHAR = st.characters(codec=None)
TEXT = st.text(st.one_of(NASTY, ANY_CHAR), min_size=0, max_size=30)
CLEAN_TEXT = st.text(st.one_of(NASTY, ANY_CHAR).filter(lambda c: not XML_INVALID.match(c)),
                     min_size=1, max_size=30).filter(str.strip)
# Mostly printable values, so that most examples get as far as a written EPUB.
FIELD = st.one_of(CLEAN_TEXT, CLEAN_TEXT, CLEAN_TEXT, TEXT)
MD_PIECES = st.sampled_from([
    "# ", "## ", "\n", "\n\n", "*", "**", "_", "`", "[", "]", "(", ")", "#", "{", "}",
    "{#x}", "{.c}", "{lang=fr}", "[^1]", "[^1]: note\n", "^[inline]", "> ", "- ", "1. ",
    "| a | b |\n|---|---|\n| 1 | 2 |\n", "---\n", "<script>", "</div>", "<!--", "&amp;", "&#0;",
    "[x](#chapter-1)", "[y](https://example.org)", "text", " ", "\u0627\u0644", "\U0001f600",
    ":::", "::: {.note}\n", "$x$", "\\", "~~", "<", ">", "'", '"', "\t",
])
MARKDOWN = st.lists(st.one_of(MD_PIECES, TEXT), max_size=25).map("".join)


def book_yaml(title, subtitle, creators, subjects, description, publisher) -> str:
    data = {"title": title, "creators": creators, "date": "2020", "language": "en",
            "identifiers": [{"scheme": "uuid", "value": "4f3c2b1a-0000-4000-8000-000000000001"}],
            "contents": [{"title": "One", "kind": "chapter", "number": 1, "file": "one.md"}]}
    for key, value in (("subtitle", subtitle), ("subjects", subjects),
                       ("description", description), ("publisher", publisher)):
        if value:
            data[key] = value
    # allow_unicode=False: yaml escapes what it cannot print, as a careful author would.
    return yaml.safe_dump(data, allow_unicode=False)


def build_epub(files: dict[str, str]) -> Path | None:
    """Build; the EPUB's path, or None for a SourceError.  Any other exception fails the test."""
    tmp = Path(tempfile.mkdtemp(prefix="editions-prop-"))
    src = tmp / "src"
    src.mkdir()
    for name, text in files.items():
        (src / name).write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        [result] = build(src, tmp / "out", ["epub"])
    except SourceError as exc:
        assert exc.problems and all(p.location.line >= 1 for p in exc.problems)
        shutil.rmtree(tmp)
        return None
    return result.path


def opf_of(epub: Path) -> etree._Element:
    with zipfile.ZipFile(epub) as z:
        for name in z.namelist():
            if name.endswith((".xhtml", ".ncx", ".opf")):
                etree.fromstring(z.read(name))  # every XML part parses
        opf = next(n for n in z.namelist() if n.endswith(".opf"))
        return etree.fromstring(z.read(opf))


SLOW = settings(deadline=None, max_examples=25, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(title=FIELD, subtitle=st.none() | FIELD, creators=st.lists(FIELD, min_size=1, max_size=3),
       subjects=st.lists(FIELD, max_size=3), description=st.none() | FIELD,
       publisher=st.none() | FIELD)
def test_random_metadata_builds_or_is_refused(title, subtitle, creators, subjects, description,
                                              publisher):
    epub = build_epub({"book.yaml": book_yaml(title, subtitle, creators, subjects, description,
                                              publisher), "one.md": "Text.\n"})
    event("built" if epub else "refused")
    if epub is not None:
        opf = opf_of(epub)
        titles = opf.xpath("//*[local-name()='title']/text()")
        assert title.strip() in titles
        shutil.rmtree(epub.parent.parent)


@SLOW
@given(markdown=MARKDOWN)
def test_random_markdown_builds_or_is_refused(markdown):
    epub = build_epub({"book.yaml": book_yaml("T", None, ["A"], [], None, None),
                       "one.md": markdown})
    if epub is not None:
        opf_of(epub)
        with zipfile.ZipFile(epub) as z:
            body = z.read("EPUB/text/chapter-1.xhtml")
        assert b"<script" not in body
        shutil.rmtree(epub.parent.parent)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("java") is None, reason="EPUBCheck needs Java")
@settings(deadline=None, max_examples=3,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(title=CLEAN_TEXT, creators=st.lists(CLEAN_TEXT, min_size=1, max_size=2),
       subjects=st.lists(CLEAN_TEXT, max_size=2), description=CLEAN_TEXT,
       markdown=MARKDOWN.filter(lambda t: not XML_INVALID.search(t)))
def test_random_valid_books_pass_epubcheck(title, creators, subjects, description, markdown):
    from converters.check.epubcheck import run_epubcheck

    epub = build_epub({"book.yaml": book_yaml(title, None, creators, subjects, description,
                                              None), "one.md": markdown})
    # A refused book (e.g. an empty '#' heading) is the other allowed outcome, but this test is
    # about EPUBCheck: only built books count, and Hypothesis fails if it never gets one.
    assume(epub is not None)
    _, messages = run_epubcheck(epub, usage=False)
    problems = [str(m) for m in messages if m.severity in ("FATAL", "ERROR")]
    shutil.rmtree(epub.parent.parent)
    assert not problems, problems
