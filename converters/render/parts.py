"""Parts: entries that hold entries.  The printed contents list nests a part's chapters."""

from __future__ import annotations

import html

from ..source.model import Book, Entry
from .frontmatter import NOT_IN_CONTENTS


def children(book: Book, part_id: str) -> list[Entry]:
    return [e for e in book.entries if e.parent == part_id]


def contents_html(book: Book) -> str:
    """The contents list of the toc entry: one item per entry, a part's entries inside it;
    neither the title pages nor the contents itself are listed."""

    def item(entry: Entry) -> str:
        inner = "".join(item(child) for child in children(book, entry.id)
                        if child.role not in NOT_IN_CONTENTS)
        nested = f"<ol>{inner}</ol>" if inner else ""
        role = " toc-part" if entry.role == "part" else ""
        return (f'<li class="toc-{entry.kind}{role}"><a href="#{entry.id}">'
                f"{html.escape(entry.label)}</a>{nested}</li>")

    items = [item(e) for e in book.entries
             if e.role not in NOT_IN_CONTENTS and e.parent is None]
    return '<nav class="contents-list" aria-label="Contents"><ol>' + "".join(items) + "</ol></nav>"
