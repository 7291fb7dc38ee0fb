"""Small text helpers shared by the loader and the renderers."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from .limits import MAX_NAME_CHARS


def slugify(text: str) -> str:
    """An ASCII identifier safe as an XML id, a file name and a URL fragment."""
    norm = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", norm.lower()).strip("-")
    if slug and slug[0].isdigit():
        slug = "s-" + slug
    return slug


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of a character offset."""
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def fit_name(stem: str, limit: int = MAX_NAME_CHARS) -> str:
    """``stem`` cut to ``limit`` characters, with a short hash of the whole so that two long
    names sharing a beginning stay apart; file systems take 255 bytes per name at most."""
    if len(stem) <= limit:
        return stem
    digest = hashlib.sha256(stem.encode("utf-8")).hexdigest()[:8]
    return f"{stem[: limit - 9].rstrip('-')}-{digest}"
