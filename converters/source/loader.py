"""Source folder -> validated :class:`Book`, with every problem reported in one pass."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
import uuid
from collections.abc import Iterable
from pathlib import Path

import langcodes
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import ValidationError as StdnumError

from ..core.errors import Location, ProblemCollector, SourceError
from ..core.text import line_col, slugify
from .model import (
    KINDS,
    ROLES,
    TRIM_PRESETS,
    Book,
    Creator,
    Entry,
    Identifier,
    PageRange,
    PrintSettings,
    Series,
    Subject,
)
from .paths import confine
from .style import read_style
from .yamlnodes import MAX_YAML_BYTES, XML_INVALID, YNode, read_yaml

BOOK_FILE = "book.yaml"
# One file of 1 MiB is a 500-page book; the PDF of 0.5 MiB already takes minutes and pandoc
# about 1.7 KiB of memory per byte (bench/large_markdown.py); longer books are split up.
MAX_MARKDOWN_BYTES = 1 << 20

BOOK_KEYS = ("title", "subtitle", "creators", "publisher", "date", "language", "identifiers",
             "rights", "subjects", "description", "series", "edition", "cover", "print", "docx",
             "contents", "style")  # style: issue 15, see source/style.py
ENTRY_KEYS = ("title", "kind", "number", "role", "pages", "file", "summary", "id",
              "heading")  # issue 15
CREATOR_KEYS = ("name", "role", "file-as")
IDENTIFIER_KEYS = ("scheme", "value", "edition")
SUBJECT_KEYS = ("term", "scheme", "code")
SERIES_KEYS = ("title", "position")
PRINT_KEYS = ("trim", "bleed", "crop-marks", "margins")
TRIM_KEYS = ("width", "height")
MARGIN_KEYS = ("inner", "outer", "top", "bottom")
DOCX_KEYS = ("reference",)
IDENTIFIER_SCHEMES = ("isbn", "issn", "doi", "uuid", "uri", "other")
EDITIONS = ("ebook", "print")
# The MARC relator codes publishers use for book contributors.
MARC_RELATORS = {
    "aut": "author", "edt": "editor", "trl": "translator", "ill": "illustrator",
    "aui": "author of introduction", "aft": "author of afterword",
    "ant": "bibliographic antecedent",
    "com": "compiler", "ctb": "contributor", "pht": "photographer", "nrt": "narrator",
    "pbl": "publisher", "cov": "cover designer", "dsr": "designer", "art": "artist",
    "cmm": "commentator", "wpr": "writer of preface", "wat": "writer of added text",
    "ann": "annotator", "adp": "adapter", "red": "redaktor", "cre": "creator",
}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)?\s*$")
_UNIT_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, None: 1.0}
_ROMAN = re.compile(r"^(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_SLUG = re.compile(r"^[a-z][a-z0-9-]*$")


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

    def mapping(self, node: YNode, allowed: Iterable[str], what: str) -> dict[str, YNode] | None:
        if node.kind != "mapping":
            self.error(node, "type", f"{what} must be a mapping of 'key: value' lines")
            return None
        allowed = tuple(allowed)
        out: dict[str, YNode] = {}
        for key, ykey in node.value.items():  # type: ignore[union-attr]
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else f"allowed: {', '.join(allowed)}"
                self.error(ykey.key_location, "unknown-key",
                           f"unknown key '{key}' in {what}; {hint}")
                continue
            out[key] = ykey.node
        return out

    def string(self, fields: dict[str, YNode], key: str, what: str, *, required: bool = False,
               parent: YNode | None = None) -> str | None:
        node = fields.get(key)
        if node is None:
            if required:
                self.error(parent.location if parent else Location(self.dir / BOOK_FILE),
                           "missing", f"{what} has no '{key}'; add '{key}: …'")
            return None
        if node.kind != "scalar" or node.value is None:
            if node.value is None and node.kind == "scalar":
                self.error(node, "empty", f"'{key}' is empty; give it a value or remove the line")
            else:
                self.error(node, "type", f"'{key}' must be text, not a {node.kind}")
            return None
        text = str(node.value).strip()
        if not text:
            self.error(node, "empty", f"'{key}' is empty; give it a value or remove the line")
            return None
        return text

    def items(self, fields: dict[str, YNode], key: str, *, required: bool = False,
              parent: YNode | None = None) -> list[YNode]:
        node = fields.get(key)
        if node is None:
            if required:
                self.error(parent.location if parent else Location(self.dir / BOOK_FILE),
                           "missing", f"the book has no '{key}'; add a '{key}:' list")
            return []
        if node.kind != "list":
            self.error(node, "type", f"'{key}' must be a list of '- ' items")
            return []
        if required and not node.value:
            self.error(node, "empty", f"'{key}' is empty; list at least one item")
        return node.value  # type: ignore[return-value]

    def source_file(self, node: YNode, what: str) -> Path | None:
        if node.kind != "scalar" or node.value is None:
            self.error(node, "type", f"{what} must be a file path")
            return None
        path, why = confine(self.dir, str(node.value))
        if path is None:
            self.error(node, "path", f"{what}: {why}")
            return None
        if not path.is_file():
            self.error(node, "missing-file",
                       f"{what} '{node.value}' does not exist in the source folder; "
                       "create it or correct the path")
            return None
        return path

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
        try:
            size = path.stat().st_size
            if size > MAX_MARKDOWN_BYTES:
                self.error(at, "too-large",
                           f"'{at.value}' is {size:,} bytes; the limit is "
                           f"{MAX_MARKDOWN_BYTES >> 20} MiB ({MAX_MARKDOWN_BYTES:,} bytes) per "
                           "file, split it into entries")
                return None
            data = path.read_bytes()
        except OSError as exc:
            self.error(at, "unreadable", f"cannot read '{at.value}': {exc.strerror}")
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
        return text

    # -- the book --------------------------------------------------------------------------

    def load(self) -> Book:
        book_path = self.dir / BOOK_FILE
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
        data = path.read_bytes()
        if len(data) > MAX_YAML_BYTES:
            self.error(Location(path), "too-large",
                       f"{BOOK_FILE} is larger than {MAX_YAML_BYTES >> 10} KiB; "
                       "keep text in Markdown files")
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
        fields = self.mapping(root, BOOK_KEYS, BOOK_FILE)
        if fields is None:
            return None
        s = self.string
        title = s(fields, "title", "the book", required=True, parent=root)
        language = self._language(fields.get("language"), root)
        date = self._date(fields.get("date"), root)
        creators = self._creators(fields, root)
        identifiers = self._identifiers(fields, root)
        entries = self._entries(fields, root)
        subjects = tuple(filter(None, (self._subject(n) for n in self.items(fields, "subjects"))))
        book = Book(
            source_dir=self.dir,
            title=title or "",
            subtitle=s(fields, "subtitle", "the book"),
            creators=creators,
            publisher=s(fields, "publisher", "the book"),
            date=date or "",
            language=language or "",
            identifiers=identifiers,
            rights=s(fields, "rights", "the book"),
            description=s(fields, "description", "the book"),
            subjects=subjects,
            series=self._series(fields.get("series")),
            edition=s(fields, "edition", "the book"),
            cover_path=self._image(fields.get("cover"), "cover"),
            print=self._print(fields.get("print")),
            docx_reference=self._docx(fields.get("docx")),
            style=read_style(self, fields.get("style")),
            entries=entries,
            files=tuple(self.files),
        )
        return book

    def _language(self, node: YNode | None, root: YNode) -> str | None:
        if node is None:
            self.error(root, "missing", "the book has no 'language'; add e.g. 'language: en-GB'")
            return None
        tag = str(node.value or "").strip()
        if node.kind != "scalar" or not tag or not langcodes.tag_is_valid(tag):
            self.error(node, "language",
                       f"'{tag}' is not a valid BCP 47 language tag; use e.g. 'en-GB' or 'fr'")
            return None
        return tag

    def _date(self, node: YNode | None, root: YNode) -> str | None:
        if node is None:
            self.error(root, "missing",
                       "the book has no 'date'; add the publication year, e.g. 'date: 1977'")
            return None
        text = str(node.value or "").strip()
        match = _DATE.match(text) if node.kind == "scalar" else None
        if not match:
            self.error(node, "date",
                       f"'{text}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
            return None
        year, month, day = (int(g) if g else 1 for g in match.groups())
        try:
            dt.date(year, month, day)
        except ValueError as exc:
            self.error(node, "date", f"'{text}' is not a real date ({exc})")
            return None
        return text

    def _creators(self, fields: dict[str, YNode], root: YNode) -> tuple[Creator, ...]:
        out = []
        for node in self.items(fields, "creators", required=True, parent=root):
            if node.kind == "scalar":
                name = str(node.value or "").strip()
                if name:
                    out.append(Creator(name))
                else:
                    self.error(node, "empty", "a creator's name is empty")
                continue
            sub = self.mapping(node, CREATOR_KEYS, "a creator")
            if sub is None:
                continue
            name = self.string(sub, "name", "a creator", required=True, parent=node)
            role = self.string(sub, "role", "a creator") or "aut"
            if role not in MARC_RELATORS:
                close = difflib.get_close_matches(role, MARC_RELATORS, n=1)
                hint = f"did you mean '{close[0]}'?" if close else "e.g. aut, edt, trl, ill"
                self.error(sub["role"], "role",
                           f"'{role}' is not a MARC relator code this tool knows; {hint}")
            if name:
                out.append(Creator(name, role, self.string(sub, "file-as", "a creator")))
        return tuple(out)

    def _identifiers(self, fields: dict[str, YNode], root: YNode) -> tuple[Identifier, ...]:
        out = []
        seen_editions: dict[str, YNode] = {}
        for node in self.items(fields, "identifiers", required=True, parent=root):
            sub = self.mapping(node, IDENTIFIER_KEYS, "an identifier")
            if sub is None:
                continue
            scheme = self.string(sub, "scheme", "an identifier", required=True, parent=node)
            value = self.string(sub, "value", "an identifier", required=True, parent=node)
            edition = self.string(sub, "edition", "an identifier")
            if edition is not None:
                if edition not in EDITIONS:
                    self.error(sub["edition"], "edition",
                               f"edition '{edition}' must be one of: {', '.join(EDITIONS)}")
                elif edition in seen_editions:
                    self.error(sub["edition"], "duplicate",
                               f"two identifiers are marked 'edition: {edition}'; keep one")
                else:
                    seen_editions[edition] = node
            if scheme is None or value is None:
                continue
            scheme = scheme.lower()
            if scheme not in IDENTIFIER_SCHEMES:
                close = difflib.get_close_matches(scheme, IDENTIFIER_SCHEMES, n=1)
                hint = f"did you mean '{close[0]}'?" if close else ""
                self.error(sub["scheme"], "scheme",
                           f"unknown identifier scheme '{scheme}'; use one of "
                           f"{', '.join(IDENTIFIER_SCHEMES)}{'; ' + hint if hint else ''}")
                continue
            checked = self._identifier_value(scheme, value, sub["value"])
            if checked:
                out.append(Identifier(scheme, checked, edition))
        return tuple(out)

    def _identifier_value(self, scheme: str, value: str, node: YNode) -> str | None:
        try:
            if scheme == "isbn":
                return stdnum_isbn.validate(value)
            if scheme == "issn":
                return stdnum_issn.validate(value)
        except StdnumError as exc:
            self.error(node, scheme, f"'{value}' is not a valid {scheme.upper()}: "
                       f"{str(exc).rstrip('.').lower()}; check the digits")
            return None
        if scheme == "uuid":
            try:
                return str(uuid.UUID(value))
            except ValueError:
                self.error(node, "uuid", f"'{value}' is not a UUID")
                return None
        if scheme == "doi" and not re.match(r"^10\.\d{4,9}/\S+$", value):
            self.error(node, "doi", f"'{value}' is not a DOI; it looks like 10.1017/…")
            return None
        return value

    def _subject(self, node: YNode) -> Subject | None:
        if node.kind == "scalar":
            term = str(node.value or "").strip()
            if not term:
                self.error(node, "empty", "a subject is empty")
                return None
            return Subject(term)
        sub = self.mapping(node, SUBJECT_KEYS, "a subject")
        if sub is None:
            return None
        term = self.string(sub, "term", "a subject", required=True, parent=node)
        scheme = self.string(sub, "scheme", "a subject")
        code = self.string(sub, "code", "a subject")
        if code and not scheme:
            self.error(sub["code"], "missing", "a subject 'code' needs its 'scheme' (e.g. BISAC)")
        return Subject(term, scheme.upper() if scheme else None, code) if term else None

    def _series(self, node: YNode | None) -> Series | None:
        if node is None:
            return None
        sub = self.mapping(node, SERIES_KEYS, "series")
        if sub is None:
            return None
        title = self.string(sub, "title", "series", required=True, parent=node)
        position = self.string(sub, "position", "series")
        if position is not None and not re.match(r"^\d+(\.\d+)?$", position):
            self.error(sub["position"], "type", f"series position '{position}' must be a number")
            position = None
        return Series(title, position) if title else None

    def _image(self, node: YNode | None, what: str) -> Path | None:
        if node is None:
            return None
        path = self.source_file(node, what)
        if path is not None:
            from .images import image_problem

            why = image_problem(path)
            if why:
                self.error(node, "image", f"{what} '{node.value}' {why}")
                return None
            self.files.append(path)
        return path

    def _length(self, node: YNode, what: str) -> float | None:
        match = _LENGTH.match(str(node.value or "")) if node.kind == "scalar" else None
        if not match:
            self.error(node, "length",
                       f"{what} '{node.value}' must be a length like 3mm or 0.125in")
            return None
        return float(match.group(1)) * _UNIT_MM[match.group(2)]

    def _print(self, node: YNode | None) -> PrintSettings:
        default = PrintSettings()
        if node is None:
            return default
        sub = self.mapping(node, PRINT_KEYS, "print")
        if sub is None:
            return default
        values: dict[str, object] = {}
        trim = sub.get("trim")
        if trim is not None:
            if trim.kind == "scalar":
                name = str(trim.value or "").strip().lower()
                if name in TRIM_PRESETS:
                    values["trim"] = name
                    values["width_mm"], values["height_mm"] = TRIM_PRESETS[name]
                else:
                    close = difflib.get_close_matches(name, TRIM_PRESETS, n=1)
                    hint = f"did you mean '{close[0]}'? " if close else ""
                    self.error(trim, "trim", f"unknown trim size '{name}'; {hint}use one of "
                               f"{', '.join(TRIM_PRESETS)} or 'width:' and 'height:'")
            else:
                dims = self.mapping(trim, TRIM_KEYS, "print trim")
                if dims is not None:
                    for key in TRIM_KEYS:
                        if key not in dims:
                            self.error(trim, "missing", f"a custom trim needs '{key}'")
                    width = self._length(dims["width"], "width") if "width" in dims else None
                    height = self._length(dims["height"], "height") if "height" in dims else None
                    if width and height:
                        values.update(trim="custom", width_mm=width, height_mm=height)
        if "bleed" in sub:
            bleed = self._length(sub["bleed"], "bleed")
            if bleed is not None:
                values["bleed_mm"] = bleed
        if "crop-marks" in sub:
            flag = sub["crop-marks"]
            if flag.tag != "tag:yaml.org,2002:bool":
                self.error(flag, "type", "'crop-marks' must be true or false")
            else:
                values["crop_marks"] = str(flag.value).lower() in ("true", "yes", "on")
        if "margins" in sub:
            margins = self.mapping(sub["margins"], MARGIN_KEYS, "print margins") or {}
            for key, mnode in margins.items():
                length = self._length(mnode, f"{key} margin")
                if length is not None:
                    values[f"{key}_mm"] = length
        return PrintSettings(**values)  # type: ignore[arg-type]

    def _docx(self, node: YNode | None) -> Path | None:
        if node is None:
            return None
        sub = self.mapping(node, DOCX_KEYS, "docx")
        if not sub or "reference" not in sub:
            return None
        path = self.source_file(sub["reference"], "docx reference")
        if path is not None:
            if path.suffix.lower() != ".docx":
                self.error(sub["reference"], "reference", "the reference document must be a .docx")
                return None
            self.files.append(path)
        return path

    # -- contents --------------------------------------------------------------------------

    def _entries(self, fields: dict[str, YNode], root: YNode) -> tuple[Entry, ...]:
        entries: list[Entry] = []
        seen_titles: dict[tuple[str, int | None], Location] = {}
        seen_ids: dict[str, Location] = {}
        for node in self.items(fields, "contents", required=True, parent=root):
            drafted = self._entry(node)
            if drafted is None:
                self.contents_complete = False
                continue
            entry, explicit_id = drafted
            key = (" ".join(entry.title.casefold().split()), entry.number)
            if key in seen_titles:
                self.error(node, "duplicate-entry",
                           f"contents entry '{entry.label}' is listed twice (first at line "
                           f"{seen_titles[key].line}); remove the repeat")
                continue
            seen_titles[key] = node.location
            entry_id = entry.id
            if entry_id in seen_ids:
                if explicit_id:
                    self.error(node, "duplicate-id", f"id '{entry_id}' is already used by the "
                               f"entry at line {seen_ids[entry_id].line}; choose another")
                    continue
                n = 2
                while f"{entry_id}-{n}" in seen_ids:
                    n += 1
                entry_id = f"{entry_id}-{n}"
            seen_ids[entry_id] = node.location
            entries.append(dataclasses.replace(entry, id=entry_id))
        return tuple(entries)

    def _entry(self, node: YNode) -> tuple[Entry, bool] | None:
        if node.kind == "scalar":
            self.error(node, "type", f"contents entry '{node.value}' must be a mapping with "
                       "'title:' and 'kind:'")
            return None
        sub = self.mapping(node, ENTRY_KEYS, "a contents entry")
        if sub is None:
            return None
        title = self.string(sub, "title", "a contents entry", required=True, parent=node)
        kind = self.string(sub, "kind", f"contents entry '{title}'", required=True, parent=node)
        if kind is not None and kind not in KINDS:
            close = difflib.get_close_matches(kind, KINDS, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(KINDS)}"
            self.error(sub["kind"], "kind", f"unknown kind '{kind}'; {hint}")
            kind = None
        number = None
        if "number" in sub:
            nnode = sub["number"]
            # Plain decimal digits only: YAML 1.1 would also read 0x10, 0o7, 1_000 or 010 (octal).
            if nnode.tag != "tag:yaml.org,2002:int" or not re.fullmatch(r"\d+", str(nnode.value)):
                self.error(nnode, "type", f"chapter number '{nnode.value}' must be a whole number "
                           "written in digits, e.g. 'number: 3'")
            elif kind is None:
                pass  # the kind is already reported; a number error would be noise
            elif kind != "chapter":
                self.error(nnode, "number", "only entries of kind 'chapter' have a number")
            else:
                number = int(str(nnode.value))
        role = self.string(sub, "role", "a contents entry")
        if role is not None and role not in ROLES:
            close = difflib.get_close_matches(role, ROLES, n=1)
            hint = f"did you mean '{close[0]}'?" if close else "see README for the roles"
            self.error(sub["role"], "role", f"unknown role '{role}'; {hint}")
            role = None
        pages = self._pages(sub["pages"]) if "pages" in sub else None
        body_path = body_text = summary_path = summary_text = None
        if "file" in sub:
            body_path = self.source_file(sub["file"], "file")
            if body_path is not None:
                body_text = self.read_text(body_path, sub["file"])
        if "summary" in sub:
            summary_path = self.source_file(sub["summary"], "summary")
            if summary_path is not None:
                summary_text = self.read_text(summary_path, sub["summary"])
        if ("file" in sub and body_text is None) or ("summary" in sub and summary_text is None):
            self.contents_complete = False
        explicit = self.string(sub, "id", "a contents entry")
        if explicit is not None and not _SLUG.match(explicit):
            self.error(sub["id"], "id", f"id '{explicit}' must start with a letter and hold only "
                       "a-z, 0-9 and '-'")
            explicit = None
        heading = self.string(sub, "heading", "a contents entry")
        if heading is not None and heading not in ("shown", "hidden"):
            self.error(sub["heading"], "heading", f"heading '{heading}' must be 'shown' or "
                       "'hidden' (a hidden heading stays in the navigation)")
            heading = None
        if title is None or kind is None:
            return None
        entry_id = explicit or (f"chapter-{number}" if number is not None else slugify(title))
        entry = Entry(id=entry_id or "entry", title=title, kind=kind, location=node.location,
                      number=number, role=role, pages=pages, body_path=body_path,
                      body_text=body_text, summary_path=summary_path, summary_text=summary_text,
                      heading=heading)
        return entry, explicit is not None

    def _pages(self, node: YNode) -> PageRange | None:
        text = str(node.value or "").strip() if node.kind == "scalar" else ""
        parts = [p.strip() for p in re.split(r"\s*[-–—]\s*", text)] if text else []
        if len(parts) == 1:
            parts *= 2
        ok = len(parts) == 2 and all(p.isdigit() or _ROMAN.match(p) for p in parts)
        if ok and parts[0].isdigit() and parts[1].isdigit() and int(parts[0]) > int(parts[1]):
            self.error(node, "pages", f"page range '{text}' ends before it starts")
            return None
        if not ok:
            self.error(node, "pages",
                       f"'{text}' is not a page range; write e.g. '257-266' or 'vii-xii'")
            return None
        return PageRange(parts[0], parts[1])
