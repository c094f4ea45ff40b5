"""`station fleet bench`: the real sender and report on generated histories (small here; the
README's 10,000 sets from 20 stations come from the same command)."""

from station.fleet.bench import bench


def test_the_benchmark_syncs_every_set_and_times_the_report(fleet_db):
    import psycopg

    lines: list[str] = []
    figures = bench(fleet_db, stations=3, sets=120, out=lines.append)
    with psycopg.connect(fleet_db) as conn:
        assert conn.execute("SELECT count(*), count(DISTINCT station_id) FROM sets").fetchone() == (120, 3)
        assert conn.execute("SELECT count(*) FROM beats").fetchone()[0] == 3
    assert lines[0].startswith("sync: 120 sets from 3 stations in") and lines[1].startswith("report: ")
    assert figures["report_s"] > 0 and figures["sync_s"] > 0


def test_the_benchmark_refuses_a_database_with_the_gyms_own_stations(fleet_db):
    """Issue 17 #17: `fleet bench --db` on the owner's database added fake stations to the owner's report."""
    import psycopg
    import pytest

    from station.errors import StationError
    from station.fleet.sql import migrate

    with psycopg.connect(fleet_db) as conn:
        migrate(conn)
        conn.execute("INSERT INTO stations (station_id, name) VALUES ('leeds-1', 'Leeds')")
    with pytest.raises(StationError, match="holds 1 station"):
        bench(fleet_db, stations=2, sets=10, out=lambda _: None)
    with psycopg.connect(fleet_db) as conn:
        assert conn.execute("SELECT count(*) FROM stations").fetchone()[0] == 1
