"""EPUB semantics for what manuscripts hold: citations, the works-cited list and math.

The shared HTML keeps citeproc's structure; here the EPUB gets what reading systems announce:
``doc-biblioref`` on a citation's link, and each work cited an ``li`` typed
``epub:type="biblioentry"`` (the ``doc-biblioentry`` role is deprecated in DPUB-ARIA 1.1 and
EPUBCheck warns on it); and it is told which documents carry MathML (the ``mathml`` manifest
property).
"""

from __future__ import annotations

from lxml import etree

XHTML = "{http://www.w3.org/1999/xhtml}"
MATHML = "{http://www.w3.org/1998/Math/MathML}"
EPUB_TYPE = "{http://www.idpf.org/2007/ops}type"


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
            # DPUB-ARIA 1.1 deprecates the doc-biblioentry role (EPUBCheck warns, RSC-017):
            # the entry is a list item of the doc-bibliography section, typed for EPUB.
            block.tag = f"{XHTML}li"
            block.attrib.pop("role", None)
            block.set(EPUB_TYPE, "biblioentry")
    for code in root.iter(f"{XHTML}code"):
        if code.getparent() is not None and code.getparent().tag == f"{XHTML}pre":
            _hang_lines(code)
    return sum(1 for _ in root.iter(f"{MATHML}math"))


def _hang_lines(code: etree._Element) -> None:
    """One block per line of code: a line the reading system wraps hangs under its start,
    so the continuation is visibly not a new line of the program."""
    if len(code):  # not plain text (no edition highlights code): leave it as it is
        return
    lines = (code.text or "").split("\n")
    code.text = None
    for line in lines:
        span = etree.SubElement(code, f"{XHTML}span", {"class": "line"})
        span.text = line or "\u00a0"  # an empty line keeps its height
