"""The build's own choices, handed down to every writer (the book's live in book.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from .targets import TARGETS, Target


@dataclass(frozen=True)
class BuildOptions:
    """Choices that are the build's, not the book's (the book's live in book.yaml)."""

    pdf_layout: str = "screen"  # "screen": trim size only; "print": bleed and crop marks
    pdf_standard: str = "ua-1"  # "ua-1" (PDF/UA-1, tagged) or "a-3b" (PDF/A-3b, archival)
    target: str | None = None  # a core.targets.TARGETS name; its rules then decide
    # Where the finished editions land: ONIX reads the page counts of those already built.
    # Not part of any fingerprint (it changes no edition's bytes by itself).
    editions_dir: str | None = None
    # The EPUB's page list follows this print target's PDF when both are built in one run.
    page_source: str | None = None
    # Where the build keeps products it can reuse (core/cache.py); never changes a result.
    cache_dir: str | None = None
    cache_salt: str = ""  # the toolchain's digest: a new toolchain never reuses old products
    jobs: int = 1  # worker processes an edition may use (the PDF's parts)

    @property
    def rules(self) -> Target | None:
        return TARGETS[self.target] if self.target else None

    def for_target(self, name: str) -> BuildOptions:
        """These options as the target ``name`` sets them (its rules outrank the flags)."""
        rules = TARGETS[name]
        layout = "print" if rules.print_ready else "screen"
        return replace(self, target=name, pdf_layout=layout)

    def for_format(self, fmt: str) -> dict[str, str]:
        """The options that can change ``fmt``'s bytes (so a PDF option rebuilds the PDF only)."""
        if self.target:
            return {"target": self.target, "pdf_layout": self.pdf_layout,
                    "page_source": self.page_source or ""}
        if fmt == "pdf":
            return {"pdf_layout": self.pdf_layout, "pdf_standard": self.pdf_standard}
        return {}
