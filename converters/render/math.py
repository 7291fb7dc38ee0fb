"""TeX math in the shared HTML: MathML from pandoc (texmath), checked and given its alttext.

pandoc writes each ``$…$`` as MathML with the TeX kept in an ``annotation``; a formula texmath
cannot parse comes out as the TeX itself in a ``span.math``, with a warning and no position.
Here that is a located error instead, and every ``<math>`` gets the TeX as ``alttext``
(what EPUB reading systems without MathML and Ace's checks want).  The EPUB carries the MathML,
the DOCX gets Word equations from it (pandoc's HTML reader) and the PDF typesets it as SVG
(pdf/math_svg.py), so all three show one parse of each formula.
"""

from __future__ import annotations

import copy
import html
import logging
import re
from typing import TYPE_CHECKING

from lxml import etree

from ..core.errors import Location, ProblemCollector
from ..core.text import line_col

if TYPE_CHECKING:
    from .markdown_ast import Parsed

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
_MATH = re.compile(r'<math display="(inline|block)" xmlns="[^"]+">(.*?)</math>', re.S)
_ANNOTATION = re.compile(r'<annotation encoding="application/x-tex">(.*?)</annotation>', re.S)
_FAILED = re.compile(r'<span class="math (inline|display)">(.*?)</span>', re.S)


class _Unconverted(logging.Filter):
    """pandoc's 'Could not convert TeX math' warning is reported as a located error instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "Could not convert TeX math" not in record.getMessage()


logging.getLogger("pypandoc").addFilter(_Unconverted())


def finish(fragment: str, p: Parsed, problems: ProblemCollector) -> str:
    """Add alttext to every formula; report the ones pandoc could not parse."""
    searched = 0
    for match in _FAILED.finditer(fragment):
        tex = html.unescape(re.sub(r"<[^>]+>", "", match[2])).strip().strip("$").strip()
        offset = p.text.find(tex, searched)
        if offset < 0:
            at = Location(p.path)
        else:
            searched = offset + 1
            # Point at the opening '$' of the formula the author wrote.
            dollar = p.text.rfind("$", 0, offset)
            at = Location(p.path, *line_col(p.text, dollar if dollar >= 0 else offset))
        problems.add(at, "bad-math",
                     f"formula '{_short(tex)}' is not TeX math that can be typeset (check its "
                     "braces and commands); as it is, it would be printed literally")
    return _MATH.sub(_with_alttext, fragment)


def _with_alttext(match: re.Match[str]) -> str:
    display, inner = match[1], match[2]
    tex = _ANNOTATION.search(inner)
    alt = html.unescape(tex[1]).strip() if tex else ""
    return (f'<math display="{display}" xmlns="{MATHML_NS}" '
            f'alttext="{html.escape(alt, quote=True)}">{inner}</math>')


def words(element: etree._Element) -> str:
    """An element's text as navigation shows it: a formula by its characters, not its TeX."""
    element = copy.deepcopy(element)
    for note in [e for e in element.iter() if isinstance(e.tag, str)
                 and e.tag.rpartition("}")[2] == "annotation"]:
        note.drop_tree()
    return element.text_content()


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 50 else text[:49] + "…"
