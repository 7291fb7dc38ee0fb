"""Every edition's file name, in one place, so that no two editions of one run collide.

With ``--format``, the screen PDF is ``<slug>.pdf`` and the print PDF (bleed and crop marks)
``<slug>-print-layout.pdf``, so both can sit in one output folder (``-print.pdf`` is the
``print`` target's PDF/X, which ``editions check`` preflights by that name).  A delivery
target's file is ``<slug>-<target>.<ext>`` (``core/targets.py``), so one run can write every target.
"""

from __future__ import annotations

from ..core.options import BuildOptions


def edition_filename(slug: str, fmt: str, options: BuildOptions | None = None) -> str:
    """The file name of the ``fmt`` edition of the book whose slug is ``slug``."""
    options = options or BuildOptions()
    if options.rules is not None:
        return options.rules.file_name(slug)
    variant = "-print-layout" if fmt == "pdf" and options.pdf_layout == "print" else ""
    return f"{slug}{variant}.{fmt}"
