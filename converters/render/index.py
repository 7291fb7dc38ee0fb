"""The back-of-book index: marks in the Markdown, one sorted index in the shared HTML.

``[Baker Street]{.index}`` indexes the words marked; ``term="Holmes, Sherlock!methods"``
indexes under another heading and a subentry; ``see="..."`` and ``see-also="..."`` point at
other headings.  Terms are sorted with the Unicode Collation Algorithm (pyuca's DUCET) and
grouped by initial letter.  Each mark keeps an id, so every edition can link to the place:
the PDF puts its page numbers on the locators, the EPUB adds the EPUB Indexes semantics,
the DOCX writes XE fields and an INDEX field (pdf/index.py, epub/index.py, docx/index.py).
"""

from __future__ import annotations

import html
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import pyuca

from ..core.errors import Location, ProblemCollector
from ..source.model import Book, Numbering
from .crossref import MARK, words
from .markdown import Parsed
from .markdown_ast import walk

GENERATED = "---"  # as render/book.py joins the ids it makes
log = logging.getLogger("converters.index")


@dataclass
class Mark:
    anchor: str
    entry_id: str
    path: tuple[str, ...]  # ("Holmes, Sherlock", "methods")
    see: tuple[str, ...] | None
    see_also: tuple[str, ...] | None
    location: Location
    refs_at: dict[str, Location] = field(default_factory=dict)  # where see=/see-also= are


@dataclass
class Term:
    path: tuple[str, ...]
    marks: list[Mark] = field(default_factory=list)  # the places it is discussed
    see: list[tuple[str, ...]] = field(default_factory=list)
    see_also: list[tuple[str, ...]] = field(default_factory=list)
    children: dict[str, Term] = field(default_factory=dict)


@dataclass
class Index:
    marks: list[Mark] = field(default_factory=list)
    terms: dict[str, Term] = field(default_factory=dict)

    def term(self, path: tuple[str, ...]) -> Term:
        level, node = self.terms, None
        for depth, name in enumerate(path):
            node = level.setdefault(name, Term(path[:depth + 1]))
            level = node.children
        assert node is not None
        return node

    def find(self, path: tuple[str, ...]) -> Term | None:
        level, node = self.terms, None
        for name in path:
            node = level.get(name)
            if node is None:
                return None
            level = node.children
        return node


def _path(text: str) -> tuple[str, ...]:
    return tuple(" ".join(part.split()) for part in text.split("!") if part.strip())


def collect(book: Book, parsed: list[Parsed], problems: ProblemCollector) -> Index:
    spans = [marks_of(p) for p in parsed]
    index, anchors = number(book, [(p, compact(s)) for p, s in zip(parsed, spans, strict=True)],
                            problems)
    for found, given in zip(spans, anchors, strict=True):
        mark(found, given)
    return index


def marks_of(p: Parsed) -> list[dict]:
    """``p``'s index marks in order: as read, else from its AST (none without a Span)."""
    if p.marks is not None:
        return p.marks
    return [] if p.kinds is not None and "Span" not in p.kinds else spans_of(p.ast["blocks"])


def is_mark(node: dict) -> bool:
    return node["t"] == "Span" and "index" in node["c"][0][1]


def spans_of(blocks: Iterable[dict]) -> list[dict]:
    """A file's index marks in order (from its AST's elements, or the blocks to walk)."""
    return [node for node in walk(blocks) if is_mark(node)]


def compact(spans: list[dict]) -> list[list]:
    """What the index reads of a file's marks: [words or term=, see=, see-also=]."""
    out = []
    for node in spans:
        attrs = dict(node["c"][0][2])
        out.append([attrs.get("term") or words(node["c"][1]), attrs.get("see") or None,
                    attrs.get("see-also") or None])
    return out


def mark(spans: list[dict], anchors: list[str | None]) -> None:
    """Give a file's marks the anchors :func:`number` made for them."""
    assert len(spans) == len(anchors), "a file's index marks changed after they were numbered"
    for node, anchor in zip(spans, anchors, strict=True):
        if anchor is not None:
            node[MARK] = anchor


def number(book: Book, files: list[tuple[Parsed, list[list]]],
           problems: ProblemCollector) -> tuple[Index, list[list[str | None]]]:
    """The book's index from every file's marks (``compact``), and each mark's anchor."""
    index = Index()
    order = {e.id: i for i, e in enumerate(book.entries)}
    anchors: list[list[str | None]] = [[] for _ in files]
    ranked = sorted(range(len(files)), key=lambda i: (order[files[i][0].entry_id],
                                                      files[i][0].part != "summary"))
    for at in ranked:
        p, marks = files[at]
        searched = 0
        for written, see_attr, see_also_attr in marks:
            offset = p.text.find(".index", searched)
            searched = offset + 1 if offset >= 0 else searched
            where = _location(p, offset)
            path = _path(written)
            if not path:
                problems.add(where, "index-term", "this index mark has no words; mark some "
                             "words or give it a term=\"...\"")
                anchors[at].append(None)
                continue
            anchor = f"{p.entry_id}{GENERATED}ix-{len(index.marks) + 1}"
            anchors[at].append(anchor)
            see = _path(see_attr) if see_attr else None
            see_also = _path(see_also_attr) if see_also_attr else None
            mark = Mark(anchor, p.entry_id, path, see, see_also, where)
            for key, given in (("see", see_attr), ("see-also", see_also_attr)):
                if given and offset >= 0:
                    mark.refs_at[key] = _location(p, p.text.find(key + "=", offset))
            index.marks.append(mark)
            term = index.term(path)
            if see:
                term.see.append(see) if see not in term.see else None
            else:
                term.marks.append(mark)
            if see_also and see_also not in term.see_also:
                term.see_also.append(see_also)
    for mark in index.marks:
        for kind, target in (("see", mark.see), ("see-also", mark.see_also)):
            found = index.find(target) if target else True
            if found is None or (found is not True and not _marked(found)):
                problems.add(mark.refs_at.get(kind, mark.location), "index-see",
                             f"{kind}=\"{'!'.join(target or ())}\" names a term marked nowhere "
                             "in the book; mark it with [words]{.index} or correct the name")
    # A book using none of the apparatus keeps a placeholder index silently (the sample's).
    apparatus = (book.numbering != Numbering() or any(e.parent for e in book.entries)
                 or any(e.role in ("figures", "tables") for e in book.entries))
    if not index.marks and apparatus and any(e.role == "index" for e in book.entries):
        log.warning("the book has an index entry but no index marks; mark terms with "
                    "[words]{.index} (see README: 'The index')")
    return index, anchors


def _marked(term: Term) -> bool:
    return bool(term.marks) or any(_marked(child) for child in term.children.values())


def _location(p: Parsed, offset: int) -> Location:
    from ..core.text import line_col

    return Location(p.path, *line_col(p.text, offset)) if offset >= 0 else Location(p.path)


@lru_cache(maxsize=1)
def _collator() -> pyuca.Collator:
    return pyuca.Collator()


def _spanish(language: str) -> bool:
    return language.split("-")[0].lower() == "es"


def sort_key(text: str, language: str = "") -> tuple:
    """The UCA (DUCET) key; Spanish, the one listed language DUCET does not already sort as
    its dictionaries do, has 'ñ' as a letter of its own after 'n' (an unassigned code point
    after the 'n' takes the largest implicit weight, so 'ñ' follows every 'n' + letter)."""
    if _spanish(language):
        text = unicodedata.normalize("NFC", text).replace("ñ", "n\U0010fffd").replace(
            "Ñ", "N\U0010fffd")
    return (_collator().sort_key(text), text)


def initial(text: str, language: str = "") -> str:
    """The letter a term is grouped under: its first letter without accents, or '#'."""
    first = unicodedata.normalize("NFC", text.lstrip())[:1].upper()
    if first == "Ñ" and _spanish(language):
        return first
    first = unicodedata.normalize("NFD", first)[:1]
    return first if first.isalpha() else "#"


def ordered(terms: dict[str, Term], language: str = "") -> list[Term]:
    return sorted(terms.values(), key=lambda t: sort_key(t.path[-1], language))


def groups(index: Index, language: str = "") -> list[tuple[str, list[Term]]]:
    out: list[tuple[str, list[Term]]] = []
    for term in ordered(index.terms, language):
        letter = initial(term.path[0], language)
        if not out or out[-1][0] != letter:
            out.append((letter, []))
        out[-1][1].append(term)
    return out


def short_label(book: Book, entry_id: str) -> str:
    """How a reflowable edition names the place of a mark: its entry's number or title."""
    entry = next(e for e in book.entries if e.id == entry_id)
    return entry.numeral or entry.title


def index_html(book: Book, index: Index, entry_id: str) -> str:
    """The index as the shared HTML holds it: groups of nested lists of terms and locators."""
    ids: dict[tuple[str, ...], str] = {}

    def number(terms: dict[str, Term]) -> None:
        for term in ordered(terms, book.language):
            ids[term.path] = f"{entry_id}{GENERATED}term-{len(ids) + 1}"
            number(term.children)

    number(index.terms)
    out = ['<div class="index-body">']
    for letter, terms in groups(index, book.language):
        out.append(f'<section class="index-group"><h2 class="index-group-label">'
                   f"{html.escape(letter)}</h2>")
        out.append(_list(book, terms, ids))
        out.append("</section>")
    out.append("</div>")
    return "".join(out)


def _list(book: Book, terms: list[Term], ids: dict[tuple[str, ...], str]) -> str:
    e = html.escape
    items = []
    for term in terms:
        parts = [f'<span class="index-term">{e(term.path[-1])}</span>']
        for mark in term.marks:
            parts.append(f', <a class="index-locator" href="#{e(mark.anchor)}" '
                         f'data-entry="{e(mark.entry_id)}">{e(short_label(book, mark.entry_id))}'
                         "</a>")
        for kind, targets in (("see", term.see), ("see-also", term.see_also)):
            for target in targets:
                sep = ". " if parts[-1].endswith("</a>") or kind == "see-also" else ", "
                parts.append(f'<span class="index-{kind}">{sep}<em>'
                             f'{e(book.labels[kind].capitalize())}</em> <a class="index-xref" '
                             f'href="#{ids[target]}"><span class="index-term">'
                             f'{e(", ".join(target))}</span></a></span>')
        if term.children:
            parts.append(_list(book, ordered(term.children, book.language), ids))
        items.append(f'<li class="index-entry" id="{ids[term.path]}">{"".join(parts)}</li>')
    return f'<ul class="index-entries">{"".join(items)}</ul>'
