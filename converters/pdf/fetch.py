"""WeasyPrint URL fetcher that never touches the network or leaves the source folder."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher

# The source folder's URL as WeasyPrint sees it: the same wherever the source is, because
# WeasyPrint names each image in the PDF after its URL (md5), and a path in those names would
# make two builds of one source in two folders differ (reproducible builds).
SOURCE_URL = "file:///editions-source/"


class ConfinedFetcher(URLFetcher):
    """Only ``data:`` URLs and files inside ``root``; anything else is refused."""

    def __init__(self, root: Path, files: dict[str, Path] | None = None) -> None:
        super().__init__(allowed_protocols={"file", "data"}, allow_redirects=False)
        self.root = root.resolve()
        self.files = files or {}  # the editions' image names -> the source's files

    def fetch(self, url: str, headers: dict | None = None):  # type: ignore[no-untyped-def]
        if url.startswith(SOURCE_URL):
            name = unquote(url[len(SOURCE_URL):])
            url = (self.files.get(name) or self.root / name).as_uri()
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if not (path.is_relative_to(self.root) and path.is_file()):
                raise ValueError(f"refused {url[:80]}: outside the source folder")
        elif parsed.scheme != "data":
            raise ValueError(f"refused {url[:80]}: builds never use the network")
        return super().fetch(url, headers)
