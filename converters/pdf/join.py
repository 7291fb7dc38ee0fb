"""The parts of the PDF (see parallel.py), each a tagged PDF from WeasyPrint, joined into one
and finished (post.Finishing) in the same pass.

The first part's catalog, metadata and PDF/UA or PDF/A identification stay.  Every part's
kept pages follow, and from their pieces one of each of what a single WeasyPrint document
would have written:

- one structure tree: every part's top-level structure elements under one Document
  element, and one parent tree, whose keys each part takes from its own range of object
  numbers (pdfout.py): a page's key is the range's first number plus the page's index in the
  part, its link annotations' follow its pages' (WeasyPrint numbers one document's so, from
  0); keys need only be unique, and these do not move when a part before them changes;
- one outline: the parts' bookmarks in order, nested by their levels (``bookmark-level``, as
  the worker read them) as WeasyPrint nests one document's, so a chapter in a part of its own
  still nests under its book part's title;
- one name tree of destinations, which WeasyPrint's links use (``/Dest (name)``), so a link
  into another part resolves.  A part's links to other parts have stand-in anchors on the
  part's last page, which is not kept (see parallel.py); so are the stand-ins.

Memory: one part is open at a time.  qpdf writes what the book keeps of it (pdfout.serialize:
the objects reachable from its kept pages and tree pieces, streams as they are) and its
objects go to the output file at once (pdfout.Out), so the joined PDF is never whole in
memory; only the numbers of what the trees of the whole book point at are kept, and those
trees are written last.

Cache: what a part brings (a ``pdfout.Piece`` and its share of the book's trees) is kept in
the build cache under the key of the part's file and its first object number; after an edit,
the parts that did not change and did not move are copied in as they were written, without
being opened.  The first part, which holds the catalog and the book's page count, is always
written afresh.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Array, Dictionary, Name
from weasyprint.anchors import make_page_bookmark_tree
from weasyprint.matrix import Matrix

from .pdfout import Out, Piece, serialize

if TYPE_CHECKING:
    from ..core.cache import Cache
    from .post import Finishing


@dataclass(frozen=True)
class PartFile:
    path: Path
    keep: int  # the first ``keep`` pages are the book's; the rest are not
    # (bookmark-level, state) of each bookmark on its kept pages, in order; None: unknown
    bookmarks: list | None = None
    key: str | None = None  # what the file is made from (parallel.py); None: not cached


@dataclass
class _Book:
    """The book's numbers of what its trees point at, gathered part by part."""

    total: int  # pages
    pages: list[int]
    kids: list[int]
    nums: list[tuple[int, int]]  # (parent tree key, a page's array of elements or a link's)
    names: dict[str, int]  # destination name: its destination array
    marks: list[tuple[bytes, int]]  # the outline's (title, destination array)
    levels: list

    def take(self, share: dict) -> None:
        """A part's share of the trees (``_bring_part``), in the part's order."""
        self.pages += share["pages"]
        self.kids += share["kids"]
        self.nums += [(key, number) for key, number in share["nums"]]
        for name, number in share["names"]:
            self.names.setdefault(name, number)  # the first part holding a name has it
        self.marks += [(title.encode("latin-1"), number) for title, number in share["marks"]]
        self.levels += share["levels"]


def join(files: list[PartFile], target: Path, finish: Finishing | None = None,
         cache: Cache | None = None, identifier: bytes | None = None) -> None:
    """The parts joined into ``target``; ``finish``: post.py's pages and metadata, added as
    each part passes (without it, the joined file is left as WeasyPrint's parts have it);
    ``cache``: where the parts' pieces are kept (see above); ``identifier``: the first half
    of the file's /ID (pdfx.file_identifier; None: the digest of the file, as the second)."""
    book = _Book(sum(f.keep for f in files), [], [], [], {}, [], [])
    with pikepdf.open(files[0].path) as first:
        version = first.pdf_version
    out = Out(target, version)
    try:
        _join_into(out, files, book, finish, cache, identifier)
    except BaseException:
        out.abort()  # no half-written edition left behind
        raise


def _join_into(out: Out, files: list[PartFile], book: _Book, finish: Finishing | None,
               cache: Cache | None, identifier: bytes | None) -> None:
    # Numbered ahead: parts point at them, they are written once every part is read.
    ahead = {key: out.reserve() for key in ("Pages", "Document", "StructTreeRoot",
                                            "Outlines", "Names")}
    catalog = info = None
    for index, part in enumerate(files):
        key = None if index == 0 or cache is None or part.key is None else [
            part.key, part.keep, part.bookmarks, out.count,
            None if finish is None else finish.bleed_mm]
        kept = _unpack(cache.get("pdf-piece", key)) if key is not None else None  # type: ignore[union-attr]
        if kept is not None and kept[0].base == out.count:
            out.put_piece(kept[0])
            book.take(kept[1])
            continue
        with pikepdf.open(part.path) as src:
            piece, share, found = _bring_part(out, src, part, ahead, finish,
                                              None if index else book.total)
        book.take(share)
        if key is not None:
            cache.put("pdf-piece", key, _pack(piece, share))  # type: ignore[union-attr]
        if found is not None:
            catalog, info = found
    tree, document = ahead["StructTreeRoot"], ahead["Document"]
    out.write(ahead["Pages"], b"<< /Type /Pages /Count %d /Kids [ %s ] >>"
              % (book.total, _refs(book.pages)))
    out.write(document, b"<< /Type /StructElem /S /Document /P %d 0 R /K [ %s ] >>"
              % (tree, _refs(book.kids)))
    parent_tree = out.reserve()
    nums = b" ".join(b"%d %d 0 R" % pair for pair in book.nums)  # in order: see _bring_part
    out.write(parent_tree, b"<< /Nums [ %s ] >>" % nums)
    out.write(tree, b"<< /Type /StructTreeRoot /K [ %d 0 R ] /ParentTree %d 0 R "
              b"/ParentTreeNextKey %d >>" % (document, parent_tree,
                                             book.nums[-1][0] + 1 if book.nums else 0))
    _write_outline(out, ahead["Outlines"], book.marks, book.levels)
    dests = out.reserve()
    ordered = sorted(book.names, key=lambda n: n.encode("utf-8"))
    out.write(dests, b"<< /Names [ %s ] >>" % b" ".join(
        pikepdf.String(name).unparse() + b" %d 0 R" % book.names[name] for name in ordered))
    out.write(ahead["Names"], b"<< /Dests %d 0 R >>" % dests)
    assert catalog is not None
    out.close(catalog, info, identifier)


# What the first part's catalog points at that is the book's, written last.
_IN_CATALOG = ("StructTreeRoot", "Outlines", "Names")


def _refs(numbers: list[int]) -> bytes:
    return b" ".join(b"%d 0 R" % n for n in numbers)


def _pack(piece: Piece, share: dict) -> bytes:
    """A piece and its share of the trees, as the cache keeps them."""
    head = json.dumps({"base": piece.base, "size": piece.size, "whole": piece.whole,
                       "share": share}).encode("utf-8")
    return len(head).to_bytes(4, "big") + head + piece.rows + piece.data


def _unpack(data: bytes | None) -> tuple[Piece, dict] | None:
    if data is None or len(data) < 4:
        return None
    at = 4 + int.from_bytes(data[:4], "big")
    try:
        head = json.loads(data[4:at])
        rows = data[at: at + 7 * head["size"]]
        piece = Piece(head["base"], head["size"], data[at + len(rows):], rows,
                      tuple(head["whole"]))
    except (ValueError, KeyError, TypeError):
        return None  # damaged: a miss, as the cache's own are
    return piece, head["share"]


def _bring_part(out: Out, src: pikepdf.Pdf, part: PartFile, ahead: dict,
                finish: Finishing | None, total: int | None) -> tuple[Piece, dict, tuple | None]:
    """One part's kept pages and its pieces of the trees written: the piece, the part's share
    of the book's trees (``_Book.take``), and for the first part (``total``: the book's
    pages; None for the others) the catalog's and document info's numbers (else None)."""
    pages = list(src.pages)
    kept_pages = [page.obj for page in pages[: part.keep]]
    dropped = {p.objgen for p in pages[part.keep:]}
    base = out.count  # where out.part numbers the part's objects and its parent tree keys
    old_document = src.Root.StructTreeRoot.K[0]
    kept = [kid for kid in old_document.K if not _on_dropped(kid, dropped)]
    # The part's Document stands for the book's (written last): its kids and the elements of
    # the running heads and folios (WeasyPrint tags margin boxes as children of the Document
    # that its /K leaves out) point up to it.  Emptied, it leads to no dropped page.
    old_document.K = Array()
    if "/P" in old_document:
        del old_document.P
    tree_nums = list(src.Root.StructTreeRoot.ParentTree.Nums)
    by_key = {int(tree_nums[i]): tree_nums[i + 1] for i in range(0, len(tree_nums), 2)}
    pages_stand_in = src.make_indirect(Dictionary())
    for n, page in enumerate(kept_pages):
        page.Parent = pages_stand_in
        if n in by_key:
            page.StructParents = base + n
    marked = [n for n in range(part.keep) if n in by_key]
    linked = []  # link annotations' elements, their keys after the part's pages
    for page in kept_pages:
        for annot in page.get("/Annots", ()):
            if "/StructParent" in annot and int(annot.StructParent) in by_key:
                linked.append(by_key[int(annot.StructParent)])
                annot.StructParent = base + part.keep + len(linked) - 1
    dests = src.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
    named = [(str(dests[i]), dests[i + 1]) for i in range(0, len(dests), 2)
             if dests[i + 1][0].objgen not in dropped]
    found: list = []
    if "/Outlines" in src.Root and "/First" in src.Root.Outlines:
        _flatten(src.Root.Outlines.First, 1, found)
    if finish is not None:
        finish.pages(src, kept_pages)
    roots = [pages_stand_in, old_document, *kept_pages, *kept,
             *(by_key[n] for n in marked), *linked, *(dest for _, dest in named),
             *(item.Dest for item, _, _ in found)]
    if total is not None:
        if finish is not None:
            finish.document(src, total)
        root, info = src.Root, src.docinfo
        stand_ins = {key: src.make_indirect(Dictionary()) for key in _IN_CATALOG}
        for key, stand_in in stand_ins.items():
            root[Name("/" + key)] = stand_in
        root.Pages = pages_stand_in
        roots += [*stand_ins.values(), root, info]
    roots = [obj if obj.is_indirect else src.make_indirect(obj) for obj in roots]
    objects, numbers = serialize(src, roots)
    fixed = {numbers[0]: ahead["Pages"], numbers[1]: ahead["Document"]}
    if total is not None:
        at = -2 - len(_IN_CATALOG)
        for key, number in zip(_IN_CATALOG, numbers[at:-2], strict=True):
            fixed[number] = ahead[key]
    written, piece = out.part(objects, fixed, part.keep + len(linked))
    it = iter(written[n - 1] for n in numbers[2:])
    share = {"pages": [next(it) for _ in kept_pages], "kids": [next(it) for _ in kept]}
    # The pages' keys, then the links': in order, as the parent tree lists them.
    share["nums"] = [(base + n, next(it)) for n in marked] + [
        (base + part.keep + k, next(it)) for k in range(len(linked))]
    share["names"] = [(name, next(it)) for name, _ in named]
    share["marks"] = [(item.Title.unparse().decode("latin-1"), next(it))
                      for item, _, _ in found]
    # Without the worker's levels, the part's own tree (each part then starts at the top).
    share["levels"] = (part.bookmarks if part.bookmarks is not None and
                       len(part.bookmarks) == len(found) else
                       [[level, state] for _, level, state in found])
    if total is not None:
        return piece, share, (written[numbers[-2] - 1], written[numbers[-1] - 1])
    return piece, share, None


def _on_dropped(kid: pikepdf.Object, dropped: set[tuple[int, int]]) -> bool:
    """Whether a top-level structure element marks content on a page that is not kept.

    WeasyPrint tags page by page (weasyprint/pdf/tags.py): a top-level element and all below
    it belong to its /Pg, so the walk down is only for an element without one."""
    page = kid.get("/Pg")
    return page.objgen in dropped if page is not None else _touches(kid, dropped)


def _touches(element: pikepdf.Object, dropped: set[tuple[int, int]], depth: int = 0) -> bool:
    """Whether a structure element marks content on a page that is not kept."""
    if not isinstance(element, pikepdf.Dictionary) or depth > 50:
        return False
    page = element.get("/Pg")
    if page is not None and page.objgen in dropped:
        return True
    children = element.get("/K")
    if isinstance(children, pikepdf.Array):
        return any(_touches(child, dropped, depth + 1) for child in children)
    return _touches(children, dropped, depth + 1) if children is not None else False


def _write_outline(out: Out, root: int, marks: list, levels: list) -> None:
    """The outline of the bookmarks ``marks`` (title, destination), in order, nested by their
    ``levels`` ([bookmark-level, state]); /Count as WeasyPrint writes it (open items)."""
    items = _place(out, _tree(levels) if marks else [], root, marks)
    ends = b" /First %d 0 R /Last %d 0 R" % (items[0][0], items[-1][0]) if items else b""
    count = sum(1 + max(c, 0) for _, c in items)
    out.write(root, b"<< /Type /Outlines%s /Count %d >>" % (ends, count))


def _place(out: Out, trees: list, parent: int, marks: list) -> list[tuple[int, int]]:
    """Each of ``trees`` written as an outline item under ``parent``: (number, /Count)."""
    numbers = [out.reserve() for _ in trees]
    placed = []
    for i, ((mark, _, children, state), number) in enumerate(zip(trees, numbers, strict=True)):
        below = _place(out, children, number, marks)
        title, dest = marks[mark]
        count = sum(1 + max(c, 0) for _, c in below)
        if state == "closed":
            count = -count
        entries = [b"/Title " + title, b"/Dest %d 0 R" % dest, b"/Parent %d 0 R" % parent]
        if i:
            entries.append(b"/Prev %d 0 R" % numbers[i - 1])
        if i + 1 < len(numbers):
            entries.append(b"/Next %d 0 R" % numbers[i + 1])
        if below:
            entries.append(b"/First %d 0 R /Last %d 0 R" % (below[0][0], below[-1][0]))
        entries.append(b"/Count %d" % count)
        out.write(number, b"<< " + b" ".join(entries) + b" >>")
        placed.append((number, count))
    return placed


def _flatten(item: pikepdf.Object | None, depth: int, out: list) -> None:
    """A part's outline items in document order (WeasyPrint writes them so): (item, depth,
    state)."""
    while item is not None:
        out.append((item, depth, "closed" if int(item.get("/Count", 0)) < 0 else "open"))
        _flatten(item.get("/First"), depth + 1, out)
        item = item.get("/Next")


class _Page:
    """What WeasyPrint's make_page_bookmark_tree reads of a page: its bookmarks."""

    def __init__(self, levels: list) -> None:
        # The label is the bookmark's number in the book, to find its item again.
        self.bookmarks = [(int(level), n, (0, 0), state)
                          for n, (level, state) in enumerate(levels)]


def _tree(levels: list) -> list:
    """The bookmarks nested as WeasyPrint nests one document's: (number, (page, x, y),
    children, state) subtrees."""
    root: list = []
    make_page_bookmark_tree(_Page(levels), [], [root], 0, 0, Matrix())
    return root
