"""One Markdown file as pandoc's JSON AST (``Parsed``), the images it shows, and the one walk
over the AST, shared by the rendering modules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


def walk(value: object) -> Iterator[dict]:
    """Every AST element (a dict with a 't') in document order (a loop: nesting is unbounded)."""
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "t" in node:
                yield node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


@dataclass(frozen=True)
class ImageRef:
    """An image a Markdown file shows: its path in the source folder and its media type."""

    rel: str
    media_type: str


@dataclass
class Parsed:
    """One Markdown file read into pandoc's AST, with what other files may link to."""

    entry_id: str
    part: str  # "body" or "summary"
    path: Path
    text: str
    ast: dict
    heading_ids: list[str] = field(default_factory=list)
