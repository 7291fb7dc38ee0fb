"""Where each page of our own print PDF begins, for the EPUB's page list (epub/printpages.py).

For every laid-out page: its label as the PDF's page labels give it (roman for the front matter,
arabic from the first chapter), the paragraph its first line belongs to (the ``data-n``
"ENTRY.N" the writer numbers blocks with) and the first words of that line, so the EPUB can
put the page-break marker at the same word.  Written as JSON beside the print PDF in the build's
work folder; the EPUB of the same run reads it.  Pages with no text (blank versos, the padding
at the end) have no entry: there is nothing in the EPUB to mark.
"""

from __future__ import annotations

import json
from pathlib import Path

import weasyprint
from weasyprint.formatting_structure.boxes import FootnoteAreaBox, MarginBox, TextBox

WORDS = 40  # characters of the page's first line kept to find it again in the EPUB


def roman(number: int) -> str:
    out = ""
    for value, letters in ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"),
                           (90, "xc"), (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"),
                           (4, "iv"), (1, "i")):
        while number >= value:
            out += letters
            number -= value
    return out


def label(index: int, front_pages: int) -> str:
    """The page label pdf/post.py gives page ``index`` (0-based)."""
    return roman(index + 1) if index < front_pages else str(index - front_pages + 1)


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def first_line(page: weasyprint.document.Page) -> dict[str, str] | None:
    """What the first line of ``page`` belongs to: a numbered block ("block": data-n, with
    "text", its first characters) or a heading ("heading": its id)."""
    found: dict[str, str] | None = None
    for child in page._page_box.children:  # no public API walks a laid-out page
        if isinstance(child, (FootnoteAreaBox, MarginBox)):
            continue
        for box in child.descendants():
            element = getattr(box, "element", None)
            if element is not None and not isinstance(box, TextBox):
                if element.get("data-n"):
                    found = {"block": element.get("data-n")}
                elif element.tag in HEADINGS and element.get("id"):
                    found = {"heading": element.get("id")}
            if isinstance(box, TextBox) and found and box.text.strip():
                return {**found, "text": box.text.strip()[:WORDS]}
    return None


def page_map(document: weasyprint.Document, front_pages: int,
             entry_ids: list[str]) -> list[dict[str, str]]:
    """Each page with text: its label, the number of the entry it is in, and its first line."""
    return [{"label": label(index, front_pages), **found}
            for index, found in pages_of(document.pages, entry_ids)]


def pages_of(pages: list, entry_ids: list[str]) -> list[tuple[int, dict]]:
    """(index, entry and first line) of each page with text among ``pages``.  A part of the
    book laid out alone (inparts.py) starts with an entry, so its pages alone say which."""
    found = []
    entry = 0
    for index, page in enumerate(pages):
        opened = [n for n, entry_id in enumerate(entry_ids) if entry_id in page.anchors]
        if opened:
            entry = opened[0]
        line = first_line(page)
        if line is not None:
            found.append((index, {"entry": entry, **line}))
    return found


def join_maps(parts: list[tuple[int, list]], front_pages: int) -> list[dict]:
    """The map of the book from its parts' ``pages_of`` and the page each part starts at."""
    return [{"label": label(start + index, front_pages), **found}
            for start, pages in parts for index, found in pages]


def map_path(pdf: Path) -> Path:
    return pdf.with_name(pdf.stem + ".pages.json")


def write_map(pdf: Path, document: weasyprint.Document, front_pages: int,
              entry_ids: list[str]) -> None:
    save_map(map_path(pdf), page_map(document, front_pages, entry_ids))


def save_map(path: Path, data: list[dict]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
