"""editions: one YAML + Markdown book source, three editions (EPUB 3, PDF, DOCX).

Public API::

    from converters import load_book, render, build

The package has one subpackage per stage, each importing only the stages before it:
``core`` (errors, text, dates, build options) → ``assets`` (house styles and fonts) →
``source`` (book.yaml and its files) → ``render`` (the shared HTML) → ``epub``, ``pdf``,
``docx`` (one writer each) → ``build`` (orchestration) → ``check`` (validators) → ``cli``.
"""

from __future__ import annotations

from .build.orchestrate import FORMATS, EditionResult, EditionsFailed, build
from .core.errors import BuildError, EditionsError, Location, Problem, SourceError
from .core.options import BuildOptions
from .core.version import __version__
from .render.book import RenderedBook, render
from .source.loader import load_book

__all__ = ["FORMATS", "BuildError", "BuildOptions", "EditionResult", "EditionsError",
           "EditionsFailed",
           "Location", "Problem", "RenderedBook", "SourceError", "__version__", "build",
           "load_book", "render"]
