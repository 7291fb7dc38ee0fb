"""Markdown -> pandoc AST -> checked, rewritten AST -> HTML fragment.

Pandoc parses (footnotes, tables, smart typography); this module walks its JSON AST in between
so that every link and image is checked against the source folder, headings get book-wide
unique ids, and nothing a hostile source writes (raw HTML, event handlers, script URLs) reaches
an edition.  Raw HTML is switched off in the reader, so it is shown as text, never executed.
"""

from __future__ import annotations

import json
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

from ..core.errors import Location, ProblemCollector
from ..core.text import line_col
from ..source.guards import is_file
from ..source.images import examine
from ..source.paths import confine, is_remote
from . import blocks, guard, literal, math
from .markdown_ast import ImageRef, Parsed, walk
from .names import image_name
from .pandoc import run

# Raw TeX and raw attributes stay on so that literal.py can refuse them with a location; raw
# HTML stays off (shown as text, never run).  $…$ is math (render/math.py).  A YAML metadata
# block is refused before pandoc sees it (source/limits.py): metadata lives in book.yaml.
READER = "markdown-raw_html-tex_math_single_backslash-yaml_metadata_block"
SAFE_SCHEMES = ("http:", "https:", "mailto:")
ALLOWED_ATTRS = ("lang", "dir", "title", "width", "height")
ID_DROPPED = ("Span", "Div", "Code", "CodeBlock", "Table", "Figure", "Link", "Image")
ATTRIBUTED = (*ID_DROPPED, "Header")  # the elements that carry [id, classes, key-values]
RAW = ("RawBlock", "RawInline")
# MathML for every edition (math.py); no highlighting, as Word's and CSS's would differ.
HTML_ARGS = ["--wrap=none", "--mathml", "--syntax-highlighting=none"]


def pandoc(text: str, to: str, fmt: str, extra: list[str] | None = None) -> str:
    return run(text, to, fmt, extra)  # --sandbox, bounded in time and memory


class _NameTheFile(logging.Filter):
    """Put the Markdown file's name, line and column in front of pandoc's warnings.

    pypandoc logs pandoc's stderr as it comes ("… at line 4 column 1"), without the file;
    files are read in parallel threads, so the file in hand is kept per thread.
    """

    reading = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        path = getattr(self.reading, "path", None)
        if path is not None and record.levelno >= logging.WARNING:
            message = " ".join(record.getMessage().split())
            at = _PANDOC_AT.search(message)
            where = Location(path, int(at[1]), int(at[2])) if at else Location(path)
            record.msg, record.args = f"{where}: {_PANDOC_AT.sub('', message)}", ()
        return True


_PANDOC_AT = re.compile(r"\s*at line (\d+) column (\d+)")
NAMER = _NameTheFile()
logging.getLogger("pypandoc").addFilter(NAMER)


def parse(entry_id: str, part: str, path: Path, text: str) -> Parsed:
    NAMER.reading.path = path
    try:
        ast = guard.parse_json(path, lambda: pandoc(text, "json", READER))
    finally:
        NAMER.reading.path = None
    parsed = Parsed(entry_id, part, path, text, ast)
    parsed.heading_ids = [n["c"][1][0] for n in walk(ast["blocks"]) if n["t"] == "Header"]
    return parsed


def heading_id(entry_id: str, local: str) -> str:
    """A heading's id in the editions: its entry's id, two hyphens, the id pandoc gave it."""
    return f"{entry_id}--{local}"


class Resolver:
    """Book-wide id resolution for '#id' links."""

    def __init__(self, entry_ids: list[str], parsed: list[Parsed]) -> None:
        self.entry_ids = set(entry_ids)
        self.crossrefs = None  # a crossref.Registry, once render() has numbered the targets
        self.local: dict[str, set[str]] = {}
        self.anywhere: dict[str, list[str]] = {}
        # Headings whose id was already taken in their entry: twice in one file ('{#x}' written
        # twice), or in both the summary and the body, which share the entry's ids.
        self.repeated: set[tuple[str, str, int]] = set()  # (entry id, part, heading index)
        taken: set[tuple[str, str]] = set()
        for p in parsed:
            self.local.setdefault(p.entry_id, set()).update(p.heading_ids)
            for index, hid in enumerate(p.heading_ids):
                if (p.entry_id, hid) in taken:
                    self.repeated.add((p.entry_id, p.part, index))
                    continue
                taken.add((p.entry_id, hid))
                self.anywhere.setdefault(hid, []).append(p.entry_id)

    def resolve(self, entry_id: str, target: str) -> str | None:
        if target in self.local.get(entry_id, ()):
            return heading_id(entry_id, target)
        if target in self.entry_ids:
            return target
        owners = self.anywhere.get(target, [])
        if len(owners) == 1:
            return heading_id(owners[0], target)
        if "--" in target and target.split("--", 1)[0] in self.entry_ids:
            owner, local = target.split("--", 1)
            if local in self.local.get(owner, ()):
                return target
        return None


def to_html(p: Parsed, resolver: Resolver, source_dir: Path, problems: ProblemCollector,
            images: dict[Path, ImageRef]) -> str:
    """Check and rewrite ``p``'s AST in place, then write it as an HTML fragment."""
    prepare(p, resolver, source_dir, problems, images)
    fragment = guard.to_html(p.path, lambda: pandoc(json.dumps(p.ast), "html5", "json",
                                                    HTML_ARGS))
    return math.finish(fragment, p, problems)


def prepare(p: Parsed, resolver: Resolver, source_dir: Path, problems: ProblemCollector,
            images: dict[Path, ImageRef]) -> None:
    """Check and rewrite ``p``'s AST in place, ready for pandoc's HTML writer."""

    after: dict[str, int] = {}  # a needle's next occurrence is after its last one (AST order)

    def where(needle: str) -> Location:
        offset = p.text.find(needle, after.get(needle, 0))
        if offset < 0:
            # pandoc percent-encodes URLs ('<' becomes '%3C'): look for what the author wrote.
            offset = p.text.find(unquote(needle), after.get(needle, 0))
        if offset < 0:
            offset = p.text.find(needle)
        after[needle] = offset + 1 if offset >= 0 else 0
        return Location(p.path, *line_col(p.text, offset)) if offset >= 0 else Location(p.path)

    # One walk for every pass below: none of them adds an element another one looks for.
    nodes = list(walk(p.ast["blocks"]))
    literal.check(p, problems, nodes)
    headings = 0
    outline: list[tuple[int, int]] = []  # (level written, level given) of the open headings
    raw = False
    for node in nodes:
        kind = node["t"]
        if kind in RAW:
            raw = True
        elif kind == "Header":
            hid = node["c"][1][0]
            if (p.entry_id, p.part, headings) in resolver.repeated:
                problems.add(_heading_location(p, headings), "duplicate-id",
                             f"heading id '{hid}' is already used in this entry; give this "
                             "heading its own with '{#another-id}'")
            if not _plain_text(node["c"][2]).strip():
                # Navigation (EPUB nav, PDF bookmarks, Word's pane) needs a heading's words.
                problems.add(_heading_location(p, headings), "empty-heading",
                             "this heading has no text; write its title after the '#', or "
                             "remove the line")
            headings += 1
            node["c"][0] = _level(node["c"][0], outline)
            node["c"][1][0] = heading_id(p.entry_id, hid)
        elif kind in ID_DROPPED and "csl-entry" not in _classes(node):  # citations.py's ids
            # Only headings and entries are link targets; an author's id elsewhere could only
            # collide with one of ours (an invalid EPUB), so it goes.
            node["c"][0][0] = ""
        if kind in ("Link", "Image"):
            target = node["c"][2]
            url = target[0]
            if kind == "Image":
                target[0] = _image(url, source_dir, images, where, problems)
            else:
                target[0] = _link(url, p.entry_id, resolver, where, problems)
        attr = _attr_of(node) if kind in ATTRIBUTED else None
        if attr is not None:
            attr[2] = _safe_attrs(attr[2], where, problems)
    if resolver.crossrefs is not None:
        resolver.crossrefs.apply(p, where, problems, nodes)
    if raw:  # an error already (literal.py); without it, nothing to drop
        p.ast["blocks"] = blocks.rewrite(_drop_raw(p.ast["blocks"]))
    else:
        p.ast["blocks"] = blocks.rewrite(p.ast["blocks"], nodes)


def _classes(node: dict) -> list[str]:
    attr = _attr_of(node)
    return attr[1] if attr is not None else []


def _level(written: int, outline: list[tuple[int, int]]) -> int:
    """A heading's level in the editions: one below the section it is in, never skipping one.

    The entry's title is the h1, so a top-level '#' becomes an h2; a '###' straight under a
    '#' becomes an h3, not an h4, since assistive technology, the EPUB nav, PDF bookmarks and
    Word's navigation pane all read a skipped level as a missing section.
    """
    while outline and outline[-1][0] >= written:
        outline.pop()
    given = min((outline[-1][1] if outline else 1) + 1, 6)
    outline.append((written, given))
    return given


def _plain_text(inlines: list) -> str:
    """The words of an AST fragment (what a contents entry would show)."""
    words = []
    for node in walk(inlines):
        if node["t"] == "Str":
            words.append(node["c"])
        elif node["t"] in ("Code", "Math"):
            words.append(node["c"][1])
    return "".join(words)


def _heading_location(p: Parsed, index: int) -> Location:
    """Where the ``index``-th heading of the file starts (ATX '#' or setext underlined)."""
    lines = p.text.split("\n")
    found = -1
    for number, line in enumerate(lines):
        setext = (line.strip() and number + 1 < len(lines)
                  and re.match(r"^ {0,3}(=+|-+)\s*$", lines[number + 1]))
        if re.match(r"^ {0,3}#{1,6}(\s|$)", line) or setext:
            found += 1
            if found == index:
                return Location(p.path, number + 1, 1)
    return Location(p.path)


def _attr_of(node: dict) -> list | None:
    """The [id, classes, key-values] triple of elements that carry attributes."""
    c = node.get("c")
    kind = node["t"]
    if kind in ATTRIBUTED:
        attr = c[1] if kind == "Header" else c[0]
        if isinstance(attr, list) and len(attr) == 3 and isinstance(attr[2], list):
            return attr
    return None


def _safe_attrs(pairs: list, where: Callable[[str], Location],
                problems: ProblemCollector) -> list:
    kept = []
    for key, value in pairs:
        low = key.lower()
        if low.startswith("on"):
            problems.add(where(key + "="), "unsafe-attribute",
                         f"event-handler attribute '{key}' is not allowed in a book; remove it")
        elif low in ALLOWED_ATTRS or low.startswith("data-"):
            kept.append([key, value])
        # Anything else (style, src, href …) could fetch or restyle outside our control: dropped.
    return kept


def _drop_raw(blocks: list) -> list:
    """Remove any raw HTML/TeX the reader still produced; it never reaches an edition."""
    stack: list[object] = [blocks]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            node[:] = [b for b in node
                       if not (isinstance(b, dict) and b.get("t") in ("RawBlock", "RawInline"))]
            stack.extend(node)
        elif isinstance(node, dict):
            stack.extend(node.values())
    return blocks


def _link(url: str, entry_id: str, resolver: Resolver, where: Callable[[str], Location],
          problems: ProblemCollector) -> str:
    if url.startswith("#"):
        resolved = resolver.resolve(entry_id, url[1:])
        owners = resolver.anywhere.get(url[1:], [])
        if resolved is None and len(owners) > 1:
            problems.add(where(f"({url}"), "ambiguous-link", guard.ambiguous(url[1:], owners))
            return "#"
        if resolved is None:
            problems.add(where(f"({url}"), "broken-link",
                         f"link to '{url}' goes nowhere: no entry or heading has that id; "
                         "use an entry's id or a heading's id")
            return "#"
        return "#" + resolved
    if url.lower().startswith(SAFE_SCHEMES):
        return url
    if is_remote(url):
        problems.add(where(url), "unsafe-link",
                     f"link '{url[:40]}' uses a scheme a book cannot carry; use http:, https: "
                     "or mailto:")
    else:
        problems.add(where(url), "file-link",
                     f"link '{url[:40]}' points at a file; link to a heading with '#id' or to "
                     "a web address")
    return "#"


def _image(url: str, source_dir: Path, images: dict[Path, ImageRef],
           where: Callable[[str], Location], problems: ProblemCollector) -> str:
    path, why = confine(source_dir, url)
    if path is not None and not is_file(path) and unquote(url) != url:
        # pandoc writes a space as '%20'; the decoded name is confined like any other.
        path, why = confine(source_dir, unquote(url))
    if path is None:
        problems.add(where(url), "image-path", f"image {why}")
        return ""
    if not is_file(path):
        problems.add(where(url), "missing-image",
                     f"image '{url}' does not exist in the source folder; add it or fix the path")
        return ""
    media, why = examine(path)
    if media is None:
        problems.add(where(url), "image", f"image '{url}' {why}")
        return ""
    rel = image_name(path.relative_to(source_dir.resolve()).as_posix(), media)
    images[path] = ImageRef(rel, media)
    return rel
