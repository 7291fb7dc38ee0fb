"""The numbers ``numbering:`` in book.yaml gives the entries (the keys are read by schema.py).

Chapters (kind ``chapter``, no other role) are numbered continuously across parts; a
``number:`` written by hand wins and the count goes on from it; parts and appendices have counts
of their own.  Two entries with the same number are an error, since every link to one of them
would be ambiguous.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from .labels import letters, roman, words
from .model import Entry, Numbering

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..core.errors import Location

STYLES = ("arabic", "roman", "words", "none")
APPENDIX_STYLES = ("letters", "none")


def _format(n: int, style: str, language: str) -> str | None:
    if style == "roman":
        return roman(n)
    if style == "words":
        return words(n, language)
    if style == "letters":
        return letters(n)
    return str(n)


def _kind(entry: Entry) -> str | None:
    """Which count an entry belongs to: chapter, part, appendix, or none."""
    if entry.role == "part":
        return "part"
    if entry.role == "appendix":
        return "appendix"
    if entry.kind == "chapter" and entry.role in (None, "chapter"):
        return "chapter"
    return None


def number_entries(error: Callable[[Location, str, str], None], entries: tuple[Entry, ...],
                   numbering: Numbering, labels: dict[str, str],
                   language: str) -> tuple[Entry, ...]:
    styles = {"chapter": numbering.chapters, "part": numbering.parts,
              "appendix": numbering.appendices}
    counts = {"chapter": 0, "part": 0, "appendix": 0}
    seen: dict[tuple[str, str], Entry] = {}
    out = []
    for entry in entries:
        kind = _kind(entry)
        if kind is None:
            out.append(entry)
            continue
        style = styles[kind]
        if entry.number is not None:
            counts[kind] = entry.number
        elif style != "none":
            counts[kind] += 1
        else:
            out.append(entry)
            continue
        n = counts[kind]
        numeral = _format(n, style, language) if style != "none" else None
        if style == "words" and numeral is None:
            error(entry.location, "numbering",
                         f"'{entry.title}' would be number {n}, which 'numbering: words' cannot "
                         f"write in this language; use arabic or roman")
        key = (kind, numeral or str(n))
        if key in seen:
            error(entry.location, "duplicate-number",
                         f"'{entry.title}' has number {key[1]}, like '{seen[key].title}' at line "
                         f"{seen[key].location.line}; give each {kind} its own number")
        seen.setdefault(key, entry)
        if numeral is None:  # numbered by hand in a book that numbers nothing itself
            out.append(entry)
            continue
        word = labels[kind]
        if kind == "chapter":
            heading = f"{word} {numeral}" if numbering.label else numeral
            toc = numeral
        else:
            heading, toc = f"{word} {numeral}", f"{word} {numeral}:"
        out.append(dataclasses.replace(entry, number=n, numeral=numeral,
                                       heading_number=heading, toc_number=toc))
    return tuple(out)
