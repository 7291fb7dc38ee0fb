"""The ``editions`` command.  The only module that prints."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import __version__
from .build import FORMATS, BuildOptions, build
from .errors import BuildError, SourceError, display_path

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _formats(text: str) -> list[str]:
    chosen = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(bad) or repr(text)}; choose from {','.join(FORMATS)}")
    return chosen


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="editions",
        description="Build EPUB 3, PDF and DOCX editions from one YAML + Markdown book source.",
        epilog="Exit codes: 0 success, 1 source, build or check failure, 2 usage error.")
    ap.add_argument("--version", action="version", version=f"editions {__version__}")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    b = sub.add_parser("build", help="build the editions of a book source",
                       description="Build the editions of the book in SOURCE_DIR.")
    b.add_argument("source", nargs="?", default="source", metavar="SOURCE_DIR",
                   help="folder holding book.yaml (default: source)")
    b.add_argument("--out", default="dist", metavar="DIR", help="output folder (default: dist)")
    b.add_argument("--format", type=_formats, default=list(FORMATS), metavar="LIST",
                   help=f"comma-separated editions to build (default: {','.join(FORMATS)})")
    b.add_argument("--pdf-layout", choices=("screen", "print"), default="screen",
                   help="screen: trim size only (default); print: with bleed and crop marks")
    b.add_argument("--pdf-standard", choices=("ua-1", "a-3b"), default="ua-1",
                   help="PDF/UA-1 tagged PDF (default) or PDF/A-3b for archiving")
    return ap


def main(argv: Sequence[str] | None = None) -> int:
    ap = parser()
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 for --help/--version
        return int(exc.code or 0)
    if args.command is None:
        ap.print_help()
        return EXIT_USAGE
    return _build(args)


def _build(args: argparse.Namespace) -> int:
    try:
        results = build(args.source, args.out, args.format,
                        BuildOptions(args.pdf_layout, args.pdf_standard))
    except SourceError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        print(f"editions: {count} problem{'s' if count != 1 else ''} in the source; "
              "nothing was written", file=sys.stderr)
        return EXIT_FAILED
    except BuildError as exc:
        print(f"editions: error: {exc}; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    for r in results:
        print(f"{display_path(r.path)}  {r.size / 1024:.1f} KiB  {r.seconds:.2f} s")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
