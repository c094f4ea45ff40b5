"""The owner's report on a real PostgreSQL: up and down stations, sets per day, drills, faults;
the terminal table, the CSV and a self-contained HTML page."""

import csv
import io
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import psycopg
from psycopg.types.json import Jsonb

from station.fleet.report import format_csv, format_html, format_text, read_report
from station.fleet.sql import INSERT_BEAT, INSERT_SET, UPSERT_STATION, migrate

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
    run = subprocess.run([sys.executable, "-m", "station", "fleet", "report", "--db", fleet_db, "--html", str(html)],
                         capture_output=True, text=True, timeout=60, env=dict(os.environ))  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("Hinge Station fleet report") and html.read_text().startswith("<!doctype html>")
    as_csv = subprocess.run([sys.executable, "-m", "station", "fleet", "report", "--db", fleet_db, "--csv"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert as_csv.stdout.splitlines()[0] == "station_id,station_name,day,drill,sets,reps,good_reps"
    zoned = subprocess.run([sys.executable, "-m", "station", "fleet", "report", "--db", fleet_db, "--csv", "--tz",
                            "Pacific/Auckland"], capture_output=True, text=True, timeout=60)  # fmt: skip
    assert zoned.returncode == 0 and len(zoned.stdout.splitlines()) == len(as_csv.stdout.splitlines())
    bad_tz = subprocess.run([sys.executable, "-m", "station", "fleet", "report", "--db", fleet_db, "--tz", "Mars"],
                            capture_output=True, text=True, timeout=60)  # fmt: skip
    assert bad_tz.returncode == 2 and "--tz takes a time zone" in bad_tz.stderr
    down = subprocess.run([sys.executable, "-m", "station", "fleet", "report", "--db", "postgresql://x@127.0.0.1:1/x"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert down.returncode == 2 and down.stderr.startswith("station: The fleet database cannot be reached")
    assert "Traceback" not in down.stderr
