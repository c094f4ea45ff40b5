"""Faults injected into the set history: every finished set survives them, exactly once."""

import contextlib
import os
import sqlite3
import subprocess
from datetime import datetime, timezone

from station.coach.setreport import Rep, SetReport
from station.history import History
from station.setkeeper import JOURNAL_NAME, SetKeeper
from tests.helpers import tmpfs


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
    import station.history as history_module

    original = history_module.sqlite3.connect

    def quick(*args, **kwargs):  # the kiosk's 10 s busy wait, shortened for the test
        kwargs["timeout"] = 0.1
        return original(*args, **kwargs)

    history_module.sqlite3.connect = quick
    try:
        keeper.keep(_report(3))
        keeper.keep(_report(5))
        assert keeper.waiting == 2 and "History not saved" in keeper.problem and "locked" in keeper.problem
        assert len((tmp_path / JOURNAL_NAME).read_text().splitlines()) == 2
        keeper.retry(force=True)
        assert keeper.waiting == 2  # still locked: nothing lost, nothing written twice
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


def test_with_neither_database_nor_journal_writable_the_set_waits_in_memory(tmp_path):
    with tmpfs(tmp_path / "ro", "ro,size=512k") as ro:
        keeper = SetKeeper(ro)
        keeper.keep(_report(2))
        assert keeper.waiting == 1 and keeper.problem is not None and not (ro / JOURNAL_NAME).exists()
        subprocess.run(["mount", "-o", "remount,rw", str(ro)], check=True)
        keeper.retry(force=True)
        assert keeper.waiting == 0 and keeper.problem is None and [s["reps"] for s in _stored(ro)] == [2]
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
