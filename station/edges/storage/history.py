"""Finished sets in SQLite, so a gym can see what its members did; nothing else is stored.

WAL mode and one transaction per set: a power cut loses at most the set being lifted, never a
finished one, and never corrupts the file. A Pi has no clock battery, so each set records whether
the clock was synchronised when it was written.
"""

from __future__ import annotations

import contextlib
import csv
import ctypes
import ctypes.util
import io
import json
import os
import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path

from station.core.coach.setreport import SetReport
from station.edges.paths import data_dir
from station.errors import StationError

SCHEMA = """
CREATE TABLE IF NOT EXISTS sets (
    id INTEGER PRIMARY KEY,
    finished_at TEXT NOT NULL,      -- ISO 8601, UTC
    clock_synced INTEGER NOT NULL,  -- 0: the Pi's clock was not yet set from the network
    drill TEXT NOT NULL,
    reps INTEGER NOT NULL,
    good_reps INTEGER NOT NULL,
    duration_s REAL NOT NULL,
    rep_list TEXT NOT NULL,         -- JSON: each rep's times, faults and metrics
    uid TEXT                        -- the set's stable id: writing a set twice stores it once
);
CREATE TABLE IF NOT EXISTS placements (
    id INTEGER PRIMARY KEY,
    recorded_at TEXT NOT NULL,      -- ISO 8601, UTC
    clock_synced INTEGER NOT NULL,
    figures TEXT NOT NULL           -- JSON: each check's figure, limits and verdict
);
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,           -- 'identity': a random id made with the file; a new file, a new id
    value TEXT NOT NULL
);
"""
# Databases made before `uid` existed gain it (and its index) when opened.
MIGRATIONS = ("ALTER TABLE sets ADD COLUMN uid TEXT",)
UID_INDEX = "CREATE UNIQUE INDEX IF NOT EXISTS sets_uid ON sets (uid)"
TIME_ERROR = 5  # adjtimex: the kernel's clock is not synchronised
READER_BUSY_S = 10.0  # how long a reader waits for a writer (a command a person runs can wait)
FILE_MODE = 0o640  # the kiosk's group (the owner's account, the fleet sender) reads it; nobody else


def clock_synchronised() -> bool:
    """Whether the system clock has been set from a time server (the kernel says, via adjtimex)."""
    if Path("/run/systemd/timesync/synchronized").exists():
        return True
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        buf = ctypes.create_string_buffer(512)  # struct timex, zeroed: modes = 0 only reads
        return libc.adjtimex(buf) not in (-1, TIME_ERROR)
    except (OSError, AttributeError):
        return False


def since_utc(since: str) -> str:
    """Any ISO 8601 date or time (2026-11-29, 20261129, 2026-W48-7, a space for T, an offset) as the
    UTC text the history stores, so rows compare by time and not by how the date was written."""
    try:
        when = datetime.fromisoformat(since.strip())
    except ValueError:
        raise StationError(f"--since takes an ISO 8601 date or time like 2026-11-25, not '{since}'.") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)  # the history is kept in UTC; a bare date means UTC
    try:
        return when.astimezone(timezone.utc).isoformat(timespec="seconds")
    except OverflowError:
        raise StationError(f"--since '{since}' is past the calendar's end: give a date before 9999-12-31.") from None


def valid_reps(value: object) -> list[dict]:
    """A row's reps as the readers expect them (a list of reps, each with a list of faults), or []
    for a row damaged or written by something else: its set is still listed, its reps' details are lost."""
    if not isinstance(value, list):
        return []
    reps = []
    for rep in value:
        if not isinstance(rep, dict) or not isinstance(rep.get("faults", []), list):
            return []
        reps.append({**rep, "faults": [str(f) for f in rep.get("faults", [])]})
    return reps


class History:
    def __init__(self, path: Path, read_only: bool = False, busy_s: float = READER_BUSY_S) -> None:
        """`read_only`: for readers that are not the kiosk (`station status`, `station history`, the
        health page of another process, the sync sender): they never create, migrate or write anything.
        `busy_s`: how long to wait for another process's lock (the kiosk waits briefly: its screen runs)."""
        self.path = path
        self.read_only = read_only
        if path.is_symlink():
            raise StationError(f"The set history at {path} is a symbolic link: the station does not follow one.")
        if read_only:
            if not path.is_file():
                raise StationError(f"There is no set history at {path} yet.")
            # While the kiosk has the file open, its WAL and shared-memory files exist and are used.
            # While it does not, nothing is writing, and the file is read as it lies (immutable): a
            # reader must not make those files itself (root's would lock the kiosk out of its history).
            uri = path.resolve().as_uri()
            shm = path.with_name(path.name + "-shm")
            queries = ("?mode=ro", "?mode=ro&immutable=1") if shm.exists() else ("?mode=ro&immutable=1",)
            for query in queries:
                try:
                    self._db = sqlite3.connect(uri + query, uri=True, timeout=busy_s)
                    self._db.execute("SELECT count(*) FROM sets").fetchone()
                    return
                except sqlite3.Error as exc:
                    failure = exc
                    with contextlib.suppress(sqlite3.Error):
                        self._db.close()
            raise StationError(f"The set history at {path} cannot be read ({failure}).") from failure
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileExistsError):  # made 0640 before SQLite sees it (its WAL files follow)
                os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, FILE_MODE))
            self._db = sqlite3.connect(str(path), timeout=busy_s, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.executescript(SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(sets)")}
            if "uid" not in columns:
                for statement in MIGRATIONS:
                    self._db.execute(statement)
            self._db.execute(UID_INDEX)
            missing = {"finished_at", "drill", "reps", "good_reps", "rep_list"} - {
                row[1] for row in self._db.execute("PRAGMA table_info(sets)")
            }
            if missing:
                raise sqlite3.DatabaseError(f"a table `sets` of another program, without {', '.join(sorted(missing))}")
            self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('identity', ?)", (uuid.uuid4().hex,))
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(AttributeError, sqlite3.Error):
                self._db.close()
            raise StationError(f"The set history at {path} cannot be opened ({exc}).") from exc
        except OSError as exc:
            raise StationError(f"The set history at {path} cannot be opened ({exc.strerror or exc}).") from exc

    @classmethod
    def open(cls, folder: Path | None = None, busy_s: float = READER_BUSY_S) -> History:
        return cls((folder or data_dir()) / "history.sqlite3", busy_s=busy_s)

    def identity(self) -> str | None:
        """The file's own id: a history made anew (ids from 1 again) has another one. None: a file
        from before identities, not yet opened by the kiosk."""
        try:
            row = self._db.execute("SELECT value FROM meta WHERE key = 'identity'").fetchone()
        except sqlite3.Error:
            return None
        return row[0] if row else None

    def last_id(self) -> int:
        """The highest set row id (0 for none)."""
        try:
            return int(self._db.execute("SELECT coalesce(max(id), 0) FROM sets").fetchone()[0])
        except sqlite3.Error as exc:
            raise StationError(f"The set history at {self.path} cannot be read ({exc}).") from None

    @classmethod
    def reader(cls, folder: Path | None = None) -> History:
        """The history opened read-only (StationError if there is none yet or it cannot be read)."""
        return cls((folder or data_dir(create=False)) / "history.sqlite3", read_only=True)

    def count_since(self, since_utc_text: str) -> int:
        """Sets finished at or after a UTC time (as `since_utc` writes it)."""
        return self._count("finished_at >= ?", since_utc_text)

    def _count(self, where: str, value: object) -> int:
        try:
            return int(self._db.execute(f"SELECT count(*) FROM sets WHERE {where}", (value,)).fetchone()[0])
        except sqlite3.Error as exc:
            raise StationError(f"The set history at {self.path} cannot be read ({exc}).") from None

    def after(self, last_id: int, limit: int) -> list[dict]:
        """Finished sets stored after row `last_id`, oldest first, as stored (rep_list as JSON text)."""
        query = ("SELECT id, uid, finished_at, clock_synced, drill, reps, good_reps, duration_s, rep_list FROM sets"
                 " WHERE id > ? ORDER BY id LIMIT ?")  # fmt: skip
        try:
            self._db.row_factory = sqlite3.Row
            return [dict(r) for r in self._db.execute(query, (last_id, limit))]
        except sqlite3.Error as exc:
            raise StationError(f"The set history at {self.path} cannot be read ({exc}).") from None
        finally:
            self._db.row_factory = None

    def count_after(self, last_id: int) -> int:
        """Sets stored after history row `last_id` (what the fleet sender has still to deliver)."""
        return self._count("id > ?", last_id)

    def record_placement(self, figures: dict, when: datetime | None = None) -> int:
        """A placement check that passed: when, and the figures it passed with."""
        stamp = (when or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
        with self._db:
            cur = self._db.execute(
                "INSERT INTO placements (recorded_at, clock_synced, figures) VALUES (?, ?, ?)",
                (stamp, int(clock_synchronised()), json.dumps(figures)),
            )
        return int(cur.lastrowid or 0)

    def placements(self) -> list[dict]:
        try:
            rows = self._db.execute(
                "SELECT id, recorded_at, clock_synced, figures FROM placements ORDER BY id"
            ).fetchall()
        except sqlite3.OperationalError:
            return []  # a history from before placements were kept
        return [{"id": r[0], "recorded_at": r[1], "clock_synced": r[2], "figures": json.loads(r[3])} for r in rows]

    def record(self, report: SetReport, finished_at: datetime | None = None, uid: str | None = None) -> int:
        """Store one finished set in a single transaction; returns its id (0: `uid` was stored before)."""
        when = (finished_at or datetime.now(timezone.utc)).isoformat(timespec="seconds")
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            cur = self._db.execute(INSERT_SET, _row(report, when, uid, clock_synchronised()))
        return int(cur.lastrowid or 0) if cur.rowcount else 0

    def record_many(self, entries: list[dict]) -> int:
        """Store journal entries (uid, finished_at, report) in one transaction; returns how many were
        new (a set stored before, by its uid, is not stored again)."""
        synced = clock_synchronised()
        rows = [_row(SetReport.from_json(e["report"]), datetime.fromisoformat(e["finished_at"]).isoformat(
            timespec="seconds"), e["uid"], bool(e.get("clock_synced", synced))) for e in entries]  # fmt: skip
        before = self._db.total_changes
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany(INSERT_SET, rows)
        return self._db.total_changes - before

    def sets(self, since: str | None = None) -> list[dict]:
        query, args = "SELECT * FROM sets", ()
        if since:
            query, args = query + " WHERE finished_at >= ?", (since_utc(since),)
        try:
            self._db.row_factory = sqlite3.Row
            rows = [dict(r) for r in self._db.execute(query + " ORDER BY id", args)]
        except sqlite3.DatabaseError as exc:
            raise StationError(f"The set history at {self.path} cannot be read ({exc}).") from None
        finally:
            self._db.row_factory = None
        for row in rows:
            try:
                row["rep_list"] = valid_reps(json.loads(row["rep_list"]))
            except (TypeError, ValueError):
                row["rep_list"] = []  # a damaged row still lists its set; its reps are lost, not the rest
        return rows

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self._db.close()


INSERT_SET = ("INSERT OR IGNORE INTO sets (finished_at, clock_synced, drill, reps, good_reps, duration_s, rep_list,"
              " uid) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")  # fmt: skip


def _row(report: SetReport, when: str, uid: str | None, synced: bool) -> tuple:
    return (when, int(synced), report.drill, report.count, report.good_reps, round(report.duration_s, 2),
            json.dumps([r.to_json() for r in report.reps]), uid)  # fmt: skip


def format_history(rows: list[dict], as_csv: bool) -> str:
    """Sets one a line: a CSV for a spreadsheet (fault ids per rep), or a table to read (faults in words)."""
    header = ["id", "finished_at", "clock_synced", "drill", "reps", "good_reps", "duration_s", "faults_per_rep"]
    if as_csv:
        lines = [[r["id"], r["finished_at"], r["clock_synced"], r["drill"], r["reps"], r["good_reps"], r["duration_s"],
                  ";".join("+".join(rep["faults"]) or "-" for rep in r["rep_list"])] for r in rows]  # fmt: skip
        return _csv(header, lines)
    if not rows:
        return "No sets yet."
    table = [("id", "finished (UTC)", "drill", "reps", "good", "faults")]
    for r in rows:
        when = r["finished_at"].replace("T", " ")[:16] + ("" if r["clock_synced"] else " *")
        table.append(
            (str(r["id"]), when, r["drill"], str(r["reps"]), str(r["good_reps"]), faults_in_words(r["rep_list"]))
        )
    widths = [max(len(row[i]) for row in table) for i in range(5)]
    right = (0, 3, 4)  # numbers line up on the right
    text = ["  ".join(row[i].rjust(w) if i in right else row[i].ljust(w) for i, w in enumerate(widths)) + "  " + row[5]
            for row in table]  # fmt: skip
    if any(not r["clock_synced"] for r in rows):
        text.append("* the station's clock was not yet set from the network: that time may be wrong")
    return "\n".join(line.rstrip() for line in text)


def faults_in_words(reps: list[dict]) -> str:
    """ "Knees forward (reps 1, 3); Hips dropping (rep 2)", or "none"."""
    from station.core.drills import FAULT_NAMES

    on: dict[str, list[int]] = {}
    for n, rep in enumerate(reps, 1):
        for fault in rep["faults"]:
            on.setdefault(fault, []).append(int(rep.get("index", n)))
    if not on:
        return "none"
    return "; ".join(f"{FAULT_NAMES.get(f, f)} (rep{'s' if len(r) > 1 else ''} {', '.join(map(str, r))})"
                     for f, r in on.items())  # fmt: skip


def format_placements(rows: list[dict], as_csv: bool) -> str:
    """Placement checks that passed, one a line, with their figures."""
    header = ["id", "recorded_at", "clock_synced", "figures"]
    lines = [[r["id"], r["recorded_at"], r["clock_synced"], json.dumps(r["figures"], sort_keys=True)] for r in rows]
    if as_csv:
        return _csv(header, lines)
    text = [f"{'id':>4}  {'recorded (UTC)':25s}  figures"]
    for r in rows:
        figures = ", ".join(f"{k} {v}" for k, v in sorted(r["figures"].items()))
        mark = "" if r["clock_synced"] else " (clock not set)"
        text.append(f"{r['id']:>4}  {r['recorded_at'] + mark:25s}  {figures}")
    return "\n".join(text)


def _csv(header: list[str], rows: list[list]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().rstrip("\n")
