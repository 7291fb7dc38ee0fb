"""The DOCX edition's images handed to pandoc inside its input, as ``data:`` URIs.

pandoc runs with ``--sandbox`` and no ``--resource-path``: it reads no file at all, so no image
name can be percent-decoded into a path outside the source folder (``%2Fetc%2Fpasswd``).
"""

from __future__ import annotations

import base64
from pathlib import Path

from lxml import html as lhtml

from ..render.markdown import ImageRef


def inline_images(document: str, images: dict[Path, ImageRef]) -> str:
    by_name = {ref.rel: (path, ref.media_type) for path, ref in images.items()}
    root = lhtml.document_fromstring(document)
    for img in root.iter("img"):
        found = by_name.get(img.get("src", ""))
        if found is None:
            img.drop_tree()  # not an image the book was checked to hold
            continue
        path, media = found
        img.set("src", f"data:{media};base64,{base64.b64encode(path.read_bytes()).decode()}")
    return lhtml.tostring(root, encoding="unicode")
