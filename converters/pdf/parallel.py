"""The PDF laid out in parts by up to --jobs worker processes, cached per part, and joined.

The parts are those of parts.py.  Each part is laid out by a worker (worker.py) with its page
counter at 1; its page count, layout passes' state and anchors (its *facts*) come back to the
writer, which from the page counts of the parts before it knows its first folio and tells the
worker, which then remakes the folios alone and writes the part's PDF.  join.py makes one PDF
of them.

A part links to other parts through stand-in anchors (empty elements with the target ids) in
an empty entry after its own, which opens on a recto as the next part will: that entry's page
is never kept, and neither is a blank verso before it at the end of the book.

The contents part is laid out first with placeholder page numbers (its page count is all the
others need), and, once every other part's anchors are known, again with the real numbers;
only if that changes its page count are the parts after it written again.

Cache (core/cache.py, beside the state file): a part's facts under a key of its entries' HTML,
its stand-ins, the style and (for the contents) its page numbers; its PDF under that key plus
its first folio and passes' state.  Editing one chapter lays out that part; if its page count is
unchanged every other part's PDF comes from the cache, and the book is only joined again.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from ..core.cache import Cache, digest
from ..core.dates import build_datetime
from ..core.errors import BuildError
from . import join, parts, worker

STAND_IN = re.compile(r'href="#([^"]+)"')


@dataclass
class Job:
    part: parts.Part
    ids: set[str]  # ids inside the part's entries
    html: str  # its entries' shared HTML
    last: bool
    key: str = ""  # its facts' cache key
    folios: dict[str, str] = field(default_factory=dict)  # the contents' page numbers
    facts: dict | None = None  # {"pages", "keep", "state", "anchors", "overflow"}
    stale: bool = False  # facts from before its page numbers were known: lay out again
    counter: int | None = None  # the first folio its PDF was written with
    path: Path | None = None
    laying: bool = False  # a worker is laying it out
    writing: tuple[int, Path] | None = None  # a worker is writing it: (first folio, file)

    def stand_ins(self) -> str:
        """The part-end entry holding an empty element for each id it links to elsewhere."""
        outside = sorted(set(STAND_IN.findall(self.html)) - self.ids)
        stubs = "".join(f'<div id="{i}"></div>' for i in outside)
        return parts.PART_END.replace("></section>", f">{stubs}</section>")


def make_lay(render_html: Callable[[str, str], tuple], adapt: Callable[[range, dict], str],
             settle: Callable[[object, dict], dict | None],
             report: Callable[[object, int], list]) -> Callable[..., tuple]:
    """The worker's layout of one part: the layout passes, then its facts.

    ``state`` is what the passes decided (turned paragraphs, words set whole, spacing; JSON);
    ``settle(document, state)`` the next state, or None once the part stands still;
    ``report(document, keep)`` its overflowing text, to be warned about by the writer."""

    def lay(numbers: range, state: dict, folios: dict[str, str], tail: str, last: bool,
            contents: bool) -> tuple:
        css = "@page :first { counter-reset: page 1; }\n" + (parts.FOLIO_CSS if contents else "")
        passes = 0
        while True:
            passes += 1
            body = adapt(numbers, state)
            document, context = render_html((parts.with_folios(body, folios) if folios
                                             else body) + tail, css)
            more = settle(document, state)
            if more is None or passes >= parts.MAX_LAYOUTS:
                break
            state = more
        pages = document.pages
        keep = len(pages) - 1  # the part-end entry's page
        if last and keep and pages[keep - 1]._page_box.page_type.blank:
            keep -= 1  # nothing follows the book's last page
        anchors: dict[str, int] = {}
        for i, page in enumerate(pages[:keep]):
            for name in page.anchors:
                anchors.setdefault(name, i)
        return document, context, {"pages": len(pages), "keep": keep, "state": state,
                                   "anchors": anchors, "passes": passes,
                                   "overflow": report(document, keep)}

    return lay


def lay_out_in_parts(rendered: object, lay: Callable[..., tuple], write: Callable,
                     style: str, jobs: int, workdir: Path,
                     cache: Cache | None) -> tuple[list[join.PartFile], int, list[dict]]:
    """Every part's PDF in ``workdir`` (or from the cache); returns them, the index of the
    first body page (where arabic folios start) and each part's facts."""
    entries = rendered.entries  # type: ignore[attr-defined]
    planned = parts.plan(rendered)  # type: ignore[arg-type]
    work = [Job(p, {i for n in p.numbers for i in entries[n].ids},
                "".join(entries[n].html for n in p.numbers), k == len(planned) - 1)
            for k, p in enumerate(planned)]
    placeholder = {r.id: parts.PLACEHOLDER for r in entries}
    final = not any(j.part.contents for j in work)
    for j in work:
        j.folios = placeholder if j.part.contents else {}
        _rekey(j, style, cache)

    context = multiprocessing.get_context("fork")
    conns, procs = [], []
    for _ in range(max(1, min(jobs, len(work)))):
        mine, theirs = context.Pipe()
        proc = context.Process(target=worker.serve, args=(theirs, lay, write, os.getpid()),
                               daemon=True)
        proc.start()
        conns.append(mine)
        procs.append(proc)
    held: list[int | None] = [None] * len(conns)
    busy = [False] * len(conns)
    try:
        while True:
            counters, body_start = _counters(work)
            if not final and all(j.facts for j in work):
                final = True
                folios = _folios(entries, work)
                for j in work:
                    if j.part.contents and folios != j.folios:
                        j.folios = folios
                        _rekey(j, style, cache)
            done = True
            for k, j in enumerate(work):
                want = counters[k]
                if j.path is not None and j.counter == want and not j.stale:
                    continue
                done = False
                if (want is None or j.facts is None or j.stale or j.writing
                        or (j.part.contents and not final)):
                    continue
                pdf = cache.get("part-pdf", [j.key, want, j.facts["state"]]) if cache else None
                if pdf is not None:
                    j.path, j.counter = workdir / f"part-{k}-{want}.pdf", want
                    j.path.write_bytes(pdf)
                    continue
                w = held.index(k) if k in held else None
                if w is not None and not busy[w]:
                    j.writing = (want, workdir / f"part-{k}-{want}.pdf")
                    conns[w].send(("write", str(k), want - 1, str(j.writing[1])))
                    busy[w] = True
            if done:
                files = [join.PartFile(j.path, j.facts["keep"]) for j in work]  # type: ignore
                total = sum(f.keep for f in files)
                return files, total if body_start is None else body_start, \
                    [j.facts for j in work]  # type: ignore[misc]
            for w in range(len(conns)):
                if busy[w] or held[w] is not None:
                    continue
                k = next((k for k, j in enumerate(work) if not j.laying and k not in held
                          and _needs_layout(j, counters[k], final)), None)
                if k is None:
                    break
                j = work[k]
                j.laying, busy[w] = True, True
                state = j.facts["state"] if j.facts else {}
                conns[w].send(("lay", str(k), (j.part.numbers, state, j.folios, j.stand_ins(),
                                              j.last, j.part.contents)))
            waiting = [conns[w] for w in range(len(conns)) if busy[w]]
            if not waiting:
                raise BuildError("laying out the PDF in parts stalled")  # a bug, not the book
            for conn in wait(waiting):
                _receive(conn.recv(), conns.index(conn), work, held, busy, cache, final)
    finally:
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
        for proc in procs:
            proc.join(timeout=10)
            if proc.is_alive():
                proc.kill()


def _rekey(job: Job, style: str, cache: Cache | None) -> None:
    """The part's cache key; its facts from the cache, or else marked for a new layout."""
    dated = build_datetime().isoformat() if job.part.numbers.start == 0 else ""
    job.key = digest([job.html, style, job.folios, job.part.numbers.start, job.last, dated])
    cached = cache.get_json("part-facts", job.key) if cache else None
    if isinstance(cached, dict):
        job.facts, job.stale = cached, False
    else:
        job.stale = job.facts is not None  # its page count stands in until it is laid out
    job.path = job.counter = None


def _needs_layout(job: Job, counter: int | None, final: bool) -> bool:
    if job.facts is None or job.stale:
        return not (job.part.contents and job.stale and not final)
    if job.part.contents and not final:
        return False
    return counter is not None and job.writing is None and (job.path is None
                                                            or job.counter != counter)


def _counters(work: list[Job]) -> tuple[list[int | None], int | None]:
    """Each part's first folio (None while a part before it has no page count yet)."""
    out: list[int | None] = []
    page, body_start = 0, None
    for j in work:
        if j.part.body_start:
            body_start = page
        if j.facts is None:
            out += [None] * (len(work) - len(out))
            break
        out.append(page + 1 if body_start is None else page - body_start + 1)
        page += j.facts["keep"]
    return out, body_start


def _folios(entries: list, work: list[Job]) -> dict[str, str]:
    """Each entry's folio as printed: roman before the first chapter, arabic from it."""
    ids = {r.id for r in entries}
    out: dict[str, str] = {}
    page, body_start = 0, None
    for j in work:
        if j.part.body_start:
            body_start = page
        for name, i in j.facts["anchors"].items():  # type: ignore[index]
            if name in ids and name not in out:
                index = page + i
                out[name] = (parts.roman(index + 1) if body_start is None
                             else str(index - body_start + 1))
        page += j.facts["keep"]  # type: ignore[index]
    return out


def _receive(message: tuple, w: int, work: list[Job], held: list, busy: list,
             cache: Cache | None, final: bool) -> None:
    for line in message[-1]:
        logging.getLogger("weasyprint").warning("%s", line)
    busy[w] = False
    if message[0] == "error":
        raise BuildError(f"laying out a part of the PDF failed: {message[1].strip()[-600:]}")
    k = int(message[1])
    j = work[k]
    if message[0] == "laid":
        j.laying, j.stale, j.facts = False, False, message[2]
        j.path = j.counter = None
        if cache:
            cache.put_json("part-facts", j.key, j.facts)
        # Laid out with placeholder page numbers, the contents is not written.
        held[w] = None if j.part.contents and not final else k
    elif message[0] == "written" and j.writing is not None:
        held[w] = None
        (j.counter, j.path), j.writing = j.writing, None
        if cache:
            cache.put("part-pdf", [j.key, j.counter, j.facts["state"]],  # type: ignore[index]
                      j.path.read_bytes())
