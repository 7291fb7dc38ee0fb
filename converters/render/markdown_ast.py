"""The one walk over pandoc's JSON AST, shared by the rendering modules."""

from __future__ import annotations

from collections.abc import Iterator


def walk(value: object) -> Iterator[dict]:
    """Every AST element (a dict with a 't') in document order."""
    if isinstance(value, dict):
        if "t" in value:
            yield value
        for child in value.values():
            yield from walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from walk(child)
