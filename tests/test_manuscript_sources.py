"""Manuscript features in small sources, rendered or built in a few seconds: CSL YAML, a CSL
style, a '{#refs}' block, math in a heading, a warning of the shared rendering printed once."""

from __future__ import annotations

import shutil
from pathlib import Path

from lxml import etree

BAD = Path(__file__).resolve().parent / "bad"


# -- the other bibliography kinds, a CSL style, '{#refs}', warnings once ------------------------

STYLE = """<?xml version="1.0" encoding="utf-8"?>
<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">
  <info><title>Numbered test style</title><id>test-numbered</id>
    <updated>2025-01-01T00:00:00+00:00</updated></info>
  <citation><layout prefix="[" suffix="]" delimiter=", ">
    <text variable="citation-number"/></layout></citation>
  <bibliography><layout><text variable="citation-number" suffix=". "/>
    <text variable="title"/></layout></bibliography>
</style>
"""


def test_csl_yaml_a_style_and_a_refs_block(tmp_path):
    from converters import load_book, render

    src = tmp_path / "src"
    shutil.copytree(BAD / "unknown-citation", src,
                    ignore=shutil.ignore_patterns("expect.txt", "refs.bib"))
    yaml_text = (src / "book.yaml").read_text(encoding="utf-8")
    (src / "book.yaml").write_text(yaml_text.replace("bibliography: refs.bib",
                                                     "bibliography: refs.yaml\ncsl: num.csl"),
                                   encoding="utf-8")
    (src / "num.csl").write_text(STYLE, encoding="utf-8")
    (src / "refs.yaml").write_text("references:\n- id: tide1\n  type: book\n  title: Tides\n"
                                   "- id: tide2\n  type: book\n  title: Currents\n",
                                   encoding="utf-8")
    (src / "one.md").write_text("See [@tide2] and [@tide1], mail me \\@home.\n\n"
                                "::: {#refs}\n:::\n\nAfter the list.\n", encoding="utf-8")
    rendered = render(load_book(src))
    one = etree.fromstring(rendered.entries[0].html)
    text = "".join(one.itertext())
    assert "See [1] and [2], mail me @home." in text  # numbered in order of citation
    body = [e.tag for e in one]
    assert body.index("div") < body.index("p", body.index("div"))  # the list where {#refs} is
    assert "1. Currents" in text and "2. Tides" in text
    assert "Currents" not in rendered.entries[1].html  # not in the bibliography entry too


def test_a_warning_of_the_shared_rendering_is_printed_once(tmp_path, capsys):
    from converters.cli.main import main

    src = tmp_path / "src"
    shutil.copytree(BAD / "missing-footnote", src,
                    ignore=shutil.ignore_patterns("expect.txt"))
    (src / "one.md").write_text("The island was far.\n\n[^island]: Inchkeith.\n",
                                encoding="utf-8")
    assert main(["build", str(src), "--out", str(tmp_path / "out"),
                 "--format", "epub,docx"]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "defined but not used" in line]
    assert len(lines) == 1, err
    assert lines[0].endswith("one.md:3:1: Note with key 'island' defined but not used.")
    assert lines[0].startswith("editions: warning: pandoc: ")


def test_a_formula_in_a_heading_is_named_by_its_characters(tmp_path):
    from converters import load_book, render

    src = tmp_path / "src"
    shutil.copytree(BAD / "bad-math", src,
                    ignore=shutil.ignore_patterns("expect.txt"))
    (src / "one.md").write_text("# The $\\alpha$ particle\n\nText.\n", encoding="utf-8")
    headings = render(load_book(src)).entries[0].headings
    assert [h.title for h in headings] == ["The \u03b1 particle"]  # in the nav, bookmarks, TOC
