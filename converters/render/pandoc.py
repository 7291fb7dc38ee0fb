"""The one way the toolkit runs pandoc: hardened, bounded, and with the bundled binary.

- always ``--sandbox``: pandoc reads nothing but its input and the files named on its command
  line; images reach it inline (``data:`` URIs), never as paths it might percent-decode;
- the binary inside the ``pypandoc-binary`` wheel, never whichever ``pandoc`` is first on PATH
  (pypandoc itself prefers PATH's);
- a wall-clock ceiling and an address-space ceiling (``RLIMIT_AS``, set in the child before
  pandoc starts, so its runtime sizes its heap to fit) per run: a run that exceeds either is a
  :class:`PandocLimit` naming the input, never a hang or the machine's memory.
"""

from __future__ import annotations

import logging
import os
import re
import resource
import signal
import subprocess
from functools import lru_cache
from pathlib import Path

import pypandoc

from ..core import limits
from ..core.errors import EditionsError
from ..core.process import die_with_parent

LOG = logging.getLogger("pypandoc")  # the logger build/orchestrate collects pandoc's warnings from
_LEVEL = re.compile(r"^\[(ERROR|WARNING|INFO|DEBUG)\] ?")
_LEVELS = {"ERROR": logging.ERROR, "WARNING": logging.WARNING, "INFO": logging.INFO,
           "DEBUG": logging.DEBUG}


class PandocLimit(EditionsError):
    """pandoc ran out of time or memory on an input."""


class PandocFailed(EditionsError):
    """pandoc exited with an error."""


@lru_cache(maxsize=1)
def pandoc_binary() -> str:
    bundled = Path(pypandoc.__file__).resolve().parent / "files" / "pandoc"
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return str(bundled)
    raise EditionsError(f"the pandoc bundled with pypandoc-binary is missing ({bundled}); "
                        "reinstall pypandoc-binary")


def _limit_memory() -> None:  # runs in the child between fork and exec
    die_with_parent()
    resource.setrlimit(resource.RLIMIT_AS, (limits.PANDOC_MAX_MEMORY, limits.PANDOC_MAX_MEMORY))


Message = tuple[int, str]  # a logging level and what pandoc said
# Options of pandoc's own runtime (GHC RTS), not of the conversion: the smallest suggested heap
# instead of the binary's built-in 64 MB, so a small input takes a small heap. Measured on a
# 512 KB batch: 145 MB instead of 180 reading, 189 instead of 204 writing, no slower.
RUNTIME = ["+RTS", "-H4k", "-RTS"]


def run(text: str, to: str, fmt: str, extra: list[str] | None = None, *,
        output: Path | None = None, timeout: float | None = None,
        messages: list[Message] | None = None) -> str:
    """pandoc ``fmt`` -> ``to`` on ``text``; its output (or '' with ``output``).

    pandoc's messages are logged, or with ``messages`` kept there for the caller to
    :func:`replay` (once it knows which file they belong to).
    """
    args = [pandoc_binary(), "--sandbox", f"--from={fmt}", f"--to={to}", *(extra or []),
            *RUNTIME]
    if output is not None:
        args.append(f"--output={output}")
    seconds = limits.PANDOC_TIMEOUT_S if timeout is None else timeout
    # A fresh, minimal environment: no PANDOC_* or locale variables change what pandoc does.
    env = {"PATH": os.defpath, "LANG": "C.UTF-8", "HOME": "/nonexistent"}
    with subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env, preexec_fn=_limit_memory) as proc:
        try:
            out, err = proc.communicate(text.encode("utf-8"), timeout=seconds)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise PandocLimit(f"pandoc took longer than {seconds:g} s") from None
    stderr = err.decode("utf-8", errors="replace")
    if proc.returncode != 0:
        # 251 is the runtime's "out of memory"; at a tight ceiling it may die of SIGSEGV instead.
        if "out of memory" in stderr or proc.returncode in (251, -signal.SIGSEGV,
                                                             -signal.SIGBUS, -signal.SIGABRT):
            raise PandocLimit(f"pandoc needed more than {limits.PANDOC_MAX_MEMORY >> 30} GiB "
                              "of memory")
        raise PandocFailed(f"pandoc failed (exit {proc.returncode}): "
                           f"{' '.join(stderr.split())[:300]}")
    said = _messages(stderr)
    if messages is None:
        replay(said)
    else:
        messages.extend(said)
    return out.decode("utf-8")


def replay(messages: list[Message]) -> None:
    """pandoc's messages to the ``pypandoc`` logger, one record per message."""
    for level, message in messages:
        LOG.log(level, message)


def _messages(stderr: str) -> list[Message]:
    said: list[Message] = []
    level, lines = logging.WARNING, []
    for line in stderr.splitlines():
        match = _LEVEL.match(line)
        if match:
            if lines:
                said.append((level, "\n".join(lines)))
            level, lines = _LEVELS[match[1]], [line[match.end():]]
        elif line.strip():
            lines.append(line)
    if lines:
        said.append((level, "\n".join(lines)))
    return said


def version() -> str:
    out = subprocess.run([pandoc_binary(), "--version"], capture_output=True, check=True,
                         text=True, env={"PATH": os.defpath, "HOME": "/nonexistent"})
    return out.stdout.split()[1]
