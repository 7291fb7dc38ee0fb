"""Many files in one pandoc run, each still read or written on its own.

A pandoc process per file costs its start-up (and a fork of this process) per file: for a
360-chapter book most of the time.  batch.lua reads each file with its own ``pandoc.read``
(so footnote labels, reference-link definitions and heading ids never cross files) and
writes each AST with its own ``pandoc.write`` (so footnote numbers restart), all in one run
through the hardened runner (``--sandbox``, time and memory ceilings).

A run that fails, hits a ceiling, or says anything at all gives ``None``: its caller then runs
those files one by one, so every error and warning names its own file, exactly as before.
"""

from __future__ import annotations

import json
from pathlib import Path

from .pandoc import PandocFailed, PandocLimit, run

LUA = str(Path(__file__).with_name("batch.lua"))


def read(texts: list[str], reader: str) -> list[str] | None:
    """Each text as pandoc's JSON AST, or None (see above)."""
    source = json.dumps({"reader": reader, "texts": texts}, ensure_ascii=False)
    return _run(source, LUA, LUA, [], len(texts))


def write(documents: list[tuple[list, str, str]], writer: str,
          extra: list[str]) -> list[str] | None:
    """Each (api version, meta JSON, blocks JSON) as ``writer`` writes it, or None.

    The texts are as pandoc's command line prints them (with its final newline)."""
    if not documents:
        return []
    api = json.dumps(documents[0][0])
    if any(doc[0] != documents[0][0] for doc in documents):
        return None
    metas = ",".join('{"t":"MetaMap","c":' + meta + "}" for _, meta, _ in documents)
    divs = ",".join('{"t":"Div","c":[["",[],[]],' + blocks + "]}" for _, _, blocks in documents)
    source = (f'{{"pandoc-api-version":{api},"meta":{{'
              f'"batch-to":{{"t":"MetaString","c":{json.dumps(writer)}}},'
              f'"batch-meta":{{"t":"MetaList","c":[{metas}]}}}},"blocks":[{divs}]}}')
    out = _run(source, LUA, "json", extra, len(documents))
    return None if out is None else [text + "\n" for text in out]


def _run(source: str, to: str, fmt: str, extra: list[str], count: int) -> list[str] | None:
    messages: list = []
    try:
        out = run(source, to, fmt, extra, messages=messages)
    except (PandocFailed, PandocLimit):
        return None
    if messages:
        return None
    pieces = _unframe(out)
    return pieces if len(pieces) == count else None


def _unframe(out: str) -> list[str]:
    """The texts of batch.lua's "<length>\\n<text>" frames."""
    pieces, at = [], 0
    while True:
        newline = out.find("\n", at)
        head = out[at:newline] if newline >= 0 else ""
        if not head.isdigit():
            return pieces
        end = newline + 1 + int(head)
        pieces.append(out[newline + 1:end])
        at = end
