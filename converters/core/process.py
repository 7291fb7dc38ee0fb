"""Child processes that cannot outlive the build that started them (Linux)."""

from __future__ import annotations

import ctypes
import os
import signal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from multiprocessing.sharedctypes import Synchronized

PR_SET_PDEATHSIG = 1
try:  # loaded once here: dlopen in a freshly forked child of a threaded parent could deadlock
    _LIBC: ctypes.CDLL | None = ctypes.CDLL(None, use_errno=True)
    _PRCTL = _LIBC.prctl
except (OSError, AttributeError):
    _LIBC = _PRCTL = None


def die_with_parent(parent: int | None = None) -> None:
    """Ask the kernel to SIGKILL this process when its parent dies; elsewhere a no-op.

    ``parent``: the pid the caller expects as parent; if it is already gone (it died before
    this call), exit at once."""
    if _PRCTL is None:
        return
    _PRCTL(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if parent is not None and os.getppid() != parent:
        os._exit(1)


# How many editions are being written beside the PDF right now: a counter in shared memory,
# made by the build before it forks the editions' processes (build/workers.py), read by the
# PDF's process, whose parts' workers take the cores the others leave (pdf/parallel.py).
_beside: Synchronized | None = None


def share_beside(counter: Synchronized | None) -> None:
    global _beside
    _beside = counter


def beside() -> int:
    """Editions being written beside the PDF now (0 where no counter is shared)."""
    return 0 if _beside is None else int(_beside.value)
