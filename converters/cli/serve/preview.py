"""The preview page: the shared HTML of the whole book, re-rendered as files are saved.

Pandoc is the expensive part (two processes per Markdown file: reading it, writing HTML), so
both steps are cached by the file's text; the HTML step also by the book's link targets, which
any file's links depend on.  A save then runs pandoc for the changed files only.
"""

from __future__ import annotations

import hashlib
import html
import json
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ...core.errors import EditionsError, Problem, ProblemCollector, SourceError
from ...render import markdown

_ParseKey = tuple[str, str, str, str]  # entry id, part, path, text


class RenderCache:
    """Caching stand-ins for ``markdown.parse`` and ``markdown.to_html``."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.parsed: dict[_ParseKey, tuple[str, list[str]]] = {}  # AST as JSON, heading ids
        self.html: dict[tuple, tuple[str, dict[Path, markdown.ImageRef]]] = {}
        self.used: set[_ParseKey] = set()
        self.misses = 0  # files pandoc read in the last render

    def begin(self, assets_changed: bool) -> None:
        with self.lock:
            self.used, self.misses = set(), 0
            if assets_changed:  # an image came, went or changed: its checks run again
                self.html.clear()

    def end(self) -> None:
        """Forget files that are no longer in the book, so the cache never outgrows it."""
        with self.lock:
            self.parsed = {k: v for k, v in self.parsed.items() if k in self.used}
            self.html = {k: v for k, v in self.html.items() if k[0] in self.used}

    def parse(self, entry_id: str, part: str, path: Path, text: str) -> markdown.Parsed:
        key = (entry_id, part, str(path), text)
        with self.lock:
            self.used.add(key)
            hit = self.parsed.get(key)
        if hit is None:
            fresh = markdown.parse(entry_id, part, path, text)
            hit = (json.dumps(fresh.ast), fresh.heading_ids)
            with self.lock:
                self.parsed[key] = hit
                self.misses += 1
        # A fresh copy each time: the book-wide steps (citations, cross-references, the index)
        # read it and the HTML step rewrites it in place.
        return markdown.Parsed(entry_id, part, path, text, json.loads(hit[0]), list(hit[1]))

    def to_html(self, p: markdown.Parsed, resolver: markdown.Resolver, source_dir: Path,
                problems: ProblemCollector, images: dict[Path, markdown.ImageRef]) -> str:
        parse_key = (p.entry_id, p.part, str(p.path), p.text)
        targets = (frozenset(resolver.entry_ids),
                   frozenset((k, frozenset(v)) for k, v in resolver.local.items()),
                   frozenset((k, tuple(v)) for k, v in resolver.anywhere.items()),
                   frozenset(resolver.repeated), str(source_dir))
        # What the book-wide steps put into this file's AST (resolved citations) and what its
        # cross-references will say (other files' numbers) decide its HTML too.
        ast = hashlib.sha256(json.dumps(p.ast, sort_keys=True).encode()).hexdigest()
        registry = resolver.crossrefs
        numbers = "" if registry is None else repr((
            sorted(registry.targets.items()),
            [(e.id, e.numeral, e.title) for e in registry.book.entries]))
        key = (parse_key, targets, ast, numbers)
        with self.lock:
            hit = self.html.get(key)
        if hit is not None:
            images.update(hit[1])
            return hit[0]
        own_problems = ProblemCollector()
        own_images: dict[Path, markdown.ImageRef] = {}
        fragment = markdown.to_html(p, resolver, source_dir, own_problems, own_images)
        images.update(own_images)
        problems.problems.extend(own_problems.problems)
        if not own_problems:
            with self.lock:
                self.html[key] = (fragment, own_images)
        return fragment


@dataclass
class Outcome:
    ok: bool
    seconds: float
    reparsed: int  # Markdown files pandoc had to read again
    files: int  # Markdown files in the book
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None  # a failure that is not the source's (pandoc missing)
    changed: bool = False  # whether the page is different now


class Preview:
    """The current page of one book source, and a version number browsers wait on."""

    def __init__(self, source_dir: Path) -> None:
        self.source_dir = source_dir
        self.cache = RenderCache()
        self.changed = threading.Condition()
        self.version = 0
        self.page = ""
        self.body = ""  # the last good book, kept under an error so the place is not lost
        self.title, self.lang = "editions", "en"  # until the book is first read
        # the images the page may load: name in the page -> (file, media type)
        self.images: dict[str, tuple[Path, str]] = {}
        self._digest = ""

    def refresh(self, assets_changed: bool = True) -> Outcome:
        from ...build.workers import collect_warnings
        from ...render.book import render
        from ...source.loader import load_book

        started = time.perf_counter()
        self.cache.begin(assets_changed)
        files = 0
        problems: list[Problem] = []
        error = None
        with collect_warnings() as warnings:
            try:
                book = load_book(self.source_dir)
                files = sum((e.body_text is not None) + (e.summary_text is not None)
                            for e in book.entries)
                rendered = render(book, parse=self.cache.parse, to_html=self.cache.to_html)
                self.cache.end()
                self.title, self.lang = book.full_title, book.language
                self.body = "".join(r.html for r in rendered.entries)
                # By the name the page shows (render/names.py), to the file in the source folder.
                self.images = {ref.rel: (path, ref.media_type)
                               for path, ref in rendered.images.items()}
            except SourceError as exc:
                problems = list(exc.problems)
            except EditionsError as exc:
                error = str(exc)
            except Exception as exc:  # pandoc crashed, say: shown, and the next save retries
                error = f"{type(exc).__name__}: {exc}"
        outcome = Outcome(not problems and error is None, time.perf_counter() - started,
                          self.cache.misses, files, problems, list(warnings), error)
        outcome.changed = self._publish(outcome)
        return outcome

    def _publish(self, outcome: Outcome) -> bool:
        page = self._page(outcome)
        # An image saved again changes the book but not the page's HTML: its stat counts too.
        stats = sorted((str(path), *_stat(path)) for path, _type in self.images.values())
        digest = hashlib.sha256((page + repr(stats)).encode()).hexdigest()
        with self.changed:
            if digest == self._digest:
                return False
            self.page, self._digest = page, digest
            self.version += 1
            self.changed.notify_all()
        return True

    def wait(self, seen: int, timeout: float) -> int:
        """The version, as soon as it differs from ``seen`` (or after ``timeout``)."""
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen, timeout)
            return self.version

    def _page(self, outcome: Outcome) -> str:
        e = html.escape
        notes = [(str(p), "error") for p in outcome.problems]
        if outcome.error:
            notes.append((f"editions: error: {outcome.error}", "error"))
        notes += [(w, "warning") for w in outcome.warnings]
        panel = ""
        if notes:
            items = "".join(f'<li class="{kind}"><code>{e(text)}</code></li>'
                            for text, kind in notes)
            heading = ("Warnings" if outcome.ok else
                       "The book could not be rendered; the last good version is shown below."
                       if self.body else "The book could not be rendered; fix these and save.")
            panel = (f'<aside id="editions-problems" role="alert"><p>{e(heading)}</p>'
                     f"<ul>{items}</ul></aside>")
        stale = "" if outcome.ok else ' class="editions-stale"'
        return ("<!DOCTYPE html>\n"
                f'<html lang="{e(self.lang)}" data-version="__VERSION__"><head>'
                '<meta charset="utf-8"><meta name="viewport" '
                'content="width=device-width, initial-scale=1">'
                f"<title>{e(self.title)} — preview</title>"
                '<link rel="stylesheet" href="/_editions/css/epub.css">'
                '<link rel="stylesheet" href="/_editions/preview.css">'
                '<script src="/_editions/live.js"></script></head>'
                f"<body>{panel}<main{stale}>{self.body}</main></body></html>\n")

    def current(self) -> tuple[int, str]:
        with self.changed:
            return self.version, self.page.replace("__VERSION__", str(self.version), 1)


def _stat(path: Path) -> tuple[int, int]:
    try:
        st = path.stat()
    except OSError:
        return (0, 0)
    return (st.st_mtime_ns, st.st_size)
