"""``--annotations github``: workflow commands GitHub turns into notes on the changed lines.

One ``::error file=…,line=…,col=…,title=…::message`` (or ``::warning``) line per diagnostic, on
stdout, where the runner reads them.  Values are escaped as the runner's toolkit does, so a
message with a colon, comma or newline cannot break the command.
"""

from __future__ import annotations

from collections.abc import Iterable

from .diagnostics import Diagnostic

FORMATS = ("github",)


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(d: Diagnostic) -> str:
    command = "error" if d.severity == "error" else "warning"
    props = []
    if d.file:
        props.append(f"file={_property(d.file)}")
        if d.line:
            props.append(f"line={d.line}")
            if d.column:
                props.append(f"col={d.column}")
    title = f"editions {d.edition} {d.code}" if d.edition else f"editions {d.code}"
    props.append(f"title={_property(title)}")
    return f"::{command} {','.join(props)}::{_data(d.message)}"


def annotation_lines(kind: str, diagnostics: Iterable[Diagnostic]) -> list[str]:
    if kind != "github":
        raise ValueError(f"unknown annotation format {kind!r}")
    return [github_line(d) for d in diagnostics]
