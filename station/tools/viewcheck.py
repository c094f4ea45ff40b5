"""Which faults the coach judges from which view: the synthetic athlete filmed from every side.

For each view (yaw from side-on; front diagonals turn the lifter towards the camera, back
diagonals away from it) and each fault, the athlete does a set with the fault on every rep at
the size a coach would clearly call it (`athlete.Faults.named`), and a clean set. The table gives
the share of reps on which the fault was called, the share on which it was reported unseen, and
false alarms: faults called on clean reps. `station views` prints it; `tests/test_viewcheck.py`
checks what it promises.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from station.compose import site_drill
from station.config import Config
from station.core.coach.session import CoachSettings
from station.core.drills import Drill
from station.edges.camera.athlete import AthleteSpec, Camera, Faults
from station.edges.progress import Progress

# One drill per fault (the drill that lists it and whose movement shows it best).
FAULT_DRILLS = {
    "back_rounding": "deadlift",
    "knees_forward": "deadlift",
    "hips_drop": "rdl",
    "no_lockout": "deadlift",
    "hips_rise_first": "deadlift",
    "overextension": "kb-swing",
}
CLEAN_DRILLS = ("deadlift", "rdl", "kb-swing")
# A squat shows both: hips that sink straight down push the knees forward, and the reverse.
COUPLED = {"hips_drop": {"knees_forward"}, "knees_forward": {"hips_drop"}}
VIEWS = (
    ("side", 0.0),
    ("front 15", 15.0), ("front 30", 30.0), ("front 45", 45.0), ("front 60", 60.0), ("front", 90.0),
    ("back 15", 165.0), ("back 30", 150.0), ("back 45", 135.0), ("back 60", 120.0),
)  # fmt: skip
REPS = 3


@dataclass(frozen=True)
class Cell:
    called: float  # share of reps on which the fault was called
    unseen: float  # share of reps on which it was reported as not visible
    reps_counted: int
    reps_done: int


def run_set(
    drill: Drill, fault: str | None, yaw: float, coach_settings: CoachSettings | None = None, seed: int = 11
) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(faults, unseen) of each rep the coach counted, for one synthetic set (the site's drill and coach)."""
    from station.core.coach.session import Coach
    from station.core.keypoints import Pose
    from station.edges.camera.athlete import Athlete

    spec = AthleteSpec(
        drill=drill.id, reps=REPS, faults=Faults.named(fault) if fault else Faults(), noise=0.01, drop=0.05, seed=seed,
        camera=Camera(yaw_deg=yaw, facing=1),
    )  # fmt: skip
    coach = Coach(drill, coach_settings)
    for t, keypoints, image in Athlete(spec).frames():
        coach.update(Pose(t, keypoints, True, spec.camera.size), image, 1.0)
    coach.finish()
    return [(r.faults, r.unseen) for r in coach.reps]


Job = tuple[str, str | None, float]  # drill, fault (None: a clean set), yaw


def _job(args: tuple[Job, Drill, CoachSettings]) -> tuple[Job, list]:
    (_, fault, yaw), drill, coach = args  # plain data: it goes to a fresh interpreter
    return args[0], run_set(drill, fault, yaw, coach)


def view_table(
    config: Config | None = None, workers: int = 2, views: tuple[tuple[str, float], ...] = VIEWS
) -> dict[str, dict[str, Cell]]:
    """{view name: {fault or "false alarms": Cell}} over `views` (default: every view), with the site's
    drills and coach settings from `config` (default: the shipped ones)."""
    config = config or Config()
    drills = {d: site_drill(config, d) for d in {*FAULT_DRILLS.values(), *CLEAN_DRILLS}}
    jobs: list[Job] = [(d, f, yaw) for _, yaw in views for f, d in FAULT_DRILLS.items()]
    jobs += [(d, None, yaw) for _, yaw in views for d in CLEAN_DRILLS]
    # Fresh interpreters, not forks: a fork of a process with threads (a test run, the kiosk) can
    # inherit a lock some other thread held and hang.
    progress = Progress("views: synthetic sets lifted", total=len(jobs))
    results = {}
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        for key, reps in pool.map(_job, [(job, drills[job[0]], config.coach) for job in jobs]):
            results[key] = reps
            progress.step()
    progress.close()
    table: dict[str, dict[str, Cell]] = {}
    for name, yaw in views:
        row = {}
        for fault, drill in FAULT_DRILLS.items():
            reps = results[(drill, fault, yaw)]
            n = max(1, len(reps))
            row[fault] = Cell(
                called=sum(fault in f for f, _ in reps) / n,
                unseen=sum(fault in u for _, u in reps) / n,
                reps_counted=len(reps),
                reps_done=REPS,
            )
        clean = [r for d in CLEAN_DRILLS for r in results[(d, None, yaw)]]
        row["false alarms"] = Cell(
            called=sum(bool(f) for f, _ in clean) / max(1, len(clean)),
            unseen=0.0,
            reps_counted=len(clean),
            reps_done=REPS * len(CLEAN_DRILLS),
        )
        table[name] = row
    return table


def format_table(table: dict[str, dict[str, Cell]]) -> str:
    """Markdown: called share (unseen share in brackets where any), reps counted of reps done."""
    faults = list(FAULT_DRILLS)
    head = "| view | " + " | ".join(faults) + " | false alarms (clean reps) |"
    lines = [head, "|" + " --- |" * (len(faults) + 2)]
    for view, row in table.items():
        cells = []
        for fault in [*faults, "false alarms"]:
            c = row[fault]
            text = f"{c.called:.0%}"
            if c.unseen:
                text += f" ({c.unseen:.0%} unseen)"
            if c.reps_counted != c.reps_done:
                text += f" [{c.reps_counted}/{c.reps_done} reps]"
            cells.append(text)
        lines.append(f"| {view} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
