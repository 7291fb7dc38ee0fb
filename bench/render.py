"""Time the shared HTML (render/book.py) against pandoc alone, cold and after a one-word edit.

    PYTHONPATH=. .venv/bin/python bench/render.py BOOK [BOOK ...] [--runs 3] [--jobs N]

For each book, the median of ``--runs`` runs of: ``render(book)`` with an empty cache (cold),
``render(book)`` again with nothing changed, ``render(book)`` after one word of one file
changed, and one pandoc process writing HTML for all the book's Markdown files
(``pandoc --sandbox -f markdown -t html5 --mathml``).  Wall seconds and CPU seconds (this
process and its children, pandoc included) and the peak RSS of this process so far.  The book
is copied to a temporary folder first; the source is never changed.
"""

from __future__ import annotations

import argparse
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from converters.build.workers import collect_warnings
from converters.core.cache import Cache
from converters.render.book import render
from converters.render.pandoc import pandoc_binary
from converters.source.loader import load_book


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def _timed(call: Callable[..., object], *args: object, **kwargs: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), _cpu()
    call(*args, **kwargs)
    return time.perf_counter() - wall, _cpu() - cpu


def _edit(path: Path, run: int) -> None:
    """Change one word of the file (a different one each run)."""
    text = path.read_text(encoding="utf-8")
    words = list(re.finditer(r"\b[a-z]{4,}\b", text))
    word = words[(run * 7919) % len(words)]
    path.write_text(text[:word.start()] + "xx" + word[0] + text[word.end():], encoding="utf-8")


def bench(source: Path, runs: int, jobs: int | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "book"
        shutil.copytree(source, folder)
        book = load_book(folder)
        markdown = [p for e in book.entries for p in (e.summary_path, e.body_path) if p]
        cold, noop, warm, alone = [], [], [], []
        cache_dir = Path(tmp) / "cache"
        for run in range(runs):
            shutil.rmtree(cache_dir, ignore_errors=True)
            cache = Cache(cache_dir, salt="bench")
            with collect_warnings():
                cold.append(_timed(render, book, cache=cache, jobs=jobs))
                noop.append(_timed(render, load_book(folder), cache=cache, jobs=jobs))
                edited = markdown[len(markdown) // 2]
                _edit(edited, run)
                changed = load_book(folder)
                warm.append(_timed(render, changed, cache=cache, jobs=jobs))
            args = [pandoc_binary(), "--sandbox", "-f", "markdown", "-t", "html5", "--mathml",
                    *map(str, markdown)]
            # (it warns of footnote labels repeated across files: they are one document here)
            alone.append(_timed(subprocess.run, args, check=True, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        words = sum(len(p.read_text(encoding="utf-8").split()) for p in markdown)
        print(f"{source}: {len(markdown)} Markdown files, {words:,} words; median of {runs}")
        for name, results in (("render, cold", cold), ("render, warm, nothing changed", noop),
                              ("render, warm after an edit", warm),
                              ("pandoc alone (md -> html5)", alone)):
            wall = statistics.median(r[0] for r in results)
            cpu = statistics.median(r[1] for r in results)
            print(f"  {name:28} {wall:7.2f} s wall {cpu:7.2f} s cpu")
        ratio = statistics.median(r[0] for r in cold) / statistics.median(r[0] for r in alone)
        print(f"  cold render / pandoc alone: {ratio:.2f} (wall); peak RSS so far {peak:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("books", nargs="+", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None)
    args = parser.parse_args()
    for source in args.books:
        bench(source, args.runs, args.jobs)


if __name__ == "__main__":
    main()
