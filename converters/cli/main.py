"""The ``editions`` command.  The only module that prints.

Streams: stdout carries results (one line per edition, and check findings); stderr carries
progress, warnings and errors.  Exit codes: 0 success, 1 source, build or check failure,
2 usage error.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from ..build.orchestrate import FORMATS, BuildOptions, EditionResult, EditionsFailed, build
from ..core.errors import BuildError, SourceError, display_path
from ..core.escape import terminal
from ..core.targets import TARGETS
from . import machine
from .report import report_problem

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _formats(text: str) -> list[str]:
    chosen = [f.strip().lower() for f in text.split(",") if f.strip()]
    bad = [f for f in chosen if f not in FORMATS]
    if bad or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(bad) or repr(text)}; choose from {','.join(FORMATS)}")
    return chosen


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"--jobs needs a whole number of at least 1, not {text!r}")
    return value


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="editions",
        description="Build EPUB 3, PDF and DOCX editions from one YAML + Markdown book source.",
        epilog="Exit codes: 0 success, 1 source, build or check failure, 2 usage error.")
    ap.add_argument("--version", action=machine.VersionAction, nargs=0,
                    help="show the versions of editions, pandoc, WeasyPrint and ebooklib")
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")
    b = sub.add_parser("build", help="build the editions of a book source",
                       description="Build the editions of the book in SOURCE_DIR. Editions "
                       "whose inputs have not changed since the last build are skipped.")
    b.add_argument("source", nargs="?", default=None, metavar="SOURCE_DIR",
                   help="folder holding book.yaml, or that book.yaml (default: the current "
                   "folder if it holds a book.yaml, else source)")
    b.add_argument("--out", default="dist", metavar="DIR", help="output folder (default: dist)")
    b.add_argument("--format", type=_formats, default=None, metavar="LIST",
                   help=f"comma-separated editions to build (default: {','.join(FORMATS)}, "
                   "unless --target is given)")
    b.add_argument("--target", action="append", choices=list(TARGETS), default=[],
                   metavar="NAME", help="a delivery target, each to its own file "
                   f"<slug>-NAME.ext (repeatable): {', '.join(TARGETS)}")
    b.add_argument("--pdf-layout", choices=("screen", "print"), default="screen",
                   help="screen: trim size only (default); print: with bleed and crop marks")
    b.add_argument("--pdf-standard", choices=("ua-1", "a-3b"), default="ua-1",
                   help="PDF/UA-1 tagged PDF (default) or PDF/A-3b for archiving")
    b.add_argument("--force", action="store_true",
                   help="rebuild every edition even if its inputs have not changed")
    b.add_argument("--jobs", type=_jobs, default=None, metavar="N",
                   help=f"processes working at the same time: editions, the PDF's parts, pandoc "
                   f"runs (default: the number of cores, {os.cpu_count() or 1} here)")
    _common(b)
    b.add_argument("--check", action="store_true",
                   help="run 'editions check' on the editions after building")
    c = sub.add_parser("check", help="validate built editions",
                       description="Validate the editions in DIST (a folder, or one edition "
                       "file): EPUBCheck for EPUB; outline, metadata, tagging and fonts for "
                       "PDF; headings, TOC field and properties for DOCX. Findings are "
                       "printed as 'file: error[CODE]: message'.")
    c.add_argument("dist", nargs="?", default="dist", metavar="DIST",
                   help="output folder or edition file (default: dist)")
    c.add_argument("--source", default=None, metavar="SOURCE_DIR",
                   help="book source to compare the contents against (default: the one the "
                   "last build into DIST recorded, if any)")
    _common(c)
    s = sub.add_parser("schema", help="print the JSON Schema of book.yaml",
                       description="Print the JSON Schema (draft 2020-12) of book.yaml, for "
                       "editors that complete keys and flag mistakes as you type.")
    s.add_argument("--out", type=Path, default=None, metavar="FILE",
                   help="write the schema to FILE instead of standard output")
    from . import scaffold, serve

    scaffold.add_parser(sub)
    serve.add_parser(sub)
    return ap


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--report", type=Path, default=None, metavar="FILE.json",
                   help="write a machine-readable report of every edition to FILE.json")
    p.add_argument("--strict", action="store_true",
                   help="treat warnings (ours, pandoc's, WeasyPrint's, EPUBCheck's) as failures")
    machine.add_arguments(p)


def main(argv: Sequence[str] | None = None) -> int:
    ap = parser()
    try:
        args = ap.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors and 0 for --help/--version
        return int(exc.code or 0)
    if args.command is None:
        ap.print_help()
        return EXIT_USAGE
    if report_problem(getattr(args, "report", None)):  # below a regular file: before any work
        return EXIT_USAGE
    if args.command == "check":
        return _check(args)
    if args.command == "schema":
        return _schema(args.out)
    if args.command in ("new", "serve"):
        return args.run(args)
    code = _build(args)
    if argv is None:  # the program itself, about to exit
        # Its exit collected every object the build left (the writers' modules, the rendered
        # book) for nothing: 0.2-0.3 s after a 600,000-word build.  Frozen, they are skipped.
        gc.freeze()
    return code


def _schema(out: Path | None) -> int:
    from ..source.docs import json_schema_text

    text = json_schema_text()
    if out is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as exc:
        print(f"editions: error: cannot write {display_path(out)}: {exc.strerror}",
              file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def _build(args: argparse.Namespace) -> int:
    from .progress import Progress

    source = machine.source_dir(args.source)
    if isinstance(source, str):
        print(f"editions: error: {source}", file=sys.stderr)
        return EXIT_USAGE
    if args.format is None:
        args.format = [] if args.target else list(FORMATS)
    shown = [*args.format, *dict.fromkeys(args.target)]
    progress = Progress(sys.stderr, shown) if not args.quiet else machine.Silent()
    out = Path(args.out)
    try:
        results = build(source, out, args.format,
                        BuildOptions(args.pdf_layout, args.pdf_standard),
                        targets=args.target, force=args.force,
                        jobs=args.jobs, strict=args.strict, on_event=progress)
        code = EXIT_OK
    except SourceError as exc:
        progress.close()
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        count = len(exc.problems)
        if not args.quiet:
            print(f"editions: {count} problem{'s' if count != 1 else ''} in the source; "
                  "nothing was written", file=sys.stderr)
        problems = machine.problems_of(exc)
        _maybe_report(args, "build", [], {}, source, out, EXIT_FAILED, problems)
        return EXIT_FAILED
    except EditionsFailed as exc:
        results, code = exc.results, EXIT_FAILED
    except BuildError as exc:
        progress.close()
        print(f"editions: error: {terminal(str(exc))}; nothing was written", file=sys.stderr)
        return EXIT_FAILED
    progress.close()
    # A warning from the shared rendering (pandoc reading the Markdown) is in every edition's
    # result; it is printed once, as what it is, not once per edition.
    shared = set.intersection(*(set(r.warnings) for r in results)) if len(results) > 1 else set()
    for warning in sorted(shared):
        print(f"editions: warning: {terminal(warning)}", file=sys.stderr)
    seen = set(shared)  # a warning about the source, made once, is printed once
    for r in results:
        _print_result(r, args.quiet, seen)
    checks = {}
    if args.check:
        from ..check.structural import Expected

        try:
            expected = Expected.from_source(source)
        except SourceError:  # cannot happen after a build got this far, but be safe
            expected = None
        checks = _run_checks([p for r in results if r.ok for p in (r.path, *r.extras)],
                             expected, args.quiet)
        if _check_failed(checks.values(), args.strict):
            code = EXIT_FAILED
    _maybe_report(args, "build", results, checks, source, out, code)
    return code


def _print_result(r: EditionResult, quiet: bool = False, seen: set[str] | None = None) -> None:
    for warning in r.warnings:
        if seen is not None and warning in seen:
            continue
        if seen is not None:
            seen.add(warning)
        print(f"editions: warning: {r.format}: {terminal(warning)}", file=sys.stderr)
    if r.status == "failed":
        kept = " (the previous file is kept)" if r.path.exists() else ""
        print(f"editions: error: the {r.format.upper()} edition failed: "
              f"{terminal(r.error or '')}{kept}", file=sys.stderr)
    elif quiet:
        return
    elif r.status == "skipped":
        print(f"{terminal(display_path(r.path))}  {r.size / 1024:.1f} KiB  unchanged")
    else:
        print(f"{terminal(display_path(r.path))}  {r.size / 1024:.1f} KiB  {r.seconds:.2f} s")
    for extra in r.extras:
        print(f"{terminal(display_path(extra))}  {extra.stat().st_size / 1024:.1f} KiB")


def _run_checks(paths, expected, quiet: bool = False) -> dict:
    from ..check.structural import check_edition

    checks = {}
    for path in paths:
        result = check_edition(path, expected)
        for finding in result.findings:
            print(finding)
        checks[path] = result
    if quiet:
        return checks
    errors = sum(c.errors for c in checks.values())
    warnings = sum(c.warnings for c in checks.values())
    print(f"editions: checked {len(checks)} edition{'s' if len(checks) != 1 else ''}: "
          f"{errors} error{'s' if errors != 1 else ''}, "
          f"{warnings} warning{'s' if warnings != 1 else ''}", file=sys.stderr)
    return checks


def _check_failed(checks, strict: bool) -> bool:
    return any(c.errors or (strict and c.warnings) for c in checks)


def _check(args: argparse.Namespace) -> int:
    from ..build.fingerprint import State, sha256_file
    from ..check.structural import EDITION_SUFFIXES, Expected, editions_in

    dist = Path(args.dist)
    if not dist.exists():
        print(f"editions: error: {display_path(dist)} does not exist; build first or pass "
              "the output folder", file=sys.stderr)
        return EXIT_FAILED
    paths = [dist] if dist.is_file() else editions_in(dist)
    if not paths or any(p.suffix not in EDITION_SUFFIXES for p in paths):
        print(f"editions: error: no EPUB, PDF or DOCX edition (or ONIX feed) in "
              f"{display_path(dist)}", file=sys.stderr)
        return EXIT_FAILED
    folder = dist.parent if dist.is_file() else dist
    source = machine.source_dir(args.source) if args.source else None
    if isinstance(source, str):
        print(f"editions: error: {source}", file=sys.stderr)
        return EXIT_USAGE
    if source is None and State.load(folder).source:
        recorded = Path(State.load(folder).source)
        source = recorded if (recorded / "book.yaml").is_file() else None
    expected = None
    if source is not None:
        try:
            expected = Expected.from_source(source)
        except SourceError as exc:
            for problem in exc.problems:
                print(problem, file=sys.stderr)
            return EXIT_FAILED
    checks = _run_checks(paths, expected, args.quiet)
    code = EXIT_FAILED if _check_failed(checks.values(), args.strict) else EXIT_OK
    results = []
    if args.report:
        from ..build.workers import count_pages

        results = [EditionResult(p.suffix[1:], p, p.stat().st_size, 0.0, "checked",
                                 sha256_file(p), _pages_or_none(count_pages, p))
                   for p in paths]
    _maybe_report(args, "check", results, checks, source, folder, code)
    return code


def _pages_or_none(count_pages, path: Path) -> int | None:
    try:
        return count_pages(path.suffix[1:], path)
    except Exception:  # a damaged file has no page count; its check findings say why
        return None


def _maybe_report(args, command, results, checks, source, out, code, problems=()) -> None:
    """The machine outputs: --report JSON, --annotations lines, --sarif log."""
    machine.emit(args, results, checks, problems)
    if args.report is None:
        return
    from .report import report_data, write_report

    write_report(args.report, report_data(command, results, checks, source=source, out=out,
                                          exit_code=code, problems=problems))


if __name__ == "__main__":
    sys.exit(main())
