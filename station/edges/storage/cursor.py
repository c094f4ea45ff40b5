"""The sender's cursor: how far the fleet database has the station's history.

Its own module below both its users: the sender moves it, the health record reads it (a shared type
kept in either of them made the two import each other).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from station.errors import StationError

log = logging.getLogger(__name__)

CURSOR_NAME = "sync-cursor.json"


class Cursor:
    """The last history row the database has, and which history file it counts in: one small file,
    replaced atomically, moved only after a commit. A history made anew numbers its sets from 1
    again; its identity differs, so the cursor starts again from its first set (the database keeps
    each set once, by its id)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / CURSOR_NAME
        self._warned: str | None = None

    def _state(self) -> dict:
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
            int(state["last_id"])
            return state
        except FileNotFoundError:
            return {"last_id": 0}
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # A damaged cursor: start again from the first set; the database keeps each set once.
            log.warning("the sync cursor %s is unreadable (%s): every set is offered again", self.path, exc)
            return {"last_id": 0}

    def read(self) -> int:
        """The last row delivered, as written (see `position` for the row in today's history)."""
        return int(self._state()["last_id"])

    def position(self, history: Any) -> int:
        """The last row of `history` the database has: 0 when the history is not the one the cursor
        counted in (another identity, or fewer rows than the cursor says)."""
        state = self._state()
        last = int(state["last_id"])
        identity = history.identity()
        if last and ((state.get("history") and identity and state["history"] != identity) or last > history.last_id()):
            if self._warned != identity:
                self._warned = identity
                log.warning("the history %s is not the one the sync cursor counted in (a new file numbers its "
                            "sets from 1 again): every set is offered again, and the database keeps each once",
                            history.path)  # fmt: skip
            return 0
        return last

    def write(self, last_id: int, identity: str | None = None) -> None:
        """Move the cursor (StationError when the state folder cannot take it)."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".cursor-", dir=self.path.parent)
        except OSError as exc:
            raise StationError(f"the sync cursor cannot be written in {self.path.parent} ({exc.strerror or exc}): "
                               "the sender's state folder must be a folder it may write") from None  # fmt: skip
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump({"last_id": last_id, "history": identity,
                           "written_at": datetime.now(timezone.utc).isoformat()}, out)  # fmt: skip
                out.flush()
                os.fsync(out.fileno())
            os.chmod(tmp, 0o640)  # the kiosk's group (`station status`) reads how far the sender is
            os.replace(tmp, self.path)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise StationError(f"the sync cursor {self.path} cannot be written ({exc.strerror or exc})") from None
