"""Write a generated long book (deterministic prose with sections and footnotes) to a folder.

    .venv/bin/python bench/make_long_book.py FOLDER [--words 600000] [--chapters 360]

The same arguments always write the same bytes (a seeded generator, no clock).  The output is
for benchmarks only: write it to a temporary folder, never into the repository.
"""

from __future__ import annotations

import argparse
import random
import sys
import textwrap
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.books.long import PLACES, THINGS, _paragraph


def _chapter(rng: random.Random, words: int) -> str:
    notes: list[str] = []
    blocks: list[str] = []
    count = 0
    while count < words:
        if blocks and len(blocks) % 7 == 0:
            thing = rng.choice(THINGS)
            blocks.append(f"# {thing[0].upper() + thing[1:]} at {rng.choice(PLACES)}")
        paragraph = _paragraph(rng, notes)
        blocks.append(paragraph)
        count += len(paragraph.split())
    return "\n\n".join(blocks + notes) + "\n"


def write_book(folder: Path, words: int = 600_000, chapters: int = 360) -> Path:
    rng = random.Random(20251126)
    folder.mkdir(parents=True, exist_ok=True)
    contents = ["  - {title: Title page, kind: front, role: titlepage}",
                "  - {title: Contents, kind: front, role: toc}"]
    for number in range(1, chapters + 1):
        name = f"chapter-{number:03d}.md"
        (folder / name).write_text(_chapter(rng, words // chapters), encoding="utf-8")
        title = f"{rng.choice(THINGS).capitalize()} ({number})"
        contents.append(f'  - {{title: "{title}", kind: chapter, number: {number}, '
                        f"file: {name}}}")
    yaml = textwrap.dedent(f"""\
        title: A Long Generated History
        creators:
          - name: Eleanor Whitby
            role: aut
        publisher: Towpath Press
        date: 2025
        language: en-GB
        identifiers:
          - scheme: uuid
            value: 0b7c6f1e-8a47-4f0e-9d7a-{words:012d}
        rights: Generated text for benchmarks.
        description: A generated book of about {words} words in {chapters} chapters.
        contents:
        """) + "\n".join(contents) + "\n"
    (folder / "book.yaml").write_text(yaml, encoding="utf-8")
    return folder


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--words", type=int, default=600_000)
    ap.add_argument("--chapters", type=int, default=360)
    args = ap.parse_args()
    write_book(args.folder, args.words, args.chapters)
    return 0


if __name__ == "__main__":
    sys.exit(main())
