"""An entry's outline (its headings, its ids) and the characters it shows, from one parse.

Both are read from the entry's finished ``<section>``: the outline for navigation and the
duplicate-id check, the characters for the fallback fonts (scripts.py).  With the build cache
they are kept under the section's markup, so an unchanged entry is not parsed again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from lxml import html as lhtml

from ..core.cache import Cache
from . import math

KIND = "render-outline"


@dataclass(frozen=True)
class Heading:
    level: int  # 1 for the entry itself, 2.. for headings inside it
    id: str
    title: str


def outline(markup: str, cache: Cache | None) -> tuple[list[Heading], list[str], str]:
    """The section's headings below its title, all its ids, and its characters (sorted)."""
    key = "" if cache is None else \
        hashlib.sha256(markup.encode("utf-8", "surrogatepass")).hexdigest()
    kept = None if cache is None else cache.get_json(KIND, key)
    if isinstance(kept, dict):
        try:
            return ([Heading(int(level), str(ident), str(title))
                     for level, ident, title in kept["headings"]],
                    [str(ident) for ident in kept["ids"]], str(kept["chars"]))
        except (KeyError, TypeError, ValueError):
            pass  # a damaged entry is a miss
    headings, ids = [], []
    root = lhtml.fragment_fromstring(markup)
    for element in root.iter():
        ident = element.get("id") if isinstance(element.tag, str) else None
        if not ident:
            continue
        ids.append(ident)
        if element.tag in ("h2", "h3", "h4", "h5", "h6"):
            text = " ".join(math.words(element).split())
            headings.append(Heading(int(element.tag[1]), ident, text))
    chars = "".join(sorted(set(root.text_content())))
    if cache is not None:
        cache.put_json(KIND, key, {"headings": [[h.level, h.id, h.title] for h in headings],
                                   "ids": ids, "chars": chars})
    return headings, ids, chars
