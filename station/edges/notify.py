"""systemd's notify protocol: READY once the first frame is shown, WATCHDOG only while frames move.

A kiosk that hangs (a stuck camera, a frozen screen) stops pinging and systemd restarts it.
No library needed: one datagram to $NOTIFY_SOCKET.
"""

from __future__ import annotations

import contextlib
import os
import socket
import time


class Notifier:
    def __init__(self, address: str | None, watchdog_s: float | None) -> None:
        self.address = address
        self.watchdog_s = watchdog_s
        self._ready = False
        self._last_ping = 0.0
        self._last_frames = -1

    @classmethod
    def from_environment(cls) -> Notifier:
        usec = os.environ.get("WATCHDOG_USEC")
        pid = os.environ.get("WATCHDOG_PID")
        watchdog = int(usec) / 1e6 if usec and (not pid or int(pid) == os.getpid()) else None
        return cls(os.environ.get("NOTIFY_SOCKET"), watchdog)

    def send(self, message: str) -> None:
        if not self.address:
            return
        address = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        # systemd gone (shutting down): nothing to tell, nothing to fail over.
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock, contextlib.suppress(OSError):
            sock.sendto(message.encode(), address)

    def progress(self, shown: bool, frames: int, now: float | None = None) -> None:
        """Call once per screen refresh with the count of frames the pose stage has finished."""
        now = time.monotonic() if now is None else now
        moving = frames != self._last_frames
        if shown and frames > 0 and not self._ready:
            self.send("READY=1\nSTATUS=Coaching")
            self._ready = True
        if self.watchdog_s and shown and moving and now - self._last_ping >= self.watchdog_s / 3:
            self.send("WATCHDOG=1")
            self._last_ping = now
        if moving:
            self._last_frames = frames

    def stopping(self) -> None:
        self.send("STOPPING=1")
