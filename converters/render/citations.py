"""Citations resolved once for the whole book by pandoc's citeproc.

Every citation of every file goes into one document, in reading order, so that citeproc sees
the book as one text (disambiguation, "ibid." styles); what it writes for each is put back in
place of the citation, and the list of works cited goes to the ``role: bibliography`` entry (or
where a ``::: {#refs}`` block stands).  Links from citations to their entries are ordinary
``#ref-key`` links, resolved like any other by the Markdown walk.

``@fig-…``, ``@tbl-…``, ``@eq-…`` and ``@sec-…`` are cross-references, not citations: they are
left untouched for the cross-reference walk.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..core.errors import Location, ProblemCollector
from ..core.text import line_col
from ..source.citing import BIBLIOGRAPHY_FORMATS
from . import markdown, markdown_ast
from .pandoc import PandocFailed

if TYPE_CHECKING:
    from ..source.model import Book

CROSSREF_PREFIXES = ("fig-", "tbl-", "eq-", "sec-")
API_VERSION = [1, 23, 1, 1]  # pandoc 3.9's, for a list made when no file was read
_PANDOC_ERROR_AT = re.compile(r"line (\d+), column (\d+)")


@dataclass
class _Citation:
    parsed: markdown.Parsed
    node: dict


def is_citation(node: dict) -> bool:
    return node["t"] == "Cite" and not all(
        c["citationId"].startswith(CROSSREF_PREFIXES) for c in node["c"][0])


def in_text(node: dict) -> bool:
    return all(c["citationMode"]["t"] == "AuthorInText" for c in node["c"][0])


def ref_id(key: str) -> str:
    """citeproc's id for an entry ('ref-' and the key), made safe as an XML id."""
    return "ref-" + re.sub(r"[^A-Za-z0-9_.-]", "-", key)


def resolve(book: Book, parsed: list[markdown.Parsed], problems: ProblemCollector) -> None:
    """Fill in every citation and add the list of works cited; report unknown keys."""
    citations = [_Citation(p, node) for p in parsed if p.kinds is None or "Cite" in p.kinds
                 for node in markdown_ast.walk(p.ast["blocks"]) if is_citation(node)]
    if not book.bibliography:
        # A book that cites nothing may still write '@' before a word ('@import', a handle):
        # only a bracketed '[@key]' is surely a citation there.
        citations = [c for c in citations if not in_text(c.node)]
    if not citations:
        return
    before = len(problems.problems)
    known = _known_keys(book, problems)
    # A bibliography that does not parse has unknowable keys: its own error says enough.
    unknown = len(problems.problems) > before
    found_from: dict[tuple[Path, str], int] = {}
    for cite in citations:
        for item in cite.node["c"][0]:
            key = item["citationId"]
            if key in known or unknown:
                continue
            problems.add(_at(cite.parsed, "@" + key, found_from), "unknown-citation",
                         f"no work with the key '{key}' in the bibliography"
                         + (f" ({', '.join(p.name for p in book.bibliography)})"
                            if book.bibliography else " (the book has no 'bibliography:')")
                         + "; correct the key, add the work, or write '\\@' for a literal @")
    holder = _list_holder(book, parsed)
    if holder is None:
        problems.add(Location(book.source_dir / "book.yaml"), "bibliography-entry",
                     "the book cites works but no contents entry has 'role: bibliography' to "
                     "hold the list of works cited; add one")
    if holder is None or problems:
        return
    document = {"pandoc-api-version": parsed[0].ast["pandoc-api-version"], "meta": _meta(book),
                "blocks": [{"t": "Para", "c": [c.node]} for c in citations]
                + [{"t": "Div", "c": [["refs", [], []], []]}]}
    args = ["--citeproc", *(f"--bibliography={p}" for p in book.bibliography)]
    if book.csl is not None:
        args.append(f"--csl={book.csl}")
    try:
        result = json.loads(markdown.pandoc(json.dumps(document), "json", "json", args))
    except PandocFailed as exc:  # citeproc refused the style (the bibliographies parsed)
        _bad_style(book, problems, str(exc))
        return
    blocks = result["blocks"]
    for cite, block in zip(citations, blocks, strict=False):
        resolved = block["c"][0] if block["t"] == "Para" and block["c"] else None
        if resolved and resolved["t"] == "Cite":
            for link in markdown_ast.walk(resolved["c"][1]):
                if link["t"] == "Link" and link["c"][2][0].startswith("#ref-"):
                    link["c"][2][0] = "#" + ref_id(link["c"][2][0][5:])
            cite.node["c"][1] = resolved["c"][1]
    refs = blocks[len(citations):]
    _place(holder, refs)


def _meta(book: Book) -> dict:
    return {"link-citations": {"t": "MetaBool", "c": True},
            "lang": {"t": "MetaString", "c": book.language}}


def _list_holder(book: Book, parsed: list[markdown.Parsed]) -> markdown.Parsed | None:
    """Where the list goes: a '{#refs}' block, else the bibliography entry (made if bare)."""
    for p in parsed:
        blocks = markdown_ast.walk(p.ast["blocks"])
        if any(n["t"] == "Div" and n["c"][0][0] == "refs" for n in blocks):
            return p
    entry = next((e for e in book.entries if e.role == "bibliography"), None)
    if entry is None:
        return None
    for p in parsed:
        if p.entry_id == entry.id and p.part == "body":
            return p
    version = parsed[0].ast["pandoc-api-version"] if parsed else API_VERSION
    bare = markdown.Parsed(entry.id, "body", book.source_dir / "book.yaml", "",
                           {"pandoc-api-version": version, "meta": {}, "blocks": []})
    parsed.append(bare)
    return bare


def _place(holder: markdown.Parsed, refs: list[dict]) -> None:
    """Put the generated list in the holder; entry ids become the entry's own (book-wide)."""
    for node in markdown_ast.walk(refs):
        if node["t"] == "Div" and node["c"][0][0].startswith("ref-"):
            local = ref_id(node["c"][0][0][4:])
            holder.heading_ids.append(local)
            node["c"][0][0] = markdown.heading_id(holder.entry_id, local)
        elif node["t"] == "Div" and node["c"][0][0] == "refs":
            node["c"][0][0] = ""
    holder.targets = None  # the list brings paragraphs of its own
    for node in markdown_ast.walk(holder.ast["blocks"]):
        if node["t"] == "Div" and node["c"][0][0] == "refs":
            node["c"][0][0] = ""
            node["c"][1] = refs
            return
    holder.ast["blocks"].extend(refs)


def _at(p: markdown.Parsed, needle: str, found_from: dict[tuple[Path, str], int]) -> Location:
    start = found_from.get((p.path, needle), 0)
    offset = p.text.find(needle, start)
    if offset < 0:
        return Location(p.path)
    found_from[(p.path, needle)] = offset + 1
    return Location(p.path, *line_col(p.text, offset))


def _known_keys(book: Book, problems: ProblemCollector) -> set[str]:
    """Every key in the bibliography files; a file that does not parse is a located error."""
    keys: set[str] = set()
    for path in book.bibliography:
        fmt = BIBLIOGRAPHY_FORMATS[path.suffix.lower()]
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        try:
            if fmt == "csljson":
                items = json.loads(text)
            elif fmt == "yaml":
                data = yaml.safe_load(text)
                items = data.get("references", []) if isinstance(data, dict) else data
            else:
                items = json.loads(markdown.pandoc(text, "csljson", fmt))
        except json.JSONDecodeError as exc:
            _bad_file(problems, path, exc.lineno, exc.colno, exc.msg)
            continue
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            _bad_file(problems, path, mark.line + 1 if mark else 1,
                      mark.column + 1 if mark else 1, getattr(exc, "problem", None) or str(exc))
            continue
        except PandocFailed as exc:  # pandoc's reader refused it
            at = _PANDOC_ERROR_AT.search(str(exc))
            # "pandoc failed (exit 64): Error at (line 7, column 1): unexpected end of input"
            reason = str(exc).rsplit("): ", 1)[-1].strip() or "unreadable"
            # pandoc places "unexpected end of input" past the last line; keep it in the file.
            line = min(int(at[1]) if at else 1, text.count("\n") or 1)
            _bad_file(problems, path, line, int(at[2]) if at and int(at[1]) == line else 1,
                      reason)
            continue
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            _bad_file(problems, path, 1, 1, "expected a list of works")
            continue
        keys.update(str(i["id"]) for i in items if "id" in i)
    return keys


_CSL_AT = re.compile(r"(\d+):(\d+) \(\d+\)-\d+:\d+ \(\d+\): (.*)")


def _bad_style(book: Book, problems: ProblemCollector, message: str) -> None:
    """pandoc's CiteprocXMLError names the place in the style: 'LINE:COL (OFFSET)-…: why'."""
    at = _CSL_AT.search(message)
    where = book.csl or book.source_dir / "book.yaml"
    why = " ".join(at[3].split()) if at else " ".join(message.split())[-160:]
    why = re.sub(r'Name \{nameLocalName = "([^"]+)"[^}]*\}', r"<\1>", why)[:160]
    problems.add(Location(where, int(at[1]) if at else 1, int(at[2]) if at else 1), "csl",
                 f"citeproc could not use this style ({why}); fix the CSL file or remove "
                 "'csl:' for the default Chicago author-date")


def _bad_file(problems: ProblemCollector, path: Path, line: int, col: int, why: str) -> None:
    problems.add(Location(path, line, col), "bibliography",
                 f"the bibliography does not parse ({' '.join(str(why).split())}); fix it "
                 "here, or check that the file is the kind its suffix says")
