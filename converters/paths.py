"""Confinement of every file the source names to the source folder."""

from __future__ import annotations

import re
from pathlib import Path

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def is_remote(ref: str) -> bool:
    """True for anything with a URL scheme (http:, file:, data:, javascript:, …)."""
    return bool(_SCHEME.match(ref)) and not re.match(r"^[A-Za-z]:[\\/]", ref)


def confine(source_dir: Path, ref: str) -> tuple[Path | None, str | None]:
    """Resolve ``ref`` inside ``source_dir``; return (path, None) or (None, why it is refused).

    Symlinks are resolved before the check, so a link pointing outside is refused too.
    """
    if not ref.strip():
        return None, "the path is empty"
    if is_remote(ref) or ref.startswith("//"):
        return None, (f"'{ref}' is a URL; builds never use the network, so copy the file "
                      "into the source folder and name it by a relative path")
    if ref.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:[\\/]", ref):
        return None, f"'{ref}' is an absolute path; name files relative to the source folder"
    root = source_dir.resolve()
    target = (root / ref).resolve()
    if not target.is_relative_to(root):
        return None, f"'{ref}' points outside the source folder; keep every file inside it"
    return target, None
