"""editions: one YAML + Markdown book source, three editions (EPUB 3, PDF, DOCX).

Public API::

    from converters import load_book, build
"""

from __future__ import annotations

__version__ = "0.1.0"

from .build import FORMATS, BuildOptions, EditionResult, EditionsFailed, build
from .errors import BuildError, EditionsError, Location, Problem, SourceError
from .loader import load_book
from .render import RenderedBook, render

__all__ = ["FORMATS", "BuildError", "BuildOptions", "EditionResult", "EditionsError",
           "EditionsFailed",
           "Location", "Problem", "RenderedBook", "SourceError", "__version__", "build",
           "load_book", "render"]
