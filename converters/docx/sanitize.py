"""A publisher's reference document, stripped of everything that can reach outside the file.

pandoc copies the reference's settings, headers, footers and their relationships into the
edition.  A reference can carry an ``attachedTemplate`` (Word fetches the remote ``.dotm`` on
opening), other external relationships (linked images, OLE links), macros (``vbaProject``) and
``customUI`` ribbons; none of them may reach the DOCX edition.  Styles, fonts, numbering and
page set-up are all the edition needs from it.
"""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
# Relationship types (by their last path segment) that are code or reach outside.
_ACTIVE_TYPES = ("attachedTemplate", "vbaProject", "wordVbaData", "keyMapCustomizations",
                 "extensibility", "ui/extensibility", "attachedToolbars", "oleObject",
                 "control", "activeXControlBinary", "frame", "subDocument")
# Parts that are macros or ribbon code, whatever relationship names them.
_ACTIVE_PART = re.compile(r"(?i)(vba|customui|activex|attachedtoolbars|keymapcustom)")
# settings.xml elements that point at templates, mail-merge sources or linked styles.
_ACTIVE_SETTINGS = ("attachedTemplate", "mailMerge", "linkStyles", "docVars",
                    "attachedSchema", "saveThroughXslt")
_MACRO_CT = "application/vnd.ms-word.document.macroEnabled.main+xml"
_DOC_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def sanitize_reference(data: bytes) -> bytes:
    """The reference document without external links, templates, macros or custom UI."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        dropped = {i.filename for i in src.infolist() if _ACTIVE_PART.search(i.filename)}
        for info in src.infolist():
            name = info.filename
            if name in dropped:
                continue
            blob = src.read(info)
            if name.endswith(".rels"):
                blob = _rels(blob)
            elif name == "word/settings.xml":
                blob = _settings(blob)
            elif name == "[Content_Types].xml":
                blob = _content_types(blob, dropped)
            dst.writestr(info, blob)
    return out.getvalue()


def _rels(blob: bytes) -> bytes:
    root = etree.fromstring(blob, _PARSER)
    for rel in root.findall(f"{{{_PKG_REL}}}Relationship"):
        kind = rel.get("Type", "")
        if (rel.get("TargetMode") == "External" or kind.endswith(_ACTIVE_TYPES)
                or _ACTIVE_PART.search(rel.get("Target", ""))):
            root.remove(rel)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _settings(blob: bytes) -> bytes:
    root = etree.fromstring(blob, _PARSER)
    for name in _ACTIVE_SETTINGS:
        for element in root.findall(f"{{{_W}}}{name}"):
            root.remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _content_types(blob: bytes, dropped: set[str]) -> bytes:
    root = etree.fromstring(blob, _PARSER)
    for override in root.findall(f"{{{_CT}}}Override"):
        if override.get("PartName", "").lstrip("/") in dropped:
            root.remove(override)
        elif override.get("ContentType") == _MACRO_CT:
            override.set("ContentType", _DOC_CT)
    for default in root.findall(f"{{{_CT}}}Default"):
        if "vba" in default.get("ContentType", "").lower():
            root.remove(default)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
