"""Formulas for the PDF: WeasyPrint draws no MathML, so each ``<math>`` becomes an SVG image.

ziamath typesets the same MathML the EPUB carries (STIX Two Math, drawn as outlines, so no
font is left to embed) and says where the baseline is; the image is lowered by the formula's
depth so that it sits on the line like text.  The TeX the author wrote is its alternative text,
which WeasyPrint writes as the /Alt of the formula in the PDF's tags.
"""

from __future__ import annotations

import base64
import logging
import re
import warnings
from functools import lru_cache
from types import ModuleType

from lxml import etree

MATHML_NS = "http://www.w3.org/1998/Math/MathML"
FONT_PT = 10.5  # the body size (pdf.css); inline formulas match it
_VIEWBOX = re.compile(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"')


class _Quiet(logging.Filter):
    """ziamath logs each element it does not draw (semantics, annotation) at the root logger."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Undefined element")


logging.getLogger().addFilter(_Quiet())


@lru_cache(maxsize=1)
def typesetter() -> ModuleType:
    """ziamath, imported when a book first has math: a sixth of a second that a book without
    any (and every rebuild after an edit of one) would wait for in the PDF writer's import.
    The writer calls it before forking its part workers, so that they share it."""
    with warnings.catch_warnings():
        # ziamath 0.13 finds its bundled STIX font with importlib.resources.path, deprecated
        # since Python 3.11; the warning is about ziamath's code, not the book.
        warnings.simplefilter("ignore", DeprecationWarning)
        import ziamath
    return ziamath


def replace_math(root: etree._Element) -> None:
    """Swap every ``<math>`` under ``root`` (an lxml.html tree) for its SVG image."""
    for math in list(root.iter("math", f"{{{MATHML_NS}}}math")):
        display = math.get("display") == "block"
        alt = math.get("alttext") or ""
        src, width, height, depth = _svg(_presentation(math), display)
        img = etree.Element("img", {
            "class": "math display" if display else "math",
            "alt": alt, "src": src,
            "style": f"width: {width:.2f}pt; height: {height:.2f}pt; "
                     f"vertical-align: {-depth:.2f}pt"})
        img.tail = math.tail
        math.getparent().replace(math, img)


def _presentation(math: etree._Element) -> str:
    """The formula's MathML without its annotation, in the MathML namespace, as text."""
    body = math
    semantics = next((c for c in math if _local(c) == "semantics"), None)
    if semantics is not None and len(semantics):
        body = semantics[0]
    inner = etree.tostring(body, encoding="unicode", with_tail=False)
    if body is math:
        inner = "".join(etree.tostring(c, encoding="unicode") for c in math)
    inner = re.sub(r'\sxmlns(:\w+)?="[^"]*"', "", inner)
    return f'<math xmlns="{MATHML_NS}">{inner}</math>'


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


@lru_cache(maxsize=4096)
def _svg(mathml: str, display: bool) -> tuple[str, float, float, float]:
    """A data URL of the typeset formula, its width and height, and its depth below the
    baseline, in points."""
    if display:
        mathml = mathml.replace("<math ", '<math display="block" ', 1)
    svg = typesetter().Math(mathml, size=FONT_PT, margin=0).svg()
    box = _VIEWBOX.search(svg)
    if box is None:  # an empty formula
        return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(), 0, 0, 0
    _x, y, width, height = (float(v) for v in box.groups())
    depth = max(0.0, height + y)  # the viewBox starts at -ascent; the baseline is y = 0
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f"data:image/svg+xml;base64,{data}", width, height, depth
