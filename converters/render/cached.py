"""The Markdown walk (markdown.py) with its two pandoc runs per file remembered in a Cache.

- A file's heading ids depend on its text alone: with them cached, an unchanged file is not
  parsed at all unless its HTML must be written again.
- A file's HTML fragment depends on its text, its entry and part, and on every heading id and
  entry id of the book (links resolve against them), so that is its key; the images it shows
  are kept with their SHA-256, and a changed image is a miss.
Only a file that converted with no problem and no pandoc warning is stored, so a cached build
reports exactly what a cold one would.  Editing one chapter re-renders that chapter alone,
unless it adds, removes or renames a heading, which every file's links may point at.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from pathlib import Path

from ..core.cache import Cache, digest
from ..core.errors import ProblemCollector
from . import markdown


class _CountWarnings(logging.Filter):
    """pandoc's warnings seen by this thread: a file that warned is never cached."""

    local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            self.local.count = getattr(self.local, "count", 0) + 1
        return True

    def count(self) -> int:
        return getattr(self.local, "count", 0)


_WARNINGS = _CountWarnings()
logging.getLogger("pypandoc").addFilter(_WARNINGS)


def parse(entry_id: str, part: str, path: Path, text: str,
          cache: Cache | None) -> markdown.Parsed:
    if cache is None:
        return markdown.parse(entry_id, part, path, text)
    key = [markdown.READER, text]
    ids = cache.get_json("headings", key)
    if isinstance(ids, list):
        # The AST is read only if the HTML must be written (see to_html).
        return markdown.Parsed(entry_id, part, path, text, {}, [str(i) for i in ids])
    before = _WARNINGS.count()
    parsed = markdown.parse(entry_id, part, path, text)
    if _WARNINGS.count() == before:
        cache.put_json("headings", key, parsed.heading_ids)
    return parsed


def links_key(resolver: markdown.Resolver) -> str:
    """Everything a link in any file may resolve against."""
    return digest([sorted(resolver.entry_ids),
                   sorted((k, sorted(v)) for k, v in resolver.local.items()),
                   sorted(resolver.anywhere.items()), sorted(resolver.repeated)])


def to_html(p: markdown.Parsed, resolver: markdown.Resolver, links: str, source_dir: Path,
            problems: ProblemCollector, images: dict[Path, markdown.ImageRef],
            cache: Cache | None) -> str:
    if cache is None:
        return markdown.to_html(p, resolver, source_dir, problems, images)
    key = [p.entry_id, p.part, p.text, links]
    hit = cache.get_json("html", key)
    if isinstance(hit, dict) and _images_unchanged(hit.get("images", []), source_dir):
        for rel, media, _digest in hit["images"]:
            images[(source_dir / rel).resolve()] = markdown.ImageRef(rel, media)
        return str(hit["html"])
    if not p.ast:
        p.ast = markdown.parse(p.entry_id, p.part, p.path, p.text).ast
    before = _WARNINGS.count()
    mine = ProblemCollector()
    found: dict[Path, markdown.ImageRef] = {}
    fragment = markdown.to_html(p, resolver, source_dir, mine, found)
    images.update(found)
    problems.problems.extend(mine.problems)
    if not mine and _WARNINGS.count() == before:
        shown = [[ref.rel, ref.media_type, _sha(path)] for path, ref in sorted(found.items())]
        cache.put_json("html", key, {"html": fragment, "images": shown})
    return fragment


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _images_unchanged(shown: list, source_dir: Path) -> bool:
    try:
        return all((source_dir / rel).is_file() and _sha(source_dir / rel) == sha
                   for rel, _media, sha in shown)
    except (OSError, ValueError, TypeError):
        return False
