"""How the station is doing, for the owner: the health page, `station status`, and the fleet sender.

The kiosk writes a small health record (`health.json` in the data folder, replaced atomically
every few seconds: pose frames a second, camera state, the last problem). Readers (`station
status` over SSH, the health page, a sync sender run as another user) put it together with what
the machine reports: CPU temperature and throttling, disk free, uptime, sets today and this week.
Every reading that a machine does not give is "not reported", never an error: `station status`
answers whenever it can.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from station.errors import StationError

if TYPE_CHECKING:
    from station.edges.storage.cursor import Cursor

RECORD_NAME = "health.json"
SYNC_STATE = Path("/var/lib/hinge-station-sync")  # the fleet sender's state folder (its cursor)
# The Pi firmware's throttling word in sysfs (Pi 4: soc/soc:firmware; Pi 5: soc@.../...:firmware).
FIRMWARE_THROTTLED = (
    "sys/devices/platform/soc*/*firmware*/get_throttled",
    "sys/devices/platform/*firmware*/get_throttled",
)
STALE_S = 60.0  # a record older (or, after the clock was set back, newer) than this: the kiosk is not running
THROTTLE_FLAGS = {  # vcgencmd get_throttled: bit -> what it means, in words
    0: "under-voltage now",
    1: "arm frequency capped now",
    2: "throttled now",
    3: "soft temperature limit now",
    16: "under-voltage since boot",
    17: "frequency capped since boot",
    18: "throttled since boot",
    19: "soft temperature limit since boot",
}


@dataclass(frozen=True)
class HealthRecord:
    """What the kiosk says of itself."""

    written_at: float  # seconds since the epoch
    started_at: float
    pid: int
    pose_fps: float  # frames through the pose stage a second, over the last minute
    camera: str  # "ok", "lost" (retrying), "none" (a clip or the synthetic athlete), "no model"
    screen: str  # attract, chosen, set, summary, health, place, asleep
    last_problem: str | None = None  # the last problem's sentence, kept after it clears
    sets_waiting: int = 0  # finished sets the history could not take yet (kept in the journal)
    stopped_at: float | None = None  # the kiosk stopped cleanly at this time (None: running, or it crashed)

    def write(self, folder: Path) -> None:
        """Replace the record atomically (readers never see half of one); readable by the group."""
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".health-", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(asdict(self), out)
            os.chmod(tmp, 0o640)
            os.replace(tmp, folder / RECORD_NAME)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    @classmethod
    def read(cls, folder: Path) -> HealthRecord | None:
        try:
            data = json.loads((folder / RECORD_NAME).read_text(encoding="utf-8"))
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except (OSError, ValueError, TypeError):
            return None


@dataclass(frozen=True)
class Machine:
    """Where the machine's readings come from; tests point these at fake files and commands."""

    sys_root: Path = Path("/")
    vcgencmd: Callable[[], str | None] = field(default=lambda: _run(["vcgencmd", "get_throttled"]))


def cpu_temperature(machine: Machine) -> float | None:
    """Degrees C of the CPU's thermal zone (the Pi's `cpu-thermal`; else the first zone), or None."""
    zones = sorted((machine.sys_root / "sys/class/thermal").glob("thermal_zone*"))
    preferred = [z for z in zones if _read(z / "type") in ("cpu-thermal", "x86_pkg_temp", "soc_thermal")]
    for zone in preferred + zones:
        raw = _read(zone / "temp")
        with contextlib.suppress(TypeError, ValueError):
            return int(raw) / 1000.0  # type: ignore[arg-type]
    return None


def throttling(machine: Machine) -> list[str] | None:
    """The Pi firmware's throttling flags in words ([] when all is well), or None where not reported.
    Read from the firmware's sysfs file where the kernel has one (no device needed: the sandboxed
    fleet sender reads it too), else from `vcgencmd get_throttled`."""
    raw = None
    for pattern in FIRMWARE_THROTTLED:
        for path in sorted(machine.sys_root.glob(pattern)):
            raw = _read(path)
            if raw:
                break
        if raw:
            break
    if not raw:
        out = machine.vcgencmd()
        if not out or "=" not in out:
            return None
        raw = out.strip().split("=", 1)[1]
    try:
        bits = int(raw.strip(), 16)
    except ValueError:
        return None
    return [words for bit, words in THROTTLE_FLAGS.items() if bits >> bit & 1]


def uptime_s(machine: Machine) -> float | None:
    raw = _read(machine.sys_root / "proc/uptime")
    with contextlib.suppress(AttributeError, ValueError, IndexError):
        return float(raw.split()[0])  # type: ignore[union-attr]
    return None


@dataclass(frozen=True)
class Status:
    """Everything the health page and `station status` show, read once."""

    version: str
    kiosk: HealthRecord | None  # None: no record (the kiosk never ran here, or is not running)
    kiosk_running: bool
    cpu_temperature_c: float | None
    throttled: list[str] | None
    disk_free_gb: float | None
    uptime_s: float | None
    sets_today: int | None
    sets_week: int | None
    history_note: str | None  # why the set counts are missing
    sync_last: str | None  # the fleet sender's last delivery (local time); None: not set up here
    sync_waiting: int | None  # sets it has still to deliver (None: not known)
    journal_waiting: int = 0  # finished sets in the journal, not yet in the history

    def lines(self) -> list[str]:
        """The status as text, one reading a line (the health page draws the same lines)."""
        k = self.kiosk
        if k is None:
            kiosk = "not running (no health record yet)"
        elif not self.kiosk_running:
            kiosk = f"not running (last seen {_ago(time.time() - k.written_at)} ago)"
        else:
            kiosk = f"running for {_duration(k.written_at - k.started_at)}, screen: {k.screen}"
        temp = f"{self.cpu_temperature_c:.1f} C" if self.cpu_temperature_c is not None else "not reported"
        throttled = "not reported" if self.throttled is None else (", ".join(self.throttled) or "no")
        lines = [
            f"Hinge Station {self.version}",
            f"kiosk: {kiosk}",
            f"camera: {k.camera if k and self.kiosk_running else 'unknown (kiosk not running)'}",
            f"pose frames per second: {k.pose_fps:.1f}" if k and self.kiosk_running else "pose frames per second: -",
            f"last problem: {k.last_problem if k and k.last_problem else 'none'}",
            f"CPU temperature: {temp}",
            f"throttled: {throttled}",
            f"disk free: {self.disk_free_gb:.1f} GB" if self.disk_free_gb is not None else "disk free: not reported",
            f"uptime: {_duration(self.uptime_s)}" if self.uptime_s is not None else "uptime: not reported",
        ]
        if self.sets_today is None:
            lines += [f"sets today: unknown ({self.history_note})", "sets in the last 7 days: unknown"]
        else:
            lines += [f"sets today: {self.sets_today}", f"sets in the last 7 days: {self.sets_week}"]
        if k is not None and self.kiosk_running and k.sets_waiting:
            lines.append(f"sets waiting for the history: {k.sets_waiting}")
        elif self.journal_waiting:
            lines.append(f"sets waiting in the journal: {self.journal_waiting} (written to the history when the "
                         "kiosk next starts)")  # fmt: skip
        lines.append(f"sync: {self.sync}")
        return lines

    @property
    def sync(self) -> str:
        """The fleet sender in words: off, or how many sets wait and when it last delivered."""
        if self.sync_last is None:
            return "off (not set up on this station)"
        if self.sync_waiting is None:
            return f"on, last delivery {self.sync_last}"
        return f"on, {self.sync_waiting} sets waiting, last delivery {self.sync_last}"


def sync_cursor(sync_folder: Path | None = None) -> tuple[str | None, Cursor | None]:
    """The fleet sender's cursor: when it last delivered (local time), and the cursor where this
    user may read it (None: not known; the count of sets waiting is then not guessed). (None, None)
    where the sender is not set up."""
    from station.edges.storage.cursor import Cursor

    cursor = Cursor(sync_folder or Path(os.environ.get("STATION_SYNC_STATE", SYNC_STATE)))
    try:
        stamp = cursor.path.stat().st_mtime
    except OSError:
        return None, None
    when = datetime.fromtimestamp(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    return when, cursor if os.access(cursor.path, os.R_OK) else None


def kiosk_running(record: HealthRecord, now: float | None = None) -> bool:
    """Whether the kiosk that wrote the record runs now: it did not stop, it wrote within STALE_S
    either way of the clock (a clock set back must not keep a dead kiosk "running"), and its process
    is alive and is the one that wrote it (not a process that got its number since)."""
    if record.stopped_at is not None:
        return False
    if abs((time.time() if now is None else now) - record.written_at) >= STALE_S:
        return False
    return process_wrote(record.pid, record.written_at)


def process_wrote(pid: int, written_at: float) -> bool:
    """Whether process `pid` is alive and old enough to have written a record at `written_at`: a
    process that got the number after the kiosk died started later. A sandboxed reader (the fleet
    sender's ProtectProc=invisible) cannot read another user's /proc entry: then being alive decides."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    except (OverflowError, ValueError, OSError):
        return False
    started = process_start(pid)
    return started is None or started <= written_at + 2.0


def process_start(pid: int) -> float | None:
    """When a process started, in seconds since the epoch (None where /proc does not say)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        boot = next(float(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                    if line.startswith("btime "))  # fmt: skip
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError, StopIteration):
        return None


def read_status(folder: Path, machine: Machine | None = None, now: datetime | None = None,
                sync_folder: Path | None = None) -> Status:  # fmt: skip
    """Read everything; nothing here raises for a missing reading or a fresh data folder."""
    from station.edges.storage.history import History, since_utc
    from station.edges.storage.journal import Journal

    machine = machine or Machine()
    now = now or datetime.now().astimezone()
    record = HealthRecord.read(folder)
    running = record is not None and kiosk_running(record)
    today_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    sets_today = sets_week = sync_waiting = None
    note = None
    sync_last, cursor = sync_cursor(sync_folder)
    try:
        history = History.reader(folder)
    except StationError as exc:
        note = str(exc).rstrip(".")
        if "There is no set history" in note:
            sets_today, sets_week, note = 0, 0, None  # a fresh station: nothing lifted here yet
    else:
        try:
            sets_today = history.count_since(since_utc(today_start.isoformat()))
            sets_week = history.count_since(since_utc((today_start - timedelta(days=6)).isoformat()))
            if cursor is not None:
                sync_waiting = history.count_after(cursor.position(history))
        except StationError as exc:
            note = str(exc).rstrip(".")
        finally:
            history.close()
    try:
        free = shutil.disk_usage(folder if folder.exists() else folder.parent).free / 1e9
    except OSError:
        free = None
    return Status(
        version=software_version(),
        kiosk=record,
        kiosk_running=running,
        cpu_temperature_c=cpu_temperature(machine),
        throttled=throttling(machine),
        disk_free_gb=free,
        uptime_s=uptime_s(machine),
        sets_today=sets_today,
        sets_week=sets_week,
        history_note=note,
        sync_last=sync_last,
        sync_waiting=sync_waiting,
        journal_waiting=Journal(folder).count(),
    )


def software_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("hinge-station")
    except PackageNotFoundError:
        return "unknown"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _run(cmd: list[str]) -> str | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=2, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None


def _duration(seconds: float | None) -> str:
    s = int(seconds or 0)
    days, s = divmod(s, 86400)
    hours, s = divmod(s, 3600)
    minutes = s // 60
    return f"{days} d {hours} h {minutes} min" if days else f"{hours} h {minutes} min"


def _ago(seconds: float) -> str:
    return _duration(max(0.0, seconds)) if seconds >= 60 else f"{int(max(0.0, seconds))} s"
