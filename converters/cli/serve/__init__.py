"""``editions serve [DIR]``: preview the book in a browser while writing it.

The page is the shared HTML all editions are made from, styled with the EPUB's stylesheet, on
``127.0.0.1`` only.  Saving a file re-renders what changed and reloads the page; a mistake is
shown in the page, located as in the terminal, and the server keeps running.
"""

from __future__ import annotations

import argparse
import errno
import sys
import threading
from collections.abc import Callable
from pathlib import Path

from ...core.errors import display_path
from .preview import Outcome
from .server import Running

DEFAULT_PORT = 8000


def add_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("serve", help="preview the book in a browser, updating as you save",
                       description="Serve the book in DIR on http://127.0.0.1:PORT/ and "
                       "reload the page whenever a file of the book is saved. Only this "
                       "computer can connect. Ctrl-C stops it.")
    s.add_argument("source", nargs="?", default=None, metavar="DIR",
                   help="the book's folder or its book.yaml (default: the current folder if "
                   "it holds a book.yaml, else source)")
    s.add_argument("--port", type=int, default=None, metavar="PORT",
                   help=f"port to listen on (default: {DEFAULT_PORT}, or a free one if it is "
                   "taken; 0 picks a free one)")
    s.set_defaults(run=run)


def _print_outcome(outcome: Outcome, paths: list[Path] | None = None) -> None:
    for problem in outcome.problems:
        print(problem, file=sys.stderr)
    if outcome.error:
        print(f"editions: error: {outcome.error}", file=sys.stderr)
    for warning in outcome.warnings:
        print(f"editions: warning: {warning}", file=sys.stderr)
    what = ""
    if paths:
        shown = ", ".join(display_path(p) for p in paths[:3])
        what = f"{shown}{' …' if len(paths) > 3 else ''} changed: "
    if outcome.ok:
        print(f"editions: {what}rendered {outcome.reparsed} of {outcome.files} Markdown files "
              f"in {outcome.seconds:.2f} s", file=sys.stderr)
    else:
        count = len(outcome.problems) + bool(outcome.error)
        print(f"editions: {what}{count} problem{'s' if count != 1 else ''}; the page shows "
              f"{'them' if count != 1 else 'it'} until fixed", file=sys.stderr)
    sys.stderr.flush()


def run(args: argparse.Namespace) -> int:
    from ..machine import source_dir

    source = source_dir(args.source)
    if isinstance(source, str):
        print(f"editions: error: {source}", file=sys.stderr)
        return 2
    if not (source / "book.yaml").is_file():
        print(f"editions: error: {display_path(source)} holds no book.yaml; pass a book's "
              "folder, or start one with 'editions new DIR'", file=sys.stderr)
        return 1
    lock = threading.Lock()

    def report(outcome: Outcome, paths: list[Path]) -> None:
        with lock:
            _print_outcome(outcome, paths)

    try:
        running = _start(source, args.port, report)
    except OSError as exc:
        print(f"editions: error: cannot listen on port {args.port}: {exc.strerror}",
              file=sys.stderr)
        return 1
    with lock:
        _print_outcome(running.first)
        print(f"editions: serving {display_path(source)} at {running.url} "
              "(Ctrl-C stops)", file=sys.stderr, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()
    return 0


def _start(source: Path, port: int | None,
           report: Callable[[Outcome, list[Path]], None]) -> Running:
    if port is not None:
        return Running(source, port, report)
    try:
        return Running(source, DEFAULT_PORT, report)
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        return Running(source, 0, report)
