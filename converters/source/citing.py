"""The book's works-cited sources: ``bibliography:`` (one file or a list) and ``csl:``.

Only where the files are and that they are a kind pandoc reads is judged here; whether they
parse is judged while rendering (render/citations.py), where pandoc reads them.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .yamlnodes import YNode

# File suffix -> pandoc's input format for it.
BIBLIOGRAPHY_FORMATS = {".bib": "biblatex", ".bibtex": "bibtex", ".json": "csljson",
                        ".yaml": "yaml", ".yml": "yaml"}


def bibliography_files(loader, node: YNode | None) -> tuple[Path, ...]:
    """The ``bibliography:`` files, each inside the source folder and of a known kind."""
    if node is None:
        return ()
    nodes = node.value if node.kind == "list" else [node]
    if node.kind == "list" and not nodes:
        loader.error(node, "empty", "'bibliography' is empty; name a .bib, .json or .yaml file")
    found = []
    for item in nodes:
        path = loader.source_file(item, "bibliography")
        if path is None:
            continue
        if path.suffix.lower() not in BIBLIOGRAPHY_FORMATS:
            loader.error(item, "bibliography-format",
                         f"bibliography '{item.value}' is not a kind pandoc reads; use BibLaTeX "
                         "(.bib), BibTeX (.bibtex), CSL JSON (.json) or CSL YAML (.yaml)")
            continue
        loader.files.append(path)
        found.append(path)
    return tuple(found)


def csl_file(loader, node: YNode | None) -> Path | None:
    """The ``csl:`` style file, or None for pandoc's own Chicago author-date."""
    if node is None:
        return None
    path = loader.source_file(node, "csl style")
    if path is None:
        return None
    if path.suffix.lower() != ".csl":
        loader.error(node, "csl", f"csl style '{node.value}' must be a .csl file")
        return None
    loader.files.append(path)
    return path
