"""What a person watching a build sees: a live status line on a terminal, plain lines elsewhere.

The display is driven by ``build()``'s events.  In a terminal (and ``CI`` unset) one line is
redrawn in place, e.g. ``editions: pdf ● building · docx ✓ 0.3 s · epub – unchanged``; when the
stream is not a terminal or ``CI`` is set (GitHub Actions, GitLab and most others set it), each
event is one plain line, which reads well in a log.  Only cli.py creates one and owns the stream.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from ..build.orchestrate import EditionResult


def wants_live(stream: TextIO) -> bool:
    """A live line only for a person at a terminal, never in CI logs."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("CI")


STAGES = {"load": "reading the source", "render": "converting the Markdown"}


class Progress:
    def __init__(self, stream: TextIO, formats: list[str], live: bool | None = None) -> None:
        self.stream = stream
        self.live = wants_live(stream) if live is None else live
        self.states = dict.fromkeys(formats, "waiting")
        self.drawn = False

    def __call__(self, kind: str, fmt: str | None, result: EditionResult | None) -> None:
        if fmt is None:
            self._line(STAGES.get(kind, kind))
            return
        if kind == "start":
            self.states[fmt] = "● building"
        elif kind == "skipped":
            self.states[fmt] = "– unchanged"
        elif kind == "built" and result is not None:
            self.states[fmt] = f"✓ {result.seconds:.2f} s"
        elif kind == "failed":
            self.states[fmt] = "✗ failed"
        if self.live:
            self._draw(" · ".join(f"{f} {s}" for f, s in self.states.items()))
        else:
            words = {"start": "building", "skipped": "unchanged, skipped",
                     "built": f"built in {result.seconds:.2f} s" if result else "built",
                     "failed": "failed"}
            self._line(f"{fmt}: {words.get(kind, kind)}")

    def _line(self, text: str) -> None:
        if self.live:
            self._draw(text)
        else:
            self.stream.write(f"editions: {text}\n")
            self.stream.flush()

    def _draw(self, text: str) -> None:
        self.stream.write(f"\r\033[Keditions: {text}")
        self.stream.flush()
        self.drawn = True

    def close(self) -> None:
        """End the live line so what follows starts on a fresh line."""
        if self.live and self.drawn:
            self.stream.write("\n")
            self.stream.flush()
            self.drawn = False
