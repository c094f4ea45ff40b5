"""`station fleet report`: what the owner reads about every station, from the gym's database.

Per station: the last beat and whether it is up (silent for `DOWN_AFTER_S` is down), sets and reps
per day, the drill mix, the good-rep share; per drill: the faults members make most (to plan
coaching). As a table on the terminal, a CSV for spreadsheets, or one self-contained HTML page
with its charts drawn in SVG (nothing to download: it opens without internet).
"""

from __future__ import annotations

import csv
import html
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

from station.core.drills import DRILLS, FAULT_NAMES
from station.fleet.sql import REPORT_ACTIVITY, REPORT_FAULTS, REPORT_STATIONS

DOWN_AFTER_S = 15 * 60  # a station silent this long is down (it beats every 5 minutes)
PALETTE = ("#2f7de1", "#28be64", "#f5a51e", "#e63c32", "#8e5cd9", "#17a2b8", "#6c757d", "#d63384")


@dataclass
class Station:
    station_id: str
    name: str
    last_beat: datetime | None
    silent_s: float | None
    beat: dict[str, Any] = field(default_factory=dict)

    @property
    def up(self) -> bool:
        return self.silent_s is not None and self.silent_s < DOWN_AFTER_S


@dataclass
class Report:
    since: datetime
    generated_at: datetime
    stations: list[Station]
    activity: list[tuple[str, date, str, int, int, int]]  # station, day, drill, sets, reps, good reps
    faults: list[tuple[str, str, int]]  # drill, fault, reps showing it

    def totals(self, station: str) -> tuple[int, int, int]:
        rows = [a for a in self.activity if a[0] == station]
        return sum(r[3] for r in rows), sum(r[4] for r in rows), sum(r[5] for r in rows)

    def per_day(self, station: str) -> dict[date, tuple[int, int]]:
        out: dict[date, list[int]] = defaultdict(lambda: [0, 0])
        for s, day, _, sets, reps, _ in self.activity:
            if s == station:
                out[day][0] += sets
                out[day][1] += reps
        return {d: (v[0], v[1]) for d, v in sorted(out.items())}

    def drill_mix(self, station: str) -> dict[str, int]:
        out: dict[str, int] = defaultdict(int)
        for s, _, drill, sets, _, _ in self.activity:
            if s == station:
                out[drill] += sets
        return dict(sorted(out.items(), key=lambda kv: -kv[1]))

    def top_faults(self, per_drill: int = 3) -> dict[str, list[tuple[str, int]]]:
        out: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for drill, fault, reps in self.faults:
            if len(out[drill]) < per_drill:
                out[drill].append((fault, reps))
        return dict(out)


def read_report(conn: Any, since: datetime, tz: str = "UTC") -> Report:
    """Three queries, whatever the number of sets: the work is the database's."""
    args = {"since": since, "tz": tz}
    stations = []
    for row in conn.execute(REPORT_STATIONS).fetchall():
        (sid, name, received, sent, version, camera, fps, temp, throttled, disk, waiting, running, silent) = row
        stations.append(Station(sid, name, received, silent.total_seconds() if silent is not None else None, {
            "version": version, "camera": camera, "pose_fps": fps, "cpu_temperature_c": temp, "throttled": throttled,
            "disk_free_gb": disk, "sets_waiting": waiting, "kiosk_running": running, "sent_at": sent,
        }))  # fmt: skip
    activity = [(r[0], r[1], r[2], int(r[3]), int(r[4]), int(r[5])) for r in conn.execute(REPORT_ACTIVITY, args)]
    faults = [(r[0], r[1], int(r[2])) for r in conn.execute(REPORT_FAULTS, args)]
    return Report(since, datetime.now(timezone.utc), stations, activity, faults)


def _name(drill: str) -> str:
    return DRILLS[drill].name if drill in DRILLS else drill


def _share(good: int, reps: int) -> str:
    return f"{good / reps:.0%}" if reps else "-"


def _last(station: Station) -> str:
    if station.last_beat is None:
        return "never"
    minutes = int((station.silent_s or 0) // 60)
    return f"{minutes} min ago" if minutes < 120 else f"{minutes // 60} h ago"


def format_text(report: Report) -> str:
    days = max(1, (report.generated_at - report.since).days)
    lines = [f"Hinge Station fleet report, since {report.since:%Y-%m-%d} ({days} days), "
             f"{len(report.stations)} stations"]  # fmt: skip
    lines.append(f"{'station':16s} {'state':5s} {'last beat':>11s} {'sets':>6s} {'reps':>7s} {'sets/day':>8s} "
                 f"{'good reps':>9s}  drill mix")  # fmt: skip
    for st in report.stations:
        sets, reps, good = report.totals(st.station_id)
        mix = ", ".join(f"{_name(d)} {n}" for d, n in list(report.drill_mix(st.station_id).items())[:3])
        lines.append(f"{st.station_id[:16]:16s} {'up' if st.up else 'DOWN':5s} {_last(st):>11s} {sets:6d} {reps:7d} "
                     f"{sets / days:8.1f} {_share(good, reps):>9s}  {mix}")  # fmt: skip
    lines.append("")
    lines.append("Most common faults (reps showing them):")
    for drill, faults in report.top_faults().items():
        lines.append(f"  {_name(drill)}: " + ", ".join(f"{FAULT_NAMES.get(f, f).lower()} {n}" for f, n in faults))
    return "\n".join(lines)


def format_csv(report: Report) -> str:
    """One row per station, day and drill: a spreadsheet's pivot table does the rest."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["station_id", "station_name", "day", "drill", "sets", "reps", "good_reps"])
    names = {s.station_id: s.name for s in report.stations}
    for sid, day, drill, sets, reps, good in report.activity:
        writer.writerow([sid, names.get(sid, ""), day.isoformat(), drill, sets, reps, good])
    return out.getvalue()


# --- the HTML page: inline SVG, no scripts, no fonts or files from anywhere ---


def _bars(title: str, rows: list[tuple[str, float, str]], unit: str = "", width: int = 560) -> str:
    """A horizontal bar chart: (label, value, colour)."""
    if not rows:
        return f"<figure><figcaption>{html.escape(title)}</figcaption><p class=muted>No data.</p></figure>"
    top = max(v for _, v, _ in rows) or 1.0
    h = 26 * len(rows) + 10
    parts = [f'<svg viewBox="0 0 {width} {h}" width="{width}" height="{h}" role="img">']
    for i, (label, value, colour) in enumerate(rows):
        y = 5 + 26 * i
        w = max(1.0, (width - 260) * value / top)
        parts.append(f'<text x="0" y="{y + 15}" class=l>{html.escape(label[:28])}</text>'
                     f'<rect x="190" y="{y}" width="{w:.1f}" height="20" rx="3" fill="{colour}"/>'
                     f'<text x="{196 + w:.1f}" y="{y + 15}" class=v>{value:g}{unit}</text>')  # fmt: skip
    parts.append("</svg>")
    return f"<figure><figcaption>{html.escape(title)}</figcaption>{''.join(parts)}</figure>"


def _days_chart(report: Report, width: int = 1140, height: int = 260) -> str:
    """Sets per day, one bar a day, stacked by station."""
    days = sorted({a[1] for a in report.activity})
    if not days:
        return "<figure><figcaption>Sets per day</figcaption><p class=muted>No sets in this period.</p></figure>"
    first, last = days[0], days[-1]
    span = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    stations = [s.station_id for s in report.stations]
    colour = {sid: PALETTE[i % len(PALETTE)] for i, sid in enumerate(stations)}
    per = {(sid, d): n for sid in stations for d, (n, _) in report.per_day(sid).items()}
    tops = [sum(per.get((sid, d), 0) for sid in stations) for d in span]
    top = max(tops) or 1
    bar = (width - 60) / len(span)
    parts = [f'<svg viewBox="0 0 {width} {height + 40}" width="{width}" height="{height + 40}" role="img">']
    for i, d in enumerate(span):
        y = height
        for sid in stations:
            n = per.get((sid, d), 0)
            if n:
                h = height * n / top
                y -= h
                parts.append(f'<rect x="{50 + i * bar:.1f}" y="{y:.1f}" width="{max(1.0, bar - 2):.1f}" '
                             f'height="{h:.1f}" fill="{colour[sid]}"><title>{html.escape(sid)} {d}: {n} sets'
                             f'</title></rect>')  # fmt: skip
        if i % max(1, -(-len(span) // 16)) == 0:  # at most 16 dates under the bars
            parts.append(f'<text x="{50 + i * bar:.1f}" y="{height + 16}" class=t>{d:%d %b}</text>')
    parts.append(f'<text x="0" y="12" class=t>{top}</text><text x="0" y="{height}" class=t>0</text></svg>')
    legend = " ".join(f'<span class=key style="background:{colour[s]}"></span>{html.escape(s)}' for s in stations)
    chart = "".join(parts)
    return (f"<figure class=wide><figcaption>Sets per day, by station</figcaption>{chart}"
            f"<div class=legend>{legend}</div></figure>")  # fmt: skip


def format_html(report: Report) -> str:
    days = max(1, (report.generated_at - report.since).days)
    rows = []
    for st in report.stations:
        sets, reps, good = report.totals(st.station_id)
        b = st.beat
        temp = f"{b['cpu_temperature_c']:.0f} C" if b.get("cpu_temperature_c") is not None else "-"
        fps = f"{b['pose_fps']:.0f}" if b.get("pose_fps") is not None else "-"
        rows.append(
            f"<tr><td><b>{html.escape(st.station_id)}</b><br><span class=muted>{html.escape(st.name)}</span></td>"
            f"<td class={'up' if st.up else 'down'}>{'up' if st.up else 'down'}</td><td>{_last(st)}</td>"
            f"<td>{html.escape(str(b.get('camera') or '-'))}</td><td>{fps}</td><td>{temp}</td>"
            f"<td>{html.escape(str(b.get('throttled') or '-'))}</td><td>{sets}</td><td>{reps}</td>"
            f"<td>{sets / days:.1f}</td><td>{_share(good, reps)}</td></tr>"
        )
    good_share = []
    mix_total: dict[str, int] = defaultdict(int)
    for i, st in enumerate(report.stations):
        _, reps, good = report.totals(st.station_id)
        good_share.append((st.station_id, round(100 * good / reps) if reps else 0, PALETTE[i % len(PALETTE)]))
        for drill, n in report.drill_mix(st.station_id).items():
            mix_total[drill] += n
    drills = sorted(mix_total, key=lambda d: -mix_total[d])
    mix = [(_name(d), float(mix_total[d]), PALETTE[i % len(PALETTE)]) for i, d in enumerate(drills)]
    charts = [
        _days_chart(report),
        _bars("Good-rep share by station", good_share, "%"),
        _bars("Drill mix (sets, all stations)", mix),
    ]
    for drill, faults in report.top_faults(4).items():
        charts.append(_bars(f"Most common faults: {_name(drill)} (reps)",
                            [(FAULT_NAMES.get(f, f), n, "#e63c32") for f, n in faults]))  # fmt: skip
    return f"""<!doctype html>
<html lang=en><head><meta charset=utf-8><title>Hinge Station fleet report</title>
<style>
body {{ font: 15px/1.4 system-ui, sans-serif; margin: 24px; color: #1c2330; background: #f6f7f9; }}
h1 {{ font-size: 24px; margin: 0 0 4px; }} .muted {{ color: #6b7280; }}
table {{ border-collapse: collapse; background: #fff; margin: 16px 0; }}
th, td {{ padding: 6px 10px; border-bottom: 1px solid #e5e7eb; text-align: left; vertical-align: top; }}
th {{ font-size: 13px; color: #6b7280; font-weight: 600; }}
td.up {{ color: #1e9e57; font-weight: 700; }} td.down {{ color: #d33; font-weight: 700; }}
.charts {{ display: flex; flex-wrap: wrap; gap: 16px; }}
figure {{ background: #fff; margin: 0; padding: 12px 16px; border-radius: 8px; }}
figure.wide {{ flex-basis: 100%; }} figcaption {{ font-weight: 700; margin-bottom: 8px; }}
svg text {{ font: 13px system-ui, sans-serif; fill: #1c2330; }} svg .t {{ font-size: 11px; fill: #6b7280; }}
.legend {{ font-size: 13px; }} .key {{ display: inline-block; width: 12px; height: 12px; margin: 0 4px 0 12px; }}
</style></head><body>
<h1>Hinge Station fleet report</h1>
<div class=muted>Since {report.since:%Y-%m-%d} ({days} days), made {report.generated_at:%Y-%m-%d %H:%M} UTC.
A station silent for {DOWN_AFTER_S // 60} minutes is down.</div>
<table><tr><th>station</th><th>state</th><th>last beat</th><th>camera</th><th>pose fps</th><th>CPU</th>
<th>throttled</th><th>sets</th><th>reps</th><th>sets/day</th><th>good reps</th></tr>
{"".join(rows)}</table>
<div class=charts>{"".join(charts)}</div>
</body></html>
"""
