"""What an image file really is, judged from its bytes rather than its name."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, UnidentifiedImageError

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif",
               "WEBP": "image/webp"}


def media_type(path: Path) -> str | None:
    """The core media type of a raster image, or None if it is not one EPUB allows."""
    if path.suffix.lower() == ".svg":
        return "image/svg+xml"
    try:
        with Image.open(path) as img:
            img.verify()
            return MEDIA_TYPES.get(img.format or "")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        return None


def image_problem(path: Path) -> str | None:
    """Why ``path`` cannot be used as an image, or None if it can."""
    if path.suffix.lower() == ".svg":
        return "is SVG; use a PNG or JPEG image"
    return None if media_type(path) else "is not a PNG, JPEG, GIF or WebP image"
