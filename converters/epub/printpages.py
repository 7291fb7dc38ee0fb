"""Page-break markers at the words where our own print edition's pages begin.

The print PDF of the same build leaves a page map (pdf/pagemap.py): for each page, its label,
the paragraph its first line belongs to ("ENTRY.N": the N-th ``p``/``li`` of the entry, notes
aside) and that line's first characters.  Here the same paragraph is found in the entry's XHTML
and the marker is put before the word the page starts with (at the paragraph's start if the
words cannot be found, e.g. where the print edition adds a half-title line).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from lxml import etree

from .xhtml import EPUB_TYPE, PageBreak, X, page_id

_SPACE = re.compile(r"\s+")


def load_map(path: Path) -> dict[int, list[dict[str, str]]]:
    """The page map grouped by entry number; empty if the print edition left none."""
    if not path.is_file():
        return {}
    grouped: dict[int, list[dict[str, str]]] = {}
    for mark in json.loads(path.read_text(encoding="utf-8")):
        grouped.setdefault(int(mark["entry"]), []).append(mark)
    return grouped


def blocks(root: etree._Element) -> list[etree._Element]:
    """The entry's paragraphs and list items in the order the PDF numbers them."""
    found = []
    for element in root.iter(f"{X}p", f"{X}li"):
        if any(a.tag == f"{X}aside" or "footnotes" in (a.get("class") or "").split()
               for a in element.iterancestors()):
            continue
        found.append(element)
    return found


def _normalised(text: str) -> tuple[str, list[int]]:
    """``text`` with runs of white space as one space and soft hyphens gone, and for each
    character kept its index in ``text``."""
    out, where = [], []
    previous_space = False
    for i, char in enumerate(text):
        if char == "\u00ad":
            continue
        space = char.isspace()
        if space and previous_space:
            continue
        out.append(" " if space else char)
        where.append(i)
        previous_space = space
    return "".join(out), where


def _offset(block: etree._Element, needle: str, start: int) -> tuple[int, int] | None:
    """Where ``needle`` starts in the block's text (at or after ``start`` in the normalised
    text), at a word start: (index in the raw text, index in the normalised text)."""
    raw = "".join(block.itertext())
    text, where = _normalised(raw)
    needle = _normalised(needle)[0].strip()
    if len(needle) < 3:
        return None
    at = text.find(needle, start)
    if at < 0:
        return None
    while at > 0 and not text[at - 1].isspace():  # a hyphenated word: mark its start
        at -= 1
    return where[at], at


def _insert_at(block: etree._Element, offset: int, marker: etree._Element) -> None:
    """Put ``marker`` at character ``offset`` of the block's text."""
    def walk(element: etree._Element, remaining: int) -> int | None:
        text = element.text or ""
        if remaining <= len(text):
            marker.tail = text[remaining:] or None
            element.text = text[:remaining] or None
            element.insert(0, marker)
            return None
        remaining -= len(text)
        for child in element:
            if child is marker:
                continue
            left = walk(child, remaining)
            if left is None:
                return None
            remaining = left
            tail = child.tail or ""
            if remaining <= len(tail):
                child.tail = tail[:remaining] or None
                marker.tail = tail[remaining:] or None
                child.addnext(marker)
                return None
            remaining -= len(tail)
        return remaining

    if walk(block, offset) is not None:
        block.append(marker)


def mark_pages(root: etree._Element, marks: list[dict[str, str]], href: str) -> list[PageBreak]:
    """Insert a marker for each of ``marks`` (one entry's pages) and return the page breaks."""
    found = blocks(root)
    breaks = []
    last: dict[int, int] = {}
    for mark in marks:
        marker = etree.Element(f"{X}span", {EPUB_TYPE: "pagebreak", "role": "doc-pagebreak",
                                            "id": page_id(mark["label"]),
                                            "aria-label": mark["label"]})
        if "heading" in mark:  # the page opens with a heading: the marker goes before it
            heading = next(iter(root.xpath("//*[@id=$id]", id=mark["heading"])), None)
            if heading is None:
                continue
            heading.addprevious(marker)
            breaks.append(PageBreak(mark["label"], f"{href}#{page_id(mark['label'])}"))
            continue
        n = int(mark["block"].split(".")[1])
        # The PDF's title page has one paragraph more (its half-title line): look around.
        for candidate in (n, n - 1, n + 1):
            if 0 <= candidate < len(found):
                at = _offset(found[candidate], mark["text"], last.get(candidate, 0))
                if at is not None:
                    _insert_at(found[candidate], at[0], marker)
                    last[candidate] = at[1] + 1
                    break
        else:
            if not found:
                continue
            block = found[min(n, len(found) - 1)]
            block.insert(0, marker)
            marker.tail, block.text = block.text, None
        breaks.append(PageBreak(mark["label"], f"{href}#{page_id(mark['label'])}"))
    return breaks
