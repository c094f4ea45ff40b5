"""The owner's report on a real PostgreSQL: up and down stations, sets per day, drills, faults;
the terminal table, the CSV and a self-contained HTML page."""

import csv
import io
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import psycopg
from psycopg.types.json import Jsonb

from station.fleet.report import format_csv, format_html, format_text, read_report
from station.fleet.sql import INSERT_BEAT, INSERT_SET, UPSERT_STATION, migrate
from tests.helpers import station

NOW = datetime.now(timezone.utc)


def _seed(url: str) -> None:
    with psycopg.connect(url) as conn:
        migrate(conn)
        with conn.transaction():
            for sid, name in (("gym-a", "Leeds, free weights"), ("gym-b", "York, studio")):
                conn.execute(UPSERT_STATION, (sid, name))
            sets = (
                ("gym-a", "rdl", 0, ["knees_forward"]),
                ("gym-a", "rdl", 1, []),
                ("gym-a", "deadlift", 1, ["back_rounding", "hips_rise_first"]),
                ("gym-b", "kb-swing", 2, ["overextension"]),
                ("gym-b", "rdl", 40, ["hips_drop"]),
            )
            for n, (sid, drill, days_ago, faults) in enumerate(sets):
                reps = [{"index": i + 1, "faults": faults if i == 0 else []} for i in range(4)]
                good = sum(1 for r in reps if not r["faults"])
                when = NOW - timedelta(days=days_ago, hours=1)
                conn.execute(INSERT_SET, (f"u{n}", sid, n, when, True, drill, 4, good, 10.0, Jsonb(reps)))
            # gym-a beat a minute ago (up); gym-b last beat an hour ago (down)
            for sid, ago in (("gym-a", 1), ("gym-b", 60)):
                beat = (sid, NOW, True, "0.1.0", 3600.0, True, 14.5, "ok", 51.2, "no", 20.0, 0, None)
                conn.execute(INSERT_BEAT, beat)
                conn.execute("UPDATE beats SET received_at = now() - %s WHERE station_id = %s",
                             (timedelta(minutes=ago), sid))  # fmt: skip


def test_the_report_says_who_is_up_what_was_lifted_and_the_faults_to_coach(fleet_db):
    _seed(fleet_db)
    with psycopg.connect(fleet_db) as conn:
        report = read_report(conn, NOW - timedelta(days=30))
    assert [(s.station_id, s.up) for s in report.stations] == [("gym-a", True), ("gym-b", False)]
    assert report.totals("gym-a") == (3, 12, 10) and report.totals("gym-b") == (1, 4, 3)  # the 40-day-old set is out
    assert report.drill_mix("gym-a") == {"rdl": 2, "deadlift": 1}
    assert report.top_faults()["deadlift"] == [("back_rounding", 1), ("hips_rise_first", 1)]
    text = format_text(report)
    assert "gym-a" in text and " up " in text and "DOWN" in text and "Romanian deadlift 2" in text
    rows = list(csv.DictReader(io.StringIO(format_csv(report))))
    got = {(r["station_id"], r["drill"], r["sets"]) for r in rows}
    assert got >= {("gym-a", "rdl", "1"), ("gym-b", "kb-swing", "1")}
    page = format_html(report)
    assert page.count("<svg") >= 4 and "Leeds, free weights" in page
    assert "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page and "<script" not in page


def test_station_fleet_report_on_the_command_line_with_html_and_csv(fleet_db, tmp_path):
    _seed(fleet_db)
    html = tmp_path / "fleet.html"
    run = station("fleet", "report", "--db", fleet_db, "--html", str(html), timeout=60)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Hinge Station fleet report") and html.read_text().startswith("<!doctype html>")
    as_csv = station("fleet", "report", "--db", fleet_db, "--csv", timeout=60)
    assert as_csv.stdout.splitlines()[0] == "station_id,station_name,day,drill,sets,reps,good_reps"
    zoned = station("fleet", "report", "--db", fleet_db, "--csv", "--tz", "Pacific/Auckland", timeout=60)
    assert zoned.returncode == 0 and len(zoned.stdout.splitlines()) == len(as_csv.stdout.splitlines())
    bad_tz = station("fleet", "report", "--db", fleet_db, "--tz", "Mars", timeout=60)
    assert bad_tz.returncode == 2 and "--tz takes a time zone" in bad_tz.stderr
    down = station("fleet", "report", "--db", "postgresql://x@127.0.0.1:1/x", timeout=60)
    assert down.returncode == 2 and down.stderr.startswith("station: The fleet database")
    assert "unreachable" in down.stderr
    assert "Traceback" not in down.stderr


def test_rows_written_by_something_else_do_not_take_the_report_down(fleet_db):
    """Issue 17 #7 and #8: a rep list that is not a list, an 'infinity' time, crashed the whole report."""
    _seed(fleet_db)
    with psycopg.connect(fleet_db) as conn:
        conn.execute("INSERT INTO sets (uid, station_id, history_id, finished_at, clock_synced, drill, reps, good_reps,"
                     " duration_s, rep_list) VALUES"
                     " ('odd1', 'gym-a', 90, now(), true, 'rdl', 3, 3, 9, '{\"reps\": 3}'),"
                     " ('odd2', 'gym-a', 91, now(), true, 'rdl', 2, 2, 9, '[{\"faults\": \"knees\"}, 7]'),"
                     " ('odd3', 'gym-a', 92, 'infinity', true, 'rdl', 2, 2, 9, '[]')")  # fmt: skip
        conn.execute("UPDATE beats SET sent_at = 'infinity' WHERE station_id = 'gym-b'")
        report = read_report(conn, NOW - timedelta(days=30))
    assert report.totals("gym-a")[0] == 5  # the 3 seeded sets and the 2 odd ones in time; 'infinity' is not a day
    assert dict(report.top_faults()["rdl"])["knees_forward"] == 1
    format_html(report)
    format_csv(report)


def test_a_damaged_database_or_a_date_past_the_calendar_is_one_sentence(fleet_db):
    """Issue 17 #8: psycopg tracebacks for a dropped column or a database without tables; an
    OverflowError for --since at the calendar's end."""
    _seed(fleet_db)
    station = [sys.executable, "-m", "station", "fleet", "report", "--db", fleet_db]
    with psycopg.connect(fleet_db) as conn:
        conn.execute("ALTER TABLE sets DROP COLUMN good_reps")
    dropped = subprocess.run(station, capture_output=True, text=True, timeout=60)
    assert dropped.returncode == 2 and "its column good_reps is missing or renamed" in dropped.stderr
    with psycopg.connect(fleet_db) as conn:
        conn.execute("DROP TABLE beats, sets, stations, hinge_schema")
    empty = subprocess.run(station, capture_output=True, text=True, timeout=60)
    assert empty.returncode == 2 and "run `station sync --init`" in empty.stderr
    late = subprocess.run([*station, "--since", "9999-12-31T23:59:59-23:59"], capture_output=True, text=True,
                          timeout=60)  # fmt: skip
    assert late.returncode == 2 and "past the calendar's end" in late.stderr
    for run in (dropped, empty, late):
        assert "Traceback" not in run.stderr and run.stderr.count("\n") == 1
