"""EPUB 3 edition: one XHTML document per contents entry, packaged by ebooklib.

The content documents come from epub_content, the navigation from epub_nav and the package
metadata from epub_meta; ebooklib writes the container, manifest and spine.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from ebooklib import epub
from lxml import etree

from ..assets.fonts import FILES, serif_faces
from ..core.cache import Cache
from ..core.dates import build_datetime
from ..render import style
from ..render.book import RenderedBook
from ..render.names import image_name
from ..source.images import media_type
from ..source.model import Book
from .apparatus import CSS as APPARATUS_CSS
from .apparatus import nest_parts, uses_apparatus
from .content import content_document
from .cover import typographic_cover
from .meta import AccessibilityFacts, write_metadata
from .nav import Landmark, NavPoint, nav_document, ncx_document, nest
from .split import split_entry
from .subset import subset_font, text_of
from .xhtml import EPUB_TYPE, STYLE_HREF, PageBreak, X, file_of, serialise, skeleton

if TYPE_CHECKING:
    from ..core.options import BuildOptions
    from ..render.book import RenderedEntry

COVER_PAGE = "text/cover.xhtml"
GENERATED_COVER = "images/cover.png"
# Landmark (EPUB 3) and guide reference (EPUB 2) type for each role that earns a landmark.
LANDMARK_ROLES = {"toc": "toc", "bibliography": "bibliography", "index": "index"}


class _Document(epub.EpubHtml):
    """An XHTML document written in full by us; ebooklib only packages it."""

    def get_content(self, default: bytes | None = None) -> bytes:
        return self.content


class _Writer(epub.EpubWriter):
    """ebooklib's writer with our nav and NCX, and xml:lang on the package element."""

    def __init__(self, name: str, book: epub.EpubBook, options: dict, *, lang: str,
                 nav: bytes, ncx: bytes) -> None:
        super().__init__(name, book, options)
        self._lang, self._nav, self._ncx = lang, nav, ncx

    def _get_nav(self, item: epub.EpubNav) -> bytes:
        return self._nav

    def _get_ncx(self) -> bytes:
        return self._ncx

    def _write_opf_file(self, root: etree._Element) -> None:
        root.set("{http://www.w3.org/XML/1998/namespace}lang", self._lang)
        super()._write_opf_file(root)


def write_epub(rendered: RenderedBook, target: Path, workdir: Path,
               options: BuildOptions) -> None:
    book = rendered.book
    out = epub.EpubBook()
    out.set_identifier(book.unique_identifier.urn)
    out.title = book.title
    house = resources.files("converters.assets").joinpath("epub.css").read_text(encoding="utf-8")
    out.add_item(epub.EpubItem(uid="style", file_name=STYLE_HREF, media_type="text/css",
                               content=house.encode("utf-8")
                               + (APPARATUS_CSS if uses_apparatus(rendered) else b"")
                               + ("\n" + style.epub_css(book, rendered.fallbacks)).encode("utf-8")))
    image_items = {}
    for path, ref in sorted(rendered.images.items(), key=lambda kv: kv[1].rel):
        item = epub.EpubItem(uid="img-" + _safe_id(ref.rel), file_name=ref.rel,
                             media_type=ref.media_type, content=path.read_bytes())
        out.add_item(item)
        image_items[path] = item
    # The cover page and a generated cover take names no entry or source image has.
    # Entries past split.SPLIT_BYTES become several files; each part names its own file.
    # Paged like our print edition, an entry stays whole: the page map numbers its paragraphs.
    print_map = _print_map(book, target, options)
    parts = ([part for entry in rendered.entries for part in split_entry(entry)]
             if not print_map else list(rendered.entries))
    number_of = {entry.id: n for n, entry in enumerate(rendered.entries)}
    taken = {file_of(p.id) for p in parts}
    taken |= {ref.rel for ref in rendered.images.values()}
    cache = Cache(Path(options.cache_dir), options.cache_salt) if options.cache_dir else None
    cover_href = _cover_image(out, rendered, image_items, _free(GENERATED_COVER, taken), cache)
    cover_page = _free(COVER_PAGE, taken)

    owners = {ident: part.id for part in parts for ident in part.ids}
    cover = _Document(uid="cover", file_name=cover_page, title="Cover", lang=book.language)
    cover.content = _cover_page(rendered, cover_href)
    out.add_item(cover)
    documents = [cover]
    facts = AccessibilityFacts()
    pages: list[PageBreak] = []
    for entry in parts:
        doc = _Document(uid=f"x-{entry.id}", file_name=file_of(entry.id), title=entry.entry.label,
                        lang=book.language)
        marks = print_map.get(number_of[entry.id], []) if print_map else None
        doc.content, info = content_document(entry, book, owners, marks)
        if info.math:
            doc.properties.append("mathml")
        if info.index:
            doc.properties.append("index")
        out.add_item(doc)
        documents.append(doc)
        pages += info.page_breaks
        facts.add(info)
    shown = text_of(d.content for d in documents)
    for key, path in serif_faces().items():
        out.add_item(epub.EpubItem(uid=f"font-{key}", file_name=f"fonts/{FILES[key]}",
                                   media_type="font/ttf",
                                   content=subset_font(path, shown, cache=cache)))
    for n, ((path, index), name) in enumerate(style.epub_font_files(book, rendered.fallbacks)
                                              .items()):
        kind = "font/otf" if name.endswith(".otf") else "font/ttf"
        out.add_item(epub.EpubItem(uid=f"font-style-{n}", file_name=f"fonts/{name}",
                                   media_type=kind,
                                   content=subset_font(path, shown, index, cache)))
    # A cover drawn from the title is words, not a picture; a supplied one is a picture.
    facts.visual_cover = book.cover_path is not None

    toc = nest_parts(rendered, [_toc_point(entry, owners) for entry in rendered.entries])
    landmarks = _landmarks(rendered, cover_page)
    out.guide = [{"type": m.guide_type, "href": m.href, "title": m.title} for m in landmarks]
    facts.page_list = bool(pages)
    facts.page_list_complete = bool(print_map) or page_list_complete(book)
    write_metadata(out, book, facts)
    nav_title = next((e.entry.label for e in rendered.entries if e.entry.role == "toc"),
                     "Contents")
    out.add_item(epub.EpubNcx())
    out.add_item(epub.EpubNav(title=nav_title))
    out.spine = documents
    writer = _Writer(str(target), out, {"mtime": build_datetime(), "epub2_guide": True},
                     lang=book.language,
                     nav=nav_document(book, nav_title, toc, landmarks, pages),
                     ncx=ncx_document(book, book.unique_identifier.urn, toc, pages))
    writer.process()
    writer.write()


def _print_map(book: Book, target: Path, options: BuildOptions) -> dict:
    """The page map of the print edition built in the same run (--target ebook with a print
    target), when the source gives no pages of its own; else empty."""
    if not options.page_source or any(e.pages for e in book.entries):
        return {}
    from ..core.targets import TARGETS
    from .printpages import load_map

    pdf = target.parent / TARGETS[options.page_source].file_name(book.slug)
    return load_map(pdf.with_name(pdf.stem + ".pages.json"))


def page_list_complete(book: Book) -> bool:
    """The source gives pages for every entry it wrote (the generated title page and contents
    have none of their own text to mark)."""
    written = [e for e in book.entries if e.role not in ("titlepage", "toc")]
    return bool(written) and all(e.pages for e in written)


def _free(name: str, taken: set[str]) -> str:
    stem, dot, ext = name.rpartition(".")
    n = 1
    while name in taken:
        n += 1
        name = f"{stem}-{n}{dot}{ext}"
    return name


def _safe_id(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text)


def _drawn_cover(book: Book, cache: Cache | None) -> bytes:
    """The typographic cover, from the cache when the words on it are those drawn before
    (its PNG, optimised, takes a tenth of a second: a fifth of an EPUB after an edit)."""
    key = [book.title, book.subtitle, book.publisher, [c.name for c in book.authors],
           [book.series.title, book.series.position] if book.series else None]
    png = cache.get("epub-cover", key) if cache is not None else None
    if png is None:
        png = typographic_cover(book)
        if cache is not None:
            cache.put("epub-cover", key, png)
    return png


def _cover_image(out: epub.EpubBook, rendered: RenderedBook,
                 image_items: dict[Path, epub.EpubItem], generated_name: str,
                 cache: Cache | None) -> str:
    """Add the cover image (the source's, or a generated one) and return its href."""
    book = rendered.book
    if book.cover_path is None:
        item = epub.EpubItem(uid="cover-image", file_name=generated_name, media_type="image/png",
                             content=_drawn_cover(book, cache))
        out.add_item(item)
    elif book.cover_path in image_items:  # the cover is also shown inside the book
        item = image_items[book.cover_path]
    else:
        media = media_type(book.cover_path) or "image/jpeg"
        rel = image_name(book.cover_path.relative_to(book.source_dir.resolve()).as_posix(), media)
        item = epub.EpubItem(uid="cover-image", file_name=rel, media_type=media,
                             content=book.cover_path.read_bytes())
        out.add_item(item)
    item.properties = ["cover-image"]
    # EPUB 2 reading systems (older Kindles among them) find the cover by this meta.
    out.add_metadata(None, "meta", "", {"name": "cover", "content": item.id})
    return item.file_name


def _cover_page(rendered: RenderedBook, image_href: str) -> bytes:
    book = rendered.book
    root = skeleton("Cover", book.language, "")
    section = etree.SubElement(root.find(f"{X}body"), f"{X}section",
                               {"class": "cover", EPUB_TYPE: "cover"})
    etree.SubElement(section, f"{X}img", {"src": "../" + image_href, "role": "doc-cover",
                                          "alt": cover_alt(book)})
    return serialise(root)


def cover_alt(book: Book) -> str:
    """The words a cover shows, which is what its alternative text should say."""
    return f"{book.full_title} — {book.author_line}"


def _toc_point(rendered: RenderedEntry, owners: dict[str, str]) -> NavPoint:
    href = file_of(rendered.id)
    point = NavPoint(rendered.entry.label, href)
    point.children = nest([(h.level, h.title, f"{file_of(owners.get(h.id, rendered.id))}#{h.id}")
                           for h in rendered.headings])
    return point


def _landmarks(rendered: RenderedBook, cover_page: str) -> list[Landmark]:
    marks = [Landmark("cover", "cover", "Cover", cover_page)]
    for entry in rendered.entries:
        if entry.entry.role == "toc":
            marks.append(Landmark("toc", "toc", entry.entry.label, file_of(entry.id)))
            break
    body = next((e for e in rendered.entries if e.entry.kind == "chapter"), None)
    if body:
        marks.append(Landmark("bodymatter", "text", body.entry.label, file_of(body.id)))
    for entry in rendered.entries:
        kind = LANDMARK_ROLES.get(entry.entry.role or "")
        if kind and kind != "toc":
            marks.append(Landmark(kind, kind, entry.entry.label, file_of(entry.id)))
    return marks
