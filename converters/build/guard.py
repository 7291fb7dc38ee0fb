"""What keeps one build from harming another, or outliving its parent.

- **One build per output folder.**  A build holds an exclusive ``flock`` on the output folder
  while it writes there; a second build into the same folder stops at once with a clear error
  instead of interleaving two books' editions.  The lock is on the folder itself, so nothing
  is left behind, and the kernel releases it when the process dies (even by SIGKILL).
- **Workers die with their parent.**  Each worker process asks the kernel for SIGKILL when its
  parent dies (``PR_SET_PDEATHSIG``), so killing the main build leaves no orphan writing.
- **Output paths that can exist.**  ``--out`` (and ``--report``) at or below a regular file is
  an error before any work.
"""

from __future__ import annotations

import errno
import fcntl
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..core.errors import BuildError
from ..core.escape import terminal
from ..core.process import die_with_parent
from ..source.paths import WORKDIR_PREFIX

__all__ = ["check_out", "die_with_parent", "out_lock", "path_problem"]

def path_problem(path: Path, what: str, *, folder: bool) -> str | None:
    """Why ``path`` cannot be created or written as a folder (or a file), or None."""
    if path.exists() and folder != path.is_dir():
        kind = "a file" if folder else "a folder"
        return f"{what} '{terminal(str(path))}' is {kind}; name a {'folder' if folder else 'file'}"
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                return (f"{what} '{terminal(str(path))}' is inside '{terminal(str(parent))}', "
                        "which is a file, not a folder")
            break
    return None


def check_out(out: Path) -> None:
    why = path_problem(out, "the output folder", folder=True)
    if why:
        raise BuildError(why)


@contextmanager
def out_lock(out: Path) -> Iterator[None]:
    """Hold the output folder for this build alone; BuildError if another build holds it."""
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            raise BuildError(f"another build is writing into '{terminal(str(out))}'"
                             f"{_holder(out)}; wait for it to finish, or build into another "
                             "--out folder") from None
        yield
    finally:
        os.close(fd)  # releases the lock


def _holder(out: Path) -> str:
    pids = sorted({m[1] for p in out.glob(WORKDIR_PREFIX + "*")
                   if (m := re.match(re.escape(WORKDIR_PREFIX) + r"(\d+)-", p.name))})
    return f" (process {', '.join(pids)})" if pids else ""
