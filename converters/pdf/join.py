"""The parts of the PDF (see parallel.py), each a tagged PDF from WeasyPrint, joined into one.

The first part's file is the base: its catalog, metadata and PDF/UA or PDF/A identification
stay.  Into it come the pages of every part, and from their pieces one of each of what a
single WeasyPrint document would have written:

- one structure tree: every part's top-level structure elements under the base's Document
  element, and one parent tree, renumbered (a page's key is its page index, as WeasyPrint
  numbers them; link annotations follow the pages);
- one outline: the parts' bookmarks in order, nested by their levels (``bookmark-level``, as
  the worker read them) as WeasyPrint nests one document's, so a chapter in a part of its own
  still nests under its book part's title;
- one name tree of destinations, which WeasyPrint's links use (``/Dest (name)``), so a link
  into another part resolves.  A part's links to other parts have stand-in anchors on the
  part's last page, which is not kept (see parallel.py); so are the stand-ins.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name
from weasyprint.anchors import make_page_bookmark_tree
from weasyprint.matrix import Matrix


@dataclass(frozen=True)
class PartFile:
    path: Path
    keep: int  # the first ``keep`` pages are the book's; the rest are not
    # (bookmark-level, state) of each bookmark on its kept pages, in order; None: unknown
    bookmarks: list | None = None


def join(files: list[PartFile], target: Path) -> None:
    with pikepdf.open(files[0].path) as base:
        _join_into(base, files)
        # Object streams, as WeasyPrint writes them: the structure tree is many small objects.
        base.save(target, deterministic_id=True,
                  object_stream_mode=pikepdf.ObjectStreamMode.generate)


def _join_into(base: pikepdf.Pdf, files: list[PartFile]) -> None:
    tree = base.Root.StructTreeRoot
    document = tree.K[0]
    # Python lists, made into arrays once: pikepdf's Array.extend copies the whole array.
    kids: list = []
    nums: list = []
    annots: list[tuple[pikepdf.Object, pikepdf.Object]] = []
    names: dict[str, object] = {}
    marks: list[tuple[pikepdf.Object, pikepdf.Object]] = []  # the outline's (title, dest)
    levels: list = []
    seen: set[tuple[int, int]] = set()
    for index, part in enumerate(files):
        src = base if index == 0 else pikepdf.open(part.path)
        try:
            _bring_part(base, src, part, document, kids, nums, annots, names, marks, levels,
                        seen)
        finally:
            if src is not base:
                src.close()
    total = len(base.pages)
    for j, (annot, element) in enumerate(annots):
        annot.StructParent = total + j
        nums.extend([total + j, element])
    _build_outline(base, marks, levels)
    document.K = Array(kids)
    tree.ParentTree = base.make_indirect(Dictionary(Nums=Array(nums)))
    tree.ParentTreeNextKey = total + len(annots)
    if names:
        ordered: list = []
        for name in sorted(names, key=lambda n: n.encode("utf-8")):
            ordered += [pikepdf.String(name), names[name]]
        base.Root.Names = Dictionary(Dests=base.make_indirect(Dictionary(Names=Array(ordered))))


def _bring_part(base: pikepdf.Pdf, src: pikepdf.Pdf, part: PartFile, document: pikepdf.Object,
                kids: list, nums: list, annots: list, names: dict, marks: list, levels: list,
                seen: set) -> None:
    """One part's kept pages and its pieces of the trees brought into ``base``, everything
    copied at once so that the part's file can be closed (one part open at a time)."""
    pages = list(src.pages)
    dropped = {p.objgen for p in pages[part.keep:]}
    if src is base:
        del base.pages[part.keep:]  # still objects: the old trees are replaced below
    offset = 0 if src is base else len(base.pages)

    def bring(obj: pikepdf.Object) -> pikepdf.Object:
        return obj if src is base else _copy(base, src, obj)

    if src is not base:
        for page in pages[: part.keep]:
            base.pages.append(page)
    for kid in list(src.Root.StructTreeRoot.K[0].K):
        if not _touches(kid, dropped):
            if "/P" in kid:
                del kid.P
            new = bring(kid)
            new.P = document
            kids.append(new)
    tree_nums = list(src.Root.StructTreeRoot.ParentTree.Nums)
    by_key = {int(tree_nums[i]): tree_nums[i + 1] for i in range(0, len(tree_nums), 2)}
    book = list(base.pages)  # indexing the page list walks it each time
    for n in range(part.keep):
        new_page = book[offset + n]
        if n in by_key:
            nums.extend([offset + n, bring(by_key[n])])
            new_page.obj.StructParents = offset + n
        for annot in new_page.obj.get("/Annots", []):
            key = annot.get("/StructParent")
            if key is not None and int(key) in by_key:
                annots.append((annot, bring(by_key[int(key)])))
    dests = src.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
    for i in range(0, len(dests), 2):
        name, dest = str(dests[i]), dests[i + 1]
        if dest[0].objgen not in dropped and name not in names:
            names[name] = bring(dest)
    found: list = []
    if "/Outlines" in src.Root and "/First" in src.Root.Outlines:
        _flatten(src.Root.Outlines.First, 1, found)
    marks.extend((item.Title, bring(item.Dest)) for item, _, _ in found)
    # Without the worker's levels, the part's own tree (each part then starts at the top).
    levels.extend(part.bookmarks if part.bookmarks is not None and
                  len(part.bookmarks) == len(found) else
                  [[level, state] for _, level, state in found])
    if src is not base:
        for page in book[offset:]:
            _localize(page.obj, seen)


def _localize(page: pikepdf.Object, seen: set[tuple[int, int]]) -> None:
    """The data of every stream a copied page uses (contents, fonts, images) read into the
    joined file now: qpdf reads a copied stream's data from its file when it is written, and
    the part's file is closed before that."""
    todo = [page]
    while todo:
        obj = todo.pop()
        if not isinstance(obj, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream)):
            continue  # numbers, names, strings: nothing below them
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Stream):
            obj.write(obj.read_raw_bytes(), filter=obj.get("/Filter"),
                      decode_parms=obj.get("/DecodeParms"), type_check=False)
            todo.extend(value for key, value in obj.items() if key not in _NOT_DOWN)
        elif isinstance(obj, pikepdf.Dictionary):
            if obj is not page and obj.get("/Type") == "/Page":
                continue
            todo.extend(value for key, value in obj.items() if key not in _NOT_DOWN)
        elif isinstance(obj, pikepdf.Array):
            todo.extend(obj)


# Keys that lead up or across (to pages, the structure tree), never to a page's streams.
_NOT_DOWN = frozenset({"/Parent", "/P", "/Dest", "/D", "/Pg", "/StructParent",
                       "/StructParents", "/Length"})


def _copy(base: pikepdf.Pdf, src: pikepdf.Pdf, obj: pikepdf.Object) -> pikepdf.Object:
    """``obj`` brought into ``base``; qpdf copies only indirect objects from another file."""
    return base.copy_foreign(obj if obj.is_indirect else src.make_indirect(obj))


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


def _build_outline(base: pikepdf.Pdf, marks: list, levels: list) -> None:
    """The outline of the bookmarks ``marks`` (title, destination), in order, nested by their
    ``levels`` ([bookmark-level, state])."""
    root = base.make_indirect(Dictionary(Type=Name.Outlines))
    items = [_nest(base, marks, tree, root) for tree in _tree(levels)] if marks else []
    _chain(root, items)
    if items:
        base.Root.Outlines = root
    elif "/Outlines" in base.Root:
        del base.Root.Outlines


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


def _nest(base: pikepdf.Pdf, marks: list, tree: tuple, parent: pikepdf.Object) -> pikepdf.Object:
    number, _, children, state = tree
    title, dest = marks[number]
    new = base.make_indirect(Dictionary(Title=title, Dest=dest, Parent=parent))
    _chain(new, [_nest(base, marks, child, new) for child in children])
    if state == "closed":
        new.Count = -abs(int(new.get("/Count", 0)))
    return new


def _chain(parent: pikepdf.Object, items: list[pikepdf.Object]) -> None:
    """Link ``items`` as ``parent``'s children; /Count as WeasyPrint writes it (open items)."""
    count = 0
    for i, item in enumerate(items):
        if i:
            item.Prev = items[i - 1]
            items[i - 1].Next = item
        count += 1 + max(int(item.get("/Count", 0)), 0)
    if items:
        parent.First, parent.Last = items[0], items[-1]
    parent.Count = count
