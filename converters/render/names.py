"""Names the editions give the source's images: safe, collision-free, suffix from content.

A source may name its images anything its file system allows (spaces, '#', '?', 'Map.png'
beside 'map.png', 'map-1.png' beside 'map_1.png', a PNG called 'clip.mp4'); inside an EPUB
such names break URLs, collide on case-insensitive systems or in manifest ids, or make pandoc
write ``<video>``.  Each image is therefore renamed to ``images/<ascii stem>-<hash>.<ext>``:
lower-case ASCII only, the extension from the media type its bytes show, and a hash of its
path in the source that keeps distinct files apart.  The same source gives the same names.
"""

from __future__ import annotations

import hashlib

from ..core.text import slugify

EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif",
              "image/webp": "webp"}
MAX_STEM = 40


def image_name(rel: str, media_type: str) -> str:
    """The image's name in every edition, for its path ``rel`` in the source folder."""
    stem = slugify(rel.rsplit("/", 1)[-1].rsplit(".", 1)[0])[:MAX_STEM].strip("-") or "image"
    digest = hashlib.sha256(rel.encode("utf-8", "surrogatepass")).hexdigest()[:10]
    return f"images/{stem}-{digest}.{EXTENSIONS[media_type]}"
