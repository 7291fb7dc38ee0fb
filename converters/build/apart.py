"""The book rendered in a child process, so that the build keeps none of rendering's memory.

Rendering a 600,000-word book peaks at about 170 MiB, and the process is left holding about
100 MiB more than the rendered book itself (9 MB pickled): freed objects' arenas are not given
back to the system.  Every edition process is forked from the build afterwards, so the memory
summed over the build stayed that much higher to its end.  A child renders and hands the
rendered book back (pickled, with its warnings and the cache entries it made); its memory goes
with it.  Where forking is unsafe (other threads run) or not wanted (``--jobs 1``), the book is
rendered here, as before.

While the child renders, the build imports the writers the editions need, so that their forked
processes start with them loaded: importing WeasyPrint alone takes most of a second, which
after a one-chapter edit was on the PDF's critical path.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import pickle
import threading
from typing import TYPE_CHECKING

from ..core.errors import BuildError
from .guard import die_with_parent
from .workers import collect_warnings

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from ..core.cache import Cache
    from ..render.book import RenderedBook
    from ..source.model import Book


def render_apart(book: Book, cache: Cache, jobs: int | None,
                 writers: list[str]) -> tuple[RenderedBook, list[str]]:
    """The rendered book and the warnings rendering gave; ``writers`` (module names) are
    imported meanwhile."""
    from ..render.book import render

    forkable = "fork" in multiprocessing.get_all_start_methods()
    if (jobs or os.cpu_count() or 1) <= 1 or threading.active_count() != 1 or not forkable:
        importer = threading.Thread(target=_import, args=(writers,), daemon=True)
        importer.start()  # pandoc's waits leave the interpreter free for it
        try:
            with collect_warnings() as warnings:
                rendered = render(book, cache=cache, jobs=jobs)
        finally:
            importer.join()
        return rendered, list(warnings)
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(book, cache, jobs, send, os.getpid()))
    child.start()  # before any thread of ours starts: forking beside a thread is unsafe
    send.close()
    try:
        _import(writers)
        result = receive.recv()
    except EOFError:  # it died (killed, out of memory) before sending
        child.join()
        raise BuildError("rendering the book failed: its process ended with exit code "
                         f"{child.exitcode}") from None
    finally:
        receive.close()
    child.join()
    if isinstance(result, BaseException):
        raise result
    rendered, warnings, pending = result
    if cache.pending is not None:
        cache.pending.update(pending)
    return rendered, warnings


def _import(modules: list[str]) -> None:
    for module in modules:
        importlib.import_module(module)


def _child(book: Book, cache: Cache, jobs: int | None, send: Connection, parent: int) -> None:
    from ..render.book import render

    die_with_parent(parent)
    try:
        with collect_warnings() as warnings:
            rendered = render(book, cache=cache, jobs=jobs)
        send.send((rendered, list(warnings), cache.pending or {}))
    except Exception as exc:  # a SourceError above all: raised again in the build
        try:
            send.send(exc)
        except (pickle.PicklingError, TypeError, AttributeError):
            send.send(BuildError(f"rendering the book failed: {type(exc).__name__}: {exc}"))
    finally:
        send.close()
