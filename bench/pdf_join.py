"""The PDF's join and finish on a long book's parts: CPU seconds and the join's memory.

    python bench/pdf_join.py SOURCE_DIR WORK_DIR [--runs 3]

Builds the book's PDF in parts (``--jobs 2``) into WORK_DIR/out once, keeping a copy of the
parts and of the join's arguments in WORK_DIR/join; then joins them again ``--runs`` times, each
in a fresh process, and prints the median CPU time, the process's peak RSS and how much the
join added to it (the peak reset just before the join: /proc/self/clear_refs).  Twice: without
a cache (a cold build's join), then with every part's piece in the cache (the join after an
edit that moved no part's range: join.py copies the pieces in; the first part is joined anew).
"""

from __future__ import annotations

import argparse
import json
import pickle
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def _capture(source: Path, work: Path) -> None:
    from converters.cli.main import main
    from converters.pdf import join

    keep = work / "join"
    keep.mkdir(parents=True, exist_ok=True)
    original = join.join

    def capture(files: list, target: Path, finish: object = None, cache: object = None,
                identifier: bytes | None = None) -> None:
        copies = []
        for n, part in enumerate(files):
            path = keep / f"part-{n:04d}.pdf"
            shutil.copy(part.path, path)
            copies.append(join.PartFile(path, part.keep, part.bookmarks, part.key))
        with (keep / "args.pickle").open("wb") as f:
            pickle.dump((copies, finish, identifier), f)
        original(files, target, finish, cache, identifier)  # type: ignore[arg-type]

    join.join = capture  # type: ignore[assignment]
    main(["build", str(source), "--out", str(work / "out"), "--format", "pdf", "--jobs", "2",
          "--force"])


def _status(key: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key):
            return int(line.split()[1]) / 1024
    return 0.0


def _once(work: Path, cached: bool) -> None:
    from converters.core.cache import Cache
    from converters.pdf import join

    with (work / "join" / "args.pickle").open("rb") as f:
        files, finish, identifier = pickle.load(f)
    cache = Cache(work / "join" / "cache", "bench") if cached else None
    if cache is not None and not (work / "join" / "cache").is_dir():
        join.join(files, work / "join" / "joined.pdf", finish, cache, identifier)  # fills it
    Path("/proc/self/clear_refs").write_text("5")  # the peak from here on
    before = _status("VmRSS:")
    cpu = time.process_time()
    join.join(files, work / "join" / "joined.pdf", finish, cache, identifier)
    cpu = time.process_time() - cpu
    peak = _status("VmHWM:")
    print(json.dumps({"cpu": cpu, "peak": peak, "growth": peak - before, "pages":
                      sum(f.keep for f in files), "parts": len(files)}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("source", type=Path, nargs="?")
    ap.add_argument("work", type=Path)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--once", choices=("cold", "cached"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.once:
        _once(args.work, args.once == "cached")
        return
    if not (args.work / "join" / "args.pickle").is_file():
        _capture(args.source, args.work)
    shutil.rmtree(args.work / "join" / "cache", ignore_errors=True)
    for mode in ("cold", "cached"):
        runs = [json.loads(subprocess.run(
            [sys.executable, __file__, str(args.work), "--once", mode],
            capture_output=True, text=True, check=True).stdout) for _ in range(args.runs)]
        med = {key: statistics.median(r[key] for r in runs) for key in ("cpu", "peak", "growth")}
        print(f"join+finish ({mode}) of {runs[0]['pages']} pages in {runs[0]['parts']} parts, "
              f"median of {len(runs)}: {med['cpu']:.2f} s CPU, peak {med['peak']:.0f} MiB "
              f"(the join's own {med['growth']:.0f} MiB)")


if __name__ == "__main__":
    main()
