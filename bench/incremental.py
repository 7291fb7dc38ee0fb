"""Cold, warm and no-op build times of a book, and the reproducibility of its editions.

    .venv/bin/python bench/incremental.py [SOURCE_DIR] [--repeat N] [--jobs N]

Each figure is the wall time of a whole `editions build` command (interpreter start-up
included, as a CI job sees it), the median of N runs:

- cold:  a fresh output folder, nothing to reuse;
- warm:  `--force`, every edition rebuilt over an existing output folder;
- no-op: nothing changed, every edition skipped on its fingerprint.

Then the book is copied to two different folders and built in each, a few seconds apart, with
SOURCE_DATE_EPOCH set; the SHA-256 of each edition from both builds is printed.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITIONS = [sys.executable, "-m", "converters"]


def run(args: list[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(EDITIONS + args, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    return time.perf_counter() - started


def _in_process_noop(source: Path, out: Path) -> float:
    """The no-op build() call alone, without interpreter start-up and imports."""
    from converters import build

    build(source, out)  # the CLI runs set CI; this one only needs the state to be current
    started = time.perf_counter()
    results = build(source, out)
    assert all(r.status == "skipped" for r in results)
    return time.perf_counter() - started


def digests(folder: Path) -> dict[str, str]:
    return {p.suffix[1:]: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.suffix in (".epub", ".pdf", ".docx")}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", nargs="?", default=str(ROOT / "source"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--jobs", type=int, default=None)
    args = ap.parse_args()
    source = Path(args.source).resolve()
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    env["CI"] = "1"
    cold, warm, noop, serial, inproc = [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for n in range(args.repeat):
            out = Path(tmp) / f"out{n}"
            cold.append(run(["build", str(source), "--out", str(out), *jobs], env))
            warm.append(run(["build", str(source), "--out", str(out), "--force", *jobs], env))
            noop.append(run(["build", str(source), "--out", str(out), *jobs], env))
            serial.append(run(["build", str(source), "--out", str(out), "--force",
                               "--jobs", "1"], env))
            inproc.append(_in_process_noop(source, out))
    print(f"book     {source}")
    print(f"cores    {os.cpu_count()}, jobs {args.jobs or os.cpu_count()}, "
          f"median of {args.repeat}")
    for name, times in (("cold", cold), ("warm", warm), ("no-op", noop),
                        ("warm, --jobs 1", serial), ("no-op, build() in-process", inproc)):
        print(f"{name:<26} {statistics.median(times):.3f} s  "
              f"(min {min(times):.3f}, max {max(times):.3f})")

    epoch = {**env, "SOURCE_DATE_EPOCH": "1700000000"}
    builds = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("a", "b"):
            src = shutil.copytree(source, Path(tmp) / name / "book")
            out = Path(tmp) / name / "dist"
            run(["build", str(src), "--out", str(out), *jobs], epoch)
            builds.append(digests(out))
            time.sleep(2.1)  # a different wall-clock time, beyond zip's 2-second resolution
    print("SOURCE_DATE_EPOCH=1700000000, two copies in two folders:")
    for fmt in builds[0]:
        same = "identical" if builds[0][fmt] == builds[1].get(fmt) else "DIFFERENT"
        print(f"{fmt:<5} {builds[0][fmt]}\n      {builds[1].get(fmt)}  {same}")
    return 0 if builds[0] == builds[1] else 1


if __name__ == "__main__":
    sys.exit(main())
