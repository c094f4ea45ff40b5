import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import datetime, timezone

import pytest

from station.core.coach.setreport import Rep, SetReport
from station.edges.storage.history import History, format_history
from station.errors import StationError
from tests.helpers import station


def _report(reps: int, faults=("knees_forward",)) -> SetReport:
    return SetReport("rdl", tuple(
        Rep(i + 1, i * 3.0, i * 3 + 1.0, i * 3 + 2.0, tuple(faults) if i % 2 else (), {}, True) for i in range(reps)
    ))  # fmt: skip


def test_sets_are_stored_and_listed(tmp_path):
    h = History.open(tmp_path)
    h.record(_report(3), datetime(2026, 11, 20, tzinfo=timezone.utc))
    h.record(_report(2), datetime(2026, 11, 24, tzinfo=timezone.utc))
    rows = h.sets()
    assert [r["reps"] for r in rows] == [3, 2] and rows[0]["good_reps"] == 2
    assert [r["reps"] for r in h.sets(since="2026-11-22")] == [2]
    assert h._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    csv = format_history(rows, as_csv=True).splitlines()
    assert csv[0].startswith("id,finished_at,clock_synced,drill,reps")
    assert csv[1].split(",")[3:6] == ["rdl", "3", "2"] and csv[1].endswith("-;knees_forward;-")
    h.close()


def test_a_bad_since_date_is_one_sentence(tmp_path):
    with pytest.raises(StationError, match="--since takes an ISO 8601 date"):
        History.open(tmp_path).sets(since="last tuesday")


def test_a_corrupt_database_is_one_sentence(tmp_path):
    (tmp_path / "history.sqlite3").write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StationError, match="cannot be opened"):
        History.open(tmp_path)


def test_killed_during_writes_the_database_opens_clean_with_finished_sets_intact(tmp_path):
    writer = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(sys.path[0])!r})
        from station.core.coach.setreport import Rep, SetReport
        from station.edges.storage.history import History
        h = History.open(__import__('pathlib').Path({str(tmp_path)!r}))
        reps = tuple(Rep(i, 0.0, 1.0, 2.0, (), {{}}, True) for i in range(30))
        n = 0
        while True:
            h.record(SetReport("deadlift", reps))
            n += 1
            if n == 20:
                print("going", flush=True)
    """)
    proc = subprocess.Popen([sys.executable, "-c", writer], stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "going"
    time.sleep(0.3)
    proc.kill()  # SIGKILL, mid-write: no cleanup runs
    proc.wait()
    db = sqlite3.connect(str(tmp_path / "history.sqlite3"))
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    rows = History.open(tmp_path).sets()
    assert len(rows) >= 20 and all(r["reps"] == 30 and len(r["rep_list"]) == 30 for r in rows)


@pytest.mark.parametrize("since", ["2026-11-29", "20261129", "2026-W48-7", "2026-11-29 00:00", "2026-11-29T01:00+01"])
def test_since_takes_every_iso_form_and_compares_times_not_text(tmp_path, since):
    h = History.open(tmp_path)
    h.record(_report(2), datetime(2026, 11, 28, 23, 59, tzinfo=timezone.utc))
    h.record(_report(3), datetime(2026, 11, 29, 0, 1, tzinfo=timezone.utc))
    assert [s["reps"] for s in h.sets(since=since)] == [3]


def test_a_database_of_another_program_is_one_sentence(tmp_path):
    db = sqlite3.connect(str(tmp_path / "history.sqlite3"))
    db.execute("CREATE TABLE sets (name TEXT)")
    db.commit()
    db.close()
    with pytest.raises(StationError, match="another program"):
        History.open(tmp_path)


def test_a_row_with_damaged_json_still_lists_the_others(tmp_path):
    h = History.open(tmp_path)
    h.record(_report(2))
    h.record(_report(3))
    h._db.execute("UPDATE sets SET rep_list = '{not json' WHERE reps = 2")
    rows = h.sets()
    assert [r["reps"] for r in rows] == [2, 3] and rows[0]["rep_list"] == []


def test_writing_a_set_twice_under_one_id_stores_it_once(tmp_path):
    h = History.open(tmp_path)
    assert h.record(_report(2), uid="abc") > 0
    assert h.record(_report(2), uid="abc") == 0
    assert len(h.sets()) == 1


@pytest.mark.parametrize("rep_list", ['{"reps": 3}', "7", "[1, 2]", '[{"faults": "knees"}]', "null"])
def test_a_rep_list_that_is_json_but_not_reps_lists_the_set_without_its_reps(tmp_path, rep_list):
    """Issue 17 #7: valid JSON that is not a list of reps crashed `station history`."""
    h = History.open(tmp_path)
    h.record(_report(2), datetime(2026, 11, 20, tzinfo=timezone.utc), "a")
    h._db.execute("UPDATE sets SET rep_list = ?", (rep_list,))
    rows = h.sets()
    assert rows[0]["rep_list"] == [] and format_history(rows, as_csv=False).splitlines()[1].endswith("  none")
    h.close()


def test_the_history_command_reads_only_and_a_fresh_folder_says_no_sets_yet(tmp_path, monkeypatch):
    """Issue 17 #14: `sudo station history` on a fresh folder made a root-owned history the kiosk
    could not write. Reading now never creates or changes a file."""
    env = {**__import__("os").environ, "STATION_DATA_DIR": str(tmp_path / "data")}
    fresh = station("history", env=env, timeout=60)
    assert fresh.returncode == 0 and fresh.stdout == "No sets yet.\n" and not (tmp_path / "data").exists()
    History.open(tmp_path / "data").close()
    before = sorted(p.name for p in (tmp_path / "data").iterdir())
    listed = station("history", env=env, timeout=60)
    assert listed.stdout == "No sets yet.\n" and sorted(p.name for p in (tmp_path / "data").iterdir()) == before


def test_the_history_file_is_0640_and_a_link_in_its_place_is_refused(tmp_path):
    import os

    old = os.umask(0o022)
    try:
        History.open(tmp_path / "a").close()
    finally:
        os.umask(old)
    assert (tmp_path / "a" / "history.sqlite3").stat().st_mode & 0o777 == 0o640
    (tmp_path / "b").mkdir()
    os.symlink(tmp_path / "a" / "history.sqlite3", tmp_path / "b" / "history.sqlite3")
    with pytest.raises(StationError, match="symbolic link"):
        History.open(tmp_path / "b")


def test_a_history_made_anew_has_another_identity(tmp_path):
    first = History.open(tmp_path)
    identity = first.identity()
    first.close()
    again = History.open(tmp_path)
    assert again.identity() == identity and len(identity) == 32  # kept across opens
    again.close()
    (tmp_path / "history.sqlite3").unlink()
    fresh = History.open(tmp_path)
    assert fresh.identity() not in (None, identity)
    fresh.close()


def test_root_may_not_write_into_the_kiosk_users_folder(tmp_path):
    """Issue 17 #14: commands run as root on the data folder refuse rather than leave root's files."""
    import os

    if os.geteuid() != 0:
        pytest.skip("needs root to own a folder as another user")
    folder = tmp_path / "data"
    folder.mkdir()
    os.chown(folder, 65534, 65534)
    env = {**os.environ, "STATION_DATA_DIR": str(folder)}
    (tmp_path / "sets.txt").write_text("hinge-set {}\n")
    commands = (["history", "--import", str(tmp_path / "sets.txt")], ["run", "--source", "synthetic", "--seconds", "1"])
    for cmd in commands:
        run = station(*cmd, env=env, timeout=60)
        assert run.returncode == 2 and "run this as that user (sudo -u" in run.stderr, run.stderr
    assert list(folder.iterdir()) == []


def test_the_table_lines_up_says_faults_in_words_and_marks_an_unset_clock_once(tmp_path):
    """Issue 19: "(clock not set)" broke the columns and faults showed as raw ids."""
    h = History.open(tmp_path)
    h.record(_report(4), datetime(2026, 11, 20, 7, 0, tzinfo=timezone.utc))
    h.record(_report(12, faults=()), datetime(2026, 11, 21, 7, 0, tzinfo=timezone.utc))
    rows = h.sets()
    h.close()
    rows[0]["clock_synced"], rows[1]["clock_synced"] = 0, 1
    lines = format_history(rows, as_csv=False).splitlines()
    assert lines[1].split("  ")[-1] == "Knees forward (reps 2, 4)" and lines[2].endswith("  none")
    assert len({line.index("rdl") for line in lines[1:3]}) == 1  # the drill column lines up
    assert lines[1].index("rdl") == lines[0].index("drill")
    assert "2026-11-20 07:00 *" in lines[1] and lines[-1].startswith("* the station's clock was not yet set")
    assert format_history([], as_csv=False) == "No sets yet."
