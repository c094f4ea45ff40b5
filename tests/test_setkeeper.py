"""Faults injected into the set history: every finished set survives them, exactly once."""

import contextlib
import logging
import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from station.core.coach.setreport import Rep, SetReport
from station.edges.storage.history import History
from station.edges.storage.journal import DAMAGED_NAME, Journal, encode
from station.edges.storage.setkeeper import BATCH, BUSY_S, JOURNAL_NAME, RETRY_S, SetKeeper
from tests.helpers import station, tmpfs

ROOT = Path(__file__).resolve().parent.parent


def _report(reps: int = 3, drill: str = "rdl") -> SetReport:
    rep_list = tuple(Rep(i + 1, i * 2.0, i * 2.0 + 1, i * 2.0 + 2, (), {}, True) for i in range(reps))
    return SetReport(drill, rep_list, 100, 100)


def _stored(folder) -> list[dict]:
    history = History.open(folder)
    try:
        return history.sets()
    finally:
        history.close()


def test_a_set_is_stored_at_once_when_the_history_works(tmp_path):
    keeper = SetKeeper(tmp_path)
    keeper.keep(_report())
    assert keeper.waiting == 0 and keeper.problem is None
    assert [s["reps"] for s in _stored(tmp_path)] == [3]
    assert not (tmp_path / JOURNAL_NAME).exists()


def test_a_locked_database_keeps_the_set_in_the_journal_until_it_is_free(tmp_path):
    keeper = SetKeeper(tmp_path)
    History.open(tmp_path).close()
    blocker = sqlite3.connect(str(tmp_path / "history.sqlite3"), timeout=0, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the database
    import station.edges.storage.history as history_module

    original = history_module.sqlite3.connect

    tries = []

    def quick(*args, **kwargs):  # the kiosk's busy wait, shortened for the test
        kwargs["timeout"] = 0.1
        tries.append(1)
        return original(*args, **kwargs)

    history_module.sqlite3.connect = quick
    try:
        keeper.keep(_report(3))
        keeper.keep(_report(5))
        assert keeper.waiting == 2 and "History not saved" in keeper.problem and "locked" in keeper.problem
        assert len((tmp_path / JOURNAL_NAME).read_text().splitlines()) == 2
        keeper.retry(force=True)
        assert keeper.waiting == 2  # still locked: nothing lost, nothing written twice
        keeper.retry(now=5.0)
        tried = len(tries)
        keeper.retry(now=5.0 + RETRY_S / 2)  # a failing history is not tried every refresh
        assert len(tries) == tried
        keeper.retry(now=5.0 + RETRY_S)
        assert len(tries) == tried + 1
    finally:
        history_module.sqlite3.connect = original
        blocker.execute("ROLLBACK")
        blocker.close()
    keeper.retry(force=True)
    assert keeper.waiting == 0 and keeper.problem is None
    assert [s["reps"] for s in _stored(tmp_path)] == [3, 5]
    assert not (tmp_path / JOURNAL_NAME).exists()


def test_a_damaged_database_file_keeps_sets_waiting_and_says_so(tmp_path):
    (tmp_path / "history.sqlite3").write_bytes(b"this is not a database" * 100)
    keeper = SetKeeper(tmp_path)
    keeper.keep(_report())
    assert keeper.waiting == 1 and keeper.problem.startswith("History not saved")
    assert keeper.problem.count(".") <= 2  # one sentence for the screen, not a traceback


def test_the_kiosk_waits_only_briefly_for_another_process_s_lock(tmp_path):
    """Issue 17 #9: a 10 s wait a try froze the screen past the watchdog while the history was locked."""
    keeper = SetKeeper(tmp_path)
    keeper.keep(_report())
    busy_ms = keeper.history()._db.execute("PRAGMA busy_timeout").fetchone()[0]
    assert busy_ms == BUSY_S * 1000 <= 1000
    keeper.close()


def test_the_set_is_in_the_journal_before_the_history_is_tried(tmp_path, monkeypatch):
    """Write-ahead: whatever the history does (blocks, fails, the process dies in it), the set is on disk."""
    seen: list[list[str]] = []
    original = History.record_many

    def record_many(self, entries):
        seen.append([e["uid"] for e in Journal(tmp_path).read()[0]])
        return original(self, entries)

    monkeypatch.setattr(History, "record_many", record_many)
    keeper = SetKeeper(tmp_path)
    keeper.keep(_report())
    assert len(seen) == 1 and len(seen[0]) == 1
    assert not (tmp_path / JOURNAL_NAME).exists() and len(_stored(tmp_path)) == 1  # then dropped once stored


KEEP_AND_HANG = """
import sys, time
from pathlib import Path
from station.edges.storage.setkeeper import SetKeeper
from tests.test_setkeeper import _report
keeper = SetKeeper(Path(sys.argv[1]))
print("set finished", flush=True)
keeper.keep(_report(6))
time.sleep(120)
"""


def test_killed_4_s_after_a_set_ended_with_the_history_locked_the_set_is_kept_once(tmp_path):
    """Issue 17 #3: the set was in neither the history nor the journal (the journal came after a 10 s wait)."""
    History.open(tmp_path).close()
    blocker = sqlite3.connect(str(tmp_path / "history.sqlite3"), timeout=0, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")  # another process holds the database
    proc = subprocess.Popen([sys.executable, "-c", KEEP_AND_HANG, str(tmp_path)], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True)  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "set finished\n"
        time.sleep(4.0)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert _stored(tmp_path) == []
    keeper = SetKeeper(tmp_path)  # the restart
    keeper.close()
    assert [s["reps"] for s in _stored(tmp_path)] == [6]
    SetKeeper(tmp_path).close()  # and again: still once
    assert [s["reps"] for s in _stored(tmp_path)] == [6] and not (tmp_path / JOURNAL_NAME).exists()


def test_a_cut_journal_line_and_a_new_set_are_both_kept(tmp_path):
    """Issue 17 #2: the new set went onto the cut line, the merged line was skipped and the journal deleted."""
    (tmp_path / "history.sqlite3").mkdir()  # the history cannot be opened: the first set waits
    keeper = SetKeeper(tmp_path)
    keeper.keep(_report(2))
    keeper.close()
    (tmp_path / "history.sqlite3").rmdir()
    cut = encode({"uid": "cut", "finished_at": "2026-12-02T07:00:00+00:00", "report": _report(9).to_json()})[:60]
    with open(tmp_path / JOURNAL_NAME, "ab") as f:
        f.write(cut)  # a crash mid-write
    keeper = SetKeeper(tmp_path)
    keeper.keep(_report(4))
    keeper.close()
    assert [s["reps"] for s in _stored(tmp_path)] == [2, 4]
    assert (tmp_path / DAMAGED_NAME).read_bytes() == cut + b"\n" and not (tmp_path / JOURNAL_NAME).exists()


def test_a_long_journal_is_written_a_batch_a_refresh_and_the_journal_is_not_rewritten_per_set(tmp_path):
    """Issue 17 #10: 3,000 sets waiting kept the screen closed for 198 s (one transaction and one
    journal rewrite a set)."""
    journal = Journal(tmp_path)
    sets = 3 * BATCH + 7
    (tmp_path / JOURNAL_NAME).write_bytes(b"".join(
        encode({"uid": f"s{i}", "finished_at": "2026-12-01T10:00:00+00:00", "report": _report(1).to_json()})
        for i in range(sets)))  # fmt: skip
    before = (tmp_path / JOURNAL_NAME).stat()
    keeper = SetKeeper(tmp_path)  # opens with one batch written: the screen is not kept waiting
    assert keeper.waiting == sets - BATCH
    refreshes = 0
    while keeper.waiting:
        after = (tmp_path / JOURNAL_NAME).stat()
        assert (after.st_ino, after.st_size, after.st_mtime_ns) == (before.st_ino, before.st_size, before.st_mtime_ns)
        keeper.retry(now=float(refreshes))
        refreshes += 1
    assert refreshes == 3 and len(_stored(tmp_path)) == sets and not journal.path.exists()
    keeper.close()


def test_sets_left_in_the_journal_are_written_at_the_next_start_once(tmp_path):
    (tmp_path / "history.sqlite3").mkdir()  # a folder where the database should be: cannot open
    keeper = SetKeeper(tmp_path)
    keeper.keep(_report(4))
    keeper.close()
    (tmp_path / "history.sqlite3").rmdir()
    journal = (tmp_path / JOURNAL_NAME).read_text()
    SetKeeper(tmp_path).close()  # the next start writes it
    (tmp_path / JOURNAL_NAME).write_text(journal)  # as if the journal could not be shrunk after writing
    SetKeeper(tmp_path).close()
    assert [s["reps"] for s in _stored(tmp_path)] == [4]  # the set's id stops a second copy


def test_the_time_a_set_finished_is_kept_not_the_time_it_was_written(tmp_path):
    (tmp_path / "history.sqlite3").mkdir()
    finished = datetime(2026, 11, 29, 6, 30, tzinfo=timezone.utc)
    keeper = SetKeeper(tmp_path, clock=lambda: finished)
    keeper.keep(_report())
    (tmp_path / "history.sqlite3").rmdir()
    keeper.retry(force=True)
    assert _stored(tmp_path)[0]["finished_at"] == "2026-11-29T06:30:00+00:00"


def test_with_nothing_on_disk_writable_the_set_goes_to_the_system_log_and_is_imported_from_it(tmp_path, caplog):
    """Issue 17 #1: a read-only data folder (or a full disk, or a folder the kiosk may not write)
    lost the set with no word at exit. Now the log holds it as a line `station history --import`
    takes back, and the exit says so; a folder that comes back takes it at once."""
    caplog.set_level(logging.INFO)
    with tmpfs(tmp_path / "ro", "ro,size=512k") as ro:
        keeper = SetKeeper(ro)
        keeper.keep(_report(2))
        assert keeper.waiting == 1 and keeper.unsaved == 1 and keeper.problem is not None
        assert not (ro / JOURNAL_NAME).exists()
        keeper.close()
        assert "could not be saved on this disk" in caplog.text and "station history --import" in caplog.text
        saved_log = tmp_path / "sets.txt"
        saved_log.write_text(caplog.text)
        env = {**os.environ, "STATION_DATA_DIR": str(tmp_path / "fixed")}
        imported = station("history", "--import", str(saved_log), env=env, timeout=60)
        assert imported.returncode == 0 and imported.stdout.startswith("1 set(s) imported"), imported.stderr
        assert [s["reps"] for s in _stored(tmp_path / "fixed")] == [2]
        again = station("history", "--import", str(saved_log), env=env, timeout=60)
        assert again.stdout.startswith("0 set(s) imported into the history, 1 were there already")
        keeper = SetKeeper(ro)
        keeper.keep(_report(3))
        subprocess.run(["mount", "-o", "remount,rw", str(ro)], check=True)
        keeper.retry(force=True)
        assert keeper.waiting == 0 and keeper.problem is None and [s["reps"] for s in _stored(ro)] == [3]
        keeper.close()


def test_a_full_disk_keeps_the_set_and_writes_it_when_space_is_free(tmp_path):
    with tmpfs(tmp_path / "disk", "size=256k") as disk:
        keeper = SetKeeper(disk)
        keeper.keep(_report(1))
        filler = disk / "filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
        with contextlib.suppress(OSError):
            while True:
                os.write(fd, b"\0" * 4096)
        os.close(fd)
        keeper.keep(_report(400))  # a long set: more than the last free bytes
        assert keeper.waiting == 1 and keeper.problem is not None
        filler.unlink()
        keeper.retry(force=True)
        assert keeper.waiting == 0 and [s["reps"] for s in _stored(disk)] == [1, 400]
        keeper.close()
