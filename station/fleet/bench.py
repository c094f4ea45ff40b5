"""`station fleet bench`: many stations' sets through the real sender into a real database, then
the owner's report on them, timed. Figures are printed, never asserted (machines are noisy)."""

from __future__ import annotations

import random
import resource
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from station.core.coach.setreport import Rep, SetReport
from station.core.drills import DRILLS
from station.edges.progress import Progress
from station.edges.storage.history import History
from station.errors import StationError
from station.fleet.report import format_csv, format_html, format_text, read_report
from station.fleet.sender import Sender, SyncSettings, connect, password
from station.fleet.sql import OTHER_STATIONS, migrate


def fill_history(folder: Path, sets: int, rng: random.Random, now: datetime) -> None:
    """`sets` finished sets over the last 30 days: drills, reps and faults as a gym's might be."""
    history = History.open(folder)
    try:
        for _ in range(sets):
            drill = rng.choice(list(DRILLS.values()))
            reps = []
            for i in range(rng.randint(3, 12)):
                faults = tuple(f for f in drill.faults if rng.random() < 0.12)
                reps.append(Rep(i + 1, 3.0 * i, 3.0 * i + 1.2, 3.0 * i + 2.5, faults,
                                {"eccentric_s": 1.2, "concentric_s": 0.9}, True))  # fmt: skip
            when = now - timedelta(seconds=rng.uniform(0, 30 * 86400))
            history.record(SetReport(drill.id, tuple(reps)), when, f"{folder.name}-{rng.getrandbits(64):016x}")
    finally:
        history.close()


def bench(url: str, stations: int = 20, sets: int = 10_000, password_file: str | None = None,
          out=print) -> dict[str, float]:  # fmt: skip
    secret = password(password_file)
    conn = connect(SyncSettings(database_url=url), secret)
    try:
        migrate(conn)
        others = int(conn.execute(OTHER_STATIONS).fetchone()[0])
    finally:
        conn.close()
    if others:
        raise StationError(f"The database holds {others} station(s) of its own: fleet bench adds test stations and "
                           "sets, so give it an empty scratch database (createdb hinge_bench).")  # fmt: skip
    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="hinge-fleet-bench-") as scratch:
        folders = []
        for i in range(stations):
            folder = Path(scratch) / f"station-{i:02d}"
            fill_history(folder, sets // stations + (1 if i < sets % stations else 0), rng, now)
            folders.append(folder)
        started = time.perf_counter()
        progress = Progress("fleet bench: stations synced", total=len(folders))
        for i, folder in enumerate(folders):
            settings = SyncSettings(enabled=True, station_id=f"bench-{i:02d}", station_name=f"Bench gym {i}",
                                    database_url=url, batch=500)  # fmt: skip
            sender = Sender(settings, folder, folder / "sync", secret)
            while sender.step() == 0.0:
                pass
            if sender.failures:
                raise RuntimeError("the benchmark's database failed mid-run")
            progress.step()
        progress.close()
        figures["sync_s"] = time.perf_counter() - started
    figures["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    rate = sets / figures["sync_s"]
    out(f"sync: {sets} sets from {stations} stations in {figures['sync_s']:.2f} s "
        f"({rate:.0f} sets a second, a beat each), peak memory {figures['peak_mb']:.0f} MB")  # fmt: skip
    conn = connect(SyncSettings(database_url=url), secret)
    try:
        t0 = time.perf_counter()
        report = read_report(conn, now - timedelta(days=31))
        text = format_text(report)
        figures["report_s"] = time.perf_counter() - t0
        t1 = time.perf_counter()
        page = format_html(report)
        format_csv(report)
        figures["html_s"] = time.perf_counter() - t1
    finally:
        conn.close()
    total = sum(s for _, _, _, s, _, _ in report.activity)
    out(f"report: {figures['report_s']:.3f} s for {total} sets of {len(report.stations)} stations "
        f"(queries and table), HTML and CSV {figures['html_s']:.3f} s more ({len(page) // 1024} kB page), "
        f"{len(text.splitlines())} lines")  # fmt: skip
    return figures
