"""`station sync`: ships this station's finished sets and a health beat to the gym's PostgreSQL.

A process of its own (its own systemd unit, with network), so the kiosk stays offline and never
waits on a database. It reads the kiosk's history read-only and keeps one file of its own: the
cursor (the last history row the database has). Delivery is at least once and the insert is
idempotent (each set's id from the kiosk is the key), and the cursor moves only after the
database committed, so a kill at any point, a network cut mid-transaction or a database down for
days loses nothing and doubles nothing: the backlog waits in the kiosk's SQLite. Retries back off
(doubling, with jitter so a gym's stations do not knock together), one log line an outage.
No picture, frame or keypoint leaves the device: only the rows the history holds, and the beat.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from station.edges.storage.cursor import Cursor
from station.errors import StationError
from station.fleet.problems import explain, is_database_error, kind
from station.fleet.sql import INSERT_BEAT, INSERT_SET, SAME_IDS, UPSERT_STATION, migrate

log = logging.getLogger(__name__)

PASSWORD_CREDENTIAL = "db-password"  # systemd LoadCredential= name of the database password


@dataclass(frozen=True)
class SyncSettings:
    """The [sync] table of the config file. The password is never here: see `password()`."""

    enabled: bool = False
    station_id: str = ""  # how the owner's report names this station (default: the host name)
    station_name: str = ""  # a longer name, e.g. "Leeds, free-weights area"
    database_url: str = ""  # postgresql://USER@HOST:5432/DBNAME, without the password
    sslmode: str = "prefer"  # libpq's sslmode: verify-full where the database has a certificate
    sslrootcert: str = ""  # the CA certificate file for verify-ca / verify-full
    interval_s: float = 30.0  # how often the history is looked at for new sets
    beat_s: float = 300.0  # how often a health beat is sent
    batch: int = 200  # sets per transaction
    max_backoff_s: float = 600.0  # retries back off to at most this
    connect_timeout_s: float = 10.0  # a database that does not answer in this long is down


def station_id(settings: SyncSettings) -> str:
    return settings.station_id or socket.gethostname()


def password(explicit_file: str | None = None) -> str | None:
    """The database password: from `--password-file`, or systemd's credential (LoadCredential=
    db-password:...), or none (a trust or certificate login). Never from the config, argv or env."""
    candidates = [Path(explicit_file)] if explicit_file else []
    if os.environ.get("CREDENTIALS_DIRECTORY"):
        candidates.append(Path(os.environ["CREDENTIALS_DIRECTORY"]) / PASSWORD_CREDENTIAL)
    for path in candidates:
        try:
            return path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            if explicit_file:
                raise StationError(f"There is no password file at {path}.") from None
        except OSError as exc:
            raise StationError(f"The password file {path} cannot be read ({exc.strerror}).") from None
    return None


def connect(settings: SyncSettings, secret: str | None) -> Any:
    """A connection to the fleet database; psycopg is imported here only (the kiosk never needs it)."""
    try:
        import psycopg
    except ImportError:
        raise StationError("station sync needs psycopg: pip install 'psycopg[binary]'.") from None
    if not settings.database_url:
        raise StationError("Config key sync.database_url is empty: give postgresql://USER@HOST:5432/DBNAME.")
    extra: dict[str, Any] = {
        "connect_timeout": max(1, int(settings.connect_timeout_s)),
        "sslmode": settings.sslmode,
        "application_name": f"hinge-station-sync {station_id(settings)}"[:63],
        # A network that drops silently mid-transaction is noticed in about 20 s, not hours.
        "keepalives": 1, "keepalives_idle": 10, "keepalives_interval": 5, "keepalives_count": 2,
        "tcp_user_timeout": 20_000,
    }  # fmt: skip
    if settings.sslrootcert:
        extra["sslrootcert"] = settings.sslrootcert
    if secret is not None:
        extra["password"] = secret
    return psycopg.connect(settings.database_url, **extra)


def safe_url(url: str) -> str:
    """The URL as logs may show it: a password written into it by mistake (user part or query) is hidden."""
    import re

    head, sep, rest = url.partition("://")
    if "@" in rest and ":" in rest.split("@", 1)[0]:
        user = rest.split("@", 1)[0].split(":", 1)[0]
        rest = f"{user}:***@{rest.split('@', 1)[1]}"
    rest = re.sub(r"(?i)([?&](?:password|passfile)=)[^&]*", r"\1***", rest)
    return head + sep + rest


class Sender:
    """Delivers the backlog and the beats, for as long as it runs; `step()` once is one round."""

    def __init__(
        self, settings: SyncSettings, data_folder: Path, state_folder: Path, secret: str | None = None,
        connect_to: Callable[[], Any] | None = None, rng: random.Random | None = None,
    ) -> None:  # fmt: skip
        self.settings = settings
        self.station = station_id(settings)
        self.data_folder = data_folder
        self.cursor = Cursor(state_folder)
        self._connect_to = connect_to or (lambda: connect(settings, secret))
        self._conn: Any = None
        self._rng = rng or random.Random()
        self.failures = 0
        self.down_since: float | None = None
        self._last_failure: str | None = None
        self.delivered = 0
        self._last_beat: float | None = None
        self.stop = threading.Event()

    # --- one round ---

    def step(self, now: float | None = None) -> float:
        """Deliver what waits and send a beat when due; returns how long to wait before the next round."""
        now = time.monotonic() if now is None else now
        try:
            sent = self.deliver()
            if self._last_beat is None or now - self._last_beat >= self.settings.beat_s:
                self.beat()
                self._last_beat = now
        except StationError as exc:  # the sender's own state (its cursor), not the database
            return self._failed(now, str(exc), "state")
        except Exception as exc:  # a failure of the database or the network: keep the backlog, retry
            if not is_database_error(exc):
                raise
            what = f"the fleet database {safe_url(self.settings.database_url)}: {explain(exc)}"
            return self._failed(now, what, kind(exc))
        if self.down_since is not None:
            log.info("the fleet database is back after %.0f s: %d sets delivered so far",
                     now - self.down_since, self.delivered)  # fmt: skip
        self.failures, self.down_since, self._last_failure = 0, None, None
        return 0.0 if sent >= self.settings.batch else self.settings.interval_s

    def _failed(self, now: float, what: str, why: str) -> float:
        self._drop_connection()
        self.failures += 1
        if self.down_since is None or why != self._last_failure:  # one log line an outage (or a new cause)
            log.warning("sync: %s; %s sets wait, retrying with backoff", what, self._backlog())
        self._last_failure = why
        if self.down_since is None:
            self.down_since = now
        base = min(self.settings.max_backoff_s, 2.0 * 2 ** min(self.failures - 1, 20))
        return base * self._rng.uniform(0.5, 1.5)

    def _backlog(self) -> str:
        from station.edges.storage.history import History

        try:
            history = History.reader(self.data_folder)
        except StationError:
            return "0"
        try:
            return str(history.count_after(self.cursor.position(history)))
        except StationError:
            return "some"
        finally:
            history.close()

    def _connection(self) -> Any:
        if self._conn is None or self._conn.closed:
            self._conn = self._connect_to()
        return self._conn

    def _drop_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
        self._conn = None

    def deliver(self) -> int:
        """Send the sets after the cursor, a batch a transaction, until none wait; returns how many were sent."""
        from station.edges.storage.history import History

        try:
            history = History.reader(self.data_folder)
        except StationError as exc:
            log.debug("nothing to deliver: %s", exc)
            return 0
        sent = 0
        try:
            identity = history.identity()
            while not self.stop.is_set():
                last = self.cursor.position(history)
                rows = history.after(last, self.settings.batch)
                if not rows:
                    break
                conn = self._connection()
                values = [self._set_row(r) for r in rows]
                with conn.transaction():
                    conn.execute(UPSERT_STATION, (self.station, self.settings.station_name))
                    self._warn_conflicts(conn, values)
                    with conn.cursor() as cur:
                        cur.executemany(INSERT_SET, values)
                # Committed: only now does the cursor move (a kill before this line sends the batch again).
                self.cursor.write(int(rows[-1]["id"]), identity)
                sent += len(rows)
                self.delivered += len(rows)
                if len(rows) < self.settings.batch:
                    break
        finally:
            history.close()
        return sent

    def _warn_conflicts(self, conn: Any, values: list[tuple]) -> None:
        """A set id the database holds with other content (not a second delivery of the same set) is
        kept as the database has it, and said: it means two stations or files gave out one id."""
        held = {r[0]: r[1:] for r in conn.execute(SAME_IDS, ([v[0] for v in values],))}
        for v in values:
            if v[0] in held and held[v[0]] != (v[1], v[5], v[6], v[7]):
                log.warning("set %s is in the fleet database already with other content (station %s, %s, %s "
                            "reps): the database's copy is kept, this station's is not sent",
                            v[0], *held[v[0]][:3])  # fmt: skip

    def _set_row(self, row: dict) -> tuple:
        uid = row["uid"] or f"{self.station}:{row['id']}"  # a set stored before sets had ids
        finished = datetime.fromisoformat(row["finished_at"])
        if finished.tzinfo is None:
            finished = finished.replace(tzinfo=timezone.utc)
        return (uid, self.station, int(row["id"]), finished, bool(row["clock_synced"]), row["drill"], int(row["reps"]),
                int(row["good_reps"]), float(row["duration_s"]), _json(row["rep_list"]))  # fmt: skip

    def beat(self) -> None:
        """The station's health, as `station status` reads it, in one row."""
        from station.edges.health import read_status
        from station.edges.storage.history import clock_synchronised

        status = read_status(self.data_folder, sync_folder=self.cursor.path.parent)
        record = status.kiosk if status.kiosk_running else None
        note = None if record is not None else "no health record from the kiosk (not running, or too old)"
        conn = self._connection()
        with conn.transaction():
            conn.execute(UPSERT_STATION, (self.station, self.settings.station_name))
            conn.execute(INSERT_BEAT, (
                self.station, datetime.now(timezone.utc), clock_synchronised(), status.version, status.uptime_s,
                record is not None, record.pose_fps if record else None, record.camera if record else None,
                status.cpu_temperature_c,
                None if status.throttled is None else (", ".join(status.throttled) or "no"),
                status.disk_free_gb, status.sync_waiting or 0, note,
            ))  # fmt: skip

    def run(self) -> None:
        """Until `stop` is set (SIGTERM): rounds, with the waits `step` asks for."""
        log.info("sync: station %s to %s, every %.0f s", self.station, safe_url(self.settings.database_url),
                 self.settings.interval_s)  # fmt: skip
        while not self.stop.is_set():
            wait = self.step()
            if wait > 0:
                self.stop.wait(wait)
        self._drop_connection()


def init_database(settings: SyncSettings, secret: str | None) -> str:
    """Create or migrate the schema (`station sync --init`); returns what was done, in words."""
    try:
        conn = connect(settings, secret)
        try:
            before, after = migrate(conn)
        finally:
            conn.close()
    except Exception as exc:
        if not is_database_error(exc):
            raise
        where = safe_url(settings.database_url)
        raise StationError(f"The fleet database {where} cannot be set up: {explain(exc)}.") from None
    if before == after:
        return f"The fleet database {safe_url(settings.database_url)} is at schema version {after}: nothing to do."
    return f"The fleet database {safe_url(settings.database_url)} went from schema version {before} to {after}."


def _json(text: Any) -> Any:
    from psycopg.types.json import Jsonb

    from station.edges.storage.history import valid_reps

    try:
        value = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        value = []  # a damaged row: the set is still counted, its reps' details are lost
    return Jsonb(valid_reps(value))
