"""Build the sample book and print how long each stage and edition takes."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from converters import build, load_book, render

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "source"
    started = time.perf_counter()
    book = load_book(source)
    loaded = time.perf_counter()
    render(book)
    rendered = time.perf_counter()
    print(f"load    {loaded - started:.3f} s")
    print(f"render  {rendered - loaded:.3f} s")
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        results = build(source, out)
        total = time.perf_counter() - started
    for r in results:
        print(f"{r.format:<7} {r.seconds:.3f} s  {r.size / 1024:.1f} KiB")
    print(f"build   {total:.3f} s total")
    return 0


if __name__ == "__main__":
    sys.exit(main())
