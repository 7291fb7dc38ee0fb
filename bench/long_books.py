"""Long books side by side: the project against WeasyPrint and pandoc alone, in one run.

    .venv/bin/python bench/long_books.py [--sherlock DIR] [--words 600000[,1000000…]]
                                         [--jobs 2] [--repeat 1] [--skip-generated]

For the story collection (../shared/books/sherlock, copied to a temporary folder first) and
a generated book of each size given (bench/make_long_book.py, written to a temporary folder;
one chapter per 1,667 words, so 360 chapters at 600,000 words), it times:

- cold:   `editions build` into a fresh output folder (all three editions);
- no-op:  the same command again, nothing changed;
- edit:   one word changed in one chapter, then the same command;
- WeasyPrint alone laying out and writing the PDF edition's HTML as one document (tagged,
  as the edition is), with the same stylesheets;
- pandoc alone writing an EPUB and a DOCX from the same Markdown files;

and prints each as the median wall time of --repeat runs, the ratios the issue sets targets
for, the PDF's pages per second, and the peak memory summed over every process of the command
(proportional set size from /proc/PID/smaps_rollup, sampled every 50 ms).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PY = sys.executable
EDITIONS = [PY, "-m", "converters", "build"]
WORDS_PER_CHAPTER = 600_000 / 360  # the novel: 360 chapters


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        tasks = list(Path(f"/proc/{pid}/task").glob("*/children"))
    except OSError:  # the process has just ended
        return out
    for task in tasks:
        try:
            out += [int(c) for c in task.read_text().split()]
        except (OSError, ValueError):
            continue
    return out


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """(wall seconds, peak MiB summed over the process tree, CPU seconds of the tree)."""
    peak = 0
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env, cwd=ROOT)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            tree, todo = [], [proc.pid]
            while todo:
                pid = todo.pop()
                tree.append(pid)
                todo += _children(pid)
            peak = max(peak, sum(_pss_kib(pid) for pid in tree))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    done.set()
    sampler.join()
    if proc.returncode:
        raise SystemExit(f"{' '.join(command[:4])}… failed:\n{err.decode()[-2000:]}")
    # Every process of the tree is waited for by its parent, so its CPU time is counted here.
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return seconds, peak / 1024, cpu


def median(runs: list[tuple[float, float, float]]) -> tuple[float, float, float]:
    return (statistics.median(r[0] for r in runs), max(r[1] for r in runs),
            statistics.median(r[2] for r in runs))


def weasyprint_inputs(source: Path, folder: Path) -> list[str]:
    """The PDF edition's HTML as one document, and its stylesheets, written to ``folder``."""
    from converters.core.options import BuildOptions
    from converters.pdf import writer
    from converters.render.book import render
    from converters.source.loader import load_book

    rendered = render(load_book(source))
    html = folder / "book.html"
    html.write_text(writer.html_document(rendered), encoding="utf-8")
    house = (ROOT / "converters" / "assets" / "pdf.css")
    page = folder / "page.css"
    page.write_text(writer.page_css(rendered.book, BuildOptions().pdf_layout), encoding="utf-8")
    code = ("import sys, weasyprint; weasyprint.HTML(sys.argv[1]).write_pdf(sys.argv[2], "
            "stylesheets=sys.argv[3:], pdf_variant='pdf/ua-1', pdf_tags=True)")
    return [PY, "-c", code, str(html), str(folder / "alone.pdf"), str(house), str(page)]


def pandoc_commands(source: Path, folder: Path) -> dict[str, list[str]]:
    import pypandoc

    from converters.render.markdown import READER
    from converters.source.loader import load_book

    book = load_book(source)
    files = [str(e.body_path) for e in book.entries if e.body_path is not None]
    base = [pypandoc.get_pandoc_path(), "--sandbox", "-f", READER, "--metadata",
            f"title={book.title}", *files]
    return {fmt: [*base, "-o", str(folder / f"alone.{fmt}")] for fmt in ("epub", "docx")}


def pages(pdf: Path) -> int:
    import pikepdf

    with pikepdf.open(pdf) as doc:
        return len(doc.pages)


def bench_book(name: str, source: Path, work: Path, jobs: int, repeat: int) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["CI"] = "1"
    env["PYTHONPATH"] = str(ROOT)
    cold, noop, edit, alone, epub, docx = [], [], [], [], [], []
    by_format: dict[str, list] = {}
    chapter = sorted(p for p in source.glob("*.md"))[len(list(source.glob("*.md"))) // 2]
    original = chapter.read_text(encoding="utf-8")
    weasy = weasyprint_inputs(source, work)
    pandoc = pandoc_commands(source, work)
    out = work / "out"
    for n in range(repeat):
        shutil.rmtree(out, ignore_errors=True)
        command = [*EDITIONS, str(source), "--out", str(out), "--jobs", str(jobs)]
        cold.append(run(command, env))
        noop.append(run(command, env))
        word = " the " if n % 2 == 0 else " one "
        text = chapter.read_text(encoding="utf-8")
        chapter.write_text(text.replace(word, " ONE " if n % 2 == 0 else " the ", 1),
                           encoding="utf-8")
        edit.append(run(command, env))
        for fmt in ("pdf", "epub", "docx"):  # each edition alone, cold: its own time and memory
            alone_out = work / f"out-{fmt}"
            shutil.rmtree(alone_out, ignore_errors=True)
            by_format.setdefault(fmt, []).append(run(
                [*EDITIONS, str(source), "--out", str(alone_out), "--jobs", str(jobs),
                 "--format", fmt], env))
        alone.append(run(weasy, env))
        epub.append(run(pandoc["epub"], env))
        docx.append(run(pandoc["docx"], env))
    chapter.write_text(original, encoding="utf-8")
    pdf = next(out.glob("*.pdf"))
    words = sum(len(p.read_text(encoding="utf-8").split()) for p in source.glob("*.md"))
    return {"name": name, "words": words, "pages": pages(pdf), "alone_pages":
            pages(work / "alone.pdf"), "cold": median(cold), "noop": median(noop),
            "edit": median(edit), "weasyprint": median(alone), "pandoc_epub": median(epub),
            "pandoc_docx": median(docx),
            **{f"only_{fmt}": median(runs) for fmt, runs in by_format.items()}}


def report(rows: list[dict], jobs: int, repeat: int) -> None:
    print(f"\ncores {os.cpu_count()}, --jobs {jobs}, median of {repeat}; peak = memory summed "
          "over the command's processes (PSS)")
    head = ("book", "words", "pages", "cold s", "no-op s", "edit s", "WP alone s", "pandoc "
            "epub s", "pandoc docx s")
    print(" | ".join(head))
    for r in rows:
        print(" | ".join([r["name"], str(r["words"]), str(r["pages"]),
                          *(f"{r[k][0]:.2f}" for k in ("cold", "noop", "edit", "weasyprint",
                                                        "pandoc_epub", "pandoc_docx"))]))
    print("same, CPU seconds summed over the processes (user + system; steadier than wall "
          "time on a shared machine)")
    for r in rows:
        print(" | ".join([r["name"], str(r["words"]), str(r["pages"]),
                          *(f"{r[k][2]:.2f}" for k in ("cold", "noop", "edit", "weasyprint",
                                                        "pandoc_epub", "pandoc_docx"))]))
    print("\neach edition alone, cold (--format X, fresh output folder): wall s / CPU s / "
          "peak MiB")
    for r in rows:
        print(r["name"] + " | " + " | ".join(
            f"{fmt} {r['only_' + fmt][0]:.2f} / {r['only_' + fmt][2]:.2f} / "
            f"{r['only_' + fmt][1]:.0f}" for fmt in ("pdf", "epub", "docx")))
    print("\nbook | cold/WP | cold/(WP+pandoc) | edit/cold | pages/s cold | pages/s WP | "
          "peak MiB cold | edit | no-op | WP alone")
    for r in rows:
        wp = r["weasyprint"][0]
        peers = wp + r["pandoc_epub"][0] + r["pandoc_docx"][0]
        print(f"{r['name']} | {r['cold'][0] / wp:.2f} | {r['cold'][0] / peers:.2f} | "
              f"{r['edit'][0] / r['cold'][0]:.3f} | {r['pages'] / r['cold'][0]:.1f} | "
              f"{r['alone_pages'] / wp:.1f} | {r['cold'][1]:.0f} | {r['edit'][1]:.0f} | "
              f"{r['noop'][1]:.0f} | {r['weasyprint'][1]:.0f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    default = next((up / "shared" / "books" / "sherlock" for up in ROOT.parents
                    if (up / "shared" / "books" / "sherlock").is_dir()), None)
    ap.add_argument("--sherlock", type=Path, default=default)
    ap.add_argument("--words", default="600000",
                    help="comma-separated sizes of generated books, in words")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--skip-generated", action="store_true")
    args = ap.parse_args()
    from bench.make_long_book import write_book

    rows = []
    with tempfile.TemporaryDirectory(prefix="editions-bench-") as tmp:
        if args.sherlock is not None:
            src = shutil.copytree(args.sherlock, Path(tmp) / "sherlock" / "src")
            rows.append(bench_book("sherlock", src, src.parent, args.jobs, args.repeat))
            report(rows, args.jobs, args.repeat)
        for words in ([] if args.skip_generated else
                      [int(w) for w in args.words.split(",") if w.strip()]):
            chapters = max(1, round(words / WORDS_PER_CHAPTER))
            src = write_book(Path(tmp) / f"generated-{words}" / "src", words, chapters)
            rows.append(bench_book(f"generated-{words // 1000}k", src, src.parent,
                                   args.jobs, args.repeat))
            report(rows, args.jobs, args.repeat)
            shutil.rmtree(src.parent, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
