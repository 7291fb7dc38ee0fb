"""Manuscript blocks the editions must set as a book does: scene breaks, small caps, epigraphs.

Run on the checked AST just before the HTML is written, so the attributes added here (roles,
classes) are ours, not the author's.  Verse (pandoc's line blocks) needs no rewriting: pandoc
writes ``div.line-block`` with its indents as no-break spaces, and each edition sets it ragged.
"""

from __future__ import annotations

from .markdown_ast import walk

SCENE_BREAK = "* * *"
EM_DASHES = ("\u2014", "\u2015")


def rewrite(blocks: list, nodes: list[dict] | None = None) -> list:
    """Scene breaks, epigraphs and all-capital small caps, anywhere in ``blocks``.

    ``nodes``: the elements of ``blocks`` in order, if the caller has walked them already (the
    divisions made here hold nothing this looks for)."""
    blocks = _scene_breaks(blocks)
    for node in walk(blocks) if nodes is None else nodes:
        kind = node["t"]
        if kind == "Div" and "epigraph" in node["c"][0][1]:
            _epigraph(node)
        elif kind in ("Div", "BlockQuote", "Note"):
            content = node["c"][1] if kind == "Div" else node["c"]
            content[:] = _scene_breaks(content)
    for node in [n for n in (walk(blocks) if nodes is None else nodes) if n["t"] == "SmallCaps"]:
        if _all_capitals(node["c"]):
            # [NASA]{.smallcaps}: the font's small capitals for capitals too (c2sc), or the
            # letters would stay full-size; a mixed word keeps its capitals (smcp alone).
            node["t"], node["c"] = "Span", [["", ["all-caps"], []],
                                             [{"t": "SmallCaps", "c": node["c"]}]]
    return blocks


def _scene_breaks(blocks: list) -> list:
    """A horizontal rule (``* * *``, ``---``) is a scene break: a centred ornament."""
    out = []
    for block in blocks:
        if isinstance(block, dict) and block.get("t") == "HorizontalRule":
            block = {"t": "Div", "c": [["", ["scene-break"], [["role", "separator"]]],
                                       [{"t": "Plain", "c": [{"t": "Str", "c": SCENE_BREAK}]}]]}
        out.append(block)
    return out


def _epigraph(node: dict) -> None:
    """``::: epigraph``: its last paragraph, if it opens with a dash, is the attribution."""
    attr, content = node["c"]
    attr[2] = [kv for kv in attr[2] if kv[0] != "role"] + [["role", "doc-epigraph"]]
    if not content:
        return
    last = content[-1]
    if last["t"] == "Div" and "attribution" in last["c"][0][1]:
        return
    if last["t"] == "Para" and last["c"] and last["c"][0]["t"] == "Str" \
            and last["c"][0]["c"].startswith(EM_DASHES):
        content[-1] = {"t": "Div", "c": [["", ["attribution"], []], [last]]}


def _all_capitals(inlines: list) -> bool:
    letters = "".join(n["c"] for n in walk(inlines) if n["t"] == "Str")
    return any(c.isalpha() for c in letters) and letters.upper() == letters
