"""Every Markdown file's HTML fragment, walking only the files an edit reaches.

With the build cache, the book-wide facts (link targets, the numbers of figures, tables and
sections, the index, which files cite) are assembled from each file's survey (survey.py),
kept under its text, not from its AST.  A file whose text and facts are unchanged then takes
its finished fragment from the cache (warm.py) without its AST being decoded or walked; the
others are read (or decoded), rewritten and written as before (files.py).  Files with
citations, and the file that holds the list of works cited, are always walked: citeproc sees
the book's citations together.  Without a cache every file is walked, the same way.

pandoc's messages are said in the order a cold render says them: every file's on reading,
in order, then every file's on writing.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..core.cache import Cache
from ..core.errors import ProblemCollector
from ..source.model import Book
from . import citations, crossref, files, markdown, warm
from . import index as book_index
from .markdown_ast import ImageRef, Parsed
from .pandoc import Message, replay
from .survey import Survey


@dataclass
class Fragments:
    pieces: dict[tuple[str, str], str]  # (entry id, part) -> its finished fragment
    images: dict[Path, ImageRef]
    crossrefs: crossref.Registry
    index: book_index.Index


def render_files(book: Book, jobs: list[files.Job], pool: ThreadPoolExecutor, workers: int,
                 cache: Cache | None, problems: ProblemCollector,
                 finish: Callable[[Parsed, str], str]) -> Fragments:
    """Each file's fragment; ``finish`` gives a fragment written by pandoc its final form."""
    count = len(jobs)
    found = files.surveyed(jobs, cache)
    said = 0  # pandoc's messages on reading, said for the files before this one

    def say(upto: int, survey: Survey | None = None) -> None:
        nonlocal said
        for i in range(said, upto):
            if found[i] is not None:
                files.replay_read(jobs[i][2], found[i].messages)  # type: ignore[union-attr]
        if survey is not None:
            files.replay_read(jobs[upto][2], survey.messages)
        said = upto + 1

    read = files.read_all(jobs, [i for i in range(count) if found[i] is None], pool, workers,
                          cache, say)
    say(count)
    surveys: list[Survey] = [found[i] or read[i][1] for i in range(count)]
    parsed = [read[i][0] if i in read else _unread(jobs[i], surveys[i]) for i in range(count)]

    citing = _citing(book, jobs, surveys)
    _load(jobs, citing - read.keys(), parsed, pool, workers, cache)
    together = [parsed[i] for i in sorted(citing)]
    for p in together:
        p.marks = None  # citeproc rewrites what they cite: their marks are looked for after
    citations.resolve(book, together, problems)  # may add the bibliography entry's body
    parsed += together[len(citing):]
    walked = set(citing) | set(range(count, len(parsed)))
    # Of the files in hand, what is numbered is taken from their ASTs (citeproc's text
    # included); of the others, from their surveys.
    xnodes: dict[int, list[dict]] = {}
    spans: dict[int, list[dict]] = {}
    for i in walked:
        xnodes[i], spans[i] = _targets(parsed[i])
    xcompact = [crossref.compact(xnodes[i]) if i in xnodes else surveys[i].targets
                for i in range(len(parsed))]
    icompact = [book_index.compact(spans[i]) if i in spans else surveys[i].marks
                for i in range(len(parsed))]
    resolver = markdown.Resolver([e.id for e in book.entries], parsed)
    registry, given = crossref.number(book, list(zip(parsed, xcompact, strict=True)), problems)
    resolver.crossrefs = registry
    index, anchors = book_index.number(book, list(zip(parsed, icompact, strict=True)), problems)

    images: dict[int, dict[Path, ImageRef]] = {}
    keys: dict[int, list] = {}
    done: dict[int, tuple[str, list[Message]]] = {}
    for i in range(count):
        if i in walked or cache is None:
            walked.add(i)
            continue
        images[i] = {}
        keys[i] = warm.key(parsed[i], surveys[i], resolver, registry, given[i], anchors[i],
                           book.source_dir, images[i])
        hit = warm.get(cache, keys[i])
        if hit is not None:
            done[i] = hit
        else:
            walked.add(i)
    _load(jobs, walked - read.keys() - citing - set(range(count, len(parsed))), parsed, pool,
          workers, cache)
    order = sorted(walked)
    for i in order:
        if i not in xnodes:
            xnodes[i], spans[i] = _targets(parsed[i])
        crossref.dress(xnodes.pop(i), given[i])
        book_index.mark(spans.pop(i), anchors[i])
        images[i] = {}
    by_file = {id(parsed[i]): images[i] for i in order}
    written = iter(files.html_all(
        [parsed[i] for i in order],
        lambda p: markdown.prepare(p, resolver, book.source_dir, problems, by_file[id(p)]),
        pool, workers, cache, problems,
        # A file's finished fragment is kept under its facts (warm.py); one always walked
        # (citing) keeps its fragment under its final AST, so citeproc's same text is not
        # written again.
        [i not in keys for i in order]))
    pieces = {}
    made: list[tuple[int, str, list[Message]]] = []
    for i, p in enumerate(parsed):
        if i in done:
            piece, messages = done.pop(i)
        else:
            fragment, messages = next(written)
            piece = finish(p, fragment)
            if i in keys:
                made.append((i, piece, messages))
        replay(messages)
        pieces[(p.entry_id, p.part)] = piece
    if not problems.problems:  # a file with a problem is walked again, to report it again
        for i, piece, messages in made:
            warm.put(cache, keys[i], piece, messages)
    shown: dict[Path, ImageRef] = {}
    for i in range(len(parsed)):
        shown.update(images.get(i, {}))
    return Fragments(pieces, shown, registry, index)


def _unread(job: files.Job, survey: Survey) -> Parsed:
    """A file known by its survey alone (no AST): enough for the book-wide steps."""
    entry_id, part, path, text = job
    return Parsed(entry_id, part, path, text, {}, list(survey.heading_ids), set(survey.kinds))


def _citing(book: Book, jobs: list[files.Job], surveys: list[Survey]) -> set[int]:
    """The files citeproc must see: those that cite, and where the list of works cited goes."""
    cites = {i for i, s in enumerate(surveys)
             if s.cites == 2 or (s.cites == 1 and book.bibliography)}
    if not cites:
        return cites
    holder = next((e.id for e in book.entries if e.role == "bibliography"), None)
    return cites | {i for i, s in enumerate(surveys)
                    if s.refs or (jobs[i][0] == holder and jobs[i][1] == "body")}


def _load(jobs: list[files.Job], wanted: set[int], parsed: list[Parsed],
          pool: ThreadPoolExecutor, workers: int, cache: Cache | None) -> None:
    """The ASTs of files known by their surveys (whose messages were said already)."""
    for i, (p, _) in files.read_all(jobs, sorted(wanted), pool, workers, cache).items():
        parsed[i] = p


def _targets(p: Parsed) -> tuple[list[dict], list[dict]]:
    """The elements of ``p`` numbering dresses, and its index marks."""
    return crossref.nodes_of(p), book_index.marks_of(p)
