"""User text made inert for each place it is shown: a CSS string, a terminal line.

(XML and OOXML are written through lxml, which escapes; HTML through ``html.escape``.)
"""

from __future__ import annotations

import re

# C0 and C1 controls, DEL, the line and paragraph separators, and the bidi controls that can
# make a terminal line read differently from what it holds ("Trojan Source").
_TERMINAL_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
                              "\u2066-\u2069]")


def terminal(text: str) -> str:
    """``text`` with every control character written as its ``repr`` escape (``\\n``,
    ``\\x1b``, ``\\u202e``), so a file name or key cannot move the cursor, colour the screen or
    split one message into two lines."""
    return _TERMINAL_UNSAFE.sub(lambda m: repr(m.group())[1:-1], text)


def css_string(text: str) -> str:
    """A CSS string literal holding ``text`` and nothing else.

    Every character that could end the string or the declaration (quotes, backslash, any line
    break, ``<`` for a ``</style>``) and every control character is a hex escape; the trailing
    space ends the escape, as CSS requires.
    """
    out = []
    for char in text:
        if char in '"\'\\<>' or ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F \
                or char in "\u2028\u2029":
            out.append(f"\\{ord(char):x} ")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'
