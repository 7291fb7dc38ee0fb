"""Checks of a source against the limits in core/limits.py, made before the work they protect.

All are loops over the text (never recursion, which deep nesting is designed to exhaust), and
each finding is a located problem.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from ..core import limits
from ..core.errors import Location, Problem
from ..core.text import line_col

# A numeric character reference: pandoc would turn '&#xFFFE;' into the character itself.
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9A-Fa-f]{1,8})|([0-9]{1,10}));")
# A block-container marker at the start of a line: '>' or a list item's bullet or number.
_CONTAINER = re.compile(r" {0,3}(?:>|[-+*](?=[ \t])|\d{1,9}[.)](?=[ \t]))[ \t]?")
_OPENER = re.compile(r"(?<!\\)[<&`]")
# Found by the regex engine, not by a loop over every character in Python (0.16 s a build).
_BRACKET = re.compile(r"[\[\]]")
_YAML_KEY = re.compile(r"^[A-Za-z0-9_][\w -]*:(\s|$)")


def xml_char_ok(code: int) -> bool:
    """Whether XML 1.0 allows the character (no C0 control but tab/LF/CR, no surrogate,
    not U+FFFE or U+FFFF, within Unicode)."""
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def read_bytes(path: Path, limit: int, shown: str) -> tuple[bytes | None, str | None, str]:
    """(bytes, None, code) of a regular file no larger than ``limit``, else (None, why, code).

    The size comes from ``stat`` before anything is read, so a huge (or sparse) file costs
    nothing, and a FIFO or device is refused instead of blocking the build.
    """
    try:
        info = os.stat(path)
        if not stat.S_ISREG(info.st_mode):
            return None, f"'{shown}' is not a regular file; use a plain file", "not-a-file"
        if info.st_size > limit:
            return None, (f"'{shown}' is {info.st_size:,} bytes; the limit is {_size(limit)} "
                          f"({limit:,} bytes)"), "too-large"
        with open(path, "rb") as f:
            return f.read(limit + 1), None, ""
    except RuntimeError:  # pathlib's "Symlink loop" on Python < 3.13
        return None, f"'{shown}' is a symbolic link that loops; replace it with the file", "path"
    except OSError as exc:
        return None, f"cannot read '{shown}': {exc.strerror or exc}", "unreadable"


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n >> 10} KiB"


def markdown_problems(path: Path, text: str) -> list[Problem]:
    """What in a Markdown file must stop it before pandoc reads it: a YAML metadata block,
    nesting deeper than the limits, and character references to characters XML forbids."""
    problems: list[Problem] = []
    lines = text.split("\n")
    brackets = 0
    bracket_start = (1, 1)
    reported_depth = reported_brackets = reported_openers = False
    openers: dict[str, int] = {}
    previous_blank = True
    for number, line in enumerate(lines, start=1):
        if line.rstrip() == "---" and previous_blank and number < len(lines) \
                and _YAML_KEY.match(lines[number]):
            problems.append(Problem(Location(path, number, 1),
                                    "a YAML metadata block ('---' then 'key: value' lines) is "
                                    "not read from Markdown: book details go in book.yaml; to "
                                    "draw a line, leave a blank line after the '---'",
                                    "markdown-metadata"))
        previous_blank = not line.strip()
        depth = _container_depth(line)
        if depth > limits.MAX_MARKDOWN_DEPTH and not reported_depth:
            reported_depth = True
            problems.append(Problem(Location(path, number, 1),
                                    f"block quotes and lists are nested {depth} deep here; the "
                                    f"limit is {limits.MAX_MARKDOWN_DEPTH}", "too-deep"))
        if previous_blank:
            brackets = 0  # pandoc parses inlines paragraph by paragraph
            openers.clear()
        # Most lines hold none of these; "in" looks for them faster than any regex does.
        has_openers = "<" in line or "&" in line or "`" in line
        for match in _OPENER.finditer(line) if has_openers else ():
            char = match.group()
            openers[char] = openers.get(char, 0) + 1
            if openers[char] > limits.MAX_OPENERS_PER_PARAGRAPH and not reported_openers:
                reported_openers = True
                problems.append(Problem(
                    Location(path, number, match.start() + 1),
                    f"more than {limits.MAX_OPENERS_PER_PARAGRAPH} '{char}' in one paragraph "
                    f"(pandoc's time grows with their number); split the paragraph, or write "
                    f"'\\{char}' where it is just a character", "too-many"))
        for match in _BRACKET.finditer(line) if "[" in line or "]" in line else ():
            col = match.start()
            if col and line[col - 1] == "\\" and _escaped(line, col):
                continue
            if line[col] == "[":
                brackets += 1
                if brackets == 1:
                    bracket_start = (number, col + 1)
                if brackets > limits.MAX_BRACKET_DEPTH and not reported_brackets:
                    reported_brackets = True
                    problems.append(Problem(
                        Location(path, *bracket_start),
                        f"more than {limits.MAX_BRACKET_DEPTH} '[' are open at once from here "
                        f"(line {number}); close them with ']' or write '\\[' for a bracket "
                        "that is just a character (pandoc's time doubles with each one)",
                        "too-deep"))
            elif brackets:
                brackets -= 1
    for match in _CHAR_REF.finditer(text):
        hexa, dec = match.groups()
        code = int(hexa, 16) if hexa else int(dec)
        if not xml_char_ok(code) and code != 0:  # pandoc turns &#0; into U+FFFD itself
            problems.append(Problem(Location(path, *line_col(text, match.start())),
                                    f"'{match.group()}' is a character no edition can carry "
                                    "(XML forbids it); remove it", "control-char"))
    return problems


def _escaped(line: str, col: int) -> bool:
    """Whether an odd number of backslashes stands right before ``line[col]``."""
    start = col
    while start and line[start - 1] == "\\":
        start -= 1
    return (col - start) % 2 == 1


def _container_depth(line: str) -> int:
    """How many block quotes and list items a line opens at its start, plus its indentation
    (two columns a level), which is how nested lists are written."""
    stripped = line.lstrip(" \t")
    indent = len(line[: len(line) - len(stripped)].expandtabs(4))
    depth, pos = 0, 0
    while True:
        match = _CONTAINER.match(stripped, pos)
        if not match or match.end() == pos:
            break
        depth += 1
        pos = match.end()
    return depth + (indent // 2 if depth else 0)


def ast_depth(value: object) -> int:
    """The nesting depth of a JSON value (a string or number inside counts one more), counted
    with an explicit stack that holds containers only."""
    if type(value) is not dict and type(value) is not list:
        return 1
    deepest, stack = 1, [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        children = node.values() if type(node) is dict else node
        if not children:
            continue
        below = depth + 1
        if below > deepest:
            deepest = below  # a child of any kind sits one deeper
        for child in children:
            if type(child) is dict or type(child) is list:
                push((child, below))
    return deepest


def yaml_flow_depth(path: Path, text: str) -> Problem | None:
    """Flow collections (``[`` and ``{``) open deeper than MAX_YAML_DEPTH, found in one pass
    over the text before PyYAML sees it: its scanner keeps every open level's possible key and
    revisits them all at each token, so 60,000 unclosed '[' took three minutes."""
    depth, quote, i, n = 0, "", 0, len(text)
    while i < n:
        char = text[i]
        if quote:
            if char == "\\" and quote == '"':
                i += 1
            elif char == quote:
                quote = ""
        elif char in "'\"" and (i == 0 or text[i - 1] in " \t\n[{,:-"):
            quote = char
        elif char == "#" and (i == 0 or text[i - 1] in " \t\n"):
            newline = text.find("\n", i)
            i = n if newline < 0 else newline
            continue
        elif char in "[{":
            depth += 1
            if depth > limits.MAX_YAML_DEPTH:
                return Problem(Location(path, *line_col(text, i)),
                               f"lists and mappings are nested more than "
                               f"{limits.MAX_YAML_DEPTH} deep here; flatten the structure",
                               "too-deep")
        elif char in "]}" and depth:
            depth -= 1
        i += 1
    return None
