"""Every edition's file name, in one place, so that no two editions of one run collide.

The screen PDF is ``<slug>.pdf`` and the print PDF (bleed and crop marks) ``<slug>-print.pdf``,
so both can sit in one output folder.  Anything that adds editions (targets, layouts) names
them here.
"""

from __future__ import annotations

from ..core.options import BuildOptions


def edition_filename(slug: str, fmt: str, options: BuildOptions | None = None) -> str:
    """The file name of the ``fmt`` edition of the book whose slug is ``slug``."""
    options = options or BuildOptions()
    variant = "-print" if fmt == "pdf" and options.pdf_layout == "print" else ""
    return f"{slug}{variant}.{fmt}"
