"""The build's own choices, handed down to every writer (the book's live in book.yaml)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BuildOptions:
    """Choices that are the build's, not the book's (the book's live in book.yaml)."""

    pdf_layout: str = "screen"  # "screen": trim size only; "print": bleed and crop marks
    pdf_standard: str = "ua-1"  # "ua-1" (PDF/UA-1, tagged) or "a-3b" (PDF/A-3b, archival)
    # Where the build keeps products it can reuse (core/cache.py); never changes a result.
    cache_dir: str | None = None
    cache_salt: str = ""  # the toolchain's digest: a new toolchain never reuses old products
    jobs: int = 1  # worker processes an edition may use (the PDF's parts)

    def for_format(self, fmt: str) -> dict[str, str]:
        """The options that can change ``fmt``'s bytes (so a PDF option rebuilds the PDF only)."""
        if fmt == "pdf":
            return {"pdf_layout": self.pdf_layout, "pdf_standard": self.pdf_standard}
        return {}
