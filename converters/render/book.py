"""The one HTML form all three editions are made from.

Each contents entry becomes one ``<section>``; its Markdown body and summary are converted once,
here.  Writers may restyle or re-wrap these sections but never re-render the Markdown, so the
editions cannot drift apart in content.
"""

from __future__ import annotations

import html
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree
from lxml import html as lhtml

from ..core.cache import Cache
from ..core.errors import ProblemCollector
from ..source.model import ROLES, Book, Entry
from . import cached, markdown

# Ids the toolkit makes (an entry's h1, footnotes) join with three hyphens; a heading's id
# joins its entry's with two, and pandoc's heading ids begin with a letter, so they never meet.
GENERATED = "---"


def title_id(entry_id: str) -> str:
    """The id of an entry's own heading (its ``<h1>``)."""
    return f"{entry_id}{GENERATED}title"


@dataclass(frozen=True)
class Heading:
    level: int  # 1 for the entry itself, 2.. for headings inside it
    id: str
    title: str


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

    def owner_of(self) -> dict[str, str]:
        """Which entry holds each id, so a split edition (EPUB) can point links at files."""
        return {ident: rendered.id for rendered in self.entries for ident in rendered.ids}


def render(book: Book, cache: Cache | None = None) -> RenderedBook:
    """Convert every Markdown file once; raise SourceError for bad links or images.

    With a ``cache`` (see cached.py), files converted before are not converted again."""
    problems = ProblemCollector()
    jobs = []
    for entry in book.entries:
        if entry.body_text is not None and entry.body_path is not None:
            jobs.append((entry.id, "body", entry.body_path, entry.body_text))
        if entry.summary_text is not None and entry.summary_path is not None:
            jobs.append((entry.id, "summary", entry.summary_path, entry.summary_text))
    # pandoc is a separate process per file, so threads overlap its start-up cost.
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        parsed = list(pool.map(lambda job: cached.parse(*job, cache), jobs))
        resolver = markdown.Resolver([e.id for e in book.entries], parsed)
        links = cached.links_key(resolver) if cache else ""
        images: dict[Path, markdown.ImageRef] = {}
        fragments = list(pool.map(
            lambda p: cached.to_html(p, resolver, links, book.source_dir, problems, images,
                                     cache), parsed))
    problems.raise_if_any()
    parts = {(p.entry_id, p.part): _unique_ids(frag, f"{p.entry_id}{GENERATED}{p.part}-")
             for p, frag in zip(parsed, fragments, strict=True)}
    entries = [_section(book, entry, parts.get((entry.id, "summary")),
                        parts.get((entry.id, "body"))) for entry in book.entries]
    _check_unique_ids(entries, problems)
    return RenderedBook(book, entries, images)


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


def _section(book: Book, entry: Entry, summary: str | None, body: str | None) -> RenderedEntry:
    role = entry.semantic_role
    classes = ["entry", entry.kind] + ([role] if role else [])
    attrs = {"id": entry.id, "class": " ".join(classes), "data-kind": entry.kind,
             "data-role": role, "aria-labelledby": title_id(entry.id)}
    aria = ROLES.get(role, (None, None))[1]
    if aria:
        attrs["role"] = aria
    if entry.pages:
        attrs["data-pages"] = f"{entry.pages.first}-{entry.pages.last}"
    number = (f'<span class="number">{entry.number}</span> ' if entry.number is not None else "")
    heading = (f'<h1 id="{title_id(entry.id)}" class="entry-title">{number}'
               f"{html.escape(entry.title)}</h1>")
    inner = [heading]
    if entry.role == "titlepage":
        inner.append(_titlepage(book))
    elif entry.role == "toc":
        inner.append(_contents(book))
    if summary:
        inner.append(f'<div class="abstract" role="doc-abstract">{summary}</div>')
    if body:
        inner.append(body)
    open_tag = "<section " + " ".join(f'{k}="{html.escape(v)}"' for k, v in attrs.items()) + ">"
    markup = open_tag + "".join(inner) + "</section>"
    return RenderedEntry(entry, markup, *_outline(markup))


def _outline(markup: str) -> tuple[list[Heading], list[str]]:
    """The section's headings below its title, and all its ids, from one parse."""
    headings, ids = [], []
    for element in lhtml.fragment_fromstring(markup).iter():
        ident = element.get("id") if isinstance(element.tag, str) else None
        if not ident:
            continue
        ids.append(ident)
        if element.tag in ("h2", "h3", "h4", "h5", "h6"):
            text = " ".join(element.text_content().split())
            headings.append(Heading(int(element.tag[1]), ident, text))
    return headings, ids


def _titlepage(book: Book) -> str:
    e = html.escape
    lines = [f'<p class="title">{e(book.title)}</p>']
    if book.subtitle:
        lines.append(f'<p class="subtitle">{e(book.subtitle)}</p>')
    lines.append(f'<p class="author">{e(book.author_line)}</p>')
    if book.publisher:
        lines.append(f'<p class="publisher">{e(book.publisher)}</p>')
    lines.append(f'<p class="year">{e(book.year)}</p>')
    imprint = []
    if book.rights:
        imprint.append(f"<p>{e(book.rights)}</p>")
    if book.publisher:
        imprint.append(f"<p>First published {e(book.year)} by {e(book.publisher)}</p>")
    for ident in book.identifiers:
        label = ident.scheme.upper()
        suffix = f" ({ident.edition})" if ident.edition else ""
        imprint.append(f"<p>{label}{suffix}: {e(ident.value)}</p>")
    return ('<div class="titlepage-block">' + "".join(lines) + "</div>"
            '<div class="imprint">' + "".join(imprint) + "</div>")


def _contents(book: Book) -> str:
    items = []
    for entry in book.entries:
        if entry.role == "toc":
            continue
        items.append(f'<li class="toc-{entry.kind}"><a href="#{entry.id}">'
                     f"{html.escape(entry.label)}</a></li>")
    return '<nav class="contents-list" aria-label="Contents"><ol>' + "".join(items) + "</ol></nav>"
