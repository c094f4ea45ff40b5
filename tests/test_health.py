"""The station's health: fake thermal and throttling readings, a fresh folder, a stale kiosk, another user."""

import os
import shutil
import subprocess
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from station.core.coach.setreport import Rep, SetReport
from station.edges.health import HealthRecord, Machine, cpu_temperature, read_status, throttling
from station.edges.storage.history import History
from tests.helpers import station

ROOT = Path(__file__).resolve().parents[1]


def _machine(tmp_path: Path, temp: str | None = "48312", throttled: str | None = "throttled=0x0\n") -> Machine:
    root = tmp_path / "sysroot"
    if temp is not None:
        zone = root / "sys/class/thermal/thermal_zone0"
        zone.mkdir(parents=True)
        (zone / "type").write_text("cpu-thermal\n")
        (zone / "temp").write_text(temp + "\n")
    (root / "proc").mkdir(parents=True)
    (root / "proc/uptime").write_text("93784.5 180000.0\n")
    return Machine(sys_root=root, vcgencmd=lambda: throttled)


def test_the_pis_thermal_zone_and_throttling_flags_are_read_in_words(tmp_path):
    m = _machine(tmp_path, throttled="throttled=0x50005\n")
    assert cpu_temperature(m) == pytest.approx(48.312)
    assert throttling(m) == ["under-voltage now", "throttled now", "under-voltage since boot", "throttled since boot"]
    assert throttling(Machine(vcgencmd=lambda: "throttled=0x0")) == []
    lines = read_status(tmp_path / "data", m).lines()
    assert "CPU temperature: 48.3 C" in lines and "uptime: 1 d 2 h 3 min" in lines
    assert "throttled: under-voltage now, throttled now, under-voltage since boot, throttled since boot" in lines


def test_a_fresh_station_without_readings_still_reports(tmp_path):
    m = Machine(sys_root=tmp_path / "nothing", vcgencmd=lambda: None)
    lines = read_status(tmp_path / "never-made", m).lines()
    assert "CPU temperature: not reported" in lines and "throttled: not reported" in lines
    assert "sets today: 0" in lines and "sets in the last 7 days: 0" in lines
    assert "kiosk: not running (no health record yet)" in lines and "uptime: not reported" in lines


def test_sets_today_and_this_week_count_by_the_local_day(tmp_path):
    now = datetime(2026, 11, 29, 9, 30).astimezone()
    h = History.open(tmp_path)
    report = SetReport("rdl", (Rep(1, 0.0, 1.0, 2.0, (), {}, True),))
    for ago in (timedelta(minutes=5), timedelta(hours=10), timedelta(days=3), timedelta(days=9)):
        h.record(report, (now - ago).astimezone(timezone.utc))
    h.close()
    lines = read_status(tmp_path, _machine(tmp_path), now).lines()
    assert "sets today: 1" in lines and "sets in the last 7 days: 3" in lines  # 10 h ago was yesterday


def test_the_kiosks_record_says_running_until_it_goes_stale(tmp_path):
    record = HealthRecord(time.time(), time.time() - 3700, os.getpid(), 14.5, "ok", "set", "No camera found.", 2)
    record.write(tmp_path)
    assert oct((tmp_path / "health.json").stat().st_mode & 0o777) == "0o640"
    machine = _machine(tmp_path)
    lines = read_status(tmp_path, machine).lines()
    assert "kiosk: running for 1 h 1 min, screen: set" in lines and "pose frames per second: 14.5" in lines
    assert "camera: ok" in lines and "last problem: No camera found." in lines
    assert "sets waiting for the history: 2" in lines
    HealthRecord(time.time() - 600, time.time() - 4000, os.getpid(), 14.5, "ok", "set").write(tmp_path)
    lines = read_status(tmp_path, machine).lines()
    assert "kiosk: not running (last seen 0 h 10 min ago)" in lines and "pose frames per second: -" in lines


def test_a_stopped_crashed_or_replaced_kiosk_is_not_running_whatever_the_clock_says(tmp_path):
    """Issue 17 #15: `status` said "running, screen: set" for a minute after the kiosk stopped or was
    killed, and for ever after the clock was set back; the fleet beats copied it."""
    from station.edges.storage.journal import Journal, encode

    machine = _machine(tmp_path)
    now = time.time()
    alive = HealthRecord(now, now - 60, os.getpid(), 14.5, "ok", "set")
    alive.write(tmp_path)
    assert read_status(tmp_path, machine).kiosk_running
    HealthRecord(now, now - 60, os.getpid(), 14.5, "ok", "set", stopped_at=now).write(tmp_path)
    assert not read_status(tmp_path, machine).kiosk_running  # stopped cleanly a second ago
    dead = subprocess.Popen(["true"])
    dead.wait()
    HealthRecord(now, now - 60, dead.pid, 14.5, "ok", "set").write(tmp_path)
    assert not read_status(tmp_path, machine).kiosk_running  # killed: its process is gone
    HealthRecord(now + 3600, now - 60, os.getpid(), 14.5, "ok", "set").write(tmp_path)
    assert not read_status(tmp_path, machine).kiosk_running  # written "an hour from now": the clock went back
    HealthRecord(now - 30, now - 90, os.getpid(), 14.5, "ok", "set").write(tmp_path)
    later = subprocess.Popen(["sleep", "30"])  # a process that got a number after the record was written
    try:
        time.sleep(0.01)
        HealthRecord(now - 30, now - 90, later.pid, 14.5, "ok", "set").write(tmp_path)
        assert not read_status(tmp_path, machine).kiosk_running
    finally:
        later.kill()
        later.wait()
    Journal(tmp_path).path.write_bytes(encode({"uid": "a", "finished_at": "2026-12-02T07:00:00+00:00",
                                               "report": SetReport("rdl").to_json()}))  # fmt: skip
    lines = read_status(tmp_path, machine).lines()
    assert "sets waiting in the journal: 1 (written to the history when the kiosk next starts)" in lines


def test_station_status_exits_0_in_a_fresh_data_folder(tmp_path):
    env = {**os.environ, "STATION_DATA_DIR": str(tmp_path / "fresh")}
    run = station("status", env=env)
    assert run.returncode == 0, run.stderr
    assert any(line.startswith("CPU temperature:") for line in run.stdout.splitlines())
    assert "sets today: 0" in run.stdout


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv"),
                    reason="reading as another user needs root (to switch to nobody) and setpriv")  # fmt: skip
def test_another_user_in_the_group_reads_the_history_while_the_kiosk_runs_and_after():
    top = Path(tempfile.mkdtemp(prefix="hinge-reader-", dir="/tmp"))  # pytest's own folders are root's alone
    try:
        _read_as_another_user(top)
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _read_as_another_user(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    h = History.open(folder)
    h.record(SetReport("rdl", (Rep(1, 0.0, 1.0, 2.0, (), {}, True),)))
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from pathlib import Path; "
            "from station.edges.storage.history import History; "
            f"print(len(History.reader(Path({str(folder)!r})).sets()))")  # fmt: skip

    def read_as_nobody() -> subprocess.CompletedProcess:
        for p in [tmp_path, folder, *folder.iterdir()]:  # the unit's modes: 0750 folders, 0640 files
            os.chown(p, 0, 65534)
            os.chmod(p, 0o750 if p.is_dir() else 0o640)
        cmd = ["setpriv", "--reuid=nobody", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", code]
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60)

    while_open = read_as_nobody()  # the kiosk holds the database open: its WAL files are there
    assert while_open.returncode == 0 and while_open.stdout.strip() == "1", while_open.stderr
    h.close()  # the kiosk stopped: no WAL files, and the reader cannot make them
    after = read_as_nobody()
    assert after.returncode == 0 and after.stdout.strip() == "1", after.stderr
    # Issue 17 #16: a cursor this reader may not read is "not known", not "every set waiting".
    from station.edges.storage.cursor import Cursor

    Cursor(tmp_path / "sync").write(1)
    os.chmod(tmp_path / "sync" / "sync-cursor.json", 0o600)
    code = (f"import sys; sys.path.insert(0, {str(ROOT)!r}); from pathlib import Path; "
            "from station.edges.health import read_status; "
            f"print(read_status(Path({str(folder)!r}), sync_folder=Path({str(tmp_path)!r}) / 'sync')"
            ".sync)")  # fmt: skip
    status = read_as_nobody()
    assert status.returncode == 0 and status.stdout.startswith("on, last delivery "), status.stderr


def test_throttling_is_read_from_the_firmwares_sysfs_file_without_vcgencmd(tmp_path):
    firmware = tmp_path / "sys/devices/platform/soc/soc:firmware"
    firmware.mkdir(parents=True)
    (firmware / "get_throttled").write_text("50005\n")
    machine = Machine(sys_root=tmp_path, vcgencmd=lambda: None)  # no device for vcgencmd: a sandboxed reader
    assert throttling(machine) == ["under-voltage now", "throttled now", "under-voltage since boot",
                                   "throttled since boot"]  # fmt: skip


def test_the_status_tells_the_fleet_senders_backlog_from_its_cursor(tmp_path):
    from station.edges.storage.cursor import Cursor

    h = History.open(tmp_path / "data")
    for _ in range(5):
        h.record(SetReport("rdl", (Rep(1, 0.0, 1.0, 2.0, (), {}, True),)))
    h.close()
    machine = Machine(sys_root=tmp_path / "none", vcgencmd=lambda: None)
    assert "sync: off (not set up on this station)" in read_status(tmp_path / "data", machine,
                                                                   sync_folder=tmp_path / "nosync").lines()  # fmt: skip
    Cursor(tmp_path / "sync").write(3)
    line = [x for x in read_status(tmp_path / "data", machine, sync_folder=tmp_path / "sync").lines() if "sync:" in x]
    assert line[0].startswith("sync: on, 2 sets waiting, last delivery ")
