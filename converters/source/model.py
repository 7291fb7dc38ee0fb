"""The validated book model: what every renderer and writer reads, never the raw YAML."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..core.errors import Location
from .style import Style

KINDS = ("front", "chapter", "back")

# Structural roles of a contents entry; each maps to an EPUB 3 structural semantic
# (epub:type) and, where DPUB-ARIA has one, to a doc-* role.
ROLES: dict[str, tuple[str, str | None]] = {
    "titlepage": ("titlepage", None),
    "halftitle": ("halftitlepage", None),
    "imprint": ("copyright-page", None),
    "dedication": ("dedication", "doc-dedication"),
    "epigraph": ("epigraph", "doc-epigraph"),
    "toc": ("toc", "doc-toc"),
    "foreword": ("foreword", "doc-foreword"),
    "preface": ("preface", "doc-preface"),
    "acknowledgments": ("acknowledgments", "doc-acknowledgments"),
    "abbreviations": ("glossary", "doc-glossary"),
    "introduction": ("introduction", "doc-introduction"),
    "prologue": ("prologue", "doc-prologue"),
    "chapter": ("chapter", "doc-chapter"),
    "part": ("part", "doc-part"),
    "conclusion": ("conclusion", "doc-conclusion"),
    "epilogue": ("epilogue", "doc-epilogue"),
    "afterword": ("afterword", "doc-afterword"),
    "appendix": ("appendix", "doc-appendix"),
    "notes": ("endnotes", "doc-endnotes"),
    "glossary": ("glossary", "doc-glossary"),
    "bibliography": ("bibliography", "doc-bibliography"),
    "index": ("index", "doc-index"),
    "figures": ("loi", None),  # a generated list of figures (issue 13)
    "tables": ("lot", None),  # a generated list of tables
    "colophon": ("colophon", "doc-colophon"),
}

# Paper stocks a print target's cover wrap knows the caliper of (core/targets.py).
PAPERS = ("white", "cream")

# Trim sizes in millimetres (width, height).
TRIM_PRESETS: dict[str, tuple[float, float]] = {
    "royal": (156.0, 234.0),
    "demy": (138.0, 216.0),
    "us-trade": (152.4, 228.6),
    "a5": (148.0, 210.0),
}


@dataclass(frozen=True)
class Creator:
    name: str
    role: str = "aut"  # MARC relator code
    file_as: str | None = None


@dataclass(frozen=True)
class Identifier:
    scheme: str  # isbn, doi, uuid, uri, issn, other
    value: str  # normalised (ISBNs compact, without hyphens)
    edition: str | None = None  # "ebook", "print" or None

    @property
    def urn(self) -> str:
        if self.scheme == "isbn":
            return f"urn:isbn:{self.value}"
        if self.scheme == "uuid":
            return f"urn:uuid:{self.value}"
        if self.scheme == "doi":
            return f"doi:{self.value}"
        return self.value


@dataclass(frozen=True)
class Subject:
    term: str
    scheme: str | None = None  # e.g. BISAC, THEMA
    code: str | None = None


@dataclass(frozen=True)
class Series:
    title: str
    position: str | None = None


@dataclass(frozen=True)
class PageRange:
    first: str
    last: str

    def __str__(self) -> str:
        return f"{self.first}–{self.last}"


@dataclass(frozen=True)
class PrintSettings:
    trim: str = "royal"  # a TRIM_PRESETS name, or "custom"
    width_mm: float = 156.0
    height_mm: float = 234.0
    bleed_mm: float = 3.0
    crop_marks: bool = True
    inner_mm: float = 22.0
    outer_mm: float = 16.0
    top_mm: float = 18.0
    bottom_mm: float = 22.0
    paper: str = "white"  # print targets: a PAPERS name; its caliper sets the spine width


@dataclass(frozen=True)
class Numbering:
    """``numbering:`` in book.yaml: how entries are numbered (source/numbering.py)."""

    chapters: str = "none"  # arabic | roman | words | none
    parts: str = "none"  # arabic | roman | words | none
    appendices: str = "none"  # letters | none
    label: bool = False  # headings say 'Chapter 3', not '3'
    sections: bool = False  # headings inside numbered entries get 3.1, 3.1.2


@dataclass(frozen=True)
class Entry:
    """One item of the book's contents, in reading order."""

    id: str
    title: str
    kind: str  # one of KINDS
    location: Location
    number: int | None = None
    role: str | None = None  # a ROLES key
    pages: PageRange | None = None
    body_path: Path | None = None
    body_text: str | None = None
    summary_path: Path | None = None
    summary_text: str | None = None
    # The apparatus (source/numbering.py): the part holding this entry, and its number as
    # written bare ('IV'), in its heading ('Chapter IV') and in the contents ('IV').
    parent: str | None = None
    numeral: str | None = None
    heading_number: str | None = None
    toc_number: str | None = None
    # --- issue 15: look --- "shown" or "hidden"; None: hidden for title pages, dedication and
    # epigraph (see render.frontmatter.heading_printed), shown otherwise.
    heading: str | None = None

    @property
    def label(self) -> str:
        """The title as a contents list shows it: '1 Soviet Russia…'."""
        if self.toc_number is not None:
            return f"{self.toc_number} {self.title}"
        return f"{self.number} {self.title}" if self.number is not None else self.title

    @property
    def heading_text(self) -> str:
        """The words of the entry's own heading: '1 Soviet Russia…', 'Chapter 1 Tides'."""
        shown = self.heading_number or self.number
        return f"{shown} {self.title}" if shown is not None else self.title

    @property
    def semantic_role(self) -> str:
        if self.role:
            return self.role
        return "chapter" if self.kind == "chapter" else ""


@dataclass(frozen=True)
class Book:
    source_dir: Path
    title: str
    creators: tuple[Creator, ...]
    language: str
    date: str  # YYYY, YYYY-MM or YYYY-MM-DD
    identifiers: tuple[Identifier, ...]
    entries: tuple[Entry, ...]
    subtitle: str | None = None
    publisher: str | None = None
    rights: str | None = None
    description: str | None = None
    subjects: tuple[Subject, ...] = ()
    series: Series | None = None
    edition: str | None = None
    cover_path: Path | None = None
    print: PrintSettings = field(default_factory=PrintSettings)
    docx_reference: Path | None = None
    bibliography: tuple[Path, ...] = ()  # BibLaTeX, BibTeX, CSL JSON or CSL YAML files
    csl: Path | None = None  # a CSL style; None: pandoc's Chicago author-date
    files: tuple[Path, ...] = ()  # every source file read, for fingerprints
    numbering: Numbering = field(default_factory=Numbering)
    labels: dict[str, str] = field(default_factory=dict)  # source/labels.py, with overrides
    style: Style = field(default_factory=Style)  # issue 15: the style: block

    @property
    def year(self) -> str:
        return self.date[:4]

    @property
    def authors(self) -> tuple[Creator, ...]:
        return tuple(c for c in self.creators if c.role == "aut") or self.creators[:1]

    @property
    def author_line(self) -> str:
        names = [c.name for c in self.authors]
        if len(names) <= 1:
            return "".join(names)
        return ", ".join(names[:-1]) + " and " + names[-1]

    @property
    def full_title(self) -> str:
        return f"{self.title}: {self.subtitle}" if self.subtitle else self.title

    @property
    def unique_identifier(self) -> Identifier:
        for ident in self.identifiers:
            if ident.edition == "ebook":
                return ident
        return self.identifiers[0]

    @property
    def print_identifier(self) -> Identifier | None:
        return next((i for i in self.identifiers if i.edition == "print"), None)

    @property
    def isbn(self) -> str | None:
        ident = self.unique_identifier
        if ident.scheme == "isbn":
            return ident.value
        return next((i.value for i in self.identifiers if i.scheme == "isbn"), None)

    @property
    def slug(self) -> str:
        """The file name stem of the editions, e.g. ``the-precarious-truce``."""
        from ..core.text import fit_name, slugify

        return fit_name(slugify(self.title) or "book")  # a 350-character title is real
