"""WeasyPrint URL fetcher that never touches the network or leaves the source folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

import weasyprint
from weasyprint.urls import URLFetchingError


def confined_fetcher(source_dir: Path) -> Callable[..., object]:
    root = source_dir.resolve()

    def fetch(url: str, *args: object, **kwargs: object) -> object:
        parsed = urlparse(url)
        if parsed.scheme == "file":
            path = Path(unquote(parsed.path)).resolve()
            if path.is_relative_to(root) and path.is_file():
                return weasyprint.default_url_fetcher(url, *args, **kwargs)
        if parsed.scheme == "data":
            return weasyprint.default_url_fetcher(url, *args, **kwargs)
        raise URLFetchingError(f"refused to fetch {url[:80]}: outside the source folder")

    return fetch
