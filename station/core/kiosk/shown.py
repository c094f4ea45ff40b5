"""What the screens show: a plain, read-only picture of the kiosk, every word in it decided here.

The screens only lay it out and draw it (`station.edges.display.screens`). Which cue a lifter reads
mid-set, what the summary praises and what it says to fix, what a problem screen advises and what
`station status` says of the camera are coaching and product decisions, so they live in the pure
core and are tested without a screen. Time is handed in: nothing here reads a clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from station.core.coach.setreport import SetReport
from station.core.drills import FAULT_CUES, FAULT_NAMES, FAULT_PRAISE, UNSEEN_CUE, Drill
from station.core.kiosk.events import Problem
from station.core.kiosk.state import ASLEEP, ATTRACT, CHOSEN, SET, Kiosk, KioskState, Lamp
from station.core.placement import Placement

Tone = Literal["good", "warn", "fault"]  # green, amber, red on the screen

# What each kind of problem is called and what to do about it; a source problem's own sentence is its advice.
PROBLEMS: dict[Problem, tuple[str, str]] = {
    Problem.CAMERA: ("No camera picture", "Check the camera cable, then wait: the station retries by itself."),
    Problem.MODEL: ("The pose model is missing", "Run `sudo station model install`, or reinstall with install.sh."),
}
SOURCE_TITLE = "Something needs attention"

# How `station status`, the health page and the fleet's beats name the camera's state.
CAMERA_STATUS = {Problem.CAMERA: "lost (retrying)", Problem.MODEL: "no model", Problem.SOURCE: "clip unreadable"}


@dataclass(frozen=True)
class Cue:
    """One line for the lifter, and how it reads: good (the drill's own cue), warn, or fault."""

    text: str
    tone: Tone


@dataclass(frozen=True)
class ProblemShown:
    """The problem screen: what is wrong, what to do, and (mid-set) that the set is kept."""

    title: str
    advice: str
    kept: str | None = None


@dataclass(frozen=True)
class Shown:
    """Everything a screen draws that the kiosk decides; the picture and the caches are the shell's."""

    screen: str
    drill: Drill
    drill_names: tuple[str, ...]
    drill_index: int
    guidance: str | None  # None: placed well, ready ("Step into view", "Turn side-on" otherwise)
    reps: int
    lamps: tuple[Lamp, ...]  # copies: the screens cannot change the core's
    cue: Cue  # the set screen's one cue
    rep_flash_at: float | None  # when the count changed (the screen pulses it)
    report: SetReport | None  # the finished set, on the summary
    to_fix: str | None  # the summary's one instruction: the most frequent fault, as a cue
    went_well: str | None  # the summary's praise, only for what the view could show
    trace: Sequence[tuple[float, float | None, float | None]]  # the set's (t, hip angle, depth), for the chart
    problem: ProblemShown | None  # the problem screen, in place of attract, chosen or set
    store_problem: str | None  # the owner's notice on every screen: the history cannot be written
    placed: Placement | None  # the placement check's latest verdict
    placement_unrecorded: str | None  # why a passed placement is not in the history
    leaves_at: float  # when the health page closes by itself (on the shell's clock)

    @property
    def ready(self) -> bool:
        return self.guidance is None


def shown(kiosk: Kiosk) -> Shown:
    """The kiosk as its screens show it now."""
    s = kiosk.state
    lamps = tuple(dataclasses.replace(lamp) for lamp in s.lamps.values())
    report = s.report
    return Shown(
        screen=s.screen, drill=kiosk.drill, drill_names=tuple(d.name for d in kiosk.drills),
        drill_index=s.drill_index, guidance=kiosk.guidance, reps=kiosk.reps, lamps=lamps,
        cue=set_cue(kiosk.guidance, lamps, kiosk.drill), rep_flash_at=s.rep_flash_at, report=report,
        to_fix=to_fix(report), went_well=went_well(report, kiosk.drill), trace=s.trace,
        problem=problem_shown(s, kiosk.reps), store_problem=s.store_problem, placed=s.placed,
        placement_unrecorded=s.placement_unrecorded, leaves_at=s.entered_at + kiosk.settings.health_s,
    )  # fmt: skip


def set_cue(guidance: str | None, lamps: Sequence[Lamp], drill: Drill) -> Cue:
    """Mid-set, one cue: where to stand first, then the lit fault's fix, then why a lamp is grey,
    else the drill's own first cue."""
    lit = next((lamp for lamp in lamps if lamp.lit), None)
    if guidance:
        return Cue(guidance, "warn")
    if lit is not None:
        return Cue(FAULT_CUES[lit.fault], "fault")
    if any(lamp.unseen and not lamp.view_ok for lamp in lamps):
        return Cue(UNSEEN_CUE, "warn")
    return Cue(drill.cues[0], "good")


def to_fix(report: SetReport | None) -> str | None:
    """The most frequent fault of the set, said as an instruction with how often it showed."""
    if report is None:
        return None
    counts = {f: len(on) for f, on in report.faults().items()}
    if not counts:
        return None
    worst = max(counts, key=lambda f: counts[f])
    n = len(report.reps)
    return f"{FAULT_CUES[worst]} ({FAULT_NAMES[worst].lower()} on {counts[worst]} of {n} rep{'' if n == 1 else 's'})"


def went_well(report: SetReport | None, drill: Drill) -> str | None:
    """Praise for up to three faults the set was clean of, and only those seen on most reps: a fault
    the view could not show earns none."""
    if report is None or not report.reps:
        return None
    reps, faulty = report.reps, report.faults()
    seen = [f for f in drill.faults if sum(f in r.unseen for r in reps) * 2 < len(reps)]
    clean = [f for f in seen if f not in faulty]
    if not clean:
        return None
    praise = ", ".join(FAULT_PRAISE[f] for f in clean[:3])
    return praise[0].upper() + praise[1:]


def problem_shown(state: KioskState, reps: int) -> ProblemShown | None:
    """The problem screen stands in for attract, chosen and set (the summary, health and placement
    pages stay: they show what the owner or installer came for)."""
    if state.error is None or state.screen not in (ATTRACT, CHOSEN, SET):
        return None
    title, advice = PROBLEMS.get(state.error, (SOURCE_TITLE, state.error_text or "See the log."))
    kept = f"Your set is kept: {reps} reps so far." if state.screen == SET else None
    return ProblemShown(title, advice, kept)


def camera_status(state: KioskState, live: bool) -> str:
    """The camera in words for `station status`, the health page and the fleet's beats."""
    if state.error is not None:
        return CAMERA_STATUS[state.error]
    if state.screen == ASLEEP:
        return "resting (outside opening hours)"
    return "ok" if live else "none (a clip or the synthetic athlete)"


__all__ = ["Cue", "ProblemShown", "Shown", "camera_status", "shown"]
