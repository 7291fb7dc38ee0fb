"""A compositor's pass over hyphenation: no word hyphenated across a page turn, and no more
than two hyphenated lines in a row.

CSS cannot say either (WeasyPrint has no ``hyphenate-limit-lines`` and no rule about page
turns), so after a layout the lines are read back from the laid-out pages; a word that breaks
the rule is named (its paragraph's data-n and the word) and set unhyphenated in the next
layout, where the line is justified a little looser or the word moves down whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import weasyprint
from lxml import etree
from weasyprint.formatting_structure.boxes import FootnoteAreaBox, LineBox, MarginBox, TextBox

INSERTED = "\u2010"  # WeasyPrint's hyphenate-character, which Markdown text never uses here
MAX_RUN = 2
NOHYPH = "nohyph"
_WORD = re.compile(r"\w+$")
_HEAD = re.compile(r"^\w+")


def _lines(document: weasyprint.Document) -> list[tuple[int, str, str | None]]:
    """(page number, line text, data-n of its paragraph) for each body line, in order."""
    out: list[tuple[int, str, str | None]] = []
    for number, page in enumerate(document.pages):
        for child in page._page_box.children:  # no public API walks a laid-out page
            if not isinstance(child, (FootnoteAreaBox, MarginBox)):  # body text only
                _walk(child, None, number, out)
    return out


def _walk(box: object, owner: str | None, page: int,
          out: list[tuple[int, str, str | None]]) -> None:
    element = getattr(box, "element", None)
    if element is not None and element.get("data-n"):
        owner = element.get("data-n")
    if isinstance(box, LineBox):
        text = "".join(b.text for b in box.descendants() if isinstance(b, TextBox))
        out.append((page, text.rstrip(), owner))
        return
    for child in getattr(box, "children", ()):
        _walk(child, owner, page, out)


def unhyphenations(document: weasyprint.Document) -> frozenset[tuple[str, str]]:
    """(data-n, word) pairs whose hyphenation breaks a page turn or makes a ladder."""
    lines = _lines(document)
    found: set[tuple[str, str]] = set()
    run = 0
    for i, (page, text, owner) in enumerate(lines):
        if not text.endswith(INSERTED) or owner is None:
            run = 0
            continue
        run += 1
        following = lines[i + 1] if i + 1 < len(lines) else None
        turn = following is not None and following[0] != page
        if (turn or run > MAX_RUN) and following is not None:
            head, tail = _WORD.search(text[:-1]), _HEAD.search(following[1])
            if head and tail:
                found.add((owner, head.group(0) + tail.group(0)))
            run = 0
    return frozenset(found)


def words_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """Any of ``words``, whole: what ``apply`` wraps, and relayout.py splits out of a kept
    layout (the two must find the same words)."""
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(set(words))) + r")\b")


def apply(block: etree._Element, words: Iterable[str]) -> None:
    """Wrap each of ``words`` in the block's own text in a span that is never hyphenated."""
    pattern = words_pattern(words)
    for node in list(block.iter()):
        if not isinstance(node.tag, str) or node.get("class") == NOHYPH:
            continue
        _wrap_text(node, "text", pattern)
        for child in list(node):
            if isinstance(child.tag, str) and child.get("class") != NOHYPH:
                _wrap_tail(child, pattern)


def _span(word: str) -> etree._Element:
    span = etree.Element("span", {"class": NOHYPH})
    span.text = word
    return span


def _wrap_text(node: etree._Element, _: str, pattern: re.Pattern[str]) -> None:
    text = node.text or ""
    parts = pattern.split(text)
    if len(parts) == 1:
        return
    node.text = parts[0]
    for position, (word, rest) in enumerate(zip(parts[1::2], parts[2::2], strict=False)):
        span = _span(word)
        span.tail = rest
        node.insert(position, span)


def _wrap_tail(child: etree._Element, pattern: re.Pattern[str]) -> None:
    text = child.tail or ""
    parts = pattern.split(text)
    if len(parts) == 1:
        return
    child.tail = parts[0]
    anchor = child
    for word, rest in zip(parts[1::2], parts[2::2], strict=False):
        span = _span(word)
        span.tail = rest
        anchor.addnext(span)
        anchor = span
