"""The checks that schema.py attaches to book.yaml's fields, each raising one located problem.

Every check is a pydantic validator raising ``PydanticCustomError(code, message)``: the code is
the one reported in brackets, the message the one the author reads.  ``{key}`` in a message is
left for ``validate.py`` to fill with the key the value was written under.  The YAML values
arrive as text (``Scalar``, which remembers the YAML tag) or as lists and dicts.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import langcodes
from pydantic import ValidationInfo
from pydantic_core import PydanticCustomError
from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import ValidationError as StdnumError

from ..core import limits
from .guards import is_file, page_number, reference_ok
from .paths import confine

_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)?\s*$")
_UNIT_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, None: 1.0}
_ROMAN = re.compile(r"^(?=[ivxlcdm]+$)m{0,3}(cm|cd|d?c{0,3})(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$")
DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
SLUG = re.compile(r"^[a-z][a-z0-9-]*$")
DOI = re.compile(r"^10\.\d{4,9}/\S+$")
POSITION = re.compile(r"^\d+(\.\d+)?$")

INT_TAG = "tag:yaml.org,2002:int"
BOOL_TAG = "tag:yaml.org,2002:bool"


class Scalar(str):
    """A YAML scalar's text as written, with its YAML tag (``3`` is an int, ``'3'`` a str)."""

    tag: str = "tag:yaml.org,2002:str"

    def __new__(cls, text: str, tag: str) -> Scalar:
        self = super().__new__(cls, text)
        self.tag = tag
        return self


def problem(code: str, message: str) -> PydanticCustomError:
    # Without a context pydantic keeps the message as it is; validate.py fills in {key}, the
    # key the value was written under, which a validator shared by several fields cannot know.
    return PydanticCustomError(code, message)


def kind_of(value: Any) -> str:
    return "mapping" if isinstance(value, dict) else "list" if isinstance(value, list) else "scalar"


def is_scalar(value: Any) -> bool:
    return kind_of(value) == "scalar"


def text(value: Any) -> str:
    """Any scalar as stripped text; null, blank, lists and mappings are refused."""
    if not is_scalar(value):
        raise problem("type", f"'{{key}}' must be text, not a {kind_of(value)}")
    stripped = str(value).strip() if value is not None else ""
    if not stripped:
        raise problem("empty", "'{key}' is empty; give it a value or remove the line")
    return stripped


def name(what: str) -> Callable[[Any], str]:
    """A list item that is a bare name (a creator, a subject): non-empty text."""

    def check(value: Any) -> str:
        stripped = str(value or "").strip()
        if not stripped:
            raise problem("empty", f"{what} is empty")
        return stripped

    return check


def choice(options: Iterable[str], code: str, message: str, otherwise: str = "", *,
           did_you_mean: str = "did you mean '{}'?",
           fold: Callable[[str], str] = str) -> Callable[[str], str]:
    """One of ``options`` (after ``fold``); else ``message`` with a "did you mean" hint.

    ``message`` names the value as ``{value}`` and the hint as ``{hint}``; ``otherwise`` is the
    hint when no option is close.
    """
    options = tuple(options)

    def check(value: str) -> str:
        value = fold(value)
        if value in options:
            return value
        close = difflib.get_close_matches(value, options, n=1)
        hint = did_you_mean.format(close[0]) if close else otherwise
        raise problem(code, message.format(value=value, hint=hint))

    return check


def language(value: Any) -> str:
    tag = str(value if value is not None else "").strip()
    if not is_scalar(value) or not tag or not langcodes.tag_is_valid(tag):
        raise problem("language",
                      f"'{tag}' is not a valid BCP 47 language tag; use e.g. 'en-GB' or 'fr'")
    return tag


def date(value: Any) -> str:
    written = str(value if value is not None else "").strip()
    match = DATE.match(written) if is_scalar(value) else None
    if not match:
        raise problem("date", f"'{written}' is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (int(g) if g else 1 for g in match.groups())
    try:
        dt.date(year, month, day)
    except ValueError as exc:
        raise problem("date", f"'{written}' is not a real date ({exc})") from None
    return written


def identifier_value(scheme: str | None, value: str) -> str:
    """The identifier normalised (ISBN and ISSN compact), once its scheme is known."""
    try:
        if scheme == "isbn":
            return stdnum_isbn.validate(value)
        if scheme == "issn":
            return stdnum_issn.validate(value)
    except StdnumError as exc:
        raise problem(scheme, f"'{value}' is not a valid {scheme.upper()}: "
                      f"{str(exc).rstrip('.').lower()}; check the digits") from None
    if scheme == "uuid":
        try:
            return str(uuid.UUID(value))
        except ValueError:
            raise problem("uuid", f"'{value}' is not a UUID") from None
    if scheme == "doi" and not DOI.match(value):
        raise problem("doi", f"'{value}' is not a DOI; it looks like 10.1017/…")
    return value


def chapter_number(value: Any) -> int:
    # Plain decimal digits only: YAML 1.1 would also read 0x10, 0o7, 1_000 or 010 (octal).
    if getattr(value, "tag", None) != INT_TAG or not re.fullmatch(r"\d+", str(value)):
        raise problem("type", f"chapter number '{value}' must be a whole number written in "
                      "digits, e.g. 'number: 3'")
    digits = len(str(value))
    if digits > limits.MAX_NUMBER_DIGITS:  # before int(): Python refuses over 4,300 digits
        raise problem("too-large", f"a chapter number of {digits} digits; the limit is "
                      f"{limits.MAX_NUMBER_DIGITS}")
    return int(str(value))


def flag(value: Any) -> bool:
    if isinstance(value, bool):  # the default
        return value
    if getattr(value, "tag", None) != BOOL_TAG:
        raise problem("type", "'{key}' must be true or false")
    return str(value).lower() in ("true", "yes", "on")


def position(value: str) -> str:
    if not POSITION.match(value):
        raise problem("type", f"series position '{value}' must be a number")
    return value


def pages(value: Any) -> tuple[str, str]:
    written = str(value or "").strip() if is_scalar(value) else ""
    parts = [p.strip() for p in re.split(r"\s*[-–—]\s*", written)] if written else []
    if len(parts) == 1:
        parts *= 2
    ok = len(parts) == 2 and all(page_number(p) or _ROMAN.match(p) for p in parts)
    if ok and parts[0].isdecimal() and parts[1].isdecimal() and int(parts[0]) > int(parts[1]):
        raise problem("pages", f"page range '{written}' ends before it starts")
    if not ok:
        raise problem("pages",
                      f"'{written}' is not a page range; write e.g. '257-266' or 'vii-xii'")
    return parts[0], parts[1]


def slug(value: str) -> str:
    if not SLUG.match(value):
        raise problem("id", f"id '{value}' must start with a letter and hold only a-z, 0-9 "
                      "and '-'")
    return value


def length(what: str) -> Callable[[Any], float]:
    """A length in millimetres from ``3mm``, ``0.5cm``, ``0.125in``, ``12pt`` or a bare number."""

    def check(value: Any) -> float:
        match = _LENGTH.match(str(value or "")) if is_scalar(value) else None
        if not match:
            raise problem("length", f"{what} '{value}' must be a length like 3mm or 0.125in")
        return float(match.group(1)) * _UNIT_MM[match.group(2)]

    return check


def source_file(what: str) -> Callable[[Any, ValidationInfo], Path]:
    """A file named relative to the source folder, which must exist inside it."""

    def check(value: Any, info: ValidationInfo) -> Path:
        if not is_scalar(value) or value is None:
            raise problem("type", f"{what} must be a file path")
        path, why = confine(info.context["source_dir"], str(value))
        if path is None:
            raise problem("path", f"{what}: {why}")
        if not is_file(path):
            raise problem("missing-file", f"{what} '{value}' does not exist in the source "
                          "folder; create it or correct the path")
        return path

    return check


def image(what: str) -> Callable[[Any, ValidationInfo], Path]:
    """A source file that really is a raster image an edition can carry."""
    located = source_file(what)

    def check(value: Any, info: ValidationInfo) -> Path:
        from .images import image_problem

        path = located(value, info)
        why = image_problem(path)
        if why:
            raise problem("image", f"{what} '{value}' {why}")
        return path

    return check


def docx_reference(value: Any, info: ValidationInfo) -> Path:
    path = source_file("docx reference")(value, info)
    if path.suffix.lower() != ".docx":
        raise problem("reference", "the reference document must be a .docx")
    found: list[tuple[str, str]] = []
    if not reference_ok(path, None, lambda _node, code, message: found.append((code, message))):
        raise problem(*found[0])
    return path


def bibliography_file(value: Any, info: ValidationInfo) -> Path:
    """A works-cited file of a kind pandoc reads; whether it parses is judged while rendering."""
    from .citing import BIBLIOGRAPHY_FORMATS

    path = source_file("bibliography")(value, info)
    if path.suffix.lower() not in BIBLIOGRAPHY_FORMATS:
        raise problem("bibliography-format", f"bibliography '{value}' is not a kind pandoc "
                      "reads; use BibLaTeX (.bib), BibTeX (.bibtex), CSL JSON (.json) or CSL "
                      "YAML (.yaml)")
    return path


def csl_file(value: Any, info: ValidationInfo) -> Path:
    path = source_file("csl style")(value, info)
    if path.suffix.lower() != ".csl":
        raise problem("csl", f"csl style '{value}' must be a .csl file")
    return path


def css_file(value: Any, info: ValidationInfo) -> Path:
    path = source_file("style css")(value, info)
    if path.suffix.lower() != ".css":
        raise problem("css", f"'{value}' is not a .css file")
    return path


def font_file(slot: str, face: str) -> Callable[[Any, ValidationInfo], Path]:
    """A font file of the source, whose licence allows embedding it."""
    located = source_file(f"the {slot} font {face} face")

    def check(value: Any, info: ValidationInfo) -> Path:
        from .style import embeddable_problem

        path = located(value, info)
        found = embeddable_problem(path, f"the {slot} font")
        if found:
            raise problem(*found)
        return path

    return check


def installed_family(slot: str) -> Callable[[Any], str]:
    """An installed font family (fontconfig), every face of it licensed for embedding."""

    def check(value: Any) -> str:
        from ..assets.fonts import family_faces
        from .style import embeddable_problem

        family = text(value)
        faces = family_faces(family)
        if "regular" not in faces:
            raise problem("font", f"the {slot} font '{family}' is not an installed family; "
                          "install it, or give its files: {family: ..., regular: "
                          "fonts/....ttf}")
        for path in faces.values():
            found = embeddable_problem(path, f"the {slot} font")
            if found:
                raise problem(*found)
        return family

    return check
