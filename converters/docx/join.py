"""One DOCX from the DOCX files pandoc wrote for the parts of a book (docx/parts.py).

The first part is the base: its package (settings, theme, fonts, the reference's styles and
numbering, properties) and its numbers stay as pandoc wrote them.  Each later part's body is
appended (one final ``w:sectPr``) with whatever it numbers on its own renumbered so that
nothing collides:

- the ids pandoc draws from one counter: bookmarks (w:bookmarkStart/End), footnotes and their
  references, drawings (wp:docPr), shifted past the highest id of the parts before;
- relationships of the body and of the notes (images, links): one per target in the book, a
  media file named by the SHA-256 of its bytes, so an image used twice is stored once;
- lists: each w:num the body uses becomes a new one (a list keeps its own counter), its
  w:abstractNum shared with an identical definition already in the book;
- styles pandoc added for the part (custom styles) and content types: the union.

Internal links (w:hyperlink w:anchor) name bookmarks, which keep their names: a link into
another part lands as it did in the whole book.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from hashlib import sha256
from pathlib import Path

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
DOCUMENT, NOTES, NUMBERING, STYLES = ("word/document.xml", "word/footnotes.xml",
                                      "word/numbering.xml", "word/styles.xml")
DOC_RELS, NOTE_RELS, TYPES = ("word/_rels/document.xml.rels", "word/_rels/footnotes.xml.rels",
                              "[Content_Types].xml")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _xml(z: zipfile.ZipFile, name: str) -> etree._Element | None:
    try:
        return etree.fromstring(z.read(name), _PARSER)
    except KeyError:
        return None


def _need(z: zipfile.ZipFile, name: str) -> etree._Element:
    root = _xml(z, name)
    if root is None:
        raise ValueError(f"pandoc wrote a DOCX without {name}")
    return root


def _bytes(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class _Rels:
    """A relationships part of the joined package: one relationship per (type, target)."""

    def __init__(self, root: etree._Element) -> None:
        self.root = root
        self.by_target = {(r.get("Type"), r.get("Target"), r.get("TargetMode")): r.get("Id")
                          for r in root}
        self.ids = {r.get("Id") for r in root}
        self.next = 1

    def add(self, kind: str, target: str, mode: str | None) -> str:
        found = self.by_target.get((kind, target, mode))
        if found is not None:
            return found
        while f"rId{self.next}" in self.ids:
            self.next += 1
        ident = f"rId{self.next}"
        attrs = {"Id": ident, "Type": kind, "Target": target}
        if mode:
            attrs["TargetMode"] = mode
        etree.SubElement(self.root, f"{{{PKG}}}Relationship", attrs)
        self.by_target[(kind, target, mode)] = ident
        self.ids.add(ident)
        return ident


class Joiner:
    def __init__(self, first: bytes) -> None:
        self.zip = zipfile.ZipFile(io.BytesIO(first))
        self.document = _need(self.zip, DOCUMENT)
        self.body = self.document.find(_w("body"))
        self.notes = _xml(self.zip, NOTES)
        self.numbering = _need(self.zip, NUMBERING)
        self.styles = _need(self.zip, STYLES)
        self.types = _need(self.zip, TYPES)
        self.rels = _Rels(_need(self.zip, DOC_RELS))
        note_rels = _xml(self.zip, NOTE_RELS)
        self.note_rels = _Rels(note_rels if note_rels is not None
                               else etree.Element(f"{{{PKG}}}Relationships", nsmap={None: PKG}))
        self.media: dict[str, bytes] = {}  # package name -> bytes, for later parts' files
        self.by_hash = {sha256(self.zip.read(n)).hexdigest(): n for n in self.zip.namelist()
                        if n.startswith("word/media/")}
        self.offset = _max_id(self.document, self.notes) + 1
        self.style_ids = {s.get(_w("styleId")) for s in self.styles.iter(_w("style"))}
        self.abstracts = {_abstract_key(a): a.get(_w("abstractNumId"))
                          for a in self.numbering.iter(_w("abstractNum"))}
        self.types_known = {o.get("PartName") for o in self.types.iter(f"{{{CT}}}Override")}
        # The first part's final w:sectPr, which every part has alike, ends the book: its
        # relationship ids (a reference document's headers) are the first part's.
        self.sect = None
        if len(self.body) and self.body[-1].tag == _w("sectPr"):
            self.sect = self.body[-1]
            self.body.remove(self.sect)
        self.part_types: etree._Element | None = None

    def add(self, data: bytes) -> None:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            doc, notes = _need(z, DOCUMENT), _xml(z, NOTES)
            body = doc.find(_w("body"))
            if len(body) and body[-1].tag == _w("sectPr"):
                body.remove(body[-1])
            self.part_types = _xml(z, TYPES)
            own_notes = [n for n in (notes if notes is not None else [])
                         if int(n.get(_w("id"), "0")) > 0]
            highest = _max_id(doc, notes)
            self._shift(body, own_notes)
            self.offset += highest + 1
            self._relink(z, body, "word/_rels/document.xml.rels", self.rels)
            holder = etree.Element(_w("holder"))  # the notes, relinked together
            holder.extend(own_notes)
            self._relink(z, holder, NOTE_RELS, self.note_rels)
            self._lists(_xml(z, NUMBERING), [body, holder])
            self._styles(_xml(z, STYLES))
            self._types(self.part_types)
            for child in list(body):
                self.body.append(child)
            if self.notes is not None:
                self.notes.extend(list(holder))

    def _shift(self, body: etree._Element, notes: list[etree._Element]) -> None:
        """Bookmark, footnote and drawing ids past those of the parts before."""
        for root in (body, *notes):
            for el in root.iter(_w("bookmarkStart"), _w("bookmarkEnd"), _w("footnoteReference"),
                                _w("footnote")):
                el.set(_w("id"), str(int(el.get(_w("id"))) + self.offset))
            for el in root.iter(f"{{{WP}}}docPr"):
                el.set("id", str(int(el.get("id")) + self.offset))

    def _relink(self, z: zipfile.ZipFile, root: etree._Element, rels_name: str,
                rels: _Rels) -> None:
        own = _xml(z, rels_name)
        by_id = {r.get("Id"): r for r in (own if own is not None else [])}
        base = posixpath.dirname(posixpath.dirname(rels_name))  # word/_rels/x.rels -> word
        mapped: dict[str, str] = {}
        for el in root.iter():
            for attr, value in el.attrib.items():
                if not attr.startswith(f"{{{R}}}"):
                    continue
                if value not in mapped:
                    rel = by_id[value]
                    target, mode = rel.get("Target"), rel.get("TargetMode")
                    if mode != "External":
                        target = self._file(z, posixpath.join(base, target), base)
                    mapped[value] = rels.add(rel.get("Type"), target, mode)
                el.set(attr, mapped[value])

    def _file(self, z: zipfile.ZipFile, name: str, base: str) -> str:
        """A part's media file under a name made of its bytes; its target from ``base``."""
        data = z.read(name)
        folder, ext = posixpath.dirname(name), posixpath.splitext(name)[1]
        hashed = sha256(data).hexdigest()
        fresh = self.by_hash.get(hashed, f"{folder}/{hashed[:20]}{ext}")
        if fresh not in self.media and hashed not in self.by_hash:
            self.by_hash[hashed] = fresh
            self.media[fresh] = data
            types = self.part_types if self.part_types is not None else []
            kind = next((o.get("ContentType") for o in types
                         if o.get("PartName") == f"/{name}"), None)
            if kind and f"/{fresh}" not in self.types_known:
                etree.SubElement(self.types, f"{{{CT}}}Override",
                                 {"PartName": f"/{fresh}", "ContentType": kind})
                self.types_known.add(f"/{fresh}")
        return posixpath.relpath(fresh, base)

    def _lists(self, numbering: etree._Element | None,
               roots: list[etree._Element]) -> None:
        """A new w:num for each list the part uses; definitions shared when identical."""
        if numbering is None:
            return
        nums = {n.get(_w("numId")): n for n in numbering.iter(_w("num"))}
        abstracts = {a.get(_w("abstractNumId")): a for a in numbering.iter(_w("abstractNum"))}
        mapped: dict[str, str] = {}
        for root in roots:
            for ref in list(root.iter(_w("numId"))):
                old = ref.get(_w("val"))
                if old not in nums:
                    continue  # '0' (no list) or the reference's own
                if old not in mapped:
                    mapped[old] = self._new_num(nums[old], abstracts)
                ref.set(_w("val"), mapped[old])

    def _new_num(self, num: etree._Element, abstracts: dict[str, etree._Element]) -> str:
        own = self.numbering
        link = num.find(_w("abstractNumId"))
        definition = abstracts[link.get(_w("val"))]
        key = _abstract_key(definition)
        if key not in self.abstracts:
            ident = str(1 + max((int(a.get(_w("abstractNumId")))
                                 for a in own.iter(_w("abstractNum"))), default=-1))
            fresh = _copy(definition)
            fresh.set(_w("abstractNumId"), ident)
            last = list(own.iter(_w("abstractNum")))
            if last:
                last[-1].addnext(fresh)
            else:
                own.insert(0, fresh)
            self.abstracts[key] = ident
        num = _copy(num)
        num.find(_w("abstractNumId")).set(_w("val"), self.abstracts[key])
        ident = str(1 + max((int(n.get(_w("numId"))) for n in own.iter(_w("num"))),
                            default=0))
        num.set(_w("numId"), ident)
        after = list(own.iter(_w("num"))) or list(own.iter(_w("abstractNum")))
        if after:
            after[-1].addnext(num)
        else:
            own.insert(0, num)
        return ident

    def _styles(self, styles: etree._Element | None) -> None:
        for style in (styles if styles is not None else []):
            ident = style.get(_w("styleId"))
            if style.tag == _w("style") and ident not in self.style_ids:
                self.styles.append(style)
                self.style_ids.add(ident)

    def _types(self, types: etree._Element | None) -> None:
        """Content types other than media (named afresh by _file): the union."""
        defaults = {d.get("Extension") for d in self.types.iter(f"{{{CT}}}Default")}
        for item in (types if types is not None else []):
            if item.tag == f"{{{CT}}}Default" and item.get("Extension") not in defaults:
                self.types.insert(len(defaults), _copy(item))
                defaults.add(item.get("Extension"))

    def write(self, target: Path) -> None:
        if self.sect is not None:
            self.body.append(self.sect)
        written = {DOCUMENT: self.document, NOTES: self.notes, NUMBERING: self.numbering,
                   STYLES: self.styles, TYPES: self.types, DOC_RELS: self.rels.root}
        if len(self.note_rels.root):
            written[NOTE_RELS] = self.note_rels.root
        names = set(self.zip.namelist())
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            if TYPES in names:  # first, as OPC consumers expect
                out.writestr(TYPES, _bytes(self.types))
            for name in self.zip.namelist():
                if name == TYPES:
                    continue
                root = written.get(name)
                out.writestr(name, _bytes(root) if root is not None else self.zip.read(name))
            for name, root in written.items():
                if name not in names and root is not None:
                    out.writestr(name, _bytes(root))
            for name in sorted(set(self.media) - names):
                out.writestr(name, self.media[name])


def join(parts: list[bytes], target: Path) -> None:
    """Write the DOCX made of ``parts`` (pandoc's DOCX files, in book order) to ``target``."""
    joiner = Joiner(parts[0])
    for data in parts[1:]:
        joiner.add(data)
    joiner.write(target)


def _max_id(doc: etree._Element, notes: etree._Element | None) -> int:
    highest = 0
    for root in (doc, notes):
        if root is None:
            continue
        for el in root.iter(_w("bookmarkStart"), _w("footnoteReference"), _w("footnote")):
            highest = max(highest, int(el.get(_w("id"))))
        for el in root.iter(f"{{{WP}}}docPr"):
            highest = max(highest, int(el.get("id")))
    return highest


def _abstract_key(definition: etree._Element) -> bytes:
    copy = _copy(definition)
    copy.attrib.pop(_w("abstractNumId"), None)
    return etree.tostring(copy, method="c14n")


def _copy(element: etree._Element) -> etree._Element:
    return etree.fromstring(etree.tostring(element), _PARSER)
