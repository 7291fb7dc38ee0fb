"""A finding of ``editions check``, and the page a PDF bookmark leads to (read by more than one
check)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    file: str  # the edition's path, with the part inside it when known
    severity: str  # "error" or "warning"
    code: str
    message: str
    line: int | None = None  # inside ``file``, when the validator says
    column: int | None = None

    def __str__(self) -> str:
        at = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{at}: {self.severity}[{self.code}]: {self.message}"


def outline_page(item, named, page_ids: dict) -> int | None:
    """The index of the page a bookmark leads to, or None."""
    import pikepdf

    dest = item.destination
    if dest is None and item.action is not None and item.action.get("/S") == "/GoTo":
        dest = item.action.get("/D")
    if isinstance(dest, (pikepdf.String, pikepdf.Name, str)):
        key = str(dest).lstrip("/")
        dest = named.get(key) if hasattr(named, "get") else None
        if isinstance(dest, pikepdf.Dictionary):
            dest = dest.get("/D")
    if isinstance(dest, pikepdf.Array) and len(dest) and isinstance(dest[0], pikepdf.Dictionary):
        return page_ids.get(dest[0].objgen)
    return None
