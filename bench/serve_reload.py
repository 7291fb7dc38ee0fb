"""Time from saving a Markdown file to a real browser showing the change, under 'editions serve'.

    python bench/serve_reload.py [SOURCE_DIR ...]   (default: source and ../shared/books/sherlock)

Each book is copied to a temporary folder; one Markdown file is appended a marker sentence
five times, and headless Chromium (Debian's, driven by Playwright) waits for it on the page.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from converters.cli.serve.server import Running
from converters.source.loader import load_book

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = [ROOT / "source", ROOT.parent / "shared" / "books" / "sherlock"]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"


def measure(source: Path, rounds: int = 5) -> tuple[float, list[float], list[float], int]:
    with tempfile.TemporaryDirectory() as tmp:
        book = Path(tmp) / "book"
        shutil.copytree(source, book)
        entries = load_book(book).entries
        target = next(e.body_path or e.summary_path for e in reversed(entries)
                      if e.body_path or e.summary_path)
        published: list[float] = []  # when each re-render was ready, to split the time
        started = time.perf_counter()
        running = Running(book, 0, lambda outcome, paths: published.append(time.perf_counter()))
        first = time.perf_counter() - started
        time.sleep(0.3)
        times, server = [], []
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_page()
                page.goto(running.url)
                for n in range(rounds):
                    marker = f"Marker sentence number {n} for the reload bench."
                    text = target.read_text(encoding="utf-8")
                    saved = time.perf_counter()
                    target.write_text(text + f"\n\n{marker}\n", encoding="utf-8")
                    page.wait_for_function(f"document.body.innerText.includes({marker!r})",
                                           polling=10, timeout=60_000)
                    times.append(time.perf_counter() - saved)
                    server.append(published[-1] - saved)
                browser.close()
        finally:
            running.stop()
        return first, times, server, running.first.files


def main(argv: list[str]) -> int:
    for source in [Path(a) for a in argv] or DEFAULT:
        if not (source / "book.yaml").is_file():
            print(f"{source}: no book.yaml, skipped")
            continue
        first, times, server, files = measure(source)
        print(f"{source.name}: {files} Markdown files; first render {first:.2f} s; save to "
              f"browser median {statistics.median(times):.2f} s "
              f"(min {min(times):.2f}, max {max(times):.2f}, n={len(times)}), of which save "
              f"to re-rendered {statistics.median(server):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
