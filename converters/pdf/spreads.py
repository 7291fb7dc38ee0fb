"""Facing pages that end on the same line: a compositor's pass over short pages.

A page ends a line short when widow control (`widows: 2`) carries a paragraph's second-last
line over the page turn. A compositor then makes a paragraph on that page one line longer (set
a little looser, where its last line is nearly full) or one line shorter (a little tighter,
where its last line is a few words), so the page fills and the turn needs no widow. After a
layout the short pages are read back from the laid-out boxes and one paragraph of each is
named (by data-n) with the class that loosens or tightens it in the next layout.

Each layout costs as much as the whole part, so a paragraph is only named where its own lines
show the change will work: loosened, its word spaces must together widen it by more than its
last line's slack; tightened, they must free the width of its last line. Choosing the first
nearly-full paragraph instead failed more often than not, and a story of 25 pages took the
six layouts allowed, trying one paragraph after another.
"""

from __future__ import annotations

from dataclasses import dataclass

import weasyprint
from weasyprint.formatting_structure.boxes import FootnoteAreaBox, LineBox, MarginBox, TextBox

LOOSE, TIGHT = "loose", "tight"
NEARLY_FULL, FEW_WORDS = 0.85, 0.3
# What pdf.css's .loose and .tight add to each word space, in em.
SPACE_EM = {LOOSE: 0.06, TIGHT: 0.04}


@dataclass
class _Line:
    owner: str | None
    bottom: float
    height: float
    fill: float  # the text's share of the measure
    width: float = 0.0  # the measure
    stretch: float = 0.0  # word spaces x font size: what one em more per space would add
    natural: float = 0.0  # the text's width before justification widened its spaces
    words: int = 1


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
        texts = [b for b in box.descendants() if isinstance(b, TextBox)]
        text = sum(b.width for b in texts)
        spaces = sum(b.text.count(" ") for b in texts)
        stretch = sum(b.text.count(" ") * b.style["font_size"] for b in texts)
        natural = text - sum(getattr(b, "justification_spacing", 0) * b.text.count(" ")
                             for b in texts)
        out.append(_Line(owner, box.position_y + box.height, box.height,
                         text / box.width if box.width else 1.0, box.width, stretch, natural,
                         spaces + 1))
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
    """A paragraph wholly on the page (not its first or last) whose lines can gain or lose
    its last line, the surest first; None if no paragraph can."""
    by_owner: dict[str, list[_Line]] = {}
    for line in lines:
        if line.owner:
            by_owner.setdefault(line.owner, []).append(line)
    owners = [o for o in list(by_owner)[1:-1] if o not in done]  # ends may run over turns
    best: tuple[float, str, str] | None = None
    for owner in owners:
        own = by_owner[owner]
        # A last line's box is only as wide as its words: the measure is the widest line's.
        measure = max(line.width for line in own)
        fill = own[-1].natural / measure if measure else 1.0
        if len(own) >= 2 and fill > NEARLY_FULL:
            margin, choice = _overflow(own, measure), LOOSE
        elif len(own) >= 3 and fill < FEW_WORDS:
            margin, choice = _taken_in(own, measure), TIGHT
        else:
            continue
        if margin > 0 and (best is None or margin > best[0]):
            best = (margin, owner, choice)
    return (best[1], best[2]) if best else None


def _word(line: _Line) -> float:
    return line.natural / line.words if line.words else line.natural


def _overflow(own: list[_Line], measure: float) -> float:
    """How far the paragraph's last line would run over the measure once its spaces are
    widened (> 0: it gains a line). A line passes words on only when the wider spaces use up
    its own slack, so the carry is followed line by line, in whole words."""
    carry = 0.0
    for line in own[:-1]:
        over = line.natural + carry + SPACE_EM[LOOSE] * line.stretch - measure
        carry = -(-over // _word(line)) * _word(line) if over > 0 and _word(line) > 0 else 0.0
    last = own[-1]
    return last.natural + carry + SPACE_EM[LOOSE] * last.stretch - measure


def _taken_in(own: list[_Line], measure: float) -> float:
    """How many of the last line's words more than it holds the lines above could take in
    once their spaces are narrowed (> 0: it loses its last line)."""
    room = 0
    for line in own[:-1]:
        slack = measure - line.natural + SPACE_EM[TIGHT] * line.stretch
        room += int(slack // _word(line)) if _word(line) > 0 else 0
    return room - own[-1].words + 0.5
