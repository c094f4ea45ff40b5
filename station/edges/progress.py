"""A counting line on stderr while a long command works, so nobody wonders whether it hung.

Shown only where stderr is a terminal: a log file, a pipe, `--json` output read by a script and
the tests see nothing. Rewritten in place at most every `every_s` seconds (a terminal over SSH
should not be flooded), and cleared when the work ends.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    def __init__(self, what: str, total: int | None = None, every_s: float = 0.5, stream: TextIO | None = None,
                 show: bool | None = None) -> None:  # fmt: skip
        self.what, self.total, self.every_s = what, total, every_s
        self.stream = stream or sys.stderr
        self.show = self.stream.isatty() if show is None else show
        self.done_count = 0
        self._shown_at = -1e9
        self._started = time.monotonic()
        self._width = 0

    def step(self, n: int = 1, note: str = "") -> None:
        """`n` more done (a frame, a clip, a station); the line is redrawn if it is time."""
        self.done_count += n
        now = time.monotonic()
        if self.show and now - self._shown_at >= self.every_s:
            self._shown_at = now
            self._write(self.line(note, now))

    def line(self, note: str = "", now: float | None = None) -> str:
        elapsed = (time.monotonic() if now is None else now) - self._started
        count = f"{self.done_count}/{self.total}" if self.total else f"{self.done_count}"
        share = f" ({self.done_count / self.total:.0%})" if self.total else ""
        return f"{self.what}: {count}{share}, {elapsed:.0f} s" + (f": {note}" if note else "")

    def _write(self, text: str) -> None:
        text = text[:110]
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = len(text)

    def close(self) -> None:
        """Clear the line (the command's own output follows on a clean line)."""
        if self.show and self._width:
            self.stream.write("\r" + " " * self._width + "\r")
            self.stream.flush()
            self._width = 0
