"""The DOCX edition as pandoc writes the whole book in one run (the way before issue 12), and
what a DOCX must hold together: used by test_docx_parts.py and bench/docx_parts.py."""

from __future__ import annotations

import json
import re
import zipfile
from collections import Counter
from pathlib import Path

import docx
from lxml import etree

from converters.core.dates import build_datetime
from converters.docx.inline import inline_images
from converters.docx.post import finish
from converters.docx.reference import reference_docx
from converters.docx.writer import docx_html
from converters.render.book import RenderedBook
from converters.render.pandoc import run

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def whole_docx(rendered: RenderedBook, target: Path, workdir: Path) -> None:
    """The book through one pandoc run, finished as the edition is."""
    reference = workdir / "reference.docx"
    reference.write_bytes(reference_docx(rendered.book, rendered.fallbacks))
    meta = workdir / "docx-metadata.json"
    meta.write_text(json.dumps({"lang": rendered.book.language}), encoding="utf-8")
    run(inline_images(docx_html(rendered), rendered.images), "docx", "html",
        [f"--reference-doc={reference}", f"--metadata-file={meta}",
         "--syntax-highlighting=none"], output=target)
    finish(target, rendered, build_datetime())


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _text(el: etree._Element) -> str:
    return "".join(t.text or "" for t in el.iter(_w("t"), _w("instrText")))


def paragraphs(path: Path) -> list[tuple[str, str]]:
    """(paragraph style id, text) of every body paragraph, tables' included, in order."""
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml")).find(_w("body"))
    out = []
    for p in body.iter(_w("p")):
        style = p.find(f"{_w('pPr')}/{_w('pStyle')}")
        out.append((style.get(_w("val")) if style is not None else "", _text(p)))
    return out


def footnotes(path: Path) -> list[str]:
    """The footnotes' texts in the order the body refers to them."""
    with zipfile.ZipFile(path) as z:
        body = etree.fromstring(z.read("word/document.xml"))
        notes = etree.fromstring(z.read("word/footnotes.xml"))
    by_id = {n.get(_w("id")): _text(n) for n in notes.iter(_w("footnote"))}
    return [by_id[r.get(_w("id"))] for r in body.iter(_w("footnoteReference"))]


def problems(path: Path) -> list[str]:
    """What does not hold together in the package: dangling anchors, relationships, targets,
    duplicate ids.  Empty for a sound DOCX."""
    found = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for part in ("document", "footnotes"):
            name = f"word/{part}.xml"
            if name not in names:
                continue
            root = etree.fromstring(z.read(name))
            rels_name = f"word/_rels/{part}.xml.rels"
            rels = (etree.fromstring(z.read(rels_name)) if rels_name in names else [])
            by_id = {r.get("Id"): r for r in rels}
            for rel in by_id.values():
                target = rel.get("Target")
                if rel.get("TargetMode") != "External" and f"word/{target}" not in names:
                    found.append(f"{rels_name}: {rel.get('Id')} -> missing {target}")
            for el in root.iter():
                for attr, value in el.attrib.items():
                    if attr.startswith(f"{{{R}}}") and value not in by_id:
                        found.append(f"{name}: {etree.QName(attr).localname}={value} has "
                                     "no relationship")
        doc = etree.fromstring(z.read("word/document.xml"))
        notes = (etree.fromstring(z.read("word/footnotes.xml"))
                 if "word/footnotes.xml" in names else etree.Element("none"))
    marks = [b.get(_w("name")) for b in doc.iter(_w("bookmarkStart"))]
    for anchor in {h.get(_w("anchor")) for h in doc.iter(_w("hyperlink"))} - {None}:
        if anchor not in marks:
            found.append(f"link to #{anchor}: no such bookmark")
    for label, ids in (("bookmark", [b.get(_w("id")) for b in doc.iter(_w("bookmarkStart"))]),
                       ("footnote", [n.get(_w("id")) for n in notes.iter(_w("footnote"))]),
                       ("docPr", [d.get("id") for d in doc.iter(f"{{{WP}}}docPr")])):
        found += [f"{label} id {i} used {n} times" for i, n in Counter(ids).items() if n > 1]
    starts = {b.get(_w("id")) for b in doc.iter(_w("bookmarkStart"))}
    ends = {b.get(_w("id")) for b in doc.iter(_w("bookmarkEnd"))}
    found += [f"bookmark {i} never ends" for i in starts - ends]
    nums = {n.get(_w("numId")) for n in etree.fromstring(
        zipfile.ZipFile(path).read("word/numbering.xml")).iter(_w("num"))}
    found += [f"list {n} not in numbering.xml" for n in
              {e.get(_w("val")) for e in doc.iter(_w("numId"))} - nums - {"0"}]
    docx.Document(str(path))  # python-docx opens it
    return found


def bookmark_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        doc = etree.fromstring(z.read("word/document.xml"))
    return [b.get(_w("name")) for b in doc.iter(_w("bookmarkStart"))]


def list_runs(path: Path) -> list[str]:
    """Per list paragraph, whether it starts a new list or continues the one before, so two
    documents compare however their lists are numbered."""
    out, seen = [], set()
    for p in etree.fromstring(zipfile.ZipFile(path).read("word/document.xml")).iter(_w("p")):
        num = p.find(f"{_w('pPr')}/{_w('numPr')}/{_w('numId')}")
        if num is not None:
            ident = num.get(_w("val"))
            out.append("continue" if ident in seen else "new")
            seen.add(ident)
    return out


def media(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as z:
        return sorted(z.read(n) for n in z.namelist() if n.startswith("word/media/"))


def style_ids(path: Path) -> set[str]:
    with zipfile.ZipFile(path) as z:
        return {s.get(_w("styleId")) for s in etree.fromstring(
            z.read("word/styles.xml")).iter(_w("style"))}


def heading_texts(path: Path) -> list[str]:
    return [t for s, t in paragraphs(path) if re.fullmatch(r"Heading\d", s)]


def targets(path: Path) -> list[tuple[str, str, str]]:
    """What each link, image and note in the body and the notes points at, in order: an
    internal anchor, an external address or the SHA-256 of the image's bytes."""
    import hashlib

    out = []
    with zipfile.ZipFile(path) as z:
        names = set(z.namelist())
        for part in ("document", "footnotes"):
            if f"word/{part}.xml" not in names:
                continue
            rels_name = f"word/_rels/{part}.xml.rels"
            rels = {r.get("Id"): r for r in (etree.fromstring(z.read(rels_name))
                                             if rels_name in names else [])}
            for el in etree.fromstring(z.read(f"word/{part}.xml")).iter():
                if el.get(_w("anchor")) is not None:
                    out.append((part, "anchor", el.get(_w("anchor"))))
                for attr, value in el.attrib.items():
                    if not attr.startswith(f"{{{R}}}"):
                        continue
                    rel = rels[value]
                    target = rel.get("Target")
                    if rel.get("TargetMode") != "External":
                        target = hashlib.sha256(z.read(f"word/{target}")).hexdigest()
                    out.append((part, etree.QName(attr).localname, target))
    return out
