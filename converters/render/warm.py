"""A file's finished HTML kept under everything it was made from, other files' facts included.

A file's fragment depends on its own text, the writer's options, and a few facts from the rest
of the book: where each of its '#id' links goes, the numbers and labels of its targets and of
the targets its cross-references name, the anchors of its index marks, which of its headings
repeat an id of its entry, and the images it shows.  :func:`key` holds exactly those (read
from the book-wide assembly of every file's survey), so a hit is the fragment a cold render
would make, and a file whose facts are unchanged is never decoded or walked.  A change to a
heading another file links to, a renumbered figure or a moved index mark changes the key of
every file that reads it, and only theirs.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from pathlib import Path

from ..core.cache import Cache
from ..core.errors import Location, ProblemCollector
from . import markdown
from .crossref import Registry
from .markdown_ast import ImageRef, Parsed
from .pandoc import Message
from .survey import Survey

KIND = "render-done"
VERSION = 1  # of what a finished entry holds and how it is keyed


def key(p: Parsed, survey: Survey, resolver: markdown.Resolver, registry: Registry,
        given: list[list], anchors: list[str | None], source_dir: Path,
        images: dict[Path, ImageRef]) -> list:
    """What ``p``'s fragment is made from; fills ``images`` with the images it shows."""
    repeated = sorted(k for entry_id, part, k in resolver.repeated
                      if entry_id == p.entry_id and part == p.part)
    links = [[target, resolver.resolve(p.entry_id, target), resolver.anywhere.get(target, [])]
             for target in dict.fromkeys(survey.links)]
    xrefs: list[list] = []
    for ident in dict.fromkeys(survey.xrefs):
        target = registry.lookup(ident)
        xrefs.append([ident] if target is None else
                     [ident, target.anchor, registry.text(target, False),
                      registry.text(target, True)])
    scratch = ProblemCollector()  # a problem here is reported again when the file is walked
    # The name an image gets holds its media type (names.py), so the name is enough.
    shown = [[url, markdown._image(url, source_dir, images, lambda _: Location(p.path), scratch)]
             for url in survey.images]
    # Not the file's path: the fragment holds none (its problems are never kept), so a book
    # moved to another folder stays warm.
    return [VERSION, markdown.HTML_ARGS, p.entry_id, p.part,
            hashlib.sha256(p.text.encode("utf-8", "surrogatepass")).hexdigest(), repeated,
            links, given, xrefs, registry.label("page"), anchors, shown]


def get(cache: Cache | None, material: list) -> tuple[str, list[Message]] | None:
    """The finished fragment and pandoc's messages writing it, if kept; None for a miss."""
    data = None if cache is None else cache.get(KIND, material)
    if data is None:
        return None
    try:
        value = json.loads(zlib.decompress(data))
        return str(value["html"]), [(int(level), str(text)) for level, text in value["said"]]
    except (zlib.error, ValueError, TypeError, KeyError):
        return None  # a damaged entry is a miss


def put(cache: Cache | None, material: list, fragment: str, said: list[Message]) -> None:
    if cache is not None:
        value = json.dumps({"html": fragment, "said": said}, ensure_ascii=False)
        cache.put(KIND, material, zlib.compress(value.encode("utf-8"), 1))
