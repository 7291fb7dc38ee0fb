"""Every Markdown file's two pandoc steps for a whole book: batched, parallel and cached.

:func:`read_all` reads the files into pandoc's AST, :func:`html_all` writes the checked and
rewritten ASTs as HTML fragments.  Files go to pandoc many at a time (batch.py), ``workers``
runs at once, while this thread decodes and rewrites the files already back; a batch that
fails or says anything is run again file by file (the way each file always was), so every
error and warning still names its own file.

With a build cache (core/cache.py, salted with the toolchain, pandoc's version included), a
file's AST and its survey (survey.py) are kept under the reader and its text.  A fragment is
kept either finished, under the facts its file reads from other files (warm.py, for
incremental.py), or, for a file that is always walked (one that cites), under the writer
options and its *final* AST: the one citations, cross-references and the index have
rewritten, so the key holds everything other files put into it.  pandoc's messages are kept
with each and said again on a hit.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..core.cache import Cache
from ..core.errors import ProblemCollector
from ..source.limits import ast_depth
from . import batch, guard, markdown, math
from . import index as book_index
from . import survey as surveys
from .markdown_ast import Parsed, survey
from .pandoc import Message, replay, run
from .survey import Survey

Job = tuple[str, str, Path, str]  # entry id, part, path, text
AST_KIND = "render-ast"
HTML_KIND = "render-html"
SURVEY_KIND = "render-survey"
# Each pandoc run costs about 0.1 s of CPU beyond its files' (its runtime's start and its
# heap's growth), so batches are as big as keeping every worker busy allows, up to half a
# million characters (a run then peaks at about 200 MB; a failed batch is run again file by
# file, which the bound keeps cheap too).
BATCH_CHARS = 1 << 19
BATCH_FILES = 200
# The rendering process itself grows with the book (126 MiB at 600,000 words, 179 at a
# million) while a batch's pandoc holds 110-145 MiB, two at a time: past this many characters
# of Markdown batches are halved, so that the sum stays under 500 MiB (a million words: 523 ->
# 432 MiB; halved batches cost 600,000 words 1.5 s more CPU, which is why not always).
LARGE_BOOK_CHARS = 5_000_000
# A book pandoc reads in well under a second is not cached: compressing and writing its
# entries would cost about what they save, and its output folder keeps no cache folder.
CACHE_FROM_CHARS = 100_000


def worth_caching(jobs: list[Job]) -> bool:
    return sum(len(job[3]) for job in jobs) >= CACHE_FROM_CHARS


def read_all(jobs: list[Job], wanted: list[int], pool: ThreadPoolExecutor, workers: int,
             cache: Cache | None, surveyed: Callable[[int, Survey], None] | None = None
             ) -> dict[int, tuple[Parsed, Survey]]:
    """The ``wanted`` files read into pandoc's AST (from the cache, else by pandoc), each with
    its survey, kept in the cache beside its AST; ``surveyed`` is told of each in order (to
    say pandoc's messages, which are in the survey).  Raises the first file's SourceError."""
    keys = {i: [markdown.READER, jobs[i][3]] for i in wanted}
    found = {i: None if cache is None else cache.get(AST_KIND, keys[i]) for i in wanted}
    runs = _Runs(pool, workers, sum(len(jobs[i][3]) for i in wanted),
                 lambda group: batch.read([jobs[i][3] for i in group], markdown.READER),
                 lambda i: _read_one(jobs[i]))
    for i in wanted:
        if found[i] is None:
            runs.add(i, len(jobs[i][3]))
    runs.close()
    out = {}
    for i in wanted:
        entry_id, part, path, text = jobs[i]
        data = found.pop(i)
        hit = _decoded(data) if data is not None else None
        try:  # stored only once its depth was checked, so not checked again
            ast = json.loads(hit[0]) if hit is not None else None
        except (ValueError, RecursionError):
            ast = None  # a damaged entry is a miss
        fresh = ast is None
        if fresh:
            hit = runs.result(i) if i in runs.group_of else _read_one(jobs[i])
            ast = guard.decode(path, hit[0])
        assert hit is not None and ast is not None
        p = Parsed(entry_id, part, path, text, ast)
        notable: list[dict] = []
        p.targets, p.kinds, depth = survey(ast["blocks"], notable)
        if fresh:  # the depth checked in the same pass (a file stored was checked already)
            head = {"pandoc-api-version": ast["pandoc-api-version"], "meta": ast["meta"]}
            if max(1 + depth, ast_depth(head)) > guard.MAX_AST_DEPTH:
                raise guard.too_deep(path)
            _put(cache, AST_KIND, keys[i], hit)
        messages = hit[1]
        del hit  # one file's JSON at a time, not the book's
        p.heading_ids = [n["c"][1][0] for n in p.targets if n["t"] == "Header"]
        p.marks = [n for n in notable if book_index.is_mark(n)]
        found_survey = surveys.of(p, notable, messages)
        if cache is not None and surveyed is not None:  # else its survey was kept already
            cache.put_json(SURVEY_KIND, keys[i], found_survey.to_json())
        if surveyed is not None:
            surveyed(i, found_survey)
        out[i] = (p, found_survey)
    return out


def surveyed(jobs: list[Job], cache: Cache | None) -> list[Survey | None]:
    """Each file's survey from the cache, where it is."""
    if cache is None:
        return [None] * len(jobs)
    return [surveys.from_json(cache.get_json(SURVEY_KIND, [markdown.READER, job[3]]))
            for job in jobs]


def replay_read(path: Path, messages: list[Message]) -> None:
    """pandoc's messages on reading the file at ``path``, named after it."""
    if messages:
        markdown.NAMER.reading.path = path
        try:
            replay(messages)
        finally:
            markdown.NAMER.reading.path = None


def html_all(parsed: list[Parsed], prepare: Callable[[Parsed], None], pool: ThreadPoolExecutor,
             workers: int, cache: Cache | None, problems: ProblemCollector,
             kept: list[bool] | None = None) -> list[tuple[str, list[Message]]]:
    """Every file's fragment and pandoc's messages writing it (for the caller to say), in
    order, each AST dropped once it is written out; ``kept``: which files' fragments go
    through ``cache`` (all by default).

    Batches leave as soon as they fill, so pandoc writes while the next files are prepared."""
    documents: dict[int, tuple[list, str, str]] = {}
    runs = _Runs(pool, workers, sum(len(p.text) for p in parsed),
                 lambda group: batch.write([documents[i] for i in group], "html5",
                                           markdown.HTML_ARGS),
                 lambda i: _write_one(parsed[i].path, documents[i]))
    found: list[tuple[str, list[Message]] | None] = []
    keys = []
    for i, p in enumerate(parsed):
        prepare(p)
        # A tree (shared words and spaces, never a cycle): no need to look for cycles.
        api, meta, blocks = (p.ast["pandoc-api-version"], json.dumps(p.ast["meta"]),
                             json.dumps(p.ast["blocks"], check_circular=False))
        p.ast = {}  # the fragment needs only the JSON now
        key = None
        if cache is not None and (kept is None or kept[i]):
            key = [markdown.HTML_ARGS, api,
                   hashlib.sha256(f"{meta}\n{blocks}".encode()).hexdigest()]
        keys.append(key)
        data = None if key is None or cache is None else cache.get(HTML_KIND, key)
        found.append(None if data is None else _decoded(data))
        if found[i] is None:
            documents[i] = (api, meta, blocks)
            runs.add(i, len(p.text))
    runs.close()
    fragments = []
    for i, p in enumerate(parsed):
        hit = found[i]
        if hit is None:
            hit = runs.result(i)
            if keys[i] is not None:
                _put(cache, HTML_KIND, keys[i], hit)
            del documents[i]
        found[i] = None
        fragments.append((math.finish(hit[0], p, problems), hit[1]))
    return fragments


class _Runs:
    """Files in batches on the pool as they come; a failed batch's files then one by one."""

    def __init__(self, pool: ThreadPoolExecutor, workers: int, total: int,
                 many: Callable[[list[int]], list[str] | None],
                 one: Callable[[int], tuple[str, list[Message]]]) -> None:
        self.pool, self.many, self.one = pool, many, one
        # Enough batches to keep every worker busy, none so big that a failure costs much.
        batch = BATCH_CHARS if total <= LARGE_BOOK_CHARS else BATCH_CHARS // 2
        self.limit = max(min(batch, total // (workers * 2) + 1), 1 << 16)
        self.groups: list[list[int]] = []
        self.batches: list[Future] = []
        self.group_of: dict[int, int] = {}
        self.filling: list[int] = []
        self.size = 0
        self.singles: dict[int, Future] = {}

    def add(self, i: int, size: int) -> None:
        self.filling.append(i)
        self.size += size
        if self.size >= self.limit or len(self.filling) >= BATCH_FILES:
            self.close()

    def close(self) -> None:
        """Send what is filling now."""
        if self.filling:
            group, self.filling, self.size = self.filling, [], 0
            for i in group:
                self.group_of[i] = len(self.groups)
            self.groups.append(group)
            self.batches.append(self.pool.submit(self.many, group))

    def result(self, i: int) -> tuple[str, list[Message]]:
        g = self.group_of[i]
        texts = self.batches[g].result()
        if texts is not None:
            at = self.groups[g].index(i)
            text, texts[at] = texts[at], ""  # the caller keeps what it needs
            return text, []
        if i not in self.singles:
            for j in self.groups[g]:
                self.singles[j] = self.pool.submit(self.one, j)
        return self.singles.pop(i).result()


def _read_one(job: Job) -> tuple[str, list[Message]]:
    messages: list[Message] = []
    text = guard.checked(job[2], lambda: run(job[3], "json", markdown.READER,
                                             messages=messages))
    return text, messages


def _write_one(path: Path, document: tuple[list, str, str] | None) -> tuple[str, list[Message]]:
    assert document is not None
    api, meta, blocks = document
    source = f'{{"pandoc-api-version":{json.dumps(api)},"meta":{meta},"blocks":{blocks}}}'
    messages: list[Message] = []
    text = guard.to_html(path, lambda: run(source, "html5", "json", markdown.HTML_ARGS,
                                           messages=messages))
    return text, messages


def _decoded(data: bytes) -> tuple[str, list[Message]] | None:
    try:
        head, _, text = zlib.decompress(data).decode("utf-8").partition("\n")
        return text, [(int(level), str(message)) for level, message in json.loads(head)]
    except (zlib.error, UnicodeDecodeError, ValueError, TypeError):
        return None  # a damaged entry is a miss


def _put(cache: Cache | None, kind: str, key: object, value: tuple[str, list[Message]]) -> None:
    if cache is not None:
        head = json.dumps(value[1], ensure_ascii=False)
        cache.put(kind, key, zlib.compress(f"{head}\n{value[0]}".encode(), 1))
