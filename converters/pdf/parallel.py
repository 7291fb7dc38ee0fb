"""The PDF laid out in parts by up to --jobs worker processes, cached per part, and joined.

The parts are those of parts.py.  Each part is laid out by a worker (worker.py) with its page
counter at 1; its page count, layout passes' state and anchors (its *facts*) come back to the
writer, which from the page counts of the parts before it knows its first folio and tells the
worker, which then remakes the folios alone and writes the part's PDF.  join.py makes one PDF
of them.

A part links to other parts through stand-in anchors (empty elements with the target ids) in
an empty entry after its own, which opens on a recto as the next part will: that entry's page
is never kept, and neither is a blank verso before it at the end of the book.

A part that prints other parts' page numbers (anchors.needs: the contents, the lists of
figures and tables, the index, page references) is laid out first with placeholders (its page
count is all the others need); once every part's anchors are known, their places in the book
(anchors.places) are written into it and it alone is laid out again.  Only if that changes a
page count are the places looked up again, at most MAX_ROUNDS times; if they still move, the
book is laid out whole (``Unsettled``).  Such a part is written only once its numbers are
those of the current layout of every part.

Memory: workers are forked with the writer's objects frozen (``_fork``), and a worker is
replaced by a fresh one after RECYCLE parts.

Cache (core/cache.py, beside the state file): a part's facts under a key of its entries' HTML,
its stand-ins, the style and the page numbers it prints; its PDF under that key plus
its first folio and passes' state.  Editing one chapter lays out that part; if its page count is
unchanged every other part's PDF comes from the cache, and the book is only joined again.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from ..core.cache import Cache, digest
from ..core.errors import BuildError
from ..core.process import beside
from . import anchors, join, parts, relayout, worker

STAND_IN = re.compile(r'href="#([^"]+)"')
# Lookups of the anchors' places that may change a part's numbers; the first is one.
MAX_ROUNDS = 3
# A worker's memory grows by a few MB with each part it lays out (in the C libraries beneath
# WeasyPrint, not in Python objects), so a fresh one takes over after this many parts.
RECYCLE = 12


class Unsettled(Exception):
    """The page numbers written into parts kept changing their page counts."""


@dataclass
class Job:
    part: parts.Part
    ids: set[str]  # ids inside the part's entries
    html: str  # its entries' shared HTML
    last: bool
    needs: list[str] = field(default_factory=list)  # anchors whose page numbers it prints
    key: str = ""  # its facts' cache key
    folios: dict[str, str] = field(default_factory=dict)  # their places (anchors.places)
    found: dict[str, int] = field(default_factory=dict)  # its anchors others need: page
    facts: dict | None = None  # {"pages", "keep", "state", "anchors", "overflow"}
    stale: bool = False  # facts from before its page numbers were known: lay out again
    counter: int | None = None  # the first folio its PDF was written with
    path: Path | None = None
    laying: bool = False  # a worker is laying it out
    writing: tuple[int, Path] | None = None  # a worker is writing it: (first folio, file)
    sent: str = ""  # the key it was last sent to a worker with (its numbers may move on)

    def pdf_key(self, counter: int | None) -> list:
        """What its PDF is made from: its facts' key, its first folio, its passes' state."""
        return [self.key, counter, self.facts["state"] if self.facts else None]

    def stand_ins(self) -> str:
        """The part-end entry holding an empty element for each id it links to elsewhere."""
        outside = sorted(set(STAND_IN.findall(self.html)) - self.ids)
        stubs = "".join(f'<div id="{i}"></div>' for i in outside)
        return parts.PART_END.replace("></section>", f">{stubs}</section>")


def make_lay(render_html: Callable[[str, str], tuple],
             adapt: Callable[[range, dict, dict[str, str]], str],
             settle: Callable[[object, dict], dict | None],
             report: Callable[[object, int], list],
             page_map: Callable[[list], list] | None = None) -> Callable[..., tuple]:
    """The worker's layout of one part: the layout passes, then its facts.

    ``state`` is what the passes decided, in rounds (relayout.rounds_of: turned paragraphs,
    words set whole, spacing; JSON); ``render_html`` lays HTML out keeping what a later pass
    needs (relayout.render); ``settle(document, fixes so far)`` the next pass's fixes, or None
    once the part stands still;
    ``report(document, keep)`` its overflowing text, to be warned about by the writer;
    ``folios`` the places of the anchors whose numbers the part prints (if ``numbered``);
    ``page_map(pages)`` what a print-ready target's page map needs of the kept pages."""

    def lay(numbers: range, state: dict, folios: dict[str, str], tail: str, last: bool,
            numbered: bool) -> tuple:
        css = "@page :first { counter-reset: page 1; }\n" + (anchors.CSS if numbered else "")

        def fresh(done: dict) -> relayout.Kept:
            body = adapt(numbers, done, folios)
            if numbered:
                body = anchors.with_numbers(body, folios)
            return render_html(body + tail, css)

        # A state is replayed exactly as the passes that found it ran (see relayout.py), so a
        # part laid out again from cached facts comes out as it did cold.
        rounds, done = relayout.rounds_of(state), {}
        kept = fresh(done)
        remade = [kept.remade[-1]]
        while True:
            if len(remade) <= len(rounds):
                fixes = rounds[len(remade) - 1]
            else:  # the passes still to run
                if len(remade) >= parts.MAX_LAYOUTS:
                    break
                found = settle(kept.document, done)
                if found is None:
                    break
                rounds.append(fixes := found)
            done = relayout.merged(done, fixes)
            kept = kept.step(fixes) or fresh(done)
            remade.append(kept.remade[-1])
        document, context, passes = kept.document, kept.context, len(remade)
        pages = document.pages
        keep = len(pages) - 1  # the part-end entry's page
        if last and keep and pages[keep - 1]._page_box.page_type.blank:
            keep -= 1  # nothing follows the book's last page
        found: dict[str, int] = {}
        for i, page in enumerate(pages[:keep]):
            for name in page.anchors:
                found.setdefault(name, i)
        bookmarks = [[level, mark_state] for page in pages[:keep]
                     for level, _, _, mark_state in page.bookmarks]
        facts = {"pages": len(pages), "keep": keep, "state": {"rounds": rounds},
                 "anchors": found, "passes": passes, "remade": remade, "bookmarks": bookmarks,
                 "overflow": report(document, keep)}
        if page_map is not None:
            facts["pagemap"] = page_map(pages[:keep])
        return document, context, facts

    return lay


def lay_out_in_parts(rendered: object, lay: Callable[..., tuple], write: Callable,
                     style: str, jobs: int, workdir: Path,
                     cache: Cache | None) -> tuple[list[join.PartFile], int, list[dict]]:
    """Every part's PDF in ``workdir`` (or from the cache); returns them, the index of the
    first body page (where arabic folios start) and each part's facts."""
    entries = rendered.entries  # type: ignore[attr-defined]
    planned = parts.plan(rendered)  # type: ignore[arg-type]
    work = []
    for k, p in enumerate(planned):
        html = "".join(entries[n].html for n in p.numbers)
        work.append(Job(p, {i for n in p.numbers for i in entries[n].ids}, html,
                        k == len(planned) - 1, anchors.needs(html)))
    wanted = {name for j in work for name in j.needs}
    for j in work:
        _rekey(j, style, cache, wanted)

    context = multiprocessing.get_context("fork")
    # Workers are forked as they are given parts, at most as many as the cores that editions
    # written beside this one leave (core/process.beside), at least one.
    slots = max(1, min(jobs, len(work)))
    conns: list[Connection] = []
    procs: list[multiprocessing.process.BaseProcess] = []
    held: list[int | None] = [None] * slots
    busy = [False] * slots
    laid = [0] * slots  # parts each worker has laid out since it started
    rounds = 0
    try:
        while True:
            counters, body_start = _counters(work)
            places = _places(work, body_start)
            if places is not None and not any(j.stale for j in work):
                # Every part laid out: the numbers they print, from the places just learnt.
                moved = [j for j in work if j.needs and _wants(j, places) != j.folios]
                if moved:
                    rounds += 1
                    if rounds > MAX_ROUNDS:
                        raise Unsettled(f"page numbers still moved after {MAX_ROUNDS} rounds")
                    for j in moved:
                        j.folios = _wants(j, places)
                        _rekey(j, style, cache, wanted)
                    continue
            ripe = [not j.needs or (places is not None and not j.stale
                                    and _wants(j, places) == j.folios) for j in work]
            for w, k in enumerate(held):
                if k is not None and not busy[w] and not ripe[k]:
                    held[w] = None  # laid out with numbers that are not the book's
            done = True
            for k, j in enumerate(work):
                want = counters[k]
                if j.path is not None and j.counter == want and not j.stale and ripe[k]:
                    continue
                if want is None or j.facts is None or j.stale or j.writing or not ripe[k]:
                    done = False
                    continue
                pdf = cache.get("part-pdf", j.pdf_key(want)) if cache else None
                if pdf is not None:  # written as it stands: this part is done
                    j.path, j.counter = workdir / f"part-{k}-{want}.pdf", want
                    j.path.write_bytes(pdf)
                    continue
                done = False
                w = held.index(k) if k in held else None
                if w is not None and not busy[w]:
                    j.writing, j.sent = (want, workdir / f"part-{k}-{want}.pdf"), j.key
                    conns[w].send(("write", str(k), want - 1, str(j.writing[1])))
                    busy[w] = True
            if done:
                files = [join.PartFile(j.path, j.facts["keep"],  # type: ignore[arg-type]
                                       j.facts.get("bookmarks"),  # type: ignore[union-attr]
                                       digest(j.pdf_key(j.counter)))
                         for j in work]
                total = sum(f.keep for f in files)
                return files, total if body_start is None else body_start, \
                    [j.facts for j in work]  # type: ignore[misc]
            free = max(1, jobs - beside())
            for w in range(slots):
                if busy[w] or held[w] is not None or w >= free:
                    continue
                # Parts whose page counts are not known go first: the first folio of every
                # part after them waits for those, and nothing waits for a part laid out only
                # to be written.
                k = min((k for k, j in enumerate(work) if not j.laying and k not in held
                         and _needs_layout(j, counters[k], ripe[k])),
                        key=lambda k: (work[k].facts is not None and not work[k].stale, k),
                        default=None)
                if k is None:
                    break
                if w == len(conns):
                    conn, proc = _fork(context, lay, write)
                    conns.append(conn)
                    procs.append(proc)
                elif laid[w] >= RECYCLE:
                    _stop(conns[w], procs[w])
                    conns[w], procs[w] = _fork(context, lay, write)
                    laid[w] = 0
                laid[w] += 1
                j = work[k]
                j.laying, busy[w], j.sent = True, True, j.key
                state = j.facts["state"] if j.facts else {}
                conns[w].send(("lay", str(k), (j.part.numbers, state, j.folios, j.stand_ins(),
                                              j.last, bool(j.needs))))
            waiting = [conns[w] for w in range(len(conns)) if busy[w]]
            if not waiting:
                raise BuildError("laying out the PDF in parts stalled")  # a bug, not the book
            for conn in wait(waiting):
                _receive(conn.recv(), conns.index(conn), work, held, busy, cache, wanted)
    finally:
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.send(("stop",))
        for proc in procs:
            _stop(None, proc)


def _fork(context: multiprocessing.context.BaseContext, lay: Callable,
          write: Callable) -> tuple[Connection, multiprocessing.process.BaseProcess]:
    """A worker process and the writer's end of its pipe."""
    mine, theirs = context.Pipe()
    # The rendered book is shared with the workers copy-on-write: frozen, its objects are
    # never visited by a worker's garbage collector, which would write to (and so copy) them.
    gc.collect()
    gc.freeze()
    try:
        proc = context.Process(target=worker.serve, args=(theirs, lay, write, os.getpid()),
                               daemon=True)
        proc.start()
    finally:
        gc.unfreeze()
    theirs.close()
    return mine, proc


def _stop(conn: Connection | None, proc: multiprocessing.process.BaseProcess) -> None:
    if conn is not None:
        with contextlib.suppress(OSError):
            conn.send(("stop",))
        conn.close()
    proc.join(timeout=10)
    if proc.is_alive():
        proc.kill()


def _rekey(job: Job, style: str, cache: Cache | None, wanted: set[str]) -> None:
    """The part's cache key; its facts from the cache, or else marked for a new layout."""
    job.key = digest([job.html, style, job.folios, job.part.numbers.start, job.last])
    cached = cache.get_json("part-facts", job.key) if cache else None
    if isinstance(cached, dict):
        _learn(job, cached, wanted)
    else:
        job.stale = job.facts is not None  # its page count stands in until it is laid out
    job.path = job.counter = None


def _learn(job: Job, facts: dict, wanted: set[str]) -> None:
    job.facts, job.stale = facts, False
    job.found = {name: page for name, page in facts["anchors"].items() if name in wanted}


def _needs_layout(job: Job, counter: int | None, ripe: bool) -> bool:
    if job.facts is None or job.stale:
        return True
    return ripe and counter is not None and job.writing is None and (
        job.path is None or job.counter != counter)


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


def _places(work: list[Job], body_start: int | None) -> dict[str, str] | None:
    """The place in the book of every anchor some part needs (None before every part has a
    page count)."""
    if any(j.facts is None for j in work):
        return None
    starts, page = [], 0
    for j in work:
        starts.append(page)
        page += j.facts["keep"]  # type: ignore[index]
    return anchors.places(((j.found, start) for j, start in zip(work, starts, strict=True)),
                          body_start)


def _wants(job: Job, places: dict[str, str]) -> dict[str, str]:
    return {name: places[name] for name in job.needs if name in places}


def _receive(message: tuple, w: int, work: list[Job], held: list, busy: list,
             cache: Cache | None, wanted: set[str]) -> None:
    for line in message[-1]:
        logging.getLogger("weasyprint").warning("%s", line)
    busy[w] = False
    if message[0] == "error":
        raise BuildError(f"laying out a part of the PDF failed: {message[1].strip()[-600:]}")
    k = int(message[1])
    j = work[k]
    if j.sent != j.key:  # its numbers moved on meanwhile: what the worker made is no use
        j.laying, j.writing, held[w] = False, None, None
        return
    if message[0] == "laid":
        j.laying = False
        _learn(j, message[2], wanted)
        j.path = j.counter = None
        if cache:
            cache.put_json("part-facts", j.key, j.facts)
        held[w] = k  # let go of at once if its numbers are not the book's (see above)
    elif message[0] == "written" and j.writing is not None:
        held[w] = None
        (j.counter, j.path), j.writing = j.writing, None
        if cache:
            cache.put("part-pdf", j.pdf_key(j.counter), j.path.read_bytes())
