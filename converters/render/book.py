"""The one HTML form all three editions are made from.

Each contents entry becomes one ``<section>``; its Markdown body and summary are converted once,
here.  Writers may restyle or re-wrap these sections but never re-render the Markdown, so the
editions cannot drift apart in content.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lhtml

from ..core.cache import Cache
from ..core.errors import ProblemCollector
from ..source.model import ROLES, Book, Entry
from . import citations, crossref, files, frontmatter, incremental, markdown, parts, scripts
from . import index as book_index
from .outline import Heading, outline

# Ids the toolkit makes (an entry's h1, footnotes) join with three hyphens; a heading's id
# joins its entry's with two, and pandoc's heading ids begin with a letter, so they never meet.
GENERATED = "---"


def title_id(entry_id: str) -> str:
    """The id of an entry's own heading (its ``<h1>``)."""
    return f"{entry_id}{GENERATED}title"


@dataclass
class RenderedEntry:
    entry: Entry
    html: str  # one <section> element
    headings: list[Heading] = field(default_factory=list)  # inside the entry, in order
    ids: list[str] = field(default_factory=list)  # every id the section holds, itself first

    @property
    def id(self) -> str:
        return self.entry.id


@dataclass
class RenderedBook:
    book: Book
    entries: list[RenderedEntry]
    images: dict[Path, markdown.ImageRef]  # absolute path -> where it goes, its media type
    crossrefs: crossref.Registry | None = None  # numbered figures, tables, equations, sections
    index: book_index.Index | None = None  # the index marks and terms
    # the installed families that set what the book's fonts lack
    fallbacks: scripts.Fallbacks = field(default_factory=scripts.Fallbacks)

    def owner_of(self) -> dict[str, str]:
        """Which entry holds each id, so a split edition (EPUB) can point links at files."""
        return {ident: rendered.id for rendered in self.entries for ident in rendered.ids}


def render(book: Book, *, parse: Callable[..., markdown.Parsed] | None = None,
           to_html: Callable[..., str] | None = None, cache: Cache | None = None,
           jobs: int | None = None) -> RenderedBook:
    """Convert every Markdown file once; raise SourceError for bad links or images.

    By default files go to pandoc in parallel batches (render/files.py), through ``cache``
    (the build's) if given.  The preview server passes its own caching ``parse`` and
    ``to_html`` (one file each, as ``markdown``'s) instead, so that a saved file re-renders
    only what changed.
    """
    problems = ProblemCollector()
    texts = []
    for entry in book.entries:
        if entry.body_text is not None and entry.body_path is not None:
            texts.append((entry.id, "body", entry.body_path, entry.body_text))
        if entry.summary_text is not None and entry.summary_path is not None:
            texts.append((entry.id, "summary", entry.summary_path, entry.summary_text))
    cache = cache if cache is not None and files.worth_caching(texts) else None
    workers = jobs or os.cpu_count() or 2
    # pandoc is a separate process, so threads overlap its runs with this one's work.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        if parse is None and to_html is None:
            done = incremental.render_files(book, texts, pool, workers, cache, problems,
                                            _finish)
            pieces, images, registry, index = (done.pieces, done.images, done.crossrefs,
                                               done.index)
        else:
            pieces, images, registry, index = _one_by_one(book, texts, parse, to_html, pool,
                                                          problems)
    problems.raise_if_any()
    generated = {e.id: _generated(book, e, registry, index) for e in book.entries}
    chars: set[str] = set()
    entries = [_section(book, entry, pieces.get((entry.id, "summary")),
                        pieces.get((entry.id, "body")), generated[entry.id], cache, chars)
               for entry in book.entries]
    _check_unique_ids(entries, problems)
    return RenderedBook(book, entries, images, registry, index,
                        scripts.find_fallbacks(book, chars))


def _one_by_one(book: Book, texts: list, parse: Callable[..., markdown.Parsed] | None,
                to_html: Callable[..., str] | None, pool: ThreadPoolExecutor,
                problems: ProblemCollector) -> tuple:
    """The preview server's way: its own ``parse`` and ``to_html``, one file each."""
    parse, to_html = parse or markdown.parse, to_html or markdown.to_html
    parsed = list(pool.map(lambda job: parse(*job), texts))
    citations.resolve(book, parsed, problems)  # may add the bibliography entry's body
    resolver = markdown.Resolver([e.id for e in book.entries], parsed)
    resolver.crossrefs = crossref.collect(book, parsed, problems)
    index = book_index.collect(book, parsed, problems)
    images: dict[Path, markdown.ImageRef] = {}
    fragments = list(pool.map(
        lambda p: to_html(p, resolver, book.source_dir, problems, images), parsed))
    pieces = {(p.entry_id, p.part): _finish(p, frag)
              for p, frag in zip(parsed, fragments, strict=True)}
    return pieces, images, resolver.crossrefs, index


def _finish(p: markdown.Parsed, fragment: str) -> str:
    return scripts.set_directions(_unique_ids(fragment, f"{p.entry_id}{GENERATED}{p.part}-"))


def _generated(book: Book, entry: Entry, registry: crossref.Registry,
               index: book_index.Index) -> str:
    """What the apparatus writes into an entry: a list of figures or tables, the index."""
    if entry.role in ("figures", "tables"):
        return crossref.list_html(registry, entry.role[:-1])
    if entry.role == "index" and index.marks:
        return book_index.index_html(book, index, entry.id)
    return ""


def _check_unique_ids(entries: list[RenderedEntry], problems: ProblemCollector) -> None:
    """Every id once in the book, or an edition (the EPUB above all) would be invalid."""
    seen: dict[str, str] = {}
    for rendered in entries:
        for ident in rendered.ids:
            if ident in seen:
                problems.add(rendered.entry.location, "duplicate-id",
                             f"id '{ident}' is used twice (in '{seen[ident]}' and "
                             f"'{rendered.entry.label}'); give the heading another "
                             "'{#id}'")
            seen.setdefault(ident, rendered.entry.label)
    problems.raise_if_any()


def _unique_ids(fragment: str, prefix: str) -> str:
    """Prefix pandoc's own ids (footnotes) so they are unique in a one-file edition."""
    if not fragment.strip():
        return ""
    root = lhtml.fragment_fromstring(fragment, create_parent="div")
    renamed = {}
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        old = element.get("id")
        if old and "--" not in old:  # not a heading's id, which the Markdown walk made global
            renamed[old] = prefix + old
            element.set("id", prefix + old)
    for anchor in root.iter("a"):
        href = anchor.get("href", "")
        if href.startswith("#") and href[1:] in renamed:
            anchor.set("href", "#" + renamed[href[1:]])
    return "".join(_serialize(child) for child in root)


def _serialize(element: etree._Element) -> str:
    return etree.tostring(element, method="xml", encoding="unicode", with_tail=True)


def _section(book: Book, entry: Entry, summary: str | None, body: str | None,
             generated: str = "", cache: Cache | None = None,
             chars: set[str] | None = None) -> RenderedEntry:
    """The entry's ``<section>``; its characters are added to ``chars``."""
    role = entry.semantic_role
    classes = ["entry", entry.kind] + ([role] if role else [])
    if not frontmatter.heading_printed(entry):
        classes.append("heading-hidden")
    attrs = {"id": entry.id, "class": " ".join(classes), "data-kind": entry.kind,
             "data-role": role, "aria-labelledby": title_id(entry.id)}
    aria = ROLES.get(role, (None, None))[1]
    if aria:
        attrs["role"] = aria
    if entry.pages:
        attrs["data-pages"] = f"{entry.pages.first}-{entry.pages.last}"
    shown = entry.heading_number or entry.number
    number = f'<span class="number">{shown}</span> ' if shown is not None else ""
    heading = (f'<h1 id="{title_id(entry.id)}" class="entry-title">{number}'
               f"{html.escape(entry.title)}</h1>")
    inner = [heading]
    if entry.role == "titlepage":
        inner.append(frontmatter.titlepage_html(book))
    elif entry.role == "toc":
        inner.append(parts.contents_html(book))
    if summary:
        inner.append(f'<div class="abstract" role="doc-abstract">{summary}</div>')
    if body:
        inner.append(body)
    if generated:
        inner.append(generated)
    open_tag = "<section " + " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items()) + ">"
    markup = open_tag + "".join(inner) + "</section>"
    headings, ids, shown = outline(markup, cache)
    if chars is not None:
        chars.update(shown)
    return RenderedEntry(entry, markup, headings, ids)

