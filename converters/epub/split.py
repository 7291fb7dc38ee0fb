"""EPUB files of a sensible size: an entry whose XHTML would pass SPLIT_BYTES is cut into
several files at its sections (before a heading where one is near), else between blocks.

Reading systems load a spine item whole, and some slow down or give up past a few hundred
kilobytes. Each part is a RenderedEntry of its own whose id names its file (``ENTRY.2`` ->
``text/ENTRY.2.xhtml``; entry ids are slugs without dots, so the names never meet), so the
writer's relinking, navigation and page-list work on parts as on entries. The first part
keeps the entry's id and file name, so links to the entry itself do not change.
"""

from __future__ import annotations

import dataclasses
import html as htmlmod

from lxml import etree
from lxml import html as lhtml

from ..render.book import RenderedEntry

SPLIT_BYTES = 100_000
HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def split_entry(rendered: RenderedEntry, limit: int | None = None) -> list[RenderedEntry]:
    """The entry as one or more parts of about equal size, none over ``limit`` bytes
    (SPLIT_BYTES) unless a single block is."""
    limit = limit or SPLIT_BYTES
    total = len(rendered.html.encode("utf-8"))
    if total <= limit:
        return [rendered]
    target = total / -(-total // limit)  # equal shares, so no part is a scrap
    root = lhtml.fragment_fromstring(rendered.html)
    children = list(root)
    groups: list[list[etree._Element]] = [[]]
    size = 0
    for child in children:
        weight = len(etree.tostring(child, encoding="utf-8"))
        at_heading = child.tag in HEADINGS
        # Never cut before the part holds more than headings (the entry's own h1 included).
        opened = any(c.tag not in ("h1", *HEADINGS) for c in groups[-1])
        if opened and (size + weight > limit or size >= target
                       or (at_heading and size >= target / 2)):
            carried = []
            while groups[-1] and groups[-1][-1].tag in HEADINGS:  # a heading goes with its text
                carried.insert(0, groups[-1].pop())
            if groups[-1]:
                groups.append(carried)
                size = sum(len(etree.tostring(c, encoding="utf-8")) for c in carried)
            else:
                groups[-1] = carried
        groups[-1].append(child)
        size += weight
    if len(groups) == 1:
        return [rendered]
    return [_part(rendered, root, group, n) for n, group in enumerate(groups)]


def part_id(entry_id: str, n: int) -> str:
    return entry_id if n == 0 else f"{entry_id}.{n + 1}"


def _part(rendered: RenderedEntry, root: etree._Element, group: list[etree._Element],
          n: int) -> RenderedEntry:
    entry = rendered.entry
    # A continuation is the same kind of section, without the entry's id and label.
    attrs = dict(root.attrib) if n == 0 else {"class": root.get("class", "") + " continued"}
    inner = "".join(etree.tostring(child, method="xml", encoding="unicode", with_tail=True)
                    for child in group)
    markup = ("<section " + " ".join(f'{k}="{htmlmod.escape(v)}"' for k, v in attrs.items())
              + ">" + (root.text or "" if n == 0 else "") + inner + "</section>")
    ids = [e.get("id") for child in group for e in child.iter()
           if isinstance(e.tag, str) and e.get("id")]
    if n == 0:
        ids.insert(0, rendered.id)
    headings = [h for h in rendered.headings if h.id in set(ids)]
    part_entry = dataclasses.replace(entry, id=part_id(entry.id, n),
                                     pages=entry.pages if n == 0 else None)
    return RenderedEntry(part_entry, markup, headings, ids)
