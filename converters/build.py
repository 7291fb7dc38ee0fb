"""Source folder -> editions in the output folder, all or nothing.

Every edition is written into a temporary folder beside the output; only when all requested
editions are complete are they moved into place with ``os.replace``, which is atomic on one
file system.  A failed build therefore leaves the previous editions exactly as they were.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .docx import write_docx
from .epub import write_epub
from .errors import BuildError, EditionsError
from .loader import load_book
from .pdf import write_pdf
from .render import RenderedBook, render


@dataclass(frozen=True)
class BuildOptions:
    """Choices that are the build's, not the book's (the book's live in book.yaml)."""

    pdf_layout: str = "screen"  # "screen": trim size only; "print": bleed and crop marks
    pdf_standard: str = "ua-1"  # "ua-1" (PDF/UA-1, tagged) or "a-3b" (PDF/A-3b, archival)


Writer = Callable[[RenderedBook, Path, Path, BuildOptions], None]
WRITERS: dict[str, Writer] = {"epub": write_epub, "pdf": write_pdf, "docx": write_docx}
FORMATS = tuple(WRITERS)


@dataclass(frozen=True)
class EditionResult:
    format: str
    path: Path
    size: int
    seconds: float


def build(source_dir: str | Path = "source", out_dir: str | Path = "dist",
          formats: Iterable[str] = FORMATS,
          options: BuildOptions | None = None) -> list[EditionResult]:
    """Build the requested editions of the book in ``source_dir`` into ``out_dir``."""
    options = options or BuildOptions()
    formats = list(dict.fromkeys(formats))
    unknown = [f for f in formats if f not in WRITERS]
    if unknown:
        raise ValueError(f"unknown format(s): {', '.join(unknown)}")
    book = load_book(source_dir)
    rendered = render(book)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    staged: list[EditionResult] = []
    with tempfile.TemporaryDirectory(dir=out, prefix=".editions-") as tmp:
        workdir = Path(tmp)
        for fmt in formats:
            target = workdir / f"{book.slug}.{fmt}"
            started = time.perf_counter()
            scratch = workdir / f"work-{fmt}"
            scratch.mkdir()
            try:
                WRITERS[fmt](rendered, target, scratch, options)
            except EditionsError:
                raise
            except Exception as exc:  # a writer library failing on valid input
                raise BuildError(f"the {fmt.upper()} edition failed: {exc}") from exc
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            staged.append(EditionResult(fmt, target, target.stat().st_size,
                                        time.perf_counter() - started))
        results = []
        for result in staged:
            final = out / result.path.name
            os.replace(result.path, final)
            results.append(EditionResult(result.format, final, result.size, result.seconds))
    return results
