"""Time and peak memory of the worst hostile inputs issue 11 found, on any checkout.

    .venv/bin/python bench/hostile.py [--tree PATH] [--timeout SECONDS]

Each case is a small source built (EPUB only) by ``python -m converters`` from ``--tree``
(default: this checkout) in a child process under a wall-clock timeout and a 6 GiB address
space; it prints the outcome (exit code, or "killed"), the seconds, the peak RSS of the
build and its pandoc, and the last line of stderr.  Running it on an older checkout gives the
"before" figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BOOK = """title: Hostile
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

ALIAS_BOMB = "---\na: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
) + "...\n\nText.\n"

CASES: dict[str, dict[str, str]] = {
    "34 nested '['": {"one.md": "[" * 33 + "\n"},
    "8,000 '<' in a line": {"one.md": "x " + "<" * 8000 + "\n"},
    "16,000 '&' in a line": {"one.md": "x " + "&" * 16000 + "\n"},
    "YAML alias bomb in Markdown": {"one.md": ALIAS_BOMB},
    "3,000 nested block quotes": {"one.md": "> " * 3000 + "x\n"},
    "3,000 nested YAML lists": {"book.yaml": BOOK + "subjects: " + "[" * 3000 + "]" * 3000
                                + "\n"},
    "5,000-digit chapter number": {"book.yaml": BOOK.replace("number: 1", "number: "
                                                             + "7" * 5000)},
    "&#xFFFE; in Markdown": {"one.md": "A &#xFFFE; here.\n"},
}


def limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))


def run(tree: Path, name: str, files: dict[str, str], timeout: float) -> str:
    with tempfile.TemporaryDirectory(prefix="editions-hostile-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        (src / "book.yaml").write_text(files.get("book.yaml", BOOK), encoding="utf-8")
        (src / "one.md").write_text(files.get("one.md", "Text.\n"), encoding="utf-8")
        env = {**os.environ, "PYTHONPATH": str(tree)}
        command = [sys.executable, "-m", "converters", "build", str(src), "--out",
                   str(Path(tmp) / "out"), "--format", "epub"]
        started = time.perf_counter()
        # /usr/bin/time reports the peak RSS of the build and of every process it waited for.
        proc = subprocess.Popen(["/usr/bin/time", "-f", "peak-kb %M", *command], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                preexec_fn=limit_memory, start_new_session=True, cwd=tree)
        try:
            _, err = proc.communicate(timeout=timeout)
            outcome = f"exit {proc.returncode}"
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            _, err = proc.communicate()
            outcome = "killed (timeout)"
        seconds = time.perf_counter() - started
    lines = [line for line in err.splitlines() if line.strip()]
    peak = next((int(line.split()[1]) for line in lines if line.startswith("peak-kb")), 0)
    said = next((line for line in reversed(lines) if not line.startswith(("peak-kb",
                                                                          "Command"))), "")
    said = said if "Error" in said or "error" in said else (
        next((line for line in lines if "error" in line.lower()), said))
    return (f"{name:30} {outcome:17} {seconds:6.1f} s {peak / 1024:7.0f} MiB  "
            f"{' '.join(said.split())[:110]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    print(f"tree: {args.tree}")
    for name, files in CASES.items():
        print(run(args.tree, name, files, args.timeout), flush=True)


if __name__ == "__main__":
    main()
