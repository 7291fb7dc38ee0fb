"""Figures, tables, equations and sections: numbers, captions and Quarto-style references.

``![Caption](a.png){#fig-map}``, a table caption ``: Caption {#tbl-x}``, ``$$...$$ {#eq-x}``
and ``# Heading {#sec-x}`` are targets; ``@fig-map`` becomes a link reading "Figure 2.1",
``[-@fig-map]`` just "2.1", ``[@fig-map, page]`` asks the PDF for "Figure 2.1 on page 37".
Only ids with these prefixes are ours: any other ``@key`` stays a pandoc Cite for the
citations stage.  Two passes: :func:`collect` numbers every target in book order (before any
file is written, so a reference may point forwards), :meth:`Registry.apply` then rewrites one
file's references and gives the targets back the ids the Markdown walk drops.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from ..core.errors import Location, ProblemCollector
from ..source.model import Book, Entry
from .markdown import Parsed, _plain_text, heading_id
from .markdown_ast import walk

PREFIXES = {"fig": "figure", "tbl": "table", "eq": "equation", "sec": "section"}
MARK = "_xref"  # the anchor a target will carry; popped before pandoc sees the AST
_EQ_ID = re.compile(r"^\{#(eq-[A-Za-z0-9_:.-]+)\}$")
_PAGE = re.compile(r"^[\s,;]*page\s*$")
NBSP = "\u00a0"


@dataclass
class Target:
    kind: str  # figure, table, equation, section or entry
    local: str  # the id the author wrote
    anchor: str  # the id in the editions
    entry_id: str
    number: str  # "2.1", or an entry's numeral
    caption: str = ""  # the caption's words, for the lists of figures and tables


@dataclass
class Registry:
    book: Book
    targets: dict[str, Target] = field(default_factory=dict)

    def label(self, kind: str) -> str:
        return self.book.labels.get(kind, kind.title())

    def listed(self, kind: str) -> list[Target]:
        return [t for t in self.targets.values() if t.kind == kind]

    def lookup(self, ident: str) -> Target | None:
        """A target by the id the author wrote; ``@sec-ENTRY`` may name a whole entry."""
        found = self.targets.get(ident)
        if found is None and ident.startswith("sec-"):
            entry = next((e for e in self.book.entries if e.id in (ident, ident[4:])), None)
            if entry is not None:
                found = Target("entry", ident, entry.id, entry.id, entry.numeral or "")
        return found

    def text(self, target: Target, bare: bool) -> str:
        if target.kind == "entry":
            entry = next(e for e in self.book.entries if e.id == target.entry_id)
            if entry.numeral is None:
                return entry.title
            if bare:
                return entry.numeral
            kind = ("part" if entry.role == "part" else
                    "appendix" if entry.role == "appendix" else "chapter")
            return f"{self.label(kind)}{NBSP}{entry.numeral}"
        return target.number if bare else f"{self.label(target.kind)}{NBSP}{target.number}"

    def apply(self, p: Parsed, where: Callable[[str], Location], problems: ProblemCollector,
              nodes: list[dict] | None = None) -> None:
        """Rewrite ``p``'s references into links and restore its targets' ids.

        ``nodes``: the AST's elements in order, if the caller has walked it already (the
        links made here hold nothing this looks for)."""
        for node in walk(p.ast["blocks"]) if nodes is None else nodes:
            anchor = node.pop(MARK, None)
            if anchor is not None:
                node["c"][0][0] = anchor
            if node["t"] != "Cite":
                continue
            citations = node["c"][0]
            ours = [c for c in citations if c["citationId"].split("-")[0] in PREFIXES]
            if not ours:
                continue  # a citation: left for the citations stage
            if len(ours) != len(citations):
                problems.add(where("@" + ours[0]["citationId"]), "mixed-reference",
                             "a cross-reference and a citation share one [...]; write them in "
                             "brackets of their own")
                continue
            inlines: list[dict] = []
            for citation in citations:
                ident = citation["citationId"]
                target = self.lookup(ident)
                if target is None:
                    problems.add(where("@" + ident), "broken-reference",
                                 f"reference '@{ident}' goes nowhere: nothing has the id "
                                 f"'{ident}'; give the figure, table, equation or heading "
                                 f"'{{#{ident}}}' or correct the reference")
                    continue
                if inlines:
                    inlines += [_str(","), {"t": "Space"}]
                inlines += citation["citationPrefix"] + (
                    [{"t": "Space"}] if citation["citationPrefix"] else [])
                bare = citation["citationMode"]["t"] == "SuppressAuthor"
                suffix = citation["citationSuffix"]
                attrs = []
                if _PAGE.match(words(suffix)):
                    attrs, suffix = [["data-xref-page", self.label("page")]], []
                link = {"t": "Link", "c": [["", ["xref"], attrs],
                                           [_str(self.text(target, bare))],
                                           ["#" + target.anchor, ""]]}
                inlines += [link, *suffix]
            node["t"], node["c"] = "Span", [["", ["xrefs"], []], inlines]


def words(inlines: list) -> str:
    """An AST fragment's words, spaced as written."""
    out = []
    for node in walk(inlines):
        if node["t"] in ("Str", "Code", "Math"):
            out.append(node["c"] if node["t"] == "Str" else node["c"][1])
        elif node["t"] in ("Space", "SoftBreak", "LineBreak"):
            out.append(" ")
    return " ".join("".join(out).split())


def _str(text: str) -> dict:
    return {"t": "Str", "c": text}


def _label_span(text: str, cls: str) -> dict:
    return {"t": "Span", "c": [["", [cls], []], [_str(text)]]}


def _caption_label(blocks: list, text: str) -> None:
    """Put 'Figure 2.1:' in front of a caption's words (or make it the caption)."""
    span = _label_span(text, "caption-label")
    if blocks and blocks[0]["t"] in ("Plain", "Para"):
        blocks[0]["c"][:0] = [span, {"t": "Space"}] if blocks[0]["c"] else [span]
    else:
        blocks.insert(0, {"t": "Plain", "c": [span]})


def collect(book: Book, parsed: list[Parsed], problems: ProblemCollector) -> Registry:
    """Number every target of the book in reading order."""
    nodes = [nodes_of(p) for p in parsed]
    registry, assigned = number(book, [(p, compact(n)) for p, n in zip(parsed, nodes,
                                                                       strict=True)], problems)
    for found, given in zip(nodes, assigned, strict=True):
        dress(found, given)
    return registry


def nodes_of(p: Parsed) -> list[dict]:
    """``p``'s elements numbering looks at, from its survey or else its AST."""
    return _nodes(walk(p.ast["blocks"]) if p.targets is None else p.targets)


def _nodes(candidates: Iterable[dict]) -> list[dict]:
    """The elements numbering looks at: every heading, and figures, tables and equations with
    one of our ids (chosen before any of them is dressed)."""
    out = []
    for node in candidates:
        kind, local = _target_of(node)
        if kind == "section" or (kind is not None and local is not None):
            out.append(node)
    return out


def compact(nodes: list[dict]) -> list[list]:
    """What numbering reads of a file's targets (``_nodes``), small enough to keep in the
    build cache beside the file's text: [kind, id, caption words, (level, has words)]."""
    out: list[list] = []
    for node in nodes:
        kind, local = _target_of(node)
        if kind == "section":
            out.append([kind, local, words(node["c"][2]), node["c"][0],
                        bool(_plain_text(node["c"][2]).strip())])
        else:
            out.append([kind, local, _caption_words(node, kind or "")])
    return out


def number(book: Book, files: list[tuple[Parsed, list[list]]],
           problems: ProblemCollector) -> tuple[Registry, list[list[list]]]:
    """Number the targets of every file (given by ``compact``) in reading order.

    Also what each file's targets are given, in its order, for :func:`dress`: a section's
    ``[number, shown]``, a figure's, table's or equation's ``[anchor, label]``."""
    registry = Registry(book)
    order = {e.id: i for i, e in enumerate(book.entries)}
    ranked = sorted(range(len(files)), key=lambda i: (order[files[i][0].entry_id],
                                                      files[i][0].part != "summary"))
    entries = {e.id: e for e in book.entries}
    counts: dict[tuple[str | None, str], int] = {}
    sections: dict[str, list[tuple[int, int]]] = {}  # entry -> open (level, count) pairs
    assigned: list[list[list]] = [[] for _ in files]
    for at in ranked:
        p, targets = files[at]
        entry = entries[p.entry_id]
        prefix = _prefix(book, entry)
        for item in targets:
            kind, local, caption = item[0], item[1], item[2]
            if kind == "section":
                shown = bool(book.numbering.sections and prefix and item[4])
                number = _section_number(prefix, item[3], sections.setdefault(entry.id, []))
                assigned[at].append([number, shown])
                if local is None:
                    continue
                anchor = heading_id(entry.id, local)
                if shown:
                    caption = f"{number} {caption}" if caption else number
            else:
                key = (prefix, kind)
                counts[key] = counts.get(key, 0) + 1
                number = f"{prefix}.{counts[key]}" if prefix else str(counts[key])
                anchor = heading_id(entry.id, local)
                assigned[at].append([anchor, registry.text(
                    Target(kind, local, anchor, entry.id, number), False)])
            if local in registry.targets:
                problems.add(_where(p, "#" + local), "duplicate-id",
                             f"'{local}' is already the id of another {kind}; ids of figures, "
                             "tables, equations and sections are shared by the whole book")
                continue
            registry.targets[local] = Target(kind, local, anchor, entry.id, number, caption)
    return registry, assigned


def dress(nodes: list[dict], assigned: list[list]) -> None:
    """Give a file's targets (``_nodes``) what :func:`number` assigned them."""
    assert len(nodes) == len(assigned), "a file's targets changed after they were numbered"
    for node, given in zip(nodes, assigned, strict=True):
        kind, _ = _target_of(node)
        if kind == "section":
            if given[1]:
                node["c"][2][:0] = [_label_span(given[0], "section-number"), {"t": "Space"}]
        else:
            node[MARK] = given[0]
            _dress(node, kind or "", given[1])


def _target_of(node: dict) -> tuple[str | None, str | None]:
    kind = node["t"]
    if kind == "Header":
        ident = node["c"][1][0]
        return "section", ident if ident.startswith("sec-") else None
    if kind in ("Figure", "Table"):
        ident = node["c"][0][0]
        prefix = "fig-" if kind == "Figure" else "tbl-"
        return kind.lower(), ident if ident.startswith(prefix) else None
    if kind == "Para":
        inlines = [n for n in node["c"] if n["t"] not in ("Space", "SoftBreak")]
        if (len(inlines) == 2 and inlines[0]["t"] == "Math"
                and inlines[0]["c"][0]["t"] == "DisplayMath" and inlines[1]["t"] == "Str"):
            found = _EQ_ID.match(inlines[1]["c"])
            if found:
                return "equation", found.group(1)
    return None, None


def _dress(node: dict, kind: str, label: str) -> None:
    """Captions carry their number; an equation becomes a numbered block."""
    if kind in ("figure", "table"):
        _caption_label(node["c"][1][1], label + ":")
    elif kind == "equation":
        math = next(n for n in node["c"] if n["t"] == "Math")
        number = f"({label.split(NBSP)[-1]})"
        node["t"] = "Div"
        node["c"] = [["", ["equation"], []],
                     [{"t": "Para", "c": [math, {"t": "Space"},
                                          _label_span(number, "equation-number")]}]]


def _caption_words(node: dict, kind: str) -> str:
    if kind in ("figure", "table"):
        return words(node["c"][1][1])
    if kind == "section":
        return words(node["c"][2])
    return ""


def _prefix(book: Book, entry: Entry) -> str | None:
    """What a figure's number starts with: its chapter's number ('Four' gives '4.1')."""
    if entry.numeral and book.numbering.chapters == "words" and entry.role is None:
        return str(entry.number)
    return entry.numeral


def _section_number(prefix: str | None, level: int, open_: list[tuple[int, int]]) -> str:
    """'2.3.1' for a heading of chapter 2 at ``level``."""
    while open_ and open_[-1][0] > level:
        open_.pop()
    if open_ and open_[-1][0] == level:
        open_[-1] = (level, open_[-1][1] + 1)
    else:
        open_.append((level, 1))
    parts = ([prefix] if prefix else []) + [str(c) for _, c in open_]
    return ".".join(parts)


def _where(p: Parsed, needle: str) -> Location:
    from ..core.text import line_col

    offset = p.text.find(needle)
    return Location(p.path, *line_col(p.text, offset)) if offset >= 0 else Location(p.path)


def list_html(registry: Registry, kind: str) -> str:
    """A generated list of figures or tables: number, caption, each a link to the place."""
    import html

    items = "".join(
        f'<li><a href="#{html.escape(t.anchor)}"><span class="list-number">'
        f"{html.escape(registry.text(t, False))}</span> {html.escape(t.caption)}</a></li>"
        for t in registry.listed(kind))
    return f'<nav class="{kind}-list" aria-label="{html.escape(registry.label(kind + "s"))}">' \
        f"<ol>{items}</ol></nav>" if items else ""
