"""Confinement of every file the source names to the source folder, and the build's own
temporary folders in the output folder."""

from __future__ import annotations

import os
import re
import shutil
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
    try:
        root = source_dir.resolve()
        target = (root / ref).resolve()
    except (RuntimeError, OSError):  # "Symlink loop" (Python < 3.13: RuntimeError)
        return None, f"'{ref}' is a symbolic link that loops; replace it with the file"
    if not target.is_relative_to(root):
        return None, f"'{ref}' points outside the source folder; keep every file inside it"
    return target, None


WORKDIR_PREFIX = ".editions-"


def workdir_prefix() -> str:
    """Prefix of a build's temporary folder inside the output folder; it names the owner pid."""
    return f"{WORKDIR_PREFIX}{os.getpid()}-"


def remove_stale_workdirs(out_dir: Path) -> list[Path]:
    """Delete temporary folders left in ``out_dir`` by builds that were killed (SIGKILL, OOM).

    A folder is stale only if the process named in it is gone, so a build running at the same
    time into the same folder keeps its own.  Returns what was removed.
    """
    removed = []
    for path in out_dir.glob(WORKDIR_PREFIX + "*"):
        match = re.match(re.escape(WORKDIR_PREFIX) + r"(\d+)-", path.name)
        if not path.is_dir() or path.is_symlink() or not match:
            continue
        if _alive(int(match.group(1))):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True
