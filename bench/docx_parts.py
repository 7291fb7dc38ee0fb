"""The DOCX writer alone, on a book rendered once: one pandoc run for the whole book (the way
before issue 12) against the edition in cached parts, cold and after a one-word edit.

    .venv/bin/python bench/docx_parts.py SOURCE [--jobs 2] [--repeat 3]

SOURCE is a book folder (rendered once, pickled to a temporary folder) or such a pickle.
Each measurement runs in a fresh process and prints the writer's wall and CPU seconds (its
own and its pandoc children's) and the peak memory summed over the process and its children
(proportional set size, sampled as bench/long_books.py does; a sample can miss a spike of a
garbage collection, so the highest resident size of the Python process and of the largest
pandoc run, which the kernel keeps, is printed too), beside the same process doing nothing but
load the rendered book (the baseline the DOCX adds to).
"""

from __future__ import annotations

import argparse
import dataclasses
import pickle
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))


def child(book: Path, mode: str, cache: Path, jobs: int, edit: bool) -> None:
    import os

    from converters.core.options import BuildOptions
    from converters.docx import parts
    from converters.docx.writer import write_docx
    from converters.render import pandoc
    from tests.docx_compare import whole_docx

    # Settings to try: BENCH_PART_CHARS=200000, BENCH_RUNTIME="+RTS -H64m -RTS".
    parts.PART_CHARS = int(os.environ.get("BENCH_PART_CHARS", parts.PART_CHARS))
    pandoc.RUNTIME[:] = os.environ.get("BENCH_RUNTIME", " ".join(pandoc.RUNTIME)).split()
    rendered = pickle.loads(book.read_bytes())
    if edit:  # one word changed in the middle entry, as an author's edit would
        n = len(rendered.entries) // 2
        entry = rendered.entries[n]
        html = entry.html.replace("<p>", "<p>Edited ", 1)
        rendered.entries[n] = dataclasses.replace(entry, html=html)
    work = Path(tempfile.mkdtemp(dir=cache.parent))
    started, cpu = time.perf_counter(), time.process_time()
    if mode == "whole":
        whole_docx(rendered, work / "book.docx", work)
    elif mode == "parts":
        write_docx(rendered, work / "book.docx", work,
                   BuildOptions(jobs=jobs, cache_dir=str(cache), cache_salt="bench"))
    wall = time.perf_counter() - started
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = time.process_time() - cpu + kids.ru_utime + kids.ru_stime
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"{wall:.3f} {cpu:.3f} {own / 1024:.0f} {kids.ru_maxrss / 1024:.0f}")


def measure(book: Path, mode: str, cache: Path, jobs: int, edit: bool) -> tuple[float, ...]:
    from long_books import run  # the PSS sampler

    out = str(cache.parent / f"result-{time.monotonic_ns()}.txt")
    command = [sys.executable, __file__, "--child", str(book), mode, str(cache), str(jobs),
               "1" if edit else "0", out]
    _, peak, _ = run(command)
    wall, cpu, own, pandoc = map(float, Path(out).read_text().split())
    return wall, cpu, peak, own, pandoc


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        book, mode, cache, jobs, edit, out = sys.argv[2:8]
        import contextlib
        import io

        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            child(Path(book), mode, Path(cache), int(jobs), edit == "1")
        Path(out).write_text(buffer.getvalue())
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("source", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from converters.render.book import render
    from converters.source.loader import load_book

    tmp = Path(tempfile.mkdtemp(prefix="docx-bench-"))
    book = tmp / "rendered.pickle"
    if args.source.suffix == ".pickle":  # a RenderedBook pickled by an earlier run
        book.write_bytes(args.source.read_bytes())
    else:
        book.write_bytes(pickle.dumps(render(load_book(args.source))))
    rows: dict[str, list[tuple[float, ...]]] = {}
    for _ in range(args.repeat):
        cache = tmp / f"cache-{time.monotonic_ns()}"
        rows.setdefault("baseline (load only)", []).append(
            measure(book, "none", cache, args.jobs, False))
        rows.setdefault("whole book, one pandoc run", []).append(
            measure(book, "whole", cache, args.jobs, False))
        rows.setdefault("parts, cold cache", []).append(
            measure(book, "parts", cache, args.jobs, False))
        rows.setdefault("parts, no change", []).append(
            measure(book, "parts", cache, args.jobs, False))
        rows.setdefault("parts, one-word edit", []).append(
            measure(book, "parts", cache, args.jobs, True))
    print(f"{args.source} --jobs {args.jobs}, median of {args.repeat} (peak: the highest)")
    for label, runs in rows.items():
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        peak, own, pandoc = (max(r[i] for r in runs) for i in (2, 3, 4))
        print(f"  {label:28} {wall:6.2f} s wall {cpu:6.2f} s CPU {peak:6.0f} MiB peak PSS "
              f"(max RSS: Python {own:4.0f} MiB, one pandoc {pandoc:5.0f} MiB)")
    subprocess.run(["rm", "-rf", str(tmp)], check=False)


if __name__ == "__main__":
    main()
