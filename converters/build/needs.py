"""What a target needs from the source beyond what every edition needs, checked before building.

A print target names its edition's ISBN in the PDF's metadata and prints it as a barcode on the
cover, so a book without an ``edition: print`` ISBN is refused, with the place to add one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..core.errors import Location, Problem, SourceError
from ..core.targets import TARGETS
from ..source.model import Book

_KEY = re.compile(r"^identifiers\s*:", re.MULTILINE)


def check_targets(book: Book, targets: Iterable[str]) -> None:
    """Raise ``SourceError`` for every print target the book cannot have as it stands."""
    printing = [t for t in targets if TARGETS[t].print_ready]
    ident = book.print_identifier
    if not printing or (ident is not None and ident.scheme == "isbn"):
        return
    path = book.source_dir / "book.yaml"
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    match = _KEY.search(text)
    line = text.count("\n", 0, match.start()) + 1 if match else 1
    raise SourceError([Problem(
        Location(path, line, 1),
        f"the target(s) {', '.join(printing)} need the print edition's ISBN: add "
        "'- {scheme: isbn, value: ..., edition: print}' under identifiers", "print-isbn")])
