"""The set a member takes home: the summary as plain text, and as a QR code a phone's camera reads.

No network and no account: the phone reads the text straight out of the code, and nothing is
kept beyond the history. The text is short plain words (it must fit a code that scans from a
metre), built from the typed set report only.
"""

from __future__ import annotations

from datetime import datetime

import numpy as np

from station.core.coach.setreport import SetReport
from station.core.drills import FAULT_CUES, FAULT_NAMES

# A long set must still give a code that scans from a metre: at most version 13 (69 modules
# across, 5 screen pixels each in the summary's 400 at 1080p). Longer texts list fewer reps.
MAX_VERSION = 13
RUNS_LISTED = (6, 3, 1, 0)  # runs of reps (1, 3-6, 9) listed per fault, tried in turn; 0: just how many


def take_home(report: SetReport, drill_name: str, finished: datetime) -> tuple[str, np.ndarray]:
    """The text and its QR code's modules, the text as full as a code that scans from a metre allows."""
    import segno

    for runs in RUNS_LISTED:
        text = take_home_text(report, drill_name, finished, runs)
        # Level L: a screen is never smudged or torn, and a smaller code has bigger modules.
        code = segno.make(text, error="l", boost_error=False, micro=False)
        if int(code.version) <= MAX_VERSION:
            break
    return text, np.array([list(row) for row in code.matrix_iter(scale=1, border=0)], dtype=bool)


def take_home_text(report: SetReport, drill_name: str, finished: datetime, runs_listed: int = RUNS_LISTED[0]) -> str:
    """Drill, date, reps, good reps, tempo, and each fault with its cue and the reps it showed on."""
    lines = [
        f"Hinge Station: {drill_name}",
        finished.strftime("%a %d %b %Y, %H:%M"),
        f"{report.count} reps, {report.good_reps} good",
    ]
    down, up = report.tempo()
    if down is not None or up is not None:
        parts = [f"{down:.1f} s down" if down is not None else "", f"{up:.1f} s up" if up is not None else ""]
        lines.append("Tempo: " + ", ".join(p for p in parts if p))
    faults = report.faults()
    if faults:
        lines.append("To fix:")
        for fault, reps in faults.items():
            on = "rep" if len(reps) == 1 else "reps"
            runs = _runs(reps)
            shown = f"{on} " + ", ".join(runs[:runs_listed])
            if len(runs) > runs_listed:
                more = sum(_run_length(r) for r in runs[runs_listed:])
                shown = f"{shown} and {more} more" if runs_listed else f"on {more} {on}"
            lines.append(f"- {FAULT_NAMES[fault]} ({shown}): {FAULT_CUES[fault]}")
    elif report.count and report.good_reps == report.count:
        lines.append("Every rep clean. Well done!")
    return "\n".join(lines)


def _runs(reps: list[int]) -> list[str]:
    """Rep numbers as runs: 1, 3-6, 9."""
    runs: list[str] = []
    start = prev = reps[0]
    for n in [*reps[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        runs.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return runs


def _run_length(run: str) -> int:
    first, _, last = run.partition("-")
    return int(last or first) - int(first) + 1
