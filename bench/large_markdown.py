"""Time a build whose one chapter is a large Markdown file (sizes in MiB on the command line).

    .venv/bin/python bench/large_markdown.py 1 2 4 [--formats epub,pdf,docx]

Prints, per size, the seconds per edition and the peak RSS, so MAX_MARKDOWN_BYTES can be set
where a build is still reasonable.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from converters.build.orchestrate import build
from converters.source.loader import MAX_MARKDOWN_BYTES

BOOK = """title: Large
creators: [Ann Author]
date: 2020
language: en
identifiers:
  - scheme: uuid
    value: 4f3c2b1a-0000-4000-8000-000000000001
contents:
  - title: One
    kind: chapter
    number: 1
    file: one.md
"""
PARAGRAPH = ("The delegation met again on *Tuesday*, and the minutes record a long argument "
             "about the trade agreement[^n], the loans and the **propaganda** clause.\n\n")


def markdown(size: int) -> str:
    parts, total, n = [], 0, 0
    while True:
        heading = f"## Section {n}\n\n" if n % 40 == 0 else ""
        block = heading + PARAGRAPH.replace("[^n]", f"[^{n}]")
        block += f"[^{n}]: Note {n}.\n\n"
        if total + len(block.encode()) > size:
            break
        parts.append(block)
        total += len(block.encode())
        n += 1
    return "".join(parts)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("sizes", nargs="+", type=float, help="Markdown sizes in MiB")
    ap.add_argument("--formats", default="epub,pdf,docx")
    args = ap.parse_args()
    print(f"MAX_MARKDOWN_BYTES = {MAX_MARKDOWN_BYTES / (1 << 20):.1f} MiB")
    for mib in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "src"
            src.mkdir()
            (src / "book.yaml").write_text(BOOK, encoding="utf-8")
            (src / "one.md").write_text(markdown(int(mib * (1 << 20))), encoding="utf-8")
            started = time.perf_counter()
            results = build(src, Path(tmp) / "out", args.formats.split(","))
            total = time.perf_counter() - started
            each = "  ".join(f"{r.format} {r.seconds:.1f} s" for r in results)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"{mib:4.1f} MiB: total {total:.1f} s ({each}); peak RSS {rss:.0f} MiB, "
                  f"largest child {kids:.0f} MiB")


if __name__ == "__main__":
    main()
