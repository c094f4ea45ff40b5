"""The fleet sender against a real PostgreSQL: two stations into one database; the database stopped
mid-backlog; the sender killed with SIGKILL at random points; the network cut mid-transaction.
Afterwards every set is in the database exactly once and the backlog is empty."""

import logging
import os
import random
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest

from station.core.coach.setreport import Rep, SetReport
from station.edges.storage.cursor import Cursor
from station.edges.storage.history import History
from station.fleet.sender import Sender, SyncSettings, password, safe_url
from station.fleet.sql import migrate
from tests.helpers import station
from tests.pgserver import CuttingProxy


def _history(folder: Path, sets: int, start: int = 0) -> list[str]:
    """`sets` finished sets in a station's history; returns their ids."""
    h = History.open(folder)
    uids = []
    now = datetime(2026, 11, 29, 12, 0, tzinfo=timezone.utc)
    for i in range(start, start + sets):
        reps = tuple(Rep(r + 1, 3.0 * r, 3.0 * r + 1, 3.0 * r + 2, ("knees_forward",) if r % 3 == 0 else (), {}, True)
                     for r in range(4))  # fmt: skip
        uid = f"{folder.name}-{i:05d}"
        h.record(SetReport("rdl", reps), now - timedelta(minutes=i), uid)
        uids.append(uid)
    h.close()
    return uids


def _settings(url: str, station: str, **kw) -> SyncSettings:
    return SyncSettings(enabled=True, station_id=station, station_name=station.title(), database_url=url,
                        interval_s=0.05, beat_s=3600, batch=25, max_backoff_s=0.5, connect_timeout_s=2,
                        **kw)  # fmt: skip


def _stored(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute("SELECT uid FROM sets ORDER BY uid")]


def _init(url: str) -> None:
    with psycopg.connect(url) as conn:
        migrate(conn)


def _drain(sender: Sender, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        wait = sender.step()
        if wait == sender.settings.interval_s and sender.failures == 0:
            return
        time.sleep(min(wait, 0.5))
    raise AssertionError("the backlog did not drain")


def test_two_stations_into_one_database_each_set_once(fleet_db, tmp_path):
    _init(fleet_db)
    a, b = tmp_path / "gym-a", tmp_path / "gym-b"
    uids = _history(a, 60) + _history(b, 45)
    for folder in (a, b):
        sender = Sender(_settings(fleet_db, folder.name), folder, folder / "sync")
        _drain(sender)
        _drain(sender)  # a second round finds nothing new and sends nothing twice
    assert _stored(fleet_db) == sorted(uids)
    assert Cursor(a / "sync").read() == 60 and Cursor(b / "sync").read() == 45
    _history(a, 5, start=60)  # new sets later: only they go
    _drain(Sender(_settings(fleet_db, "gym-a"), a, a / "sync"))
    assert len(_stored(fleet_db)) == 110
    with psycopg.connect(fleet_db) as conn:
        stations = dict(conn.execute("SELECT station_id, name FROM stations").fetchall())
        beats = conn.execute("SELECT count(*), bool_and(note IS NOT NULL) FROM beats").fetchone()
    assert stations == {"gym-a": "Gym-A", "gym-b": "Gym-B"}
    assert beats == (3, True)  # a beat each round's start; no kiosk here, and the beat says so


def test_the_database_stopped_mid_backlog_and_restarted(postgres, fleet_db, tmp_path, caplog):
    _init(fleet_db)
    folder = tmp_path / "gym"
    uids = _history(folder, 300)
    sender = Sender(_settings(fleet_db, "gym"), folder, folder / "sync")
    worker = threading.Thread(target=sender.run, daemon=True)
    caplog.set_level(logging.INFO, logger="station.fleet.sender")
    worker.start()
    try:
        deadline = time.monotonic() + 30
        while Cursor(folder / "sync").read() < 50 and time.monotonic() < deadline:
            time.sleep(0.005)
        postgres.stop()  # mid-backlog
        deadline = time.monotonic() + 30  # the sender fails, backs off, fails again: waited for, not slept
        while sender.failures < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sender.failures >= 2 and Cursor(folder / "sync").read() < 300
        postgres.start()
        deadline = time.monotonic() + 60
        while Cursor(folder / "sync").read() < 300 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sender.stop.set()
        worker.join(timeout=10)
    assert _stored(fleet_db) == sorted(uids)
    outage = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(outage) == 1  # one line for the outage, not one a try
    assert any("is back after" in r.getMessage() for r in caplog.records)


def test_sigkill_at_random_points_loses_nothing_and_doubles_nothing(fleet_db, tmp_path):
    _init(fleet_db)
    folder = tmp_path / "gym"
    uids = _history(folder, 400)
    config = tmp_path / "config.toml"
    config.write_text(f'[sync]\nenabled = true\nstation_id = "gym"\ndatabase_url = "{fleet_db}"\n'
                      "interval_s = 1\nbatch = 10\nmax_backoff_s = 1\n")  # fmt: skip
    env = {**os.environ, "STATION_DATA_DIR": str(folder)}
    cmd = [sys.executable, "-m", "station", "sync", "--config", str(config), "--state", str(folder / "sync")]
    rng = random.Random(11)
    kills = 0
    cursor = Cursor(folder / "sync")
    while cursor.read() < 400 and kills < 40:
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # Kill it a random number of batches on, and a random moment after that: mid-insert, between
        # the commit and the cursor, or while the cursor file is being replaced.
        target = min(400, cursor.read() + 10 * rng.randint(1, 5))  # past the last set it would wait for ever
        deadline = time.monotonic() + 30
        while cursor.read() < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(rng.uniform(0.0, 0.004))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
    assert kills >= 5
    assert 0 < Cursor(folder / "sync").read() <= 400
    once = subprocess.run([*cmd, "--once"], env=env, capture_output=True, text=True, timeout=120)
    assert once.returncode == 0, once.stderr[-2000:]
    assert _stored(fleet_db) == sorted(uids) and Cursor(folder / "sync").read() == 400


# The inserts are prepared statements after a few rounds (their text is not sent again): the cut waits
# for a set's id in the data instead, half way through the second backlog.
@pytest.mark.parametrize(("marker", "lost_ack"), [(b"gym-00150", False), (b"COMMIT", True)])
def test_the_network_cut_during_a_transaction(postgres, fleet_db, tmp_path, marker, lost_ack):
    """Cut after the inserts went out (the transaction dies with the connection), or after the
    COMMIT reached the database but before its answer came back (stored, but the sender does not
    know): either way, after the network is back, every set is there once."""
    _init(fleet_db)
    folder = tmp_path / "gym"
    uids = _history(folder, 120)
    proxy = CuttingProxy(postgres.port)
    try:
        url = postgres.url(fleet_db.rsplit("/", 1)[1], port=proxy.port)
        sender = Sender(_settings(url, "gym"), folder, folder / "sync")
        sender.step()  # the first batches go through
        first = Cursor(folder / "sync").read()
        assert first == 120  # one round drains what waits, batch after batch
        _history(folder, 100, start=120)
        uids += [f"gym-{i:05d}" for i in range(120, 220)]
        proxy.cut_on(marker, drop_reply=lost_ack)
        wait = sender.step()
        assert proxy.cuts == 1 and sender.failures == 1 and wait > 0
        before = Cursor(folder / "sync").read()
        assert before < 220
        if lost_ack:  # the batch is in the database, but the cursor does not know: it will be offered again
            assert len(_stored(fleet_db)) == before + 25
        proxy.heal()
        _drain(sender)
    finally:
        proxy.close()
    assert _stored(fleet_db) == sorted(uids) and Cursor(folder / "sync").read() == 220


def test_the_password_comes_from_the_credential_never_the_url(tmp_path, monkeypatch):
    (tmp_path / "db-password").write_text("s3cret\n")
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path))
    assert password() == "s3cret"
    assert safe_url("postgresql://gym:s3cret@db.example:5432/fleet") == "postgresql://gym:***@db.example:5432/fleet"
    assert safe_url("postgresql://gym@db/fleet?sslmode=require&Password=s3cret") == (
        "postgresql://gym@db/fleet?sslmode=require&Password=***"
    )
    from station.config import parse
    from station.errors import StationError

    with pytest.raises(StationError, match="holds a password"):
        parse({"sync": {"database_url": "postgresql://gym:s3cret@db.example/fleet"}})
    with pytest.raises(StationError, match="sslmode must be one of"):
        parse({"sync": {"sslmode": "sometimes"}})


def test_a_database_without_tables_says_to_run_init(fleet_db, tmp_path, caplog):
    folder = tmp_path / "gym"
    _history(folder, 3)
    sender = Sender(_settings(fleet_db, "gym"), folder, folder / "sync")
    caplog.set_level(logging.WARNING, logger="station.fleet.sender")
    assert sender.step() > 0 and Cursor(folder / "sync").read() == 0
    assert "run `station sync --init`" in caplog.text and "3 sets wait" in caplog.text


def test_a_history_made_anew_is_sent_from_its_first_set(fleet_db, tmp_path, caplog):
    """Issue 17 #4: the history recreated after 50 sets were synced (ids from 1 again): the cursor
    stayed at 50, the new sets were never sent and `status` said 0 waiting."""
    from station.edges.health import read_status

    _init(fleet_db)
    folder = tmp_path / "gym"
    first = _history(folder, 50)
    sender = Sender(_settings(fleet_db, "gym"), folder, folder / "sync")
    _drain(sender)
    (folder / "history.sqlite3").unlink()
    renewed = _history(folder, 20, start=100)  # a new file: rows 1..20
    status = read_status(folder, sync_folder=folder / "sync")
    assert status.sync_waiting == 20
    caplog.set_level(logging.WARNING, logger="station.fleet.sender")
    _drain(Sender(_settings(fleet_db, "gym"), folder, folder / "sync"))
    assert _stored(fleet_db) == sorted(first + renewed)
    assert "not the one the sync cursor counted in" in caplog.text
    assert read_status(folder, sync_folder=folder / "sync").sync_waiting == 0


def test_the_cursor_is_readable_by_the_kiosks_group(fleet_db, tmp_path):
    """Issue 17 #16: a 0600 cursor made `status` for the owner's account say every set was waiting."""
    _init(fleet_db)
    folder = tmp_path / "gym"
    _history(folder, 3)
    old = os.umask(0o027)
    try:
        _drain(Sender(_settings(fleet_db, "gym"), folder, folder / "sync"))
    finally:
        os.umask(old)
    assert (folder / "sync" / "sync-cursor.json").stat().st_mode & 0o777 == 0o640


def test_a_set_id_held_with_other_content_is_said_not_silently_kept(fleet_db, tmp_path, caplog):
    """Issue 17 #17: a database row with the same id and different content was kept without a word."""
    _init(fleet_db)
    folder = tmp_path / "gym"
    uids = _history(folder, 3)
    with psycopg.connect(fleet_db) as conn:
        conn.execute("INSERT INTO stations (station_id) VALUES ('elsewhere')")
        conn.execute("INSERT INTO sets (uid, station_id, history_id, finished_at, clock_synced, drill, reps, good_reps,"
                     " duration_s, rep_list) VALUES (%s, 'elsewhere', 9, now(), true, 'kb-swing', 12, 12, 30, '[]')",
                     (uids[1],))  # fmt: skip
    caplog.set_level(logging.WARNING, logger="station.fleet.sender")
    _drain(Sender(_settings(fleet_db, "gym"), folder, folder / "sync"))
    assert f"set {uids[1]} is in the fleet database already with other content (station elsewhere" in caplog.text
    assert caplog.text.count("with other content") == 1  # the two sets that match are not mentioned


@pytest.mark.parametrize(("damage", "said"), [
    ("DROP TABLE beats CASCADE", "no Hinge Station tables yet: run `station sync --init`"),
    ("ALTER TABLE sets RENAME COLUMN reps TO rep_count", "its column reps is missing or renamed"),
    ("ALTER TABLE sets ALTER COLUMN good_reps TYPE timestamptz USING now()", "wrong type"),
    ("cursor", "sync-cursor.json cannot be written (Is a directory)"),
])  # fmt: skip
def test_each_sender_failure_is_named_for_what_it_is(fleet_db, tmp_path, caplog, damage, said):
    """Issue 17 #18: every failure was "the database is unreachable"."""
    _init(fleet_db)
    folder = tmp_path / "gym"
    _history(folder, 3)
    if damage == "cursor":
        (folder / "sync").mkdir(parents=True)
        (folder / "sync" / "sync-cursor.json").mkdir()  # a folder where the cursor should be
    else:
        with psycopg.connect(fleet_db) as conn:
            conn.execute(damage)
    caplog.set_level(logging.WARNING, logger="station.fleet.sender")
    sender = Sender(_settings(fleet_db, "gym"), folder, folder / "sync")
    assert sender.step() > 0 and sender.failures == 1
    assert said in caplog.text and "unreachable" not in caplog.text, caplog.text


def test_sync_init_against_a_missing_database_is_one_sentence(postgres, tmp_path):
    """Issue 17 #8: psycopg's traceback for a missing database, a wrong password or none."""
    config = tmp_path / "config.toml"
    config.write_text(f'[sync]\ndatabase_url = "{postgres.url("no_such_db")}"\n')
    run = station("sync", "--init", "--config", str(config), timeout=60)
    assert run.returncode == 2 and "Traceback" not in run.stderr
    assert "there is no database no_such_db on that server: create it (createdb no_such_db)" in run.stderr
