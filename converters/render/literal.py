"""Never silent literal text: markup that would reach an edition as the author typed it.

pandoc keeps what it cannot mean as raw code (``{=latex}`` blocks, ``\\newpage``) or as plain
text (a footnote reference with no definition).  Either way the reader would see the author's
markup, so each is a located error, found once here in the shared rendering.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..core.errors import Location, ProblemCollector
from ..core.text import line_col
from .markdown_ast import walk

if TYPE_CHECKING:
    from .markdown_ast import Parsed

# A note reference pandoc left as text: '[^key]' not followed by ':' (that is a definition).
_NOTE_REF = re.compile(r"\[\^([^\]\s]+)\](?!:)")
_FORMAT_NAMES = {"tex": "TeX", "latex": "LaTeX", "html": "HTML", "html5": "HTML",
                 "openxml": "OpenXML"}


def check(p: Parsed, problems: ProblemCollector, nodes: list[dict] | None = None) -> None:
    """Report raw blocks and inlines, and note references without a definition.

    ``nodes``: the AST's elements in order, if the caller has walked it already."""
    searched_from: dict[str, int] = {}

    def where(needle: str) -> Location:
        # Repeated markup is located at successive occurrences, in document order.
        start = searched_from.get(needle, 0)
        offset = p.text.find(needle, start)
        if offset < 0:
            offset = p.text.find(needle.strip())
        if offset < 0:
            return Location(p.path)
        searched_from[needle] = offset + 1
        return Location(p.path, *line_col(p.text, offset))

    for node in walk(p.ast["blocks"]) if nodes is None else nodes:
        kind = node["t"]
        if kind in ("RawBlock", "RawInline"):
            fmt, content = node["c"]
            name = _FORMAT_NAMES.get(fmt.lower(), fmt)
            first = content.strip().splitlines()[0] if content.strip() else content
            at = _raw_offset(p.text, fmt, content, kind, searched_from)
            where_at = Location(p.path, *line_col(p.text, at)) if at >= 0 else where(first)
            what = "block" if kind == "RawBlock" else "code"
            problems.add(where_at, "raw-markup",
                         f"raw {name} {what} '{_short(first)}' would reach the editions as "
                         "literal text (no edition can run it); write it in Markdown or "
                         "remove it")
        elif kind == "Str" and "[^" in node["c"]:  # (the pattern's start: most words lack it)
            for match in _NOTE_REF.finditer(node["c"]):
                problems.add(where(match[0]), "missing-footnote",
                             f"footnote reference '{match[0]}' has no definition; add a line "
                             f"'{match[0]}: …' or correct the key")


def _raw_offset(text: str, fmt: str, content: str, kind: str,
                searched_from: dict[str, int]) -> int:
    """Where the raw markup starts: its fence or opening backtick, or the TeX command."""
    attribute = f"{{={fmt}}}"
    key = attribute if attribute in text else content.strip()
    offset = text.find(key, searched_from.get(key, 0))
    if offset < 0:
        return -1
    searched_from[key] = offset + 1
    if key == attribute:
        if kind == "RawBlock":
            return text.rfind("\n", 0, offset) + 1  # the fence opens the line
        ticks = offset
        while ticks > 0 and text[ticks - 1] == "`":
            ticks -= 1
        start = text.rfind(content, 0, ticks)
        if start >= 0:
            while start > 0 and text[start - 1] == "`":
                start -= 1
            return start
    return offset


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"
