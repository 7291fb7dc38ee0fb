"""The ``style:`` block of book.yaml, declared as the rest of the schema is (schema.py): a
theme, extra CSS, and the font families; the checks behind them are in checks.py."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, create_model

from ..assets.themes import THEMES
from . import checks
from .checks import choice
from .spec import Spec, Text, chain, either
from .spec import json_schema as _json

CssFile = Annotated[Path, BeforeValidator(checks.css_file), _json(type="string")]


class CssSpec(Spec):
    NAME = "style css"
    epub: CssFile = Field(None, description="CSS added to the EPUB's")
    pdf: CssFile = Field(None, description="CSS added to the PDF's")


def _face(slot: str, face: str) -> Any:
    return Annotated[Path, BeforeValidator(checks.font_file(slot, face)), _json(type="string")]


def _font_files(slot: str) -> type[Spec]:
    spec = create_model(
        f"{slot.title()}FontSpec", __base__=Spec,
        family=(Text, Field(description="the family name the book's CSS uses")),
        regular=(_face(slot, "regular"), Field(description="the regular face (.ttf or .otf)")),
        italic=(_face(slot, "italic"), Field(None, description="the italic face")),
        bold=(_face(slot, "bold"), Field(None, description="the bold face")),
        bolditalic=(_face(slot, "bolditalic"), Field(None, description="the bold italic face")))
    spec.NAME = f"the {slot} font"
    return spec


def _font(slot: str) -> Any:
    return either(Annotated[str, BeforeValidator(checks.installed_family(slot))],
                  _font_files(slot))


class FontsSpec(Spec):
    NAME = "style fonts"
    body: _font("body") = Field(None, description="the body text's family")
    headings: _font("headings") = Field(None, description="the headings' family")
    code: _font("code") = Field(None, description="the code's family")


class StyleSpec(Spec):
    NAME = "style"
    theme: Annotated[Literal[tuple(THEMES)], chain(checks.text, choice(
        THEMES, "theme", "unknown theme '{value}'; {hint}",
        "use one of " + ", ".join(THEMES)))] = Field(
        "classic", description="a house theme: " + ", ".join(THEMES))
    css: either(CssFile, CssSpec) = Field(
        None, description="a .css file added after the house style in the EPUB and the PDF, "
        "or a mapping with `epub` and `pdf`")
    fonts: FontsSpec = Field(None, description="`body`, `headings`, `code`: an installed "
                             "family, or `family` with `regular` (and `italic`, `bold`, "
                             "`bolditalic`) font files")
