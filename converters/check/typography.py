"""Typographic counts of a PDF edition, read from its text lines with pypdf.

What a production editor looks for on the pages of a book:

- short pages: a page that ends above the text block's last line although its entry goes on
  (facing pages then end on different lines);
- uneven spreads: facing pages, neither the end of an entry, whose last lines differ;
- hyphen ladders: three or more consecutive lines ending in a hyphen the layout inserted;
- short fragments: a hyphenation leaving fewer than three letters on either side;
- page-turn hyphens: a page whose last text line ends in an inserted hyphen.

WeasyPrint writes the hyphens it inserts as U+2010 HYPHEN, and Markdown text uses U+002D, so
an inserted hyphen is told from a compound's own hyphen by its character. Running heads and
folios are recognised as the lines that stand at the same height on most pages.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from pypdf import PdfReader

INSERTED_HYPHEN = "\u2010"
MIN_FRAGMENT = 3


@dataclass
class Line:
    y: float
    text: str


@dataclass
class Page:
    lines: list[Line]  # body lines, top to bottom (running head and folio removed)
    has_head: bool  # False on an entry's opening page and on blank pages

    @property
    def blank(self) -> bool:
        return not self.lines


@dataclass
class Counts:
    pages: int = 0
    short_pages: int = 0
    uneven_spreads: int = 0
    hyphenated_lines: int = 0
    hyphen_ladders: int = 0  # runs of 3+ consecutive hyphenated lines
    short_fragments: int = 0
    page_turn_hyphens: int = 0
    examples: dict[str, list[str]] = field(default_factory=dict)

    def summary(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k != "examples"}


def read_pages(path: Path) -> list[Page]:
    reader = PdfReader(path)
    raw: list[list[Line]] = []
    for page in reader.pages:
        found: dict[float, list[tuple[float, str]]] = {}

        def visit(text: str, cm: list[float], tm: list[float], _font: object, _size: float,
                  found: dict[float, list[tuple[float, str]]] = found) -> None:
            if not text.strip():
                return
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = round(tm[4] * cm[1] + tm[5] * cm[3] + cm[5], 1)
            found.setdefault(y, []).append((x, text))

        page.extract_text(visitor_text=visit)
        lines = [Line(y, "".join(t for _, t in sorted(parts)).strip())
                 for y, parts in sorted(found.items(), reverse=True)]
        raw.append([line for line in lines if line.text])
    # Running heads and folios: the top and bottom lines' heights that recur on many pages.
    tops = Counter(lines[0].y for lines in raw if lines)
    bottoms = Counter(lines[-1].y for lines in raw if lines)
    head_y = _recurring(tops, len(raw))
    folio_y = _recurring(bottoms, len(raw))
    pages = []
    for lines in raw:
        has_head = bool(lines) and head_y is not None and lines[0].y == head_y
        body = [ln for ln in lines if ln.y != head_y and ln.y != folio_y]
        pages.append(Page(body, has_head))
    return pages


def _recurring(heights: Counter[float], pages: int) -> float | None:
    if not heights:
        return None
    y, count = heights.most_common(1)[0]
    return y if count >= max(3, pages // 4) else None


def count(path: Path) -> Counts:
    pages = read_pages(path)
    counts = Counts(pages=len(pages))
    ends = [_ends_entry(pages, i) for i in range(len(pages))]
    bottoms = Counter(p.lines[-1].y for p in pages if p.lines and p.has_head)
    full = bottoms.most_common(1)[0][0] if bottoms else None
    gap = _line_gap(pages)
    examples = counts.examples
    for i, page in enumerate(pages):
        if page.blank:
            continue
        if full is not None and not ends[i] and page.lines[-1].y > full + gap / 2:
            counts.short_pages += 1
            examples.setdefault("short_pages", []).append(f"page {i + 1}")
        last = page.lines[-1].text
        if last.endswith(INSERTED_HYPHEN) and not ends[i]:
            counts.page_turn_hyphens += 1
            examples.setdefault("page_turn_hyphens", []).append(f"page {i + 1}: {last[-30:]}")
    for i in range(1, len(pages) - 1, 2):  # (verso, recto) pairs: pages 2-3, 4-5, ...
        left, right = pages[i], pages[i + 1]
        if left.blank or right.blank or ends[i] or ends[i + 1]:
            continue
        if abs(left.lines[-1].y - right.lines[-1].y) > gap / 2:
            counts.uneven_spreads += 1
    # Hyphenation across the whole text, page turns included.
    flow = [line.text for page in pages for line in page.lines]
    run = 0
    for n, text in enumerate(flow):
        if text.endswith(INSERTED_HYPHEN):
            counts.hyphenated_lines += 1
            run += 1
            before = _tail_letters(text[:-1])
            after = _head_letters(flow[n + 1]) if n + 1 < len(flow) else ""
            if len(before) < MIN_FRAGMENT or len(after) < MIN_FRAGMENT:
                counts.short_fragments += 1
                examples.setdefault("short_fragments", []).append(f"{before}-{after}")
        else:
            if run >= 3:
                counts.hyphen_ladders += 1
            run = 0
    if run >= 3:
        counts.hyphen_ladders += 1
    for key in examples:
        examples[key] = examples[key][:10]
    return counts


def _ends_entry(pages: list[Page], i: int) -> bool:
    """The last page of an entry: the next page is blank, opens an entry, or there is none."""
    following = pages[i + 1:]
    return not following or following[0].blank or not following[0].has_head


def _line_gap(pages: list[Page]) -> float:
    gaps: Counter[float] = Counter()
    for page in pages:
        for a, b in zip(page.lines, page.lines[1:], strict=False):
            gaps[round(a.y - b.y, 1)] += 1
    return gaps.most_common(1)[0][0] if gaps else 12.0


def _tail_letters(text: str) -> str:
    word = text.split()[-1] if text.split() else ""
    return "".join(c for c in word if c.isalpha())


def _head_letters(text: str) -> str:
    word = text.split()[0] if text.split() else ""
    letters = ""
    for c in word:
        if not c.isalpha():
            break
        letters += c
    return letters
