"""Facing pages that end on the same line: a compositor's pass over short pages.

A page ends a line short when widow control (`widows: 2`) carries a paragraph's second-last
line over the page turn. A compositor then makes a paragraph on that page one line longer (set
a little looser, where its last line is nearly full) or one line shorter (a little tighter,
where its last line is a few words), so the page fills and the turn needs no widow. After a
layout the short pages are read back from the laid-out boxes and one paragraph of each is
named (by data-n) with the class that loosens or tightens it in the next layout.
"""

from __future__ import annotations

from dataclasses import dataclass

import weasyprint
from weasyprint.formatting_structure.boxes import FootnoteAreaBox, LineBox, MarginBox, TextBox

LOOSE, TIGHT = "loose", "tight"
NEARLY_FULL, FEW_WORDS = 0.85, 0.3


@dataclass
class _Line:
    owner: str | None
    bottom: float
    height: float
    fill: float  # the text's share of the measure


def _page_lines(page: weasyprint.document.Page) -> tuple[list[_Line], float]:
    """The page's body lines and the bottom of the room they have (above any footnotes)."""
    box = page._page_box  # no public API walks a laid-out page
    floor = box.content_box_y() + box.height
    lines: list[_Line] = []
    for child in box.children:
        if isinstance(child, FootnoteAreaBox):
            if child.children:
                floor = min(floor, child.position_y - child.margin_top)
            continue
        if not isinstance(child, MarginBox):
            _walk(child, None, lines)
    return lines, floor


def _walk(box: object, owner: str | None, out: list[_Line]) -> None:
    element = getattr(box, "element", None)
    if element is not None and element.get("data-n"):
        owner = element.get("data-n")
    if isinstance(box, LineBox):
        text = sum(b.width for b in box.descendants() if isinstance(b, TextBox))
        out.append(_Line(owner, box.position_y + box.height, box.height,
                         text / box.width if box.width else 1.0))
        return
    for child in getattr(box, "children", ()):
        _walk(child, owner, out)


def adjustments(document: weasyprint.Document,
                done: dict[str, str]) -> dict[str, str]:
    """data-n -> LOOSE or TIGHT for one paragraph on each page that ends a line short while
    its entry goes on; ``done`` are the paragraphs already adjusted, never touched again."""
    found: dict[str, str] = {}
    pages = [_page_lines(page) for page in document.pages]
    for i, (lines, floor) in enumerate(pages[:-1]):
        following = pages[i + 1][0]
        if len(lines) < 8 or not following or not lines[-1].owner or not following[0].owner:
            continue
        if lines[-1].owner.split(".")[0] != following[0].owner.split(".")[0]:
            continue  # the entry ends on this page: a short page is right
        height = lines[-1].height
        if floor - lines[-1].bottom < 0.8 * height:
            continue
        choice = _paragraph_to_adjust(lines, done)
        if choice:
            found[choice[0]] = choice[1]
    return found


def _paragraph_to_adjust(lines: list[_Line], done: dict[str, str]) -> tuple[str, str] | None:
    """A paragraph wholly on the page (not its first or last) with a last line to work on."""
    by_owner: dict[str, list[_Line]] = {}
    for line in lines:
        if line.owner:
            by_owner.setdefault(line.owner, []).append(line)
    owners = list(by_owner)[1:-1]  # the first and last may run over the page turns
    for owner in owners:
        if owner in done or len(by_owner[owner]) < 2:
            continue
        if by_owner[owner][-1].fill > NEARLY_FULL:
            return owner, LOOSE
    for owner in owners:
        if owner in done or len(by_owner[owner]) < 3:
            continue
        if by_owner[owner][-1].fill < FEW_WORDS:
            return owner, TIGHT
    return None
