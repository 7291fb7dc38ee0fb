"""pandoc's failures on one Markdown file, as located errors naming that file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from ..core import limits
from ..core.errors import Location, Problem, SourceError
from ..source.limits import ast_depth
from .pandoc import PandocFailed, PandocLimit

# pandoc's AST is about four JSON levels per level of the Markdown's nesting, plus the inlines.
MAX_AST_DEPTH = 8 * limits.MAX_MARKDOWN_DEPTH + 64


def _refuse(path: Path, message: str, code: str) -> SourceError:
    return SourceError([Problem(Location(path), message, code)])


def checked(path: Path, call: Callable[[], str]) -> str:
    """``call()``; pandoc's failures become a located error naming ``path``."""
    try:
        return call()
    except PandocLimit as exc:
        raise _refuse(path, f"this file is too hard to parse ({exc}); look for deeply nested "
                      "brackets, quotes or lists, or split the file", "pandoc-limit") from None
    except PandocFailed as exc:
        raise _refuse(path, f"pandoc could not read this file: {exc}", "pandoc") from None


def decode(path: Path, text: str) -> dict:
    """pandoc's JSON AST of a Markdown file, its depth left to the caller (``too_deep``)."""
    try:
        return json.loads(text)
    except RecursionError:
        raise too_deep(path) from None


def too_deep(path: Path) -> SourceError:
    return _refuse(path, "this file nests quotes, lists, notes or emphasis too deeply "
                   f"(the limit is {limits.MAX_MARKDOWN_DEPTH} levels); flatten it", "too-deep")


def parse_json(path: Path, call: Callable[[], str]) -> dict:
    """pandoc's AST of a Markdown file, its depth checked before any recursive code sees it."""
    text = checked(path, call)
    try:
        ast = json.loads(text)
    except RecursionError:
        ast = None
    if ast is None or ast_depth(ast) > MAX_AST_DEPTH:
        raise too_deep(path)
    return ast


def to_html(path: Path, call: Callable[[], str]) -> str:
    return checked(path, call)


def ambiguous(target: str, owners: list[str]) -> str:
    forms = " or ".join(f"'#{owner}--{target}'" for owner in owners)
    return (f"link to '#{target}' is ambiguous: a heading in each of {len(owners)} entries has "
            f"that id; name the one you mean: {forms}")
