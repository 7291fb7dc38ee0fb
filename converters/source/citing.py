"""The kinds of works-cited file pandoc reads, by suffix.

Where the files are and that they are of a known kind is judged by the schema
(``checks.bibliography_file``); whether they parse, while rendering (render/citations.py).
"""

from __future__ import annotations

# File suffix -> pandoc's input format for it.
BIBLIOGRAPHY_FORMATS = {".bib": "biblatex", ".bibtex": "bibtex", ".json": "csljson",
                        ".yaml": "yaml", ".yml": "yaml"}
