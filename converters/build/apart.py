"""The book read and rendered in a child process, while the build imports the writers.

Rendering a 600,000-word book peaks at about 170 MiB, and the process is left holding about
100 MiB more than the rendered book itself (9 MB pickled): freed objects' arenas are not given
back to the system.  Every edition process is forked from the build afterwards, so the memory
summed over the build stayed that much higher to its end.  A child reads the source, renders
it and hands the rendered book back (pickled, with its warnings, the cache entries it made and
the digests of the files it read); its memory goes with it.  Where forking is unsafe (other
threads run) or not wanted (``--jobs 1``), all of it is done here, as before.

Meanwhile the build imports the writers the editions need, so that their forked processes
start with them loaded: importing WeasyPrint and the PDF writer takes 0.6 s, longer than
reading and rendering a 600,000-word book after a one-chapter edit (0.3-0.5 s).  The child
therefore reads the source too: with the reading done here first, the imports only began
after it, and the two were each on the critical path (0.4 s more after a one-word edit).
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import BuildError, SourceError
from .fingerprint import input_digests
from .guard import die_with_parent
from .workers import collect_warnings

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from ..core.cache import Cache
    from ..render.book import RenderedBook
    from ..source.model import Book

# What the child sends once the source is read, before its rendered book.
_LOADED = "loaded"
# The rendered book, the warnings rendering gave, and the digests of the files read (None if
# one could not be read again).
Rendered = tuple["RenderedBook", list[str], "dict[str, str] | None"]


def load_and_render(source: Path, cache: Cache, jobs: int | None, writers: list[str],
                    targets: list[str], on_loaded: Callable[[], None]) -> Rendered:
    """The book in ``source`` read (checked for ``targets``) and rendered; ``writers``
    (module names) are imported meanwhile and ``on_loaded`` is called once the source is read.

    Raises ``SourceError`` with every problem the source has, the Markdown's included.
    """
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if (jobs or os.cpu_count() or 1) <= 1 or threading.active_count() != 1 or not forkable:
        book = _load(source, targets)
        on_loaded()
        importer = _Importer(writers)  # pandoc's waits leave the interpreter free for it
        try:
            return _render(book, cache, jobs)
        finally:
            importer.join()
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child,
                            args=(source, cache, jobs, targets, send, os.getpid()))
    child.start()  # before any thread of ours starts: forking beside a thread is unsafe
    send.close()
    # A thread, so that the progress line can say the source is read while the imports go on.
    importer = _Importer(writers)
    try:
        result = receive.recv()
        if result == _LOADED:
            on_loaded()
            result = receive.recv()
    except EOFError:  # it died (killed, out of memory) before sending
        child.join()
        raise BuildError("reading and rendering the book failed: its process ended with exit "
                         f"code {child.exitcode}") from None
    finally:
        receive.close()
    child.join()
    if isinstance(result, BaseException):
        raise result  # not after the imports: 0.3 s more to say that a book.yaml is wrong
    importer.join()
    rendered, warnings, digests, pending = result
    if cache.pending is not None:
        cache.pending.update(pending)
    return rendered, warnings, digests


class _Importer(threading.Thread):
    def __init__(self, modules: list[str]) -> None:
        super().__init__(daemon=True)
        self.modules = modules
        self.start()

    def run(self) -> None:
        for module in self.modules:
            try:
                importlib.import_module(module)
            except Exception:  # its edition's own process fails on it, and says why
                return


def _load(source: Path, targets: list[str]) -> Book:
    """The book, or ``SourceError`` with every problem found, the Markdown's included."""
    from ..render.book import render
    from ..source.loader import load_book
    from .needs import check_targets

    try:
        book = load_book(source)
    except SourceError as exc:
        raise _with_markdown_problems(exc, render) from None
    check_targets(book, targets)
    return book


def _with_markdown_problems(exc: SourceError,
                            render: Callable[[Book], RenderedBook]) -> SourceError:
    """``exc`` plus what the Markdown checks find in the part of the book that could be read.

    Reporting every problem in one run means a bad book.yaml must not hide a missing image.
    Link targets are only judged when every entry and its text were read.
    """
    if exc.partial is None:
        return exc
    try:
        with collect_warnings():
            render(exc.partial)
    except SourceError as more:
        extra = [p for p in more.problems if exc.complete or p.code != "broken-link"]
        return SourceError([*exc.problems, *extra])
    except Exception:  # the partial book is not a whole one; its own problems are enough
        return exc
    return exc


def _render(book: Book, cache: Cache, jobs: int | None) -> Rendered:
    from ..render.book import render

    with collect_warnings() as warnings:
        rendered = render(book, cache=cache, jobs=jobs)
    digests = input_digests(book.source_dir, sorted({*book.files, *rendered.images}))
    return rendered, list(warnings), digests


def _child(source: Path, cache: Cache, jobs: int | None, targets: list[str],
           send: Connection, parent: int) -> None:
    die_with_parent(parent)
    try:
        book = _load(source, targets)
        send.send(_LOADED)
        send.send((*_render(book, cache, jobs), cache.pending or {}))
    except Exception as exc:  # a SourceError above all: raised again in the build
        if isinstance(exc, SourceError):  # the partial book is of no use there
            exc = SourceError(exc.problems)
        try:
            send.send(exc)
        except (pickle.PicklingError, TypeError, AttributeError):
            send.send(BuildError(f"rendering the book failed: {type(exc).__name__}: {exc}"))
    finally:
        send.close()
