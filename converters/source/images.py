"""What an image file really is, judged from its bytes rather than its name."""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

from PIL import Image, ImageFile, UnidentifiedImageError

from ..core.limits import MAX_IMAGE_BYTES

MEDIA_TYPES = {"JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif",
               "WEBP": "image/webp"}
# Pillow's decompression-bomb threshold (about 89 megapixels) made a hard limit: a tiny file that
# claims a huge canvas would otherwise exhaust memory in the writers.
MAX_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
# warnings.catch_warnings() changes process-wide state and render() checks images from threads.
_LOCK = threading.Lock()


def _inspect(path: Path) -> tuple[str | None, bool]:
    """(Pillow format or None, whether the canvas is over MAX_PIXELS)."""
    with _LOCK, warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(path) as img:
                if img.width * img.height > MAX_PIXELS:
                    return None, True
                img.verify()
                fmt = img.format
            # verify() reads no pixels: a file whose data cannot be decoded is only caught by
            # decoding it, which the canvas limit above keeps bounded.
            # WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES for the whole process when it is
            # imported, which would let a damaged file decode as a partly grey picture.
            lenient, ImageFile.LOAD_TRUNCATED_IMAGES = ImageFile.LOAD_TRUNCATED_IMAGES, False
            try:
                with Image.open(path) as img:
                    img.load()
            except (OSError, SyntaxError, ValueError, EOFError):
                return f"damaged {fmt}", False
            finally:
                ImageFile.LOAD_TRUNCATED_IMAGES = lenient
            return fmt, False
        except (Image.DecompressionBombWarning, Image.DecompressionBombError):
            return None, True
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
            return None, False


def media_type(path: Path) -> str | None:
    """The core media type of a raster image, or None if it is not one EPUB allows."""
    return examine(path)[0]


def image_problem(path: Path) -> str | None:
    """Why ``path`` cannot be used as an image, or None if it can."""
    return examine(path)[1]


def examine(path: Path) -> tuple[str | None, str | None]:
    """(media type, None) for a usable image, or (None, why it cannot be used): one look."""
    if path.suffix.lower() == ".svg":
        return None, "is SVG; use a PNG or JPEG image"
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror})"
    if size > MAX_IMAGE_BYTES:
        return None, f"is {size:,} bytes; the limit is {MAX_IMAGE_BYTES >> 20} MiB per image"
    fmt, too_large = _inspect(path)
    if too_large:
        return None, f"is larger than {MAX_PIXELS // 1_000_000} megapixels; scale it down"
    if fmt and fmt.startswith("damaged "):
        return None, (f"is a {fmt[8:]} whose pixels cannot be decoded (the file is damaged); "
                      "export it again")
    if fmt not in MEDIA_TYPES:
        return None, "is not a PNG, JPEG, GIF or WebP image"
    return MEDIA_TYPES[fmt], None
