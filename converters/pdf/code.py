"""Code blocks that stay inside the text block of the printed page.

The code face is monospaced, so how many characters fit on a line is known before layout: a
block whose longest line would not fit is first set smaller, down to a floor, and lines still
too long are then broken, each continuation starting with a visible mark (↪) so that a reader
never takes it for a new line of the program.
"""

from __future__ import annotations

from lxml import etree

MM_PER_PT = 25.4 / 72
ADVANCE_EM = 0.602  # DejaVu Sans Mono: every glyph 1233/2048 em wide
CODE_PT = 8.5  # the code size in pdf.css
FLOOR_PT = 7.0  # smaller than this is no longer comfortably read in print
MARK = "\u21aa "  # ↪ and a space, starting a continuation line
QUOTE_INDENT_PT = 2 * 1.5 * 9.5  # pdf.css: blockquote { margin: 8pt 1.5em; font-size: 9.5pt }


def fit_code(section: etree._Element, text_width_mm: float) -> None:
    """Shrink or break every ``pre`` in ``section`` to fit ``text_width_mm``."""
    for pre in section.iter("pre"):
        width_pt = text_width_mm / MM_PER_PT - QUOTE_INDENT_PT * sum(
            1 for a in pre.iterancestors() if a.tag in ("blockquote", "li"))
        code = pre.find("code")
        holder = code if code is not None else pre
        text = "".join(holder.itertext())
        longest = max((len(line) for line in text.split("\n")), default=0)
        if not longest:
            continue
        size = min(CODE_PT, max(FLOOR_PT, width_pt / (longest * ADVANCE_EM)))
        size = int(size * 4) / 4  # quarter points: the same block always gets the same size
        pre.set("style", f"font-size: {size}pt")
        columns = int(width_pt / (size * ADVANCE_EM))
        if longest > columns:
            _break_lines(holder, text, columns)


def _break_lines(holder: etree._Element, text: str, columns: int) -> None:
    for child in list(holder):
        holder.remove(child)
    holder.text = None
    last: etree._Element | None = None

    def put(chunk: str) -> None:
        if last is None:
            holder.text = (holder.text or "") + chunk
        else:
            last.tail = (last.tail or "") + chunk

    lines = text.split("\n")
    for number, line in enumerate(lines):
        first = True
        while first or line:
            room = columns if first else columns - len(MARK)
            cut = _cut(line, room)
            if not first:
                mark = etree.SubElement(holder, "span", {"class": "continuation"})
                mark.text = MARK
                last = mark
            put(line[:cut])
            line = line[cut:]
            first = False
            if line:
                put("\n")
        if number < len(lines) - 1:
            put("\n")


def _cut(line: str, room: int) -> int:
    """Where to end this piece: after a space or punctuation near the edge, else at it."""
    if len(line) <= room:
        return len(line)
    for at in range(room, max(room * 2 // 3, 1), -1):
        if line[at - 1] in " ,;([{=":
            return at
    return room
