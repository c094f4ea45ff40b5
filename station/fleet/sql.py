"""Every statement the fleet runs against the gym's PostgreSQL database, in one place.

The schema is versioned: `migrate` applies the versions a database lacks, each in one
transaction, under an advisory lock so two stations starting at once do not race. Sets are keyed by
the id each station gave them when it stored them, so delivering one twice stores it once.
Times: `finished_at` and `sent_at` are the station's own clock (with `clock_synced` saying whether
it was set from the network), `received_at` is the database's.
"""

from __future__ import annotations

from typing import Any

LOCK_ID = 0x48494E47  # "HING": the advisory lock held while migrating

MIGRATIONS: tuple[tuple[int, str], ...] = (
    (1, """
        CREATE TABLE stations (
            station_id TEXT PRIMARY KEY,
            name TEXT NOT NULL DEFAULT '',
            first_seen TIMESTAMPTZ NOT NULL DEFAULT now()
        );
        CREATE TABLE sets (
            uid TEXT PRIMARY KEY,
            station_id TEXT NOT NULL REFERENCES stations,
            history_id BIGINT NOT NULL,
            finished_at TIMESTAMPTZ NOT NULL,
            clock_synced BOOLEAN NOT NULL,
            received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            drill TEXT NOT NULL,
            reps INTEGER NOT NULL,
            good_reps INTEGER NOT NULL,
            duration_s REAL NOT NULL,
            rep_list JSONB NOT NULL
        );
        CREATE INDEX sets_by_station_time ON sets (station_id, finished_at);
        CREATE INDEX sets_by_time ON sets (finished_at);
        CREATE TABLE beats (
            id BIGSERIAL PRIMARY KEY,
            station_id TEXT NOT NULL REFERENCES stations,
            sent_at TIMESTAMPTZ NOT NULL,
            clock_synced BOOLEAN NOT NULL,
            received_at TIMESTAMPTZ NOT NULL DEFAULT now(),
            version TEXT NOT NULL,
            uptime_s REAL,
            kiosk_running BOOLEAN NOT NULL,
            pose_fps REAL,
            camera TEXT,
            cpu_temperature_c REAL,
            throttled TEXT,
            disk_free_gb REAL,
            sets_waiting INTEGER NOT NULL,
            note TEXT
        );
        CREATE INDEX beats_by_station_time ON beats (station_id, received_at);
    """),
)  # fmt: skip

VERSION_TABLE = "CREATE TABLE IF NOT EXISTS hinge_schema (version INTEGER NOT NULL)"
CURRENT_VERSION = "SELECT coalesce(max(version), 0) FROM hinge_schema"
RECORD_VERSION = "INSERT INTO hinge_schema (version) VALUES (%s)"

UPSERT_STATION = """
    INSERT INTO stations (station_id, name) VALUES (%s, %s)
    ON CONFLICT (station_id) DO UPDATE SET name = EXCLUDED.name WHERE stations.name <> EXCLUDED.name
"""
INSERT_SET = """
    INSERT INTO sets (uid, station_id, history_id, finished_at, clock_synced, drill, reps, good_reps, duration_s,
                      rep_list)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (uid) DO NOTHING
"""
SAME_IDS = "SELECT uid, station_id, drill, reps, good_reps FROM sets WHERE uid = ANY(%s)"
INSERT_BEAT = """
    INSERT INTO beats (station_id, sent_at, clock_synced, version, uptime_s, kiosk_running, pose_fps, camera,
                       cpu_temperature_c, throttled, disk_free_gb, sets_waiting, note)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
"""

# --- the owner's report ---

REPORT_STATIONS = """
    SELECT s.station_id, s.name, b.received_at, b.sent_at, b.version, b.camera, b.pose_fps, b.cpu_temperature_c,
           b.throttled, b.disk_free_gb, b.sets_waiting, b.kiosk_running, now() - b.received_at AS silent_for
    FROM stations s
    LEFT JOIN LATERAL (
        SELECT * FROM beats WHERE beats.station_id = s.station_id AND isfinite(received_at) AND isfinite(sent_at)
        ORDER BY received_at DESC LIMIT 1
    ) b ON true
    ORDER BY s.station_id
"""
REPORT_ACTIVITY = """
    SELECT station_id, (finished_at AT TIME ZONE %(tz)s)::date AS day, drill, count(*) AS sets, sum(reps) AS reps,
           sum(good_reps) AS good_reps
    FROM sets WHERE finished_at >= %(since)s AND isfinite(finished_at)
    GROUP BY station_id, day, drill ORDER BY station_id, day, drill
"""
REPORT_FAULTS = """
    SELECT drill, fault, count(*) AS reps
    FROM sets,
         jsonb_array_elements(CASE jsonb_typeof(rep_list) WHEN 'array' THEN rep_list ELSE '[]' END) AS rep,
         jsonb_array_elements_text(CASE jsonb_typeof(rep -> 'faults') WHEN 'array' THEN rep -> 'faults' ELSE '[]' END)
             AS fault
    WHERE finished_at >= %(since)s AND isfinite(finished_at)
    GROUP BY drill, fault ORDER BY drill, reps DESC, fault
"""


def migrate(conn: Any) -> tuple[int, int]:
    """Bring the schema up to date; returns (version before, version after). Safe to run any number of times."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_ID,))
        conn.execute(VERSION_TABLE)
        before = int(conn.execute(CURRENT_VERSION).fetchone()[0])
        for version, statements in MIGRATIONS:
            if version > before:
                conn.execute(statements)
                conn.execute(RECORD_VERSION, (version,))
    return before, max(v for v, _ in MIGRATIONS)


def schema_version(conn: Any) -> int:
    row = conn.execute("SELECT to_regclass('hinge_schema')").fetchone()
    if row[0] is None:
        return 0
    return int(conn.execute(CURRENT_VERSION).fetchone()[0])


# `fleet bench` fills a database with test stations: never one holding a gym's own stations.
OTHER_STATIONS = "SELECT count(*) FROM stations WHERE station_id NOT LIKE 'bench-%'"

LATEST = max(v for v, _ in MIGRATIONS)
