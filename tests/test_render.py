"""Stage 2: Markdown -> the one shared HTML form."""

from __future__ import annotations

import pytest
from lxml import html as lhtml

from converters import SourceError, load_book, render


def test_sample_sections_in_order(sample_book):
    rendered = render(sample_book)
    ids = [lhtml.fragment_fromstring(e.html).get("id") for e in rendered.entries]
    assert ids == [e.id for e in sample_book.entries]
    conclusions = lhtml.fragment_fromstring(rendered.entries[11].html)
    abstract = conclusions.find_class("abstract")[0].text_content()
    assert "‘There are notoriously no precedents’" in abstract
    assert "Soviet Union’s drive" in abstract  # smart typography


def test_footnotes_tables_and_headings(minimal_source):
    src = minimal_source({"one.md": "# Part A\n\nText[^1] and [back](#part-a).\n\n"
                          "| a | b |\n|---|---|\n| 1 | 2 |\n\n[^1]: A note.\n"})
    entry = render(load_book(src)).entries[0]
    root = lhtml.fragment_fromstring(entry.html)
    assert [(h.level, h.id, h.title) for h in entry.headings] == [(2, "chapter-1--part-a",
                                                                   "Part A")]
    assert root.xpath("//table") and root.xpath("//a[@href='#chapter-1--part-a']")
    note_ids = root.xpath("//*[contains(@class,'footnotes')]//li/@id")
    assert note_ids == ["chapter-1---body-fn1"]


def test_raw_html_never_reaches_the_html(minimal_source):
    src = minimal_source({"one.md": "<script>alert(1)</script>\n\n<b onclick=x>bold</b>\n"})
    markup = render(load_book(src)).entries[0].html
    root = lhtml.fragment_fromstring(markup)
    assert not root.xpath("//script") and not root.xpath("//@onclick")


def test_broken_internal_link_is_located(minimal_source):
    src = minimal_source({"one.md": "Intro.\n\nSee [there](#nowhere).\n"})
    with pytest.raises(SourceError) as info:
        render(load_book(src))
    problem = info.value.problems[0]
    assert problem.code == "broken-link"
    assert (problem.location.path.name, problem.location.line) == ("one.md", 3)


@pytest.mark.parametrize("text", ["Intro.\n\n#\n\nMore.\n", "Intro.\n\n## {#anchor}\n"])
def test_empty_heading_is_located(minimal_source, text):
    # Found by the property tests: an empty heading made a nav link without text (RSC-005).
    src = minimal_source({"one.md": text})
    with pytest.raises(SourceError) as info:
        render(load_book(src))
    [problem] = info.value.problems
    assert problem.code == "empty-heading"
    assert (problem.location.path.name, problem.location.line) == ("one.md", 3)


@pytest.mark.parametrize("text", ["# Title\n\nA section called Title.\n",
                                  "# Notes {#body-fn1}\n\nText[^1].\n\n[^1]: A note.\n"])
def test_heading_ids_never_collide_with_generated_ids(minimal_source, text):
    # A section named "Title", or a heading id shaped like a footnote's, once duplicated an id.
    entry = render(load_book(minimal_source({"one.md": text}))).entries[0]
    ids = lhtml.fragment_fromstring(entry.html).xpath("//@id")
    assert len(ids) == len(set(ids)), ids


def test_any_remaining_id_clash_is_a_located_error(minimal_source):
    # '{#-title}' is the one way left to spell a generated id; it must not reach an edition.
    src = minimal_source({"one.md": "# Odd {#-title}\n\nText.\n"})
    with pytest.raises(SourceError) as info:
        render(load_book(src))
    [problem] = info.value.problems
    assert problem.code == "duplicate-id" and "chapter-1---title" in problem.message
    assert (problem.location.path.name, problem.location.line) == ("book.yaml", 9)


def test_heading_levels_never_skip_one_in_the_shared_html(minimal_source):
    # A '##' straight under the entry's title, or a '####' under a '#', once reached the PDF and
    # DOCX as a skipped level (h1 then h3); only the EPUB used to close the gap.
    src = minimal_source({"one.md": "## A\n\nx\n\n#### B\n\nx\n\n# C\n\nx\n\n### D\n\nx\n"})
    entry = render(load_book(src)).entries[0]
    assert [(h.level, h.title) for h in entry.headings] == [(2, "A"), (3, "B"), (2, "C"),
                                                            (3, "D")]
