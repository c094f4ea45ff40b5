"""The fleet schema on a real PostgreSQL: created, migrated again without harm, one set stored once."""

import psycopg

from station.fleet.sql import INSERT_SET, LATEST, UPSERT_STATION, migrate, schema_version


def test_migrate_creates_the_schema_once_and_is_idempotent(fleet_db):
    with psycopg.connect(fleet_db) as conn:
        assert schema_version(conn) == 0
        assert migrate(conn) == (0, LATEST)
        assert migrate(conn) == (LATEST, LATEST)  # a second --init changes nothing
        assert schema_version(conn) == LATEST
        tables = {r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
        assert {"stations", "sets", "beats", "hinge_schema"} <= tables


def test_a_set_delivered_twice_is_stored_once(fleet_db):
    from psycopg.types.json import Jsonb

    with psycopg.connect(fleet_db) as conn:
        migrate(conn)
        row = ("uid-1", "gym-a", 1, "2026-11-29T10:00:00+00:00", True, "rdl", 5, 4, 12.5, Jsonb([]))
        with conn.transaction():
            conn.execute(UPSERT_STATION, ("gym-a", "Gym A"))
            conn.execute(INSERT_SET, row)
        with conn.transaction():
            conn.execute(UPSERT_STATION, ("gym-a", "Gym A"))
            conn.execute(INSERT_SET, row)
        assert conn.execute("SELECT count(*) FROM sets").fetchone()[0] == 1
