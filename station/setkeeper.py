"""Every finished set is kept: in the history, or, while the history cannot take it, in a journal.

A locked database (another process writing), a full disk, a damaged file or a folder the service
cannot write must not lose a set or stop the kiosk. `keep()` tries the history; when that fails the
set goes into a small journal file beside it (one JSON line, flushed to disk), or, if even that
cannot be written, into memory, and the screen and the log say that the history is not saved.
`retry()` (the kiosk calls it now and then) writes what waits, oldest first, as soon as the history
works again; a kiosk started with sets in the journal writes them first. A set keeps the time it
finished, not the time it was finally written.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path

from station.coach.setreport import SetReport
from station.errors import StationError
from station.history import History

log = logging.getLogger(__name__)

JOURNAL_NAME = "pending-sets.jsonl"
RETRY_S = 10.0  # how often a failing history is tried again


class SetKeeper:
    def __init__(self, folder: Path, clock=None) -> None:
        self.folder = folder
        self.journal = folder / JOURNAL_NAME
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._memory: list[dict] = []  # sets that could not even reach the journal
        self._history: History | None = None
        self.problem: str | None = None  # what the screen says while sets wait, None when all is stored
        self._last_try: float | None = None
        self.stored = 0
        self._pending_on_disk = self._read_journal()
        self.retry(force=True)

    # -- the history, opened lazily: a database that cannot be opened now may be fine later -------
    def _open(self) -> History:
        if self._history is None:
            self._history = History.open(self.folder)
        return self._history

    def _fail(self, exc: Exception) -> None:
        reason = str(exc).rstrip(".") if isinstance(exc, StationError) else f"{type(exc).__name__}: {exc}"
        if self.problem is None:  # one log line an outage, not one a try
            log.warning("history not saved, sets wait in %s: %s", self.journal, reason)
        self.problem = f"History not saved ({reason}); your sets are kept and will be written later."
        if self._history is not None:
            self._history.close()
            self._history = None

    def _read_journal(self) -> list[dict]:
        try:
            lines = self.journal.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except OSError as exc:
            log.warning("the set journal %s cannot be read (%s)", self.journal, exc.strerror)
            return []
        entries = []
        for line in lines:
            # A line cut short by a crash mid-write is skipped; every whole line is a set.
            with contextlib.suppress(ValueError, KeyError, TypeError):
                entry = json.loads(line)
                SetReport.from_json(entry["report"])
                datetime.fromisoformat(entry["finished_at"])
                entries.append(entry)
        return entries

    def history(self) -> History:
        """The history itself (raises StationError while it cannot be opened)."""
        return self._open()

    @property
    def waiting(self) -> int:
        """Sets kept but not yet in the history."""
        return len(self._pending_on_disk) + len(self._memory)

    def keep(self, report: SetReport) -> None:
        """Store a finished set now, or keep it until the history can take it."""
        entry = {
            "uid": uuid.uuid4().hex,
            "finished_at": self._clock().isoformat(timespec="seconds"),
            "report": report.to_json(),
        }
        if not self.waiting and self._write(entry):
            return
        self._append(entry)
        self.retry(force=True)

    def _write(self, entry: dict) -> bool:
        try:
            self._open().record(
                SetReport.from_json(entry["report"]), datetime.fromisoformat(entry["finished_at"]), entry.get("uid")
            )
        except (StationError, sqlite3.Error, OSError) as exc:
            self._fail(exc)
            return False
        self.stored += 1
        return True

    def _append(self, entry: dict) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.journal, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")
                f.flush()
                os.fsync(f.fileno())
            self._pending_on_disk.append(entry)
        except OSError as exc:
            log.warning("the set journal %s cannot be written (%s): the set waits in memory", self.journal,
                        exc.strerror or exc)  # fmt: skip
            self._memory.append(entry)

    def retry(self, now: float | None = None, force: bool = False) -> None:
        """Write the waiting sets, oldest first, if the history works again (at most every RETRY_S)."""
        if not self.waiting:
            if self.problem is not None and self._history is not None:
                self.problem = None
            return
        if not force and now is not None and self._last_try is not None and now - self._last_try < RETRY_S:
            return
        self._last_try = now
        while self._pending_on_disk:
            if not self._write(self._pending_on_disk[0]):
                return
            self._pending_on_disk.pop(0)
            self._rewrite_journal()
        while self._memory:
            if not self._write(self._memory[0]):
                return
            self._memory.pop(0)
        if self.problem is not None:
            log.info("history saved again: every waiting set is written")
        self.problem = None

    def _rewrite_journal(self) -> None:
        """The journal holds exactly the sets still waiting (written to a new file, then renamed)."""
        try:
            if not self._pending_on_disk:
                self.journal.unlink(missing_ok=True)
                return
            tmp = self.journal.with_suffix(".tmp")
            tmp.write_text("".join(json.dumps(e) + "\n" for e in self._pending_on_disk), encoding="utf-8")
            os.replace(tmp, self.journal)
        except OSError as exc:
            # The sets are in the history already; their ids keep the next start from storing them twice.
            log.error("the set journal %s cannot be updated (%s)", self.journal, exc.strerror or exc)

    def close(self) -> None:
        if self._history is not None:
            self._history.close()
            self._history = None
