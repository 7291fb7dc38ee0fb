"""EPUB 3 edition: one XHTML document per contents entry, packaged by ebooklib."""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ebooklib import epub
from lxml import etree

from .dates import build_datetime
from .images import media_type
from .model import ROLES, Book
from .render import RenderedBook

if TYPE_CHECKING:
    from .build import BuildOptions, RenderedEntry

XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
STYLE_HREF = "style/book.css"
# Landmark and EPUB 2 guide type for each role that earns a landmark.
LANDMARK_ROLES = {"toc": "toc", "bibliography": "bibliography", "index": "index"}


class _Document(epub.EpubHtml):
    """An XHTML document written in full by us; ebooklib only packages it."""

    def get_content(self, default: bytes | None = None) -> bytes:
        return self.content


def write_epub(rendered: RenderedBook, target: Path, workdir: Path,
               options: BuildOptions) -> None:
    book = rendered.book
    out = epub.EpubBook()
    _metadata(out, book)
    style = epub.EpubItem(uid="style", file_name=STYLE_HREF, media_type="text/css",
                          content=resources.files("converters.assets").joinpath("epub.css")
                          .read_bytes())
    out.add_item(style)
    owners = rendered.owner_of()
    documents = []
    for entry in rendered.entries:
        doc = _Document(uid=f"x-{entry.id}", file_name=_file_of(entry.id), title=entry.entry.label,
                        lang=book.language)
        doc.content = _xhtml(entry, book, owners)
        out.add_item(doc)
        documents.append(doc)
    for path, rel in sorted(rendered.images.items(), key=lambda kv: kv[1]):
        out.add_item(epub.EpubItem(uid="img-" + _safe_id(rel), file_name=rel,
                                   media_type=media_type(path) or "application/octet-stream",
                                   content=path.read_bytes()))
    out.toc = [_toc_item(entry) for entry in rendered.entries]
    out.guide = _landmarks(rendered)
    out.add_item(epub.EpubNcx())
    nav = epub.EpubNav(title="Contents")
    nav.add_link(href=STYLE_HREF, rel="stylesheet", type="text/css")
    out.add_item(nav)
    out.spine = documents
    epub.write_epub(str(target), out, {"mtime": build_datetime(), "epub2_guide": True,
                                       "landmark_title": "Landmarks"})


def _file_of(entry_id: str) -> str:
    return f"text/{entry_id}.xhtml"


def _safe_id(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text)


def _metadata(out: epub.EpubBook, book: Book) -> None:
    ident = book.unique_identifier
    out.set_identifier(ident.urn)
    out.set_title(book.title)
    out.set_language(book.language)
    if book.subtitle:
        out.add_metadata("DC", "title", book.subtitle, {"id": "subtitle"})
        out.add_metadata(None, "meta", "subtitle", {"refines": "#subtitle",
                                                     "property": "title-type"})
    for n, creator in enumerate(book.creators, 1):
        out.add_author(creator.name, file_as=creator.file_as, role=creator.role, uid=f"creator{n}")
    if book.publisher:
        out.add_metadata("DC", "publisher", book.publisher)
    out.add_metadata("DC", "date", book.date)
    if book.rights:
        out.add_metadata("DC", "rights", book.rights)
    if book.description:
        out.add_metadata("DC", "description", book.description)
    for subject in book.subjects:
        out.add_metadata("DC", "subject", subject.term)
    for n, other in enumerate((i for i in book.identifiers if i is not ident), 1):
        out.add_metadata("DC", "identifier", other.urn, {"id": f"ident{n}"})


def _toc_item(rendered: RenderedEntry) -> object:
    href = _file_of(rendered.id)
    link = epub.Link(href, rendered.entry.label, rendered.id)
    if not rendered.headings:
        return link
    # Nest sub-headings by level under the entry.
    root: list = []
    stack: list[tuple[int, list]] = [(1, root)]
    for heading in rendered.headings:
        while len(stack) > 1 and stack[-1][0] >= heading.level:
            stack.pop()
        children: list = []
        stack[-1][1].append((epub.Link(f"{href}#{heading.id}", heading.title, heading.id),
                             children))
        stack.append((heading.level, children))
    return (epub.Section(rendered.entry.label, href), _flatten_leaves(root))


def _flatten_leaves(items: list) -> list:
    return [item[0] if not item[1] else (epub.Section(item[0].title, item[0].href),
                                         _flatten_leaves(item[1])) for item in items]


def _landmarks(rendered: RenderedBook) -> list[dict]:
    marks = []
    body = next((e for e in rendered.entries if e.entry.kind == "chapter"), None)
    for entry in rendered.entries:
        kind = LANDMARK_ROLES.get(entry.entry.role or "")
        if kind == "toc":
            marks.append({"type": "toc", "href": _file_of(entry.id), "title": entry.entry.label})
    if body:
        marks.append({"type": "text", "href": _file_of(body.id), "title": body.entry.label})
    for entry in rendered.entries:
        kind = LANDMARK_ROLES.get(entry.entry.role or "")
        if kind and kind != "toc":
            marks.append({"type": kind, "href": _file_of(entry.id), "title": entry.entry.label})
    return marks


def _xhtml(rendered: RenderedEntry, book: Book, owners: dict[str, str]) -> bytes:
    lang = book.language
    skeleton = (
        f'<html xmlns="{XHTML_NS}" xmlns:epub="{OPS_NS}" lang="{lang}" xml:lang="{lang}">'
        f'<head><meta charset="utf-8"/><title></title>'
        f'<link rel="stylesheet" type="text/css" href="../{STYLE_HREF}"/></head>'
        f"<body>{rendered.html}</body></html>"
    )
    root = etree.fromstring(skeleton.encode("utf-8"))
    root.find(f"{{{XHTML_NS}}}head/{{{XHTML_NS}}}title").text = rendered.entry.label
    for element in root.iter(f"{{{XHTML_NS}}}section"):
        epub_type = ROLES.get(element.get("data-role") or "", (None,))[0]
        if epub_type:
            element.set(f"{{{OPS_NS}}}type", epub_type)
        for attr in ("data-kind", "data-role", "data-pages"):
            element.attrib.pop(attr, None)
    for anchor in root.iter(f"{{{XHTML_NS}}}a"):
        href = anchor.get("href", "")
        if href.startswith("#") and len(href) > 1:
            owner = owners.get(href[1:])
            if owner and owner != rendered.id:
                anchor.set("href", f"{Path(_file_of(owner)).name}{href}")
    for img in root.iter(f"{{{XHTML_NS}}}img"):
        img.set("src", "../" + img.get("src", ""))
    return etree.tostring(root, encoding="utf-8", xml_declaration=True,
                          doctype="<!DOCTYPE html>")

