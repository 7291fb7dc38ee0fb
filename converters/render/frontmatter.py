"""The front matter a publisher sets: title page with full credits, imprint, contents list.

The title page names every creator with their role ("Translated by ..."), the series above the
title and the edition statement below the credits. The imprint (the verso of the title page)
carries the rights, the first-publication line and each ISBN hyphenated by python-stdnum and
labelled by its edition; identifiers a reader cannot use (UUID, URI) are not printed. The
contents list leaves out the pages a reader does not look up: the title pages and itself.
"""

from __future__ import annotations

import html

from stdnum import isbn as stdisbn

from ..source.model import Book, Creator, Entry

# How a title page credits each MARC relator, in the order the credits are printed.
CREDITS = {
    "edt": "Edited by", "trl": "Translated by", "aui": "With an introduction by",
    "wpr": "With a preface by", "aft": "With an afterword by", "ill": "Illustrated by",
    "pht": "Photographs by", "ann": "Annotated by", "com": "Compiled by", "adp": "Adapted by",
    "cmm": "With commentary by", "wat": "With additional text by", "ctb": "With contributions by",
}
# Entries whose pages a reader does not look up in the contents list.
NOT_IN_CONTENTS = ("titlepage", "halftitle", "imprint", "toc", "dedication", "epigraph")
# Entries whose heading is not printed (it stays in every edition's navigation).
UNPRINTED_HEADING = ("titlepage", "halftitle", "imprint", "dedication", "epigraph")
EDITION_LABELS = {"ebook": "ebook", "print": "print"}


def heading_printed(entry: Entry) -> bool:
    if entry.heading is not None:
        return entry.heading == "shown"
    return entry.role not in UNPRINTED_HEADING


def names(creators: list[Creator]) -> str:
    parts = [c.name for c in creators]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def credit_lines(book: Book) -> list[str]:
    """'Translated by A and B', one line per role, in CREDITS order."""
    lines = []
    for role, wording in CREDITS.items():
        people = [c for c in book.creators if c.role == role]
        if people:
            lines.append(f"{wording} {names(people)}")
    return lines


def series_line(book: Book) -> str | None:
    if book.series is None:
        return None
    position = f" · {book.series.position}" if book.series.position else ""
    return book.series.title + position


def imprint_lines(book: Book) -> list[str]:
    lines = []
    if book.publisher:
        lines.append(f"First published {book.year} by {book.publisher}")
    else:
        lines.append(f"First published {book.year}")
    if book.rights:
        lines.append(book.rights)
    for ident in book.identifiers:
        label = f" ({EDITION_LABELS.get(ident.edition, ident.edition)})" if ident.edition else ""
        if ident.scheme == "isbn":
            lines.append(f"ISBN {stdisbn.format(ident.value)}{label}")
        elif ident.scheme == "issn":
            lines.append(f"ISSN {ident.value}{label}")
        elif ident.scheme == "doi":
            lines.append(f"DOI {ident.value}{label}")
    return lines


def titlepage_html(book: Book) -> str:
    e = html.escape
    lines = []
    series = series_line(book)
    if series:
        lines.append(f'<p class="series">{e(series)}</p>')
    lines.append(f'<p class="title">{e(book.title)}</p>')
    if book.subtitle:
        lines.append(f'<p class="subtitle">{e(book.subtitle)}</p>')
    lines.append(f'<p class="author">{e(book.author_line)}</p>')
    lines += [f'<p class="credit">{e(line)}</p>' for line in credit_lines(book)]
    if book.edition:
        lines.append(f'<p class="edition">{e(book.edition)}</p>')
    if book.publisher:
        lines.append(f'<p class="publisher">{e(book.publisher)}</p>')
    lines.append(f'<p class="year">{e(book.year)}</p>')
    imprint = "".join(f"<p>{e(line)}</p>" for line in imprint_lines(book))
    return ('<div class="titlepage-block">' + "".join(lines) + "</div>"
            '<div class="imprint">' + imprint + "</div>")
