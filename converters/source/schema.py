"""The shape of ``book.yaml``, declared once: keys, types, required fields, choices, defaults
and descriptions.

From these models come the validation of a source (``validate.py`` maps every pydantic error
back to the line and column it was written at), the book the writers read (``loader.py``
builds ``model.Book`` from the validated values), the README's key tables and the JSON Schema
that ``editions schema`` prints (``docs.py``).

**How to add a key.** Add one field to the model it belongs to (``BookSpec`` for a top-level
key, ``EntrySpec`` for a contents entry, or a new ``Spec`` subclass for a new mapping), at the
place it should be listed: its type (one of the aliases below, or a new ``Annotated`` type
whose check goes into ``checks.py`` and raises ``problem(code, message)``), ``alias=`` when the
key holds a hyphen, a default if it is optional, ``Missing(...)`` if it is required and the
plain "has no 'key'" message is not enough, and ``description=``: for top-level and contents
keys that text is the README table's cell, in Markdown.  Then use the value: ``loader.py``
reads it from the validated fields (``fields.get("key")``; a hyphen becomes ``_``) into the
``model.Book``/``model.Entry`` attribute the writers read.  Unknown-key hints, located errors,
the JSON Schema and the README tables follow from the field; ``tests/test_schema.py`` prints
the README table to paste when the description is new.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    create_model,
    field_validator,
)

from ..assets.themes import THEMES
from . import checks
from .checks import choice, problem
from .labels import LABEL_KEYS
from .model import KINDS, PAPERS, ROLES, TRIM_PRESETS
from .numbering import APPENDIX_STYLES, STYLES
from .spec import Flag, Missing, Spec, Text, chain, either
from .spec import json_schema as _json
from .style_schema import StyleSpec

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


def _length(what: str) -> Any:
    return Annotated[float, BeforeValidator(checks.length(what)), _json(
        anyOf=[{"type": "number", "minimum": 0},
               {"type": "string", "pattern": r"^\s*\d+(\.\d+)?\s*(mm|cm|in|pt)?\s*$"}])]


def _file(what: str) -> Any:
    return Annotated[Path, BeforeValidator(checks.source_file(what)), _json(type="string")]


Date = Annotated[str, BeforeValidator(checks.date), _json(anyOf=[
    {"type": "integer", "minimum": 1000, "maximum": 9999},
    {"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}])]
Language = Annotated[str, BeforeValidator(checks.language)]
Relator = Annotated[Literal[tuple(MARC_RELATORS)], chain(checks.text, choice(
    MARC_RELATORS, "role", "'{value}' is not a MARC relator code this tool knows; {hint}",
    "e.g. aut, edt, trl, ill"))]
Scheme = Annotated[Literal[IDENTIFIER_SCHEMES], chain(checks.text, choice(
    IDENTIFIER_SCHEMES, "scheme", "unknown identifier scheme '{value}'; use one of "
    + ", ".join(IDENTIFIER_SCHEMES) + "{hint}", did_you_mean="; did you mean '{}'?",
    fold=str.lower))]
EditionName = Annotated[Literal[EDITIONS], chain(checks.text, choice(
    EDITIONS, "edition", "edition '{value}' must be one of: " + ", ".join(EDITIONS)))]
Kind = Annotated[Literal[KINDS], chain(checks.text, choice(
    KINDS, "kind", "unknown kind '{value}'; {hint}", "use one of " + ", ".join(KINDS)))]
Role = Annotated[Literal[tuple(ROLES)], chain(checks.text, choice(
    ROLES, "role", "unknown role '{value}'; {hint}", "see README for the roles"))]
TrimName = Annotated[Literal[tuple(TRIM_PRESETS)], chain(
    lambda value: str(value or "").strip().lower(), choice(
        TRIM_PRESETS, "trim", "unknown trim size '{value}'; {hint}use one of "
        + ", ".join(TRIM_PRESETS) + " or 'width:' and 'height:'",
        did_you_mean="did you mean '{}'? "))]
Number = Annotated[int, BeforeValidator(checks.chapter_number), _json(type="integer", minimum=0)]
Position = Annotated[str, chain(checks.text, checks.position), _json(anyOf=[
    {"type": "number", "minimum": 0}, {"type": "string", "pattern": checks.POSITION.pattern}])]
Pages = Annotated[tuple[str, str], BeforeValidator(checks.pages), _json(anyOf=[
    {"type": "integer", "minimum": 1}, {"type": "string"}])]
BibFile = Annotated[Path, BeforeValidator(checks.bibliography_file), _json(type="string")]
# One file, or a list of them: told apart by the YAML shape, as a creator's name or mapping is.
Bibliography = Annotated[
    Annotated[Annotated[list[BibFile], Field(min_length=1)], Tag("~list")]
    | Annotated[BibFile, Tag("~one")],
    Discriminator(lambda value: "~list" if isinstance(value, list) else "~one")]
Id = Annotated[str, chain(checks.text, checks.slug), _json(type="string",
                                                           pattern=checks.SLUG.pattern)]


class CreatorSpec(Spec):
    NAME = "a creator"
    name: Text = Field(description="the creator's name as printed")
    role: Relator = Field("aut", description="a MARC relator code: aut author, edt, trl, ill, …")
    file_as: Text = Field(None, alias="file-as",
                          description="the sort form, e.g. 'Gorodetsky, Gabriel'")


class IdentifierSpec(Spec):
    NAME = "an identifier"
    scheme: Scheme = Field(description="isbn, issn, doi, uuid, uri or other")
    value: Text = Field(description="the identifier; ISBNs and ISSNs are checked and stored "
                        "without hyphens")
    edition: EditionName = Field(None, description="which edition it identifies: ebook or print")

    @field_validator("value")
    @classmethod
    def _checked(cls, value: str, info: ValidationInfo) -> str:
        # An unknown scheme is reported on its own; the value is judged only by a known one.
        scheme = info.data.get("scheme")
        return checks.identifier_value(scheme, value) if scheme else value


class SubjectSpec(Spec):
    NAME = "a subject"
    term: Text = Field(description="the subject term")
    scheme: Annotated[str, chain(checks.text, str.upper)] = Field(
        None, description="the subject scheme, e.g. BISAC or THEMA")
    code: Text = Field(None, description="the code of the term in its scheme")

    @field_validator("code")
    @classmethod
    def _needs_scheme(cls, value: str, info: ValidationInfo) -> str:
        if not info.data.get("scheme"):
            raise problem("missing", "a subject 'code' needs its 'scheme' (e.g. BISAC)")
        return value


class SeriesSpec(Spec):
    NAME = "series"
    title: Text = Field(description="the series title")
    position: Position = Field(None, description="the book's number in the series")


class TrimSpec(Spec):
    NAME = "print trim"
    width: Annotated[_length("width"), Missing("a custom trim needs '{key}'")] = Field(
        description="the page width")
    height: Annotated[_length("height"), Missing("a custom trim needs '{key}'")] = Field(
        description="the page height")


class MarginsSpec(Spec):
    model_config = ConfigDict(validate_default=True)
    NAME = "print margins"
    inner: _length("inner margin") = Field("22mm", description="the margin at the spine")
    outer: _length("outer margin") = Field("16mm", description="the margin at the fore-edge")
    top: _length("top margin") = Field("18mm", description="the margin at the head")
    bottom: _length("bottom margin") = Field("22mm", description="the margin at the foot")


class PrintSpec(Spec):
    model_config = ConfigDict(validate_default=True)
    NAME = "print"
    trim: either(TrimName, TrimSpec) = Field(
        "royal", description="a trim size (royal 156×234 mm, demy 138×216 mm, us-trade 6×9 in, "
        "a5) or a mapping with width and height")
    bleed: _length("bleed") = Field("3mm", description="the bleed, for --pdf-layout print")
    crop_marks: Flag = Field(True, alias="crop-marks",
                             description="crop marks outside the bleed, for --pdf-layout print")
    margins: MarginsSpec = Field(default_factory=MarginsSpec, description="the page margins")
    paper: Annotated[Literal[PAPERS], chain(
        lambda value: str(value or "").strip().lower(),
        choice(PAPERS, "paper", "unknown paper '{value}'; use one of " + ", ".join(PAPERS)))] = (
        Field("white", description="the paper of print targets (white or cream); its caliper "
              "sets the cover wrap's spine width"))


class DocxSpec(Spec):
    NAME = "docx"
    reference: Annotated[Path, BeforeValidator(checks.docx_reference), _json(type="string")] = (
        Field(None, description="a .docx whose styles the DOCX edition uses"))


Heading = Annotated[Literal["shown", "hidden"], chain(checks.text, choice(
    ("shown", "hidden"), "heading", "heading '{value}' must be 'shown' or 'hidden' (a hidden "
    "heading stays in the navigation)"))]
class EntrySpec(Spec):
    NAME = "a contents entry"
    FIELD_BY_FIELD = True  # an entry with a bad role still has its Markdown checked
    title: Text = Field(description="the entry's title, without its number")
    kind: Annotated[Kind, Missing("contents entry '{title}' has no 'kind'; add 'kind: …'")] = (
        Field(description="`front` (front matter), `chapter` (body matter) or `back` (back "
              "matter)"))
    number: Number = Field(None, description="the chapter number (only for `kind: chapter`); "
                           "shown before the title: `1 Soviet Russia…`")
    role: Role = Field(None, description="what the entry is, for reading systems and "
                       "navigation: " + ", ".join(f"`{r}`" for r in ROLES) + ". A `titlepage` "
                       "entry shows the title page and imprint; a `toc` entry shows the "
                       "generated contents.")
    pages: Pages = Field(None, description="the print edition's page range, e.g. `257-266` or "
                         "`vii-xii`")
    file: _file("file") = Field(None, description="a Markdown file with the entry's text; an "
                                "entry without one is a heading-only section")
    summary: _file("summary") = Field(None, description="a Markdown file with the entry's "
                                      "summary, set as an abstract under its heading")
    heading: Heading = Field(None, description="`shown` or `hidden`: whether the entry's "
                             "heading is printed (it stays in the navigation either way); by "
                             "default hidden for title pages, dedication and epigraph")
    contents: list[EntrySpec] = Field(
        None, description="only on a `role: part` entry at the top of the contents: the "
        "entries (chapters) the part holds, nested under it in every edition's navigation")
    id: Id = Field(None, description="the entry's id for links (`a-z`, `0-9`, `-`); by default "
                   "`chapter-N` for numbered chapters, else made from the title (`conclusions`)")

    @classmethod
    def _not_a_mapping(cls, data: Any) -> Exception:
        if isinstance(data, list):
            return super()._not_a_mapping(data)
        return problem("type", f"contents entry '{data}' must be a mapping with 'title:' and "
                       "'kind:'")

    @field_validator("number")
    @classmethod
    def _only_chapters(cls, value: int, info: ValidationInfo) -> int | None:
        kind = info.data.get("kind")
        if kind is None:
            return None  # the kind is already reported; a number error would be noise
        if kind != "chapter":
            raise problem("number", "only entries of kind 'chapter' have a number")
        return value


_LIST = "the book has no '{key}'; add a '{key}:' list"


def _style(styles: tuple[str, ...]) -> Any:
    return Annotated[Literal[styles], chain(checks.text, choice(
        styles, "numbering", "numbering '{{key}}: {value}' is unknown; use one of "
        + ", ".join(styles)))]


class NumberingSpec(Spec):
    NAME = "numbering"
    chapters: _style(STYLES) = Field("none", description="chapters: arabic, roman, words or "
                                     "none; continuous across parts")
    parts: _style(STYLES) = Field("none", description="parts: arabic, roman, words or none")
    appendices: _style(APPENDIX_STYLES) = Field("none", description="appendices: letters or "
                                                "none")
    label: Flag = Field(False, description="headings say 'Chapter 3' instead of '3'")
    sections: Flag = Field(False, description="headings inside numbered entries get 3.1, 3.1.2")


# Every label the apparatus prints, each overridable; the defaults follow the book's language.
LabelsSpec = create_model(
    "LabelsSpec", __base__=Spec, __doc__="labels: the words the apparatus prints",
    **{key.replace("-", "_"): (Text, Field(None, alias=key if "-" in key else None,
                                            description=f"the word for '{key}'"))
       for key in LABEL_KEYS})
LabelsSpec.NAME = "labels"


class BookSpec(Spec):
    NAME = "book.yaml"
    title: Annotated[Text, Missing("the book has no 'title'; add 'title: …'")] = Field(
        description="the book's title")
    subtitle: Text = Field(None, description="the subtitle")
    creators: Annotated[list[either(Annotated[str, BeforeValidator(checks.name(
        "a creator's name"))], CreatorSpec)], Missing(_LIST)] = Field(
        min_length=1, description="a list; each item a name, or a mapping: `name` (required), "
        "`role` (a MARC relator code: `aut` author — the default —, `edt`, `trl`, `ill`, "
        "`aui`, …), `file-as` (sort form, e.g. `Gorodetsky, Gabriel`)")
    publisher: Text = Field(None, description="the publisher's name")
    date: Annotated[Date, Missing("the book has no 'date'; add the publication year, e.g. "
                                  "'date: 1977'")] = Field(
        description="publication date: `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; must be a real date")
    language: Annotated[Language, Missing("the book has no 'language'; add e.g. "
                                          "'language: en-GB'")] = Field(
        description="a BCP 47 language tag, e.g. `en-GB` (checked with `langcodes`)")
    identifiers: Annotated[list[IdentifierSpec], Missing(_LIST)] = Field(
        min_length=1, description="a list of mappings: `scheme` (`isbn`, `issn`, `doi`, "
        "`uuid`, `uri`, `other`), `value`, and optionally `edition` (`ebook` or `print`). "
        "ISBNs and ISSNs are checked with `python-stdnum` and stored without hyphens. The "
        "`ebook` one (else the first) is the EPUB's unique identifier.")
    rights: Text = Field(None, description="the rights statement")
    subjects: list[either(Annotated[str, BeforeValidator(checks.name("a subject"))],
                          SubjectSpec)] = Field(
        default_factory=list, description="a list; each item a term, or a mapping: `term`, "
        "`scheme` (e.g. `BISAC`, `THEMA`), `code`")
    description: Text = Field(None, description="a paragraph describing the book")
    series: SeriesSpec = Field(None, description="`title` and `position` (a number)")
    edition: Text = Field(None, description="an edition statement, e.g. `Second edition`")
    cover: Annotated[Path, BeforeValidator(checks.image("cover")), _json(type="string")] = Field(
        None, description="an image file (PNG, JPEG, GIF or WebP) for the cover")
    print_: PrintSpec = Field(
        default_factory=PrintSpec, alias="print", description="print geometry: `trim` "
        "(`royal` 156×234 mm — the default —, `demy` 138×216 mm, `us-trade` 6×9 in, `a5`, or "
        "a mapping with `width` and `height`), `bleed` (default `3mm`), `crop-marks` "
        "(`true`/`false`), `margins` (`inner`, `outer`, `top`, `bottom`), `paper` (`white` — "
        "the default — or `cream`, for print targets). Lengths take `mm`, `cm`, `in` or `pt`; "
        "a bare number is millimetres.")
    docx: DocxSpec = Field(None, description="`reference`: a `.docx` whose styles the DOCX "
                           "edition uses instead of the house style")
    bibliography: Bibliography = Field(
        None, description="works cited: a file or a list of files in the source folder, "
        "BibLaTeX (`.bib`), BibTeX (`.bibtex`), CSL JSON (`.json`) or CSL YAML (`.yaml`); "
        "citations `[@key]` are resolved with pandoc's citeproc into the `role: bibliography` "
        "entry")
    csl: Annotated[Path, BeforeValidator(checks.csl_file), _json(type="string")] = Field(
        None, description="a CSL style file (`.csl`) for citations and the list of works "
        "cited; by default pandoc's Chicago author-date")
    style: StyleSpec = Field(
        None, description="the look: `theme` (" + ", ".join(f"`{t}`" for t in THEMES)
        + "), `css` (a file, or `epub` and `pdf` files, added after the house style), `fonts` "
        "(`body`, `headings`, `code`: an installed family, or `family` and its font files)")
    numbering: NumberingSpec = Field(
        None, description="automatic numbers: `chapters` (`arabic`, `roman`, `words`, `none`), "
        "`parts` (the same), `appendices` (`letters`, `none`), `label` (`true`: headings say "
        "'Chapter 3'), `sections` (`true`: sections numbered 3.1, 3.1.2); a hand `number:` wins")
    labels: LabelsSpec = Field(
        None, description="the words the apparatus prints, overriding the book language's: "
        + ", ".join(f"`{k}`" for k in LABEL_KEYS))
    contents: Annotated[list[EntrySpec], Missing(_LIST)] = Field(
        min_length=1, description="the entries of the book in reading order, each listed once "
        "(see below)")
