"""What the book-wide steps read of one Markdown file, small enough to keep beside its text.

Links, cross-references, citations and the index are resolved across the whole book, but each
reads only a little of each file: its heading ids, its numbered targets, its index marks, the
ids it links to and the images it shows.  A file's :class:`Survey` holds exactly that (and
pandoc's messages on reading it), so the book-wide facts of a long book can be assembled from
the build cache without decoding any file's AST (render/incremental.py).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from . import crossref
from . import index as book_index
from .citations import in_text, is_citation
from .markdown_ast import Parsed
from .pandoc import Message


@dataclass
class Survey:
    heading_ids: list[str]
    kinds: list[str]
    targets: list[list]  # crossref.compact() of its headings, figures, tables, equations
    marks: list[list]  # index.compact() of its index marks
    links: list[str]  # the ids its '#id' links name
    images: list[str]  # the URLs of its images, as pandoc read them
    xrefs: list[str]  # the ids its cross-references name
    cites: int  # 0: no citation; 1: only '@key' in the text; 2: a bracketed '[@key]'
    refs: bool  # it holds a '::: {#refs}' block (where the list of works cited goes)
    messages: list[Message]  # what pandoc said reading it

    def to_json(self) -> dict:
        return asdict(self)


def of(p: Parsed, notable: list[dict], messages: list[Message]) -> Survey:
    """``p`` just read (``p.targets``, ``p.marks`` and ``notable`` from markdown_ast.survey)."""
    assert p.targets is not None and p.marks is not None
    links, images, xrefs = [], [], []
    cites = 0
    for node in notable:
        kind = node["t"]
        if kind == "Link" and node["c"][2][0].startswith("#"):
            links.append(node["c"][2][0][1:])
        elif kind == "Image":
            images.append(node["c"][2][0])
        elif kind == "Cite":
            ids = [c["citationId"] for c in node["c"][0]]
            if any(i.split("-")[0] in crossref.PREFIXES for i in ids):
                xrefs.extend(ids)
            if is_citation(node):
                cites = max(cites, 1 if in_text(node) else 2)
    refs = any(n["t"] == "Div" and n["c"][0][0] == "refs" for n in notable)
    return Survey(list(p.heading_ids), sorted(p.kinds or ()),
                  crossref.compact(crossref.nodes_of(p)), book_index.compact(p.marks),
                  links, images, xrefs, cites, refs, list(messages))


def from_json(value: object) -> Survey | None:
    """A survey kept in the cache; None (a miss) for anything damaged."""
    try:
        assert isinstance(value, dict)
        survey = Survey(**value)
        survey.messages = [(int(level), str(text)) for level, text in survey.messages]
        return survey
    except (AssertionError, TypeError, ValueError):
        return None
