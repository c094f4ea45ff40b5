"""Every finished set is kept: written ahead to the journal, then into the history.

Write-ahead: `keep()` first appends the set to the journal and flushes it to disk, and only then
tries the history, with a short wait for a lock (the kiosk's screen and watchdog keep running while
another process holds the database). So a locked database, a full history, a kill or a power cut
after the set ended cannot lose it. `retry()` (the kiosk calls it every screen refresh) writes what
waits a batch at a time, oldest first, and drops it from the journal once the history holds all
of it; a start with thousands of sets waiting opens the screen at once and catches up meanwhile.
Where nothing on disk can take a set (a full disk, a read-only folder), it is written to the system
log as one line that `station history --import` takes back, and the exit says so.
A set keeps the time it finished, not the time it was finally written.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path

from station.core.coach.setreport import SetReport
from station.edges.storage.history import History, clock_synchronised
from station.edges.storage.journal import JOURNAL_NAME, Journal, replay_line
from station.errors import StationError

log = logging.getLogger(__name__)

__all__ = ["JOURNAL_NAME", "SetKeeper"]

RETRY_S = 10.0  # how often a failing history is tried again
BUSY_S = 0.5  # the kiosk's wait for another process's lock on the history (its screen runs meanwhile)
BATCH = 100  # sets written a transaction (a start with a long journal catches up a batch a refresh)


class SetKeeper:
    def __init__(self, folder: Path, clock=None) -> None:
        self.folder = folder
        self.journal = Journal(folder)
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._waiting: list[dict] = []  # in the journal, not yet known to be in the history
        self._memory: list[dict] = []  # sets nothing on disk could take (each is in the system log)
        self._written: set[str] = set()  # ids written since the journal was last compacted
        self._history: History | None = None
        self.problem: str | None = None  # what the screen says while sets wait, None when all is stored
        self._last_try: float | None = None
        self._failing = False
        self.stored = 0
        try:
            self._waiting, damaged = self.journal.read()
            self._dirty = bool(self._waiting or damaged)
        except OSError as exc:
            log.warning("the set journal %s cannot be read (%s)", self.journal.path, exc.strerror or exc)
            self._dirty = False
        if self._waiting:
            log.info("%d finished set(s) wait in %s: written to the history a batch at a time",
                     len(self._waiting), self.journal.path)  # fmt: skip
        self.retry(force=True)

    # -- the history, opened lazily: a database that cannot be opened now may be fine later -------
    def _open(self) -> History:
        if self._history is None:
            self._history = History.open(self.folder, busy_s=BUSY_S)
        return self._history

    def _fail(self, exc: Exception) -> None:
        reason = str(exc).rstrip(".") if isinstance(exc, StationError) else f"{type(exc).__name__}: {exc}"
        if self.problem is None:  # one log line an outage, not one a try
            log.warning("history not saved, %d set(s) wait: %s", self.waiting, reason)
        self.problem = f"History not saved ({reason}); your sets are kept and will be written later."
        self._failing = True
        if self._history is not None:
            self._history.close()
            self._history = None

    def history(self) -> History:
        """The history itself (raises StationError while it cannot be opened)."""
        return self._open()

    @property
    def waiting(self) -> int:
        """Sets kept but not yet in the history."""
        return len(self._waiting) + len(self._memory)

    @property
    def unsaved(self) -> int:
        """Sets that only the system log holds (nothing on disk could take them)."""
        return len(self._memory)

    def keep(self, report: SetReport) -> None:
        """Make a finished set safe (journal first), then store it in the history if it can take it now."""
        entry = {
            "uid": uuid.uuid4().hex,
            "finished_at": self._clock().isoformat(timespec="seconds"),
            "clock_synced": clock_synchronised(),
            "report": report.to_json(),
        }
        try:
            self.journal.append(entry)
            self._waiting.append(entry)
            self._dirty = True
        except OSError as exc:
            log.error("the set journal %s cannot be written (%s); the set, to replay with `station history "
                      "--import FILE` if it is lost: %s", self.journal.path, exc.strerror or exc,
                      replay_line(entry))  # fmt: skip
            self._memory.append(entry)
        self.retry(force=True)

    def retry(self, now: float | None = None, force: bool = False) -> None:
        """Write one batch of waiting sets, oldest first. After a failure the history is tried again
        only every RETRY_S (each try may wait BUSY_S for a lock); after a success, at once."""
        if not self.waiting:
            self._compact()  # a journal of only damaged lines, read at start, goes aside
            return
        waited = None if now is None or self._last_try is None else now - self._last_try
        if not force and self._failing and waited is not None and waited < RETRY_S:
            return
        self._last_try = now
        batch = (self._waiting + self._memory)[:BATCH]
        try:
            self.stored += self._open().record_many(batch)
        except (StationError, sqlite3.Error, OSError, ValueError) as exc:
            self._fail(exc)
            return
        uids = {e["uid"] for e in batch}
        self._written |= uids
        self._waiting = [e for e in self._waiting if e["uid"] not in uids]
        self._memory = [e for e in self._memory if e["uid"] not in uids]
        if self._failing and not self.waiting:
            log.info("history saved again: every waiting set is written")
        self._failing = False
        if not self.waiting:
            self.problem = None
            self._compact()

    def _compact(self) -> None:
        """Drop written sets from the journal (the history holds them; a copy left by a failed
        compaction is not stored twice: the history knows each set's id)."""
        if not self._dirty:
            return
        try:
            self.journal.compact(self._written)
        except OSError as exc:
            log.error("the set journal %s cannot be shortened (%s): its sets are in the history, and are not "
                      "stored twice", self.journal.path, exc.strerror or exc)  # fmt: skip
        self._dirty = False
        self._written = set()

    def close(self) -> None:
        """Last tries, then say plainly if a set only the system log holds."""
        for _ in range(3):
            if not self._memory:
                break
            self.retry(force=True)
        if self._memory:
            log.error("%d finished set(s) could not be saved on this disk: each is in the system log as a line "
                      "starting 'hinge-set'; save the log (journalctl -u hinge-station > sets.txt) and run "
                      "`station history --import sets.txt` once the disk is fixed", len(self._memory))  # fmt: skip
        if self._history is not None:
            self._history.close()
            self._history = None
