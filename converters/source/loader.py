"""Source folder -> validated :class:`Book`, with every problem reported in one pass."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from ..core.errors import Location, ProblemCollector, SourceError
from ..core.limits import MAX_MARKDOWN_BYTES, MAX_YAML_BYTES
from ..core.text import fit_name, line_col, slugify
from . import guards
from .labels import labels_for
from .limits import markdown_problems, read_bytes
from .model import (
    TRIM_PRESETS,
    Book,
    Creator,
    Entry,
    Identifier,
    Numbering,
    PageRange,
    PrintSettings,
    Series,
    Subject,
)
from .numbering import number_entries
from .style import build_style, files_of
from .yamlnodes import XML_INVALID, YNode, read_yaml

BOOK_FILE = "book.yaml"


def load_book(source_dir: str | Path) -> Book:
    """Read and validate a source folder; raise :class:`SourceError` listing every problem."""
    loader = _Loader(Path(source_dir))
    return loader.load()


class _Loader:
    def __init__(self, source_dir: Path) -> None:
        self.dir = source_dir
        self.problems = ProblemCollector()
        self.contents_complete = True  # every entry and its Markdown read
        self.files: list[Path] = []

    # -- helpers ---------------------------------------------------------------------------

    def error(self, where: Location | YNode, code: str, message: str) -> None:
        loc = where.location if isinstance(where, YNode) else where
        self.problems.add(loc, code, message)

    def decode(self, path: Path, data: bytes) -> str | None:
        """UTF-8 text (a BOM is accepted), or None with the first bad byte's location."""
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            self.error(Location(path, line, col), "encoding",
                       f"byte 0x{data[exc.start]:02x} is not UTF-8; save the file as UTF-8")
            return None

    def read_text(self, path: Path, at: YNode) -> str | None:
        """A Markdown file's text: UTF-8 (a BOM is accepted), line ends normalised to LF."""
        data, why, code = read_bytes(path, MAX_MARKDOWN_BYTES, str(at.value))
        if data is None:
            self.error(at, code, f"{why}{', split it into entries' * (code == 'too-large')}")
            return None
        self.files.append(path)
        text = self.decode(path, data)
        if text is None:
            return None
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        bad = XML_INVALID.search(text)
        if bad:
            # pandoc would quietly turn it into U+FFFD; the author should see where it is.
            self.error(Location(path, *line_col(text, bad.start())), "control-char",
                       f"the control character U+{ord(bad.group()):04X} cannot be carried by "
                       "any edition; remove it")
            return None
        self.problems.problems.extend(found := markdown_problems(path, text))
        return None if found else text

    # -- the book --------------------------------------------------------------------------

    def load(self) -> Book:
        book_path = self.dir / BOOK_FILE
        guards.check_folder(self.dir, book_path, self.problems)  # loops, permissions
        if not self.dir.is_dir():
            self.error(Location(self.dir), "no-source",
                       "the source folder does not exist; pass the folder that holds book.yaml")
            self.problems.raise_if_any()
        if not book_path.is_file():
            self.error(Location(book_path), "no-book-yaml",
                       f"no {BOOK_FILE} in the source folder; create one (see README: "
                       "'The source format')")
            self.problems.raise_if_any()
        if not book_path.resolve().is_relative_to(self.dir.resolve()):
            self.error(Location(book_path), "path",
                       f"{BOOK_FILE} is a link to a file outside the source folder; "
                       "keep every file inside it")
            self.problems.raise_if_any()
        root = self._read_book_yaml(book_path)
        self.problems.raise_if_any()
        assert root is not None
        book = self._book(root)
        if self.problems:
            raise SourceError(self.problems.problems, partial=book,
                              complete=self.contents_complete)
        assert book is not None
        return book

    def _read_book_yaml(self, path: Path) -> YNode | None:
        data, why, code = read_bytes(path, MAX_YAML_BYTES, BOOK_FILE)
        if data is None:
            self.error(Location(path), code,
                       f"{why}{'; keep text in Markdown files' * (code == 'too-large')}")
            return None
        self.files.append(path)
        text = self.decode(path, data)
        if text is None:
            return None
        root = read_yaml(path, text, self.problems)
        if root is None:
            if not self.problems:
                self.error(Location(path), "empty", f"{BOOK_FILE} is empty; see README for the "
                           "fields a book needs")
            return None
        return root

    def _book(self, root: YNode) -> Book | None:
        # Imported here: pydantic builds the schema's validators on import (about 0.1 s),
        # which a build whose editions are all up to date never needs.
        from .schema import PrintSpec
        from .validate import dump, validate

        fields, problems = validate(root, {"source_dir": self.dir})
        for where, code, message in problems:
            self.problems.add(where, code, message)
        if fields is None:
            return None
        nodes = {key: ykey.node for key, ykey in root.value.items()}  # type: ignore[union-attr]
        self._check_editions(nodes.get("identifiers"))
        entries = self._entries(fields.get("contents", []), nodes.get("contents"))
        numbering, labels = _apparatus(fields)
        entries = number_entries(self.error, entries, numbering, labels,
                                 fields.get("language") or "en")
        cover, reference = fields.get("cover"), (fields.get("docx") or {}).get("reference")
        style_node = nodes.get("style")
        style = build_style(fields.get("style"), _written_slots(style_node),
                            _theme_at(style_node), self.error)
        self.files.extend(files_of(style))
        cited = _as_tuple(fields.get("bibliography"))
        self.files.extend(path for path in (cover, reference, *cited, fields.get("csl"))
                          if path is not None)
        # A key whose validated value is what the writers read (subtitle, rights, …) reaches
        # the Book under its own name; the others are shaped here.
        return Book(**{**_same_named(Book, fields), **dict(
            source_dir=self.dir,
            title=fields.get("title") or "",
            creators=tuple(_creator(c) for c in fields.get("creators", [])),
            date=fields.get("date") or "",
            language=fields.get("language") or "",
            identifiers=tuple(Identifier(i["scheme"], i["value"], i["edition"])
                              for i in fields.get("identifiers", [])),
            subjects=tuple(_subject(s) for s in fields.get("subjects", [])),
            series=Series(**fields["series"]) if fields.get("series") else None,
            cover_path=cover,
            print=guards.geometry(_print(fields.get("print_") or dump(PrintSpec())),
                                  nodes.get("print"), _children(nodes.get("print")), self.error),
            docx_reference=reference,
            style=style,
            bibliography=cited,
            entries=entries,
            files=tuple(self.files),
            numbering=numbering,
            labels=labels,
        )})

    def _check_editions(self, node: YNode | None) -> None:
        """At most one identifier per edition: the EPUB and the PDF each take theirs."""
        from .schema import EDITIONS

        seen: set[str] = set()
        for item in node.value if node is not None and node.kind == "list" else ():  # type: ignore[union-attr]
            edition = item.value.get("edition") if item.kind == "mapping" else None  # type: ignore[union-attr]
            name = str(edition.node.value or "").strip() if edition is not None else ""
            if edition is None or edition.node.kind != "scalar" or name not in EDITIONS:
                continue
            if name in seen:
                self.error(edition.node, "duplicate",
                           f"two identifiers are marked 'edition: {name}'; keep one")
            seen.add(name)

    # -- contents --------------------------------------------------------------------------

    def _entries(self, drafts: list[dict | None], node: YNode | None) -> tuple[Entry, ...]:
        entries: list[Entry] = []
        seen_titles: dict[tuple[str, int | None], Location] = {}
        seen_ids: dict[str, Location] = {}
        nodes = node.value if node is not None and node.kind == "list" else []
        # A part's own 'contents:' follow it in reading order, each knowing its part.
        queue: list[tuple[dict | None, YNode, str | None]] = [
            (fields, item, None) for fields, item in zip(drafts, nodes, strict=True)]  # type: ignore[arg-type]
        while queue:
            fields, item, parent = queue.pop(0)
            entry = self._entry(fields, item) if fields is not None else None
            if entry is None:
                self.contents_complete = False
                continue
            key = (" ".join(entry.title.casefold().split()), entry.number)
            if key in seen_titles:
                self.error(item, "duplicate-entry",
                           f"contents entry '{entry.label}' is listed twice (first at line "
                           f"{seen_titles[key].line}); remove the repeat")
                continue
            seen_titles[key] = item.location
            entry_id = entry.id
            if entry_id in seen_ids:
                if fields.get("id") is not None:  # type: ignore[union-attr]
                    self.error(item, "duplicate-id", f"id '{entry_id}' is already used by the "
                               f"entry at line {seen_ids[entry_id].line}; choose another")
                    continue
                n = 2
                while f"{entry_id}-{n}" in seen_ids:
                    n += 1
                entry_id = f"{entry_id}-{n}"
            seen_ids[entry_id] = item.location
            entries.append(dataclasses.replace(entry, id=entry_id, parent=parent))
            children = self._part_contents(fields, item, entry, parent)  # type: ignore[arg-type]
            queue[:0] = [(draft, child, entry_id) for draft, child in children]
        return tuple(entries)

    def _part_contents(self, fields: dict[str, Any], item: YNode, entry: Entry,
                       parent: str | None) -> list[tuple[dict | None, YNode]]:
        """The entries a part holds; only a part, and not one inside another, holds any."""
        ykey = item.value.get("contents") if isinstance(item.value, dict) else None
        if ykey is None:
            return []
        if entry.role != "part" or parent is not None:
            self.error(ykey.key_location, "contents",
                       "only a part ('role: part') at the top of the contents may hold "
                       "'contents:'; move these entries up a level")
            return []
        nodes = ykey.node.value if ykey.node.kind == "list" else []
        drafts = fields.get("contents") or []
        if len(drafts) != len(nodes):  # the list itself is refused, and reported as such
            return []
        return list(zip(drafts, nodes, strict=True))

    def _entry(self, fields: dict[str, Any], item: YNode) -> Entry | None:
        """The entry with its texts read, or None if it lacks a valid title or kind."""
        written = item.value  # a mapping, or fields would be None
        texts = {}
        for key in ("file", "summary"):
            path = fields.get(key)
            texts[key] = self.read_text(path, written[key].node) if path else None  # type: ignore[index]
            if key in written and texts[key] is None:  # type: ignore[operator]
                self.contents_complete = False
        title, kind, number = fields.get("title"), fields.get("kind"), fields.get("number")
        if title is None or kind is None:
            return None
        entry_id = fields.get("id") or (f"chapter-{number}" if number is not None
                                        else fit_name(slugify(title)))
        pages = fields.get("pages")
        return Entry(**{**_same_named(Entry, fields), **dict(
            id=entry_id or "entry", location=item.location,
            pages=PageRange(*pages) if pages else None,
            body_path=fields.get("file"), body_text=texts["file"],
            summary_path=fields.get("summary"), summary_text=texts["summary"])})


def _same_named(model: type, fields: dict[str, Any]) -> dict[str, Any]:
    return {f.name: fields[f.name] for f in dataclasses.fields(model) if f.name in fields}


def _creator(value: str | dict[str, Any]) -> Creator:
    if isinstance(value, str):
        return Creator(value)
    return Creator(value["name"], value["role"], value["file_as"])


def _subject(value: str | dict[str, Any]) -> Subject:
    if isinstance(value, str):
        return Subject(value)
    return Subject(value["term"], value["scheme"], value["code"])


def _print(spec: dict[str, Any]) -> PrintSettings:
    trim, margins = spec["trim"], spec["margins"]
    if isinstance(trim, dict):
        name, (width, height) = "custom", (trim["width"], trim["height"])
    else:
        name, (width, height) = trim, TRIM_PRESETS[trim]
    return PrintSettings(trim=name, width_mm=width, height_mm=height, bleed_mm=spec["bleed"],
                         crop_marks=spec["crop_marks"], inner_mm=margins["inner"],
                         outer_mm=margins["outer"], top_mm=margins["top"],
                         bottom_mm=margins["bottom"], paper=spec["paper"])


def _as_tuple(value: Path | list[Path] | None) -> tuple[Path, ...]:
    """A key that takes one file or a list of them, as the tuple the model holds."""
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list) else (value,)


def _apparatus(fields: dict[str, Any]) -> tuple[Numbering, dict[str, str]]:
    """``numbering:`` and ``labels:``; the labels' defaults follow the book's language."""
    numbering = Numbering(**(fields.get("numbering") or {}))
    written = {key.replace("_", "-"): text
               for key, text in (fields.get("labels") or {}).items() if text is not None}
    return numbering, labels_for(fields.get("language") or "en", written)


def _children(node: YNode | None) -> dict[str, YNode]:
    """A mapping node's values by key, for locating what is found wrong in them together."""
    if node is None or node.kind != "mapping":
        return {}
    return {key: ykey.node for key, ykey in node.value.items()}  # type: ignore[union-attr]


def _written_slots(style: YNode | None) -> set[str]:
    """The font slots the book writes, valid or not: a theme never fills one of those."""
    fonts = _children(style).get("fonts")
    return set(_children(fonts)) if fonts is not None else set()


def _theme_at(style: YNode | None) -> Location:
    node = _children(style).get("theme") or style
    return node.location if node is not None else Location(Path(BOOK_FILE))
