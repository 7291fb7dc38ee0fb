"""WeasyPrint's missing-glyph warnings, less those the render stage already reported.

The render stage warns once, at the Markdown line, about a character no installed font has
(render.scripts); WeasyPrint would add one line per text run that holds it, naming no line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

_CODES = re.compile(r"U\+([0-9A-Fa-f]{4,6})")


class _KnownMissing(logging.Filter):
    def __init__(self, missing: str) -> None:
        super().__init__()
        self.missing = {ord(c) for c in missing}

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "notdef" not in message:
            return True
        codes = {int(code, 16) for code in _CODES.findall(message)}
        return not codes or not codes <= self.missing


@contextmanager
def known_missing(missing: str) -> Iterator[None]:
    """Drop WeasyPrint's .notdef warnings for characters in ``missing`` while laying out."""
    if not missing:
        yield
        return
    logger = logging.getLogger("weasyprint")
    quiet = _KnownMissing(missing)
    handlers = logger.handlers[:]  # the build's collector sits here, set by collect_warnings
    for handler in handlers:
        handler.addFilter(quiet)
    try:
        yield
    finally:
        for handler in handlers:
            handler.removeFilter(quiet)
