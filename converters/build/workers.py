"""The build's worker side: one edition written in its own process, its warnings collected,
its page count read; the orchestration (orchestrate.py) plans and places the results."""

from __future__ import annotations

import gc
import importlib
import logging
import multiprocessing
import os
import shutil
import threading
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import process as shared
from ..core.errors import EditionsError
from ..core.options import BuildOptions
from .fingerprint import sha256_file
from .guard import die_with_parent

if TYPE_CHECKING:
    from ..render.book import RenderedBook

# on_event(kind, format or None, result or None), as orchestrate.EventHandler.
Emit = Callable[[str, "str | None", object], None]
Writer = Callable[["RenderedBook", Path, Path, BuildOptions], None]
# Imported lazily: a no-op build must not pay for importing WeasyPrint.
WRITERS: dict[str, tuple[str, str]] = {"epub": ("converters.epub.writer", "write_epub"),
                                       "pdf": ("converters.pdf.writer", "write_pdf"),
                                       "docx": ("converters.docx.writer", "write_docx"),
                                       "onix": ("converters.onix.writer", "write_onix")}
# Loggers whose warnings are an edition's warnings.
WARNING_SOURCES = {"pypandoc": "pandoc", "weasyprint": "weasyprint", "converters": "editions",
                   "fontTools": "fonttools", "ebooklib": "ebooklib"}


def writer(fmt: str) -> Writer:
    module, name = WRITERS[fmt]
    return getattr(importlib.import_module(module), name)


@dataclass
class Task:
    """One edition to write; pickled to a worker process."""

    key: str
    fmt: str
    label: str
    rendered: RenderedBook
    target: Path
    scratch: Path
    options: BuildOptions
    source_date_epoch: str | None


@dataclass
class Outcome:
    """What a worker sends back: plain values only, so it always pickles."""

    key: str
    ok: bool
    seconds: float
    warnings: list[str] = field(default_factory=list)
    error: str | None = None
    size: int = 0
    sha256: str | None = None
    pages: int | None = None
    extras: list[str] = field(default_factory=list)


def run_all(tasks: list[Task], jobs: int, emit: Emit) -> Iterator[Outcome]:
    """Each task in its own process, up to ``jobs`` at a time; outcomes as they finish.

    A process per edition rather than a pool: a pool's idle worker keeps the memory its last
    edition grew to (120 MiB on a 600,000-word book while the PDF was still being joined),
    and a forked process needs no copy of the rendered book sent through a pipe.
    """
    if jobs <= 1 or len(tasks) <= 1:
        for task in tasks:
            emit("start", task.label, None)
            yield _run_task(task)
        return
    context = _process_context()
    waiting = list(tasks)
    running: dict[object, tuple[multiprocessing.process.BaseProcess, Connection, Task]] = {}
    # Editions written beside the PDF take cores its parts' workers then leave to them: three
    # working processes on two cores go no faster than two, and the third's memory (a layout,
    # ~110 MiB on a million words) is what took the build over 500 MiB.
    # Counted from the start (waiting ones too), before the PDF's process looks.
    beside = context.Value("i", sum(task.fmt != "pdf" for task in tasks))
    shared.share_beside(beside)
    # Forked workers share the parent's pages until they write to them, and a garbage
    # collection in a worker writes to every object it visits: frozen, the parent's objects
    # (the rendered book above all) are never visited, so they stay shared.
    gc.freeze()
    try:
        while waiting or running:
            while waiting and len(running) < jobs:
                task = waiting.pop(0)
                receive, send = context.Pipe(duplex=False)
                # Not a daemon: the PDF's worker starts its parts' workers. It dies with the
                # build all the same (_child: PR_SET_PDEATHSIG).
                process = context.Process(target=_child, args=(task, send, os.getpid()))
                process.start()
                send.close()
                running[receive] = (process, receive, task)
                emit("start", task.label, None)
            for ready in wait(list(running)):
                process, receive, task = running.pop(ready)
                try:
                    outcome: Outcome = receive.recv()
                except (EOFError, OSError):  # it died (killed, out of memory) before sending
                    process.join()
                    outcome = Outcome(task.key, False, 0.0, [], "the worker process failed: "
                                      f"it ended with exit code {process.exitcode}")
                receive.close()
                process.join()
                if task.fmt != "pdf":
                    with beside.get_lock():
                        beside.value -= 1
                yield outcome
    finally:
        gc.unfreeze()
        shared.share_beside(None)
        for process, receive, _ in running.values():  # the consumer stopped early
            process.kill()
            receive.close()


def _child(task: Task, send: Connection, parent: int) -> None:
    die_with_parent(parent)
    send.send(_run_task(task))
    send.close()


def _process_context() -> multiprocessing.context.BaseContext:
    # fork is cheapest (no re-import), but forking a process that runs other threads can
    # deadlock; a host application with threads gets spawn instead.
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _run_task(task: Task) -> Outcome:
    """Write one edition (in a worker process, or inline with --jobs 1)."""
    # A spawned worker or a reused one must see the parent's date, not its own environment.
    if task.source_date_epoch is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = task.source_date_epoch
    started = time.perf_counter()
    with collect_warnings() as warnings:
        try:
            writer(task.fmt)(task.rendered, task.target, task.scratch, task.options)
            if task.fmt in ("epub", "docx"):
                from .reproducible import normalise_zip

                normalise_zip(task.target, epub=task.fmt == "epub")
            pages = count_pages(task.fmt, task.target)
        except EditionsError as exc:
            return Outcome(task.key, False, time.perf_counter() - started, list(warnings),
                            str(exc))
        except Exception as exc:  # a writer library failing on valid input
            return Outcome(task.key, False, time.perf_counter() - started, list(warnings),
                            brief(f"{type(exc).__name__}: {exc}"))
        finally:
            shutil.rmtree(task.scratch, ignore_errors=True)
    rules = task.options.rules
    extras = [rules.cover_name()] if rules and rules.print_ready else []
    return Outcome(task.key, True, time.perf_counter() - started, list(warnings), None,
                    task.target.stat().st_size, sha256_file(task.target), pages, extras)


def brief(message: str, limit: int = 400) -> str:
    """A library's error on one line, without the tool's own stack dump (pandoc's CallStack)."""
    message = message.split("CallStack (from")[0]
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"


def count_pages(fmt: str, path: Path) -> int | None:
    """PDF: its pages.  EPUB: the documents in its spine.  DOCX: None (Word lays out pages)."""
    if fmt == "pdf":
        import pikepdf

        with pikepdf.open(path) as pdf:
            return len(pdf.pages)
    if fmt == "epub":
        from lxml import etree

        with zipfile.ZipFile(path) as z:
            container = etree.fromstring(z.read("META-INF/container.xml"))
            opf_path = container.xpath("//*[local-name()='rootfile']/@full-path")[0]
            opf = etree.fromstring(z.read(opf_path))
        return len(opf.xpath("//*[local-name()='spine']/*[local-name()='itemref']"))
    return None


class _Collector(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        origin = next((label for name, label in WARNING_SOURCES.items()
                       if record.name == name or record.name.startswith(name + ".")),
                      record.name)
        message = " ".join(record.getMessage().split())
        line = f"{origin}: {message}"
        if line not in self.sink:
            self.sink.append(line)


@contextmanager
def collect_warnings() -> Iterator[list[str]]:
    """Collect warnings logged by pandoc (via pypandoc), WeasyPrint and this package.

    The loggers' own handlers are set aside meanwhile: collected warnings are reported by the
    CLI, never printed twice.
    """
    sink: list[str] = []
    collector = _Collector(sink)
    saved = {}
    for name in WARNING_SOURCES:
        logger = logging.getLogger(name)
        saved[name] = (logger.handlers[:], logger.propagate)
        logger.handlers = [collector]
        logger.propagate = False
    try:
        yield sink
    finally:
        for name, (handlers, propagate) in saved.items():
            logger = logging.getLogger(name)
            logger.handlers = handlers
            logger.propagate = propagate
