"""EPUB semantics for what manuscripts hold: citations, the works-cited list and math.

The shared HTML keeps citeproc's structure; here the EPUB gets the DPUB-ARIA roles reading
systems announce (``doc-biblioref`` on a citation's link, ``doc-biblioentry`` on each work
cited) and is told which documents carry MathML (the ``mathml`` manifest property).
"""

from __future__ import annotations

from lxml import etree

XHTML = "{http://www.w3.org/1999/xhtml}"
MATHML = "{http://www.w3.org/1998/Math/MathML}"


def add_semantics(root: etree._Element) -> int:
    """Roles for citations and works cited; returns how many formulas the document holds."""
    for span in root.iter(f"{XHTML}span"):
        if "citation" in (span.get("class") or "").split():
            for anchor in span.iter(f"{XHTML}a"):
                anchor.set("role", "doc-biblioref")
    for block in root.iter(f"{XHTML}div"):
        classes = (block.get("class") or "").split()
        if "references" in classes:
            # A list of works, each a list item that is a bibliography entry.
            block.tag = f"{XHTML}ul"
            block.attrib.pop("role", None)
        elif "csl-entry" in classes:
            block.tag = f"{XHTML}li"
            block.set("role", "doc-biblioentry")
    return sum(1 for _ in root.iter(f"{MATHML}math"))
