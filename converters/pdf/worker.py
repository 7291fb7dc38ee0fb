"""A worker process laying out parts of the PDF (see parallel.py), one at a time.

A part is laid out before its first folio is known (that needs the page counts of the parts
before it, laid out meanwhile by other workers), with its page counter starting at 1.  The
worker reports the part's page count, then waits; when told the real first folio, it remakes
only the margin boxes (folios and running heads: nothing in the text flow depends on the
page counter) and writes the part's PDF with the layout context relayout.render kept
(WeasyPrint keeps no public handle on it); this follows WeasyPrint 70's ``layout_document``
(pinned in pyproject.toml).
"""

from __future__ import annotations

import copy
import logging
import traceback
import warnings
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING

from weasyprint.document import Document
from weasyprint.formatting_structure.boxes import MarginBox
from weasyprint.layout.background import layout_backgrounds
from weasyprint.layout.page import make_margin_boxes

from ..core.process import die_with_parent

if TYPE_CHECKING:
    from collections.abc import Callable


def renumber(document: Document, context: object, delta: int) -> None:
    """Move every page's folio on by ``delta``: remake the margin boxes with the page counter
    as a layout starting ``delta`` pages later would have had it."""
    if not delta:
        return
    for i, page in enumerate(document.pages):
        quote_depth, counters, scopes, groups = copy.deepcopy(context.page_maker[i + 1][3])
        if "page" in counters:
            counters["page"] = [value + delta for value in counters["page"]]
        box = page._page_box
        context.current_page = i + 1
        kept = [child for child in box.children if not isinstance(child, MarginBox)]
        box.children = (*kept, *make_margin_boxes(context, box,
                                                  (quote_depth, counters, scopes, groups)))
        layout_backgrounds(box, context.get_image_from_uri)


class _Collect(logging.Handler):
    """WeasyPrint's warnings in this worker, sent to the writer to be logged there."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def serve(conn: Connection, lay_out: Callable[..., tuple[Document, object, dict]],
          write: Callable[[Document, str], None], parent: int | None = None) -> None:
    """Answer the writer's requests until told to stop.

    ("lay", key, args) -> ("laid", key, facts, warnings): the part laid out and held;
    ("write", key, delta, path) -> ("written", key, warnings): the held part renumbered and
    written to ``path``; ("stop",) ends the worker."""
    die_with_parent(parent)  # a killed build leaves no worker behind
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.handlers, logger.propagate = [collect], False
    held: dict[str, tuple[Document, object]] = {}
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):  # the writer is gone (killed): nothing to answer
            return
        try:
            if message[0] == "stop":
                return
            if message[0] == "lay":
                _, key, args = message
                held.clear()
                document, context, facts = lay_out(*args)
                held[key] = (document, context)
                conn.send(("laid", key, facts, _drain(collect)))
            elif message[0] == "write":
                _, key, delta, path = message
                document, context = held.pop(key)
                renumber(document, context, delta)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ResourceWarning)  # see writer.write_pdf
                    write(document, path)
                conn.send(("written", key, _drain(collect)))
        except Exception:  # the writer reports it as the edition's failure
            conn.send(("error", traceback.format_exc(limit=6), _drain(collect)))
            return


def _drain(collect: _Collect) -> list[str]:
    out, collect.messages = collect.messages, []
    return out
