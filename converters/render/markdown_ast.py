"""One Markdown file as pandoc's JSON AST (``Parsed``), the images it shows, and the one walk
over the AST, shared by the rendering modules."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


def walk(value: object) -> Iterator[dict]:
    """Every AST element (a dict with a 't') in document order (a loop: nesting is unbounded).

    An element's children are all in its "c" (read after the element is yielded, so a caller
    may replace them); strings and numbers are never pushed.  A dict without a 't' (a
    citation) is looked into whole.
    """
    stack = [value]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        node = pop()
        if type(node) is dict:
            if "t" in node:
                yield node
                children = node.get("c")
                if type(children) is list or type(children) is dict:
                    push(children)
            else:
                extend([v for v in reversed(node.values()) if type(v) is list or type(v) is dict])
        else:
            extend([v for v in reversed(node) if type(v) is dict or type(v) is list])


# One shared element for every space and soft line break: nothing changes them in place, and a
# long book has hundreds of thousands of each (a dict and a string apiece when decoded).  The
# rendering modules replace elements or their lists, never a Str, Space or SoftBreak itself.
_SHARED = {"Space": {"t": "Space"}, "SoftBreak": {"t": "SoftBreak"}}


TARGETS = ("Header", "Figure", "Table", "Para")  # what cross-references may number
# what a file's survey (render/survey.py) notes besides: links, images, citations, index marks
NOTABLE = ("Link", "Image", "Cite", "Span", "Div")


def survey(blocks: list, notable: list[dict] | None = None) -> tuple[list[dict], set[str], int]:
    """The headings, figures, tables and paragraphs of ``blocks`` in order, the kinds of
    element in them and the nesting depth of ``blocks`` (as source/limits.ast_depth counts
    it), in one pass that also makes the AST smaller in memory (one shared element per space
    and per word, one string per kind).  ``notable``, if given, gets the ``NOTABLE`` elements
    in order."""
    names: dict[str, str] = {}
    words: dict[str, dict] = {}
    kinds: set[str] = set()
    targets: list[dict] = []
    deepest = 1
    stack: list = [(blocks, 1)]  # each container with its depth
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        if type(node) is list:
            if not node:
                continue
            below = depth + 1
            if below > deepest:
                deepest = below
            for i in range(len(node) - 1, -1, -1):  # pushed backwards, taken in order
                child = node[i]
                if type(child) is dict:
                    kind = child.get("t")
                    shared = _SHARED.get(kind)  # type: ignore[arg-type]
                    if shared is not None:
                        node[i] = shared
                        kinds.add(kind)  # type: ignore[arg-type]
                        if below + 1 > deepest:  # its kind's name, one below it
                            deepest = below + 1
                    elif kind == "Str":
                        # Words too are shared: nothing changes a Str in place either.
                        child["t"] = "Str"
                        node[i] = words.setdefault(child["c"], child)
                        kinds.add(kind)
                        if below + 1 > deepest:
                            deepest = below + 1
                    else:
                        push((child, below))
                elif type(child) is list:
                    push((child, below))
        elif "t" in node:
            kind = node["t"] = names.setdefault(node["t"], node["t"])
            kinds.add(kind)
            if kind in TARGETS:
                targets.append(node)
            elif notable is not None and kind in NOTABLE:
                notable.append(node)
            if depth + 1 > deepest:
                deepest = depth + 1
            children = node.get("c")
            if type(children) is list or type(children) is dict:
                push((children, depth + 1))
        else:
            if node and depth + 1 > deepest:
                deepest = depth + 1
            # its containers are one below it: as a list of them at its own depth
            push(([v for v in node.values() if type(v) is list or type(v) is dict], depth))
    return targets, kinds, deepest


@dataclass(frozen=True)
class ImageRef:
    """An image a Markdown file shows: its path in the source folder and its media type."""

    rel: str
    media_type: str


@dataclass
class Parsed:
    """One Markdown file read into pandoc's AST, with what other files may link to."""

    entry_id: str
    part: str  # "body" or "summary"
    path: Path
    text: str
    ast: dict
    heading_ids: list[str] = field(default_factory=list)
    # the kinds of element in the AST as read (None: not surveyed), so a book-wide pass can
    # pass over the files without any of its kind
    kinds: set[str] | None = None
    # survey()'s headings, figures, tables and paragraphs (None: walk the AST for them)
    targets: list[dict] | None = None
    # its index marks in order, as read (None: walk the AST for them)
    marks: list[dict] | None = None
