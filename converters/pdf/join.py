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

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pikepdf
from pikepdf import Array, Dictionary, Name
from weasyprint.anchors import make_page_bookmark_tree
from weasyprint.matrix import Matrix

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class PartFile:
    path: Path
    keep: int  # the first ``keep`` pages are the book's; the rest are not
    # (bookmark-level, state) of each bookmark on its kept pages, in order; None: unknown
    bookmarks: list | None = None


def join(files: list[PartFile], target: Path,
         finish: Callable[[pikepdf.Pdf], None] | None = None) -> None:
    """The parts joined into ``target``, ``finish`` (post.finish_pdf's work) done on the joined
    document before its one save.

    Every part stays open until then: qpdf copies a stream's data from its part's file as it
    writes, so the pages' contents, fonts and images never sit in memory all at once."""
    with ExitStack() as stack:
        base = stack.enter_context(pikepdf.open(files[0].path))
        _join_into(base, files, stack)
        if finish is not None:
            finish(base)
        # Object streams, as WeasyPrint writes them: the structure tree is many small objects.
        base.save(target, deterministic_id=True,
                  object_stream_mode=pikepdf.ObjectStreamMode.generate)


def _join_into(base: pikepdf.Pdf, files: list[PartFile], stack: ExitStack) -> None:
    tree = base.Root.StructTreeRoot
    document = tree.K[0]
    # Python lists, made into arrays once: pikepdf's Array.extend copies the whole array.
    kids: list = []
    nums: list = []
    annots: list[tuple[pikepdf.Object, pikepdf.Object]] = []
    names: dict[str, object] = {}
    marks: list[tuple[pikepdf.Object, pikepdf.Object]] = []  # the outline's (title, dest)
    levels: list = []
    for index, part in enumerate(files):
        src = base if index == 0 else pikepdf.open(part.path)
        _bring_part(base, src, part, document, kids, nums, annots, names, marks, levels)
        del src
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
                kids: list, nums: list, annots: list, names: dict, marks: list,
                levels: list) -> None:
    """One part's kept pages and its pieces of the trees brought into ``base``: the pages
    first, then everything else in one copy (qpdf remembers what it copied of a file, so the
    elements' /Pg point at the pages brought)."""
    pages = list(src.pages)
    dropped = {p.objgen for p in pages[part.keep:]}
    if src is base:
        del base.pages[part.keep:]  # still objects: the old trees are replaced below
        offset = 0
    else:
        offset = len(base.pages)
        for page in pages[: part.keep]:  # extend() warns of what join() does itself
            base.pages.append(page)
    old_document = src.Root.StructTreeRoot.K[0]
    kept = [kid for kid in old_document.K if not _on_dropped(kid, dropped)]
    # Every link up to the part's Document cut before anything is copied: an element copied
    # through another's references with its /P would bring the part's whole old tree along.
    for kid in kept:
        if "/P" in kid:
            del kid.P
    if src is not base:
        # The elements of the running heads and folios (WeasyPrint tags margin boxes as
        # children of the Document that its /K leaves out) still point up to the part's
        # Document: it comes as an empty element, not with its tree, the dropped page's.
        old_document.K = Array()
        del old_document.P
    tree_nums = list(src.Root.StructTreeRoot.ParentTree.Nums)
    by_key = {int(tree_nums[i]): tree_nums[i + 1] for i in range(0, len(tree_nums), 2)}
    new_pages = [page.obj for page in base.pages[offset:]]
    marked = [n for n in range(part.keep) if n in by_key]
    linked = [(annot, int(annot.StructParent)) for page in new_pages
              for annot in page.get("/Annots", ())
              if "/StructParent" in annot and int(annot.StructParent) in by_key]
    dests = src.Root.get("/Names", {}).get("/Dests", {}).get("/Names", [])
    named = [(str(dests[i]), dests[i + 1]) for i in range(0, len(dests), 2)
             if dests[i + 1][0].objgen not in dropped and str(dests[i]) not in names]
    found: list = []
    if "/Outlines" in src.Root and "/First" in src.Root.Outlines:
        _flatten(src.Root.Outlines.First, 1, found)
    wanted = [*kept, *(by_key[n] for n in marked), *(by_key[key] for _, key in linked),
              *(dest for _, dest in named), *(item.Dest for item, _, _ in found)]
    if src is not base:
        wanted.append(old_document)
        # One call: qpdf walks what it copies once, not once per object asked for.
        wanted = list(base.copy_foreign(src.make_indirect(Array(wanted))))
        wanted.pop().P = base.Root.StructTreeRoot
    it = iter(wanted)
    for _ in kept:
        new = next(it)
        new.P = document
        kids.append(new)
    for n in marked:
        nums.extend([offset + n, next(it)])
        new_pages[n].StructParents = offset + n
    annots.extend((annot, next(it)) for annot, _ in linked)
    names.update((name, next(it)) for name, _ in named)
    marks.extend((item.Title, next(it)) for item, _, _ in found)
    # Without the worker's levels, the part's own tree (each part then starts at the top).
    levels.extend(part.bookmarks if part.bookmarks is not None and
                  len(part.bookmarks) == len(found) else
                  [[level, state] for _, level, state in found])


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
