"""Build the generated long test book's PDF (tests/books/long.py) and print pages and seconds.

Usage: python bench/pdf_long.py [screen|print]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from converters import build
from converters.build.orchestrate import BuildOptions
from tests.books.long import write_long_book


def main() -> int:
    layout = sys.argv[1] if len(sys.argv) > 1 else "screen"
    with tempfile.TemporaryDirectory() as tmp:
        source = write_long_book(Path(tmp) / "src")
        started = time.perf_counter()
        result = build(source, Path(tmp) / "dist", ["pdf"], BuildOptions(pdf_layout=layout))[0]
        total = time.perf_counter() - started
        pages = len(PdfReader(result.path).pages)
        size = result.path.stat().st_size
    print(f"long book PDF ({layout}): {pages} pages, {size / 1024:.0f} KiB")
    print(f"pdf writer {result.seconds:.2f} s, whole build {total:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
