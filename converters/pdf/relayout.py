"""A part's later layout passes re-make only the pages a fix changes (parallel.make_lay).

After a full layout the passes (inparts.settle) name fixes: a paragraph turned to a new page
(writer._footnote_turns), words set whole (hyphenation.py), a paragraph set looser or tighter
(spreads.py).  Laying the part out again from fresh HTML costs as much as the first layout;
instead each fix is made to the first layout's box tree, which WeasyPrint keeps for this very
purpose (its own pagination re-makes the pages whose ``page_maker`` entry says
``content_changed``, and stops once a page starts as it did before), and the pages from the
one where the changed paragraph starts (the one before if it opens its page, see _on_top) to
the one where it ends are marked changed:

- a turn: ``break_before = 'page'`` on the paragraph's box, or the headings' just above it
  (writer._turn, which the class ``turn`` does in pdf.css);
- looser or tighter: the paragraph's ``word_spacing`` and that of every box beneath it (its
  footnotes too) that inherits it, as pdf.css's ``.loose``/``.tight`` would compute it;
- a word set whole: the text box holding it split so that the word is a text box of its own,
  with ``hyphens: manual`` (hyphenation.apply's span).

WeasyPrint keeps no record of what a page inherits from the one before besides its
``page_maker`` entry: the footnotes carried over (``reported_footnotes``) are recorded here
after every page made, and given back before a page is re-made after one that was kept.  A
part whose layout uses what this does not carry over (floats or absolutes broken across pages,
fixed boxes), or a fix the tree cannot take (a paragraph with its own word-spacing or
``::first-line`` style, a box not found), is laid out afresh instead (``Kept.step`` returns
None).  Follows WeasyPrint 70 (``Document._render``, ``layout.layout_document``,
``layout.page.make_all_pages``), pinned in pyproject.toml.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import pairwise

import weasyprint
from weasyprint import DEFAULT_OPTIONS
from weasyprint.css import ComputedStyle
from weasyprint.css.counters import CounterStyle
from weasyprint.document import Document, DocumentMetadata, Page
from weasyprint.formatting_structure.boxes import FootnoteAreaBox, LineBox, MarginBox, TextBox
from weasyprint.formatting_structure.build import build_formatting_structure
from weasyprint.html import get_html_metadata
from weasyprint.layout import initialize_page_maker, layout_fixed_boxes
from weasyprint.layout.background import layout_backgrounds
from weasyprint.layout.page import make_all_pages, make_margin_boxes
from weasyprint.pdf import VARIANTS
from weasyprint.text.fonts import FontConfiguration

from . import hyphenation, spreads

HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# pdf.css's .loose and .tight word spacing, in em of the paragraph's font size.
WORD_SPACING = {spreads.LOOSE: spreads.SPACE_EM[spreads.LOOSE],
                spreads.TIGHT: -spreads.SPACE_EM[spreads.TIGHT]}
MAX_LOOPS = 8  # layout_document's


@dataclass
class Kept:
    """A laid-out part with what re-making its pages needs."""

    document: Document
    context: object
    html: weasyprint.HTML
    root_box: object
    footnotes: list  # every footnote box, in the order the build found them
    carried: list[list]  # carried[i]: the footnotes reported onto page i (0-based)
    safe: bool = True  # nothing carried across pages that ``carried`` does not hold
    remade: list[int] = field(default_factory=list)  # pages made by each layout

    def step(self, fixes: dict) -> Kept | None:
        """The fixes of one pass made to the tree and the pages they change re-made; None if
        the tree cannot take them (then the pass is a fresh layout)."""
        if not self.safe:
            return None
        changes = _changes(self, fixes)
        marked = None if changes is None else _pages_of(
            self.document.pages, [elements for _, elements in changes])
        if changes is None or marked is None:
            return None
        for apply, _ in changes:
            apply()
        maker = self.context.page_maker  # type: ignore[attr-defined]
        for first, last in marked:
            for i in range(first, last + 1):
                maker[i][4]["content_changed"] = True
        return _paginate(self, [page._page_box for page in self.document.pages])


def render(html: weasyprint.HTML, **options: object) -> Kept:
    """``html.render(**options)``, keeping its box tree, context and per-page carry-overs."""
    full = {**DEFAULT_OPTIONS, **options}
    font_config = full.pop("font_config", None) or FontConfiguration()
    if variant := full["pdf_variant"]:  # as Document._render
        for key, value in tuple(full.items()):
            if value is None and key in VARIANTS[variant][1]:
                full[key] = VARIANTS[variant][1][key]
    context = Document._build_layout_context(html, font_config, CounterStyle(), {}, full)
    root_box = build_formatting_structure(
        html.etree_element, context.style_for, context.get_image_from_uri, html.base_url,
        context.target_collector, context.counter_style, context.footnotes)
    initialize_page_maker(context, root_box)
    document = Document([], DocumentMetadata(**get_html_metadata(html)), html.url_fetcher,
                        font_config, {}, full["output_intent"])
    document._html = html
    kept = Kept(document, context, html, root_box, list(context.footnotes), [[]])
    return _paginate(kept, [])


def _paginate(kept: Kept, old: list) -> Kept:
    """layout_document's loop and finishing over ``old`` pages (all made if none)."""
    context = kept.context
    carried, made, fresh = kept.carried, 0, set()
    for _ in range(MAX_LOOPS):
        context.footnotes = list(kept.footnotes)  # as layout_document's later loops
        total = len(old)
        pages, now = [], [[]]
        for i, page in enumerate(make_all_pages(context, kept.root_box, kept.html, old)):
            pages.append(page)
            if i < len(old) and page is old[i]:  # kept: what it carries over is as before
                now.append(list(carried[i + 1]))
                context.reported_footnotes = list(carried[i + 1])
            else:
                made += 1
                fresh.add(id(page))
                now.append(list(context.reported_footnotes))
                # WeasyPrint keeps the next page if it starts where it did, whatever
                # footnotes it is handed now: it must be made again if they are others.
                if i + 1 < len(old) and list(map(id, now[-1])) != list(map(id, carried[i + 1])):
                    context.page_maker[i + 1][4]["content_changed"] = True
                kept.safe = kept.safe and not context.broken_out_of_flow and not (
                    page.fixed_boxes)
        old, carried = pages, now
        again = False
        for _, _, _, page_state, remake_state in context.page_maker:
            page_state[1]["pages"] = [len(pages)]
            again = again or remake_state["content_changed"] or (
                remake_state["pages_wanted"] and total != len(pages))
        if not again:
            break
    kept.safe = kept.safe and not context.target_collector.counter_lookup_items
    kept.carried = carried
    kept.remade = [*kept.remade, made]
    _finish(context, old, fresh)
    document = kept.document
    kept.document = Document([Page(box) for box in old], document.metadata,
                             document.url_fetcher, document.font_config,
                             document.color_profiles, document.output_intent)
    kept.document._html = kept.html
    return kept


def _finish(context: object, pages: list, fresh: set[int]) -> None:
    """layout_document's string sets, bookmark labels and margin boxes, for every page (a
    kept page's margin boxes are made again: its running head may be another's now)."""
    context.string_set = defaultdict(lambda: defaultdict(list))
    watch: dict[str, list] = {"before": [], "after": [], "": []}
    for i, page in enumerate(pages):
        values = context.page_maker[i + 1][3][1]
        for child in page.descendants():
            if child.bookmark_label:  # one bookmark per element, as layout_document
                tag = child.element_tag
                checklist = watch["before" if tag.endswith("::before") else
                                  "after" if tag.endswith("::after") else ""]
                if child.element in checklist:
                    child.bookmark_label = ""
                else:
                    checklist.append(child.element)
            if child.missing_link:
                for (box, css_token), item in (
                        context.target_collector.counter_lookup_items.items()):
                    if child.missing_link == box and css_token != "content":
                        if css_token == "bookmark-label" and not child.bookmark_label:
                            continue
                        item.parse_again(values)
                        if css_token == "bookmark-label":
                            child.bookmark_label = box.bookmark_label
            string_sets = child.string_set
            if string_sets and string_sets != "none":
                for name, text in string_sets:
                    context.string_set[name][i + 1].append(text)
    for i, page in enumerate(pages):
        if id(page) in fresh:  # as make_page left it
            root, footnote_area, note_area = page.children
            root.children = [*layout_fixed_boxes(context, pages[:i], page), *root.children,
                             *layout_fixed_boxes(context, pages[i + 1:], page)]
            inner = [root] + [area for area in (footnote_area, note_area) if area.children]
        else:
            inner = [c for c in page.children if not isinstance(c, MarginBox)]
        context.current_page = i + 1
        page.children = (*inner, *make_margin_boxes(context, page, context.page_maker[i + 1][3]))
        layout_backgrounds(page, context.get_image_from_uri)


def _pages_of(pages: list, groups: list) -> list[tuple[int, int]] | None:
    """For each group of elements, the pages to make again: from the first holding a box of
    one of them (or the one before, see _on_top) to the last (None if a group is on no page)."""
    where: dict[int, list[int]] = {}
    for n, page in enumerate(pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None:
                where.setdefault(id(element), []).append(n)
    out = []
    for group in groups:
        found = [n for element in group for n in where.get(id(element), ())]
        if not found:
            return None
        first = min(found)
        if first and _on_top(pages[first], {id(element) for element in group}):
            first -= 1
        out.append((first, max(found)))
    return out


def _on_top(page: Page, group: set[int]) -> bool:
    """Whether the page's layout may have tried the group on the page before: nothing but
    headings (kept with what follows) comes before the group's first line, so the page before
    ended where the group starts, having laid out its first lines (and their footnotes) only
    to find they did not fit.  A group after other text on its page started after the page
    before was done with."""
    for child in page._page_box.children:
        if isinstance(child, (FootnoteAreaBox, MarginBox)):
            continue
        for box in child.descendants():
            if isinstance(box, LineBox):
                if id(box.element) in group:
                    return True
                if _tag(box.element) not in HEADINGS:
                    return False
    return True


def _changes(kept: Kept, fixes: dict) -> list | None:
    """(mutation, elements whose pages it changes) for every fix, or None if one cannot be
    made to the tree."""
    numbered, previous = {}, {}  # WeasyPrint's tree is an ElementTree: no getprevious()
    for parent in kept.html.etree_element.iter():
        if isinstance(parent.tag, str) and parent.get("data-n"):
            numbered[parent.get("data-n")] = parent
        for before, child in pairwise(parent):
            previous[id(child)] = before
    boxes: dict[int, object] = {}
    for box in kept.root_box.descendants():
        element = getattr(box, "element", None)
        if element is not None and box.element_tag == element.tag and id(element) not in boxes:
            boxes[id(element)] = box
    out: list = []
    for key in fixes.get("turns", ()):
        block = numbered.get(key)
        if block is None:
            return None
        target = block
        while (before := previous.get(id(target))) is not None and _tag(before) in HEADINGS:
            target = before
        if _tag(target) == "h1":  # writer._turn leaves an entry's opening alone
            continue
        box = boxes.get(id(target))
        if box is None or "break_before" in box.style.cascaded:
            return None
        out.append((_turn(box), [target, block]))
    words: dict[str, list[str]] = {}
    for key, word in fixes.get("nohyph", ()):
        words.setdefault(key, []).append(word)
    for key, group in words.items():
        block = numbered.get(key)
        if block is None or id(block) not in boxes:
            return None
        out.append((_whole(boxes[id(block)], group), list(block.iter())))
    style_for = kept.context.style_for  # type: ignore[attr-defined]
    for key, choice in (fixes.get("spacing") or {}).items():
        block = numbered.get(key)
        box = boxes.get(id(block)) if block is not None else None
        if box is None or choice not in WORD_SPACING or "word_spacing" in box.style.cascaded:
            return None
        if style_for(block, "first-line") or style_for(block, "first-letter"):
            return None
        out.append((_spacing(box, WORD_SPACING[choice] * box.style["font_size"]),
                    list(block.iter())))
    return out


def _tag(element: object) -> str:
    tag = element.tag  # type: ignore[attr-defined]
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _turn(box: object) -> Callable[[], None]:
    def apply() -> None:
        _own(box, {}, break_before="page")
    return apply


def _own(box: object, made: dict[int, object], **values: object) -> None:
    """``values`` in a style of the box's own: WeasyPrint shares one style among elements
    that cascade alike, and their anonymous boxes share its ``anonymous_style``."""
    old = box.style
    if id(old) not in made:
        made[id(old)] = old.copy()
        made[id(old)].update(values)
    box.style = made[id(old)]


def _spacing(box: object, value: float) -> Callable[[], None]:
    def apply() -> None:
        made: dict[int, object] = {}
        _own(box, made, word_spacing=value)
        _inherit(box, value, made)
    return apply


def _inherit(box: object, value: float, made: dict[int, object]) -> None:
    """``word_spacing`` on every box beneath ``box`` whose style inherits it."""
    for child in [*getattr(box, "children", ()), *filter(None, [getattr(box, "footnote", None)])]:
        style = child.style
        if isinstance(style, ComputedStyle) and "word_spacing" in style.cascaded:
            continue  # its own word spacing, which its own boxes inherit
        _own(child, made, word_spacing=value)
        _inherit(child, value, made)


def _whole(box: object, words: list[str]) -> Callable[[], None]:
    pattern = hyphenation.words_pattern(words)

    def apply() -> None:
        _split(box, pattern)
    return apply


def _split(box: object, pattern: re.Pattern[str]) -> None:
    """hyphenation.apply on boxes: each word a text box of its own that is never hyphenated
    (those already split are left alone, as apply leaves its spans)."""
    footnote = getattr(box, "footnote", None)
    if footnote is not None:
        _split(footnote, pattern)
    children = getattr(box, "children", None)
    if not children:
        return
    out = []
    for child in children:
        if isinstance(child, TextBox) and not getattr(child, "whole", False):
            out.extend(_pieces(child, pattern))
        else:
            _split(child, pattern)
            out.append(child)
    box.children = out


def _pieces(text_box: TextBox, pattern: re.Pattern[str]) -> list[TextBox]:
    parts = pattern.split(text_box.text)
    if len(parts) == 1:
        return [text_box]
    out = []
    for n, text in enumerate(parts):
        if not text:
            continue
        piece = text_box.copy_with_text(text)
        if n % 2:
            piece.style = text_box.style.copy()
            piece.style["hyphens"] = "manual"
            piece.whole = True
        out.append(piece)
    return out

def rounds_of(state: dict) -> list[dict]:
    """A part's state as the fixes of each pass after the first, in order (a state read from
    the cache was made by this code: the toolchain's digest salts every key)."""
    return [dict(fixes) for fixes in state.get("rounds", ())]


def merged(done: dict, fixes: dict) -> dict:
    """Every fix so far, as inparts.settle and adapt_part read it."""
    pairs = {tuple(pair) for pair in (*done.get("nohyph", ()), *fixes.get("nohyph", ()))}
    return {"turns": sorted({*done.get("turns", ()), *fixes.get("turns", ())}),
            "nohyph": sorted(map(list, pairs)),
            "spacing": {**(done.get("spacing") or {}), **(fixes.get("spacing") or {})}}
