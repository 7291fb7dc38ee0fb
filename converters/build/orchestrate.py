"""Source folder -> editions in the output folder: incremental, parallel, reproducible.

- **Incremental.** Before anything is parsed, each requested edition's fingerprint is
  recomputed from the bytes of the files it was last built from (see ``fingerprint.py``); an
  edition whose fingerprint and output file are unchanged is skipped.  Only if something must
  be built is the book loaded and its Markdown rendered.
- **Parallel.** The source is read and its Markdown rendered once, in a child process that
  hands the ``RenderedBook`` (plain dataclasses and strings) back and takes rendering's memory
  with it, while the build imports the writers (``apart.py``); one worker process per edition
  is then forked from the build.  Rendering in each worker instead would run pandoc on every
  file three times over on a two-core machine, and the writers never re-render by design.
- **Isolated failures, atomic results.** Every edition is written into a temporary folder
  beside the output and moved into place with ``os.replace`` (atomic on one file system) as
  soon as it is complete and clean.  An edition that fails leaves its previous file as it was;
  the others still land; :class:`EditionsFailed` then reports the failure with every result.
- **Reproducible.** EPUB and DOCX packages are re-packed by ``reproducible.normalise_zip``
  after their writer, so with ``SOURCE_DATE_EPOCH`` set two builds give identical bytes.
- **Warnings** from pandoc (the ``pypandoc`` logger), WeasyPrint and this package are
  collected per edition; with ``strict`` an edition with warnings fails.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from ..core.cache import CACHE_DIR, Cache, digest
from ..core.errors import BuildError
from ..core.options import BuildOptions
from .apart import load_and_render
from .fingerprint import EditionRecord, State, fingerprint, toolchain
from .guard import check_out, out_lock
from .naming import edition_filename
from .workers import WRITERS, Outcome, Task, run_all

FORMATS = ("epub", "pdf", "docx")
# Longest first, so the slowest edition starts first when there are fewer cores than editions.
_START_ORDER = ("pdf", "docx", "epub", "onix")


@dataclass(frozen=True)
class _Job:
    """One requested edition: a format (``--format``) or a target (``--target``)."""

    key: str  # the state's key: "pdf", or "target:kdp-print"
    fmt: str  # the writer
    label: str  # what results and messages call it: "pdf", or "kdp-print"
    options: BuildOptions

    @classmethod
    def plan(cls, formats: Iterable[str], targets: Iterable[str],
             options: BuildOptions) -> list[_Job]:
        from ..core.targets import TARGETS

        jobs = [cls(f, f, f, options) for f in dict.fromkeys(formats)]
        printing = next((t for t in targets if TARGETS[t].print_ready), None)
        ebook = any(TARGETS[t].format == "epub" for t in targets)
        for t in dict.fromkeys(targets):
            chosen = options.for_target(t)
            # The EPUB's page list from our print edition (and ONIX says so with it).
            if TARGETS[t].format in ("epub", "onix") and printing and ebook:
                chosen = replace(chosen, page_source=printing)
            jobs.append(cls(f"target:{t}", TARGETS[t].format, t, chosen))
        return jobs

    def file_name(self, slug: str) -> str:
        return edition_filename(slug, self.fmt, self.options)



@dataclass(frozen=True)
class EditionResult:
    format: str
    path: Path
    size: int
    seconds: float
    status: str = "built"  # "built", "skipped" (unchanged) or "failed"
    sha256: str | None = None
    pages: int | None = None  # PDF: pages; EPUB: spine documents; DOCX: None
    warnings: tuple[str, ...] = ()
    error: str | None = None
    extras: tuple[Path, ...] = ()  # files written beside it: a print target's cover wrap

    @property
    def ok(self) -> bool:
        return self.status != "failed"


class EditionsFailed(BuildError):
    """One or more editions failed; the others were written.  ``results`` holds them all."""

    def __init__(self, results: list[EditionResult]) -> None:
        self.results = results
        failed = [r for r in results if not r.ok]
        super().__init__("; ".join(f"the {r.format.upper()} edition failed: {r.error}"
                                   for r in failed))


# on_event(kind, format or None, result or None); kinds: "load", "render", "start", "skipped",
# "built", "failed".  The CLI turns these into its progress display.
EventHandler = Callable[[str, "str | None", "EditionResult | None"], None]


def build(source_dir: str | Path = "source", out_dir: str | Path = "dist",
          formats: Iterable[str] = FORMATS, options: BuildOptions | None = None, *,
          targets: Iterable[str] = (), force: bool = False, jobs: int | None = None,
          strict: bool = False,
          on_event: EventHandler | None = None) -> list[EditionResult]:
    """Build the requested editions of the book in ``source_dir`` into ``out_dir``.

    Returns one result per format, then one per target (``core.targets``), in the order
    asked.  Raises ``SourceError`` (nothing written) for a bad source and
    :class:`EditionsFailed` if any edition failed.
    """
    from ..core.targets import TARGETS

    options = options or BuildOptions()
    formats, targets = list(formats), list(targets)
    unknown = [f for f in formats if f not in FORMATS]
    unknown += [t for t in targets if t not in TARGETS]
    if unknown:
        raise ValueError(f"unknown format(s) or target(s): {', '.join(unknown)}")
    planned = _Job.plan(formats, targets, options)
    emit = on_event or (lambda kind, fmt, result: None)
    source, out = Path(source_dir), Path(out_dir)
    check_out(out)  # at or below a regular file: an error before any work
    state = State.load(out)
    results: dict[str, EditionResult] = {}
    if not force:
        for job in planned:
            record = state.unchanged(job.key, job.options.for_format(job.fmt), source)
            rules = job.options.rules
            if record is not None and rules and rules.print_ready and not (
                    out / rules.cover_name()).is_file():
                record = None  # the cover wrap went missing: build both again
            # An edition built with warnings is rebuilt under --strict, so that they count.
            if record is not None and not (strict and record.warnings):
                results[job.key] = _skipped(job.label, out, record)
                emit("skipped", job.label, results[job.key])
    todo = [j for j in planned if j.key not in results]
    if todo:
        _build_editions(source, out, todo, state, results, jobs, strict, emit)
    ordered = [results[j.key] for j in planned]
    if not all(r.ok for r in ordered):
        raise EditionsFailed(ordered)
    return ordered


def _skipped(fmt: str, out: Path, record: EditionRecord) -> EditionResult:
    return EditionResult(fmt, out / record.path, record.size, 0.0, "skipped", record.sha256,
                         record.pages, tuple(record.warnings))


def _build_editions(source: Path, out: Path, todo: list[_Job],
                    state: State, results: dict[str, EditionResult], jobs: int | None,
                    strict: bool, emit: EventHandler) -> None:
    emit("load", None, None)
    # The PDF's parts are cached here, and each Markdown file's AST and HTML (render/files.py:
    # the HTML under its final AST, which citations, cross-references and the index rewrote).
    cache = Cache(out / CACHE_DIR, salt=digest(toolchain()), deferred=True)
    # The imports made while the book renders are waited for: with a PDF to make, only its
    # writer (0.5 s), the longest edition's; the others' (0.06 s) are made in their processes.
    fmts = {j.fmt for j in todo}
    waited = ["pdf"] if "pdf" in fmts else [f for f in _START_ORDER if f in fmts]
    rendered, render_warnings, digests = load_and_render(
        source, cache, jobs, [WRITERS[f][0] for f in waited],
        [j.label for j in todo if j.options.rules is not None],
        lambda: emit("render", None, None))
    book = rendered.book
    out.mkdir(parents=True, exist_ok=True)
    cache.flush()
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    from ..source.paths import remove_stale_workdirs, workdir_prefix

    with out_lock(out), tempfile.TemporaryDirectory(dir=out, prefix=workdir_prefix()) as tmp:
        remove_stale_workdirs(out)  # left by a build that was killed: SIGKILL skips clean-up
        work = Path(tmp)
        tasks = []
        budget = jobs or os.cpu_count() or 1
        with_pdf = any(j.fmt == "pdf" for j in todo)
        for job in sorted(todo, key=lambda j: _START_ORDER.index(j.fmt)):
            scratch = work / f"work-{job.key.replace(':', '-')}"
            scratch.mkdir()
            # --jobs is the number of working processes: the PDF's parts take them all, and
            # an edition written beside the PDF runs one helper (pandoc) at a time, or a
            # 600,000-word book's two pandocs and two layouts at once peaked at 564 MiB.
            share = budget if job.fmt == "pdf" or not with_pdf else 1
            # A later job (ONIX) reads the editions already moved into the output folder.
            options = replace(job.options, editions_dir=str(out), cache_dir=str(cache.folder),
                              cache_salt=cache.salt, jobs=share)
            tasks.append(Task(job.key, job.fmt, job.label, rendered,
                               work / job.file_name(book.slug), scratch, options, epoch))
        if strict and render_warnings:
            outcomes: Iterable[Outcome] = (
                Outcome(t.key, False, 0.0, [], "pandoc warned while converting the Markdown "
                         "and --strict is on") for t in tasks)
        else:
            workers = jobs or os.cpu_count() or 1
            # ONIX after the editions it describes, so that it reads their real page counts;
            # an EPUB paged like our print edition after that edition's PDF.
            later = {t.key for t in tasks if t.fmt == "onix" or t.options.page_source}
            outcomes = itertools.chain(
                run_all([t for t in tasks if t.key not in later], workers, emit),
                run_all([t for t in tasks if t.key in later], workers, emit))
        for outcome in outcomes:
            task = next(t for t in tasks if t.key == outcome.key)
            warnings = (*render_warnings, *outcome.warnings)
            error = outcome.error
            if error is None and strict and warnings:
                error = f"{len(warnings)} warning(s) and --strict is on"
            final = out / task.target.name
            if error is None:
                os.replace(task.target, final)
                extras = []
                for name in outcome.extras:  # the cover wrap beside a print interior
                    os.replace(task.target.parent / name, out / name)
                    extras.append(out / name)
                results[task.key] = EditionResult(
                    task.label, final, outcome.size, outcome.seconds, "built", outcome.sha256,
                    outcome.pages, warnings, None, tuple(extras))
                if digests is not None:
                    options_used = task.options.for_format(task.fmt)
                    state.editions[task.key] = EditionRecord(
                        final.name, fingerprint(task.key, options_used, source, digests),
                        outcome.sha256 or "", outcome.size, outcome.pages, list(digests),
                        list(warnings))
                emit("built", task.label, results[task.key])
            else:
                # The previous file, if any, stays; its record no longer matches the sources.
                state.editions.pop(task.key, None)
                results[task.key] = EditionResult(task.label, final, 0, outcome.seconds,
                                                  "failed", None, None, warnings, error)
                emit("failed", task.label, results[task.key])
        state.source = str(source.resolve())
        state.save(scratch=work)  # its temporary file goes with the work folder if killed
        cache.trim()
