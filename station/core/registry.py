"""The fault registry: one entry a fault, everything a coach and the screen need to know of it.

Each `FaultSpec` holds the fault's words (name, cue, praise), the phase of the rep it is judged in,
the views it can be seen from, the rule in plain words, and the thresholds its rule reads (fields of
`drills.Thresholds`) with where each value came from and the nearest clean and faulty reps that
`station calibrate` measured on the shared clips. Adding a fault is one entry here plus its rule in
`coach/faults.py`; the README's threshold table is generated from this module (`threshold_table`).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ViewGate:
    """From where a fault can be seen. Yaw is degrees turned from side-on (0 side-on, 90 square-on).

    `towards`: the lifter turned towards the camera (front-oblique); `away`: turned away (behind-
    oblique). A view turned further than the limit leaves the fault unjudged: its lamp stays grey.
    """

    towards: float
    away: float

    def allows(self, yaw: float | None, turn: int) -> bool:
        if yaw is None:
            return False
        return yaw <= (self.towards if turn > 0 else self.away if turn < 0 else min(self.towards, self.away))


@dataclass(frozen=True)
class Evidence:
    """Why a threshold has its value: where it came from, and the calibration table's nearest reps either side.

    `clean` / `faulty`: the closest clean and faulty reps to the threshold in `station calibrate`'s
    table (value and clip), or "none" where no rep of that kind exists yet for the drill.
    """

    source: str
    clean: str = "none"
    faulty: str = "none"


@dataclass(frozen=True)
class FaultSpec:
    id: str
    name: str
    cue: str  # what the lamp says: an instruction in plain words
    praise: str  # what the summary says went well when the fault never showed
    lamp: tuple[str, str, str]  # the lamp's words: what it judges, then how it reads clean and faulty
    phase: str  # "bottom" (the deepest part of the rep), "pull" (bottom to half way up), "top" (lockout)
    view: ViewGate
    rule: str  # the rule in a coach's words
    thresholds: tuple[str, ...]  # the `drills.Thresholds` fields the rule reads
    evidence: dict[str, Evidence] = field(default_factory=dict)  # "drill.field" or "*.field" -> why


# The sagittal angles are corrected for foreshortening up to 60 degrees (forward distances look
# half their size there: noise counts double); past it nothing sagittal is judged.
SAGITTAL = ViewGate(towards=60.0, away=60.0)
# The back's outline is the edge of the body behind the lifter: the spine's profile from the side
# and from behind-oblique views, but from a front-oblique view it is the far flank and the buttocks.
# Read from the front-oblique views of the shared clips it called 6 of 7 clean reps on two clean
# clips rounded; on footage held back, three more clips. So the outline is read side-on, or turned
# away up to the sagittal limit; the head's line (keypoints) is judged wherever the angles are.
OUTLINE_VIEW = ViewGate(towards=25.0, away=60.0)

FAULTS: dict[str, FaultSpec] = {
    f.id: f
    for f in (
        FaultSpec(
            id="back_rounding",
            name="Back rounding",
            cue="Head, upper back, tailbone in one line",
            praise="flat back",
            lamp=("Back", "flat", "rounding"),
            phase="bottom",
            view=SAGITTAL,
            rule="At the bottom the back's outline bows out (median of at least 3 steady readings, read "
            "only side-on or turned away: `OUTLINE_VIEW`), or the head drops below the hip-shoulder line: "
            "the dowel's three points of contact break.",
            thresholds=("max_back_curve", "max_head_drop"),
            evidence={
                "deadlift.max_back_curve": Evidence(
                    "Outline bow per torso length: flat backs read about -0.1, rounded ones 0.11 to 0.29 on "
                    "the side clips; the nearest faulty rep is the busy-gym clip read hollow (an xfail).",
                    clean="0.066 kb-deadlift_side_correct.mp4#1",
                    faulty="-0.174 barbell-deadlift_side_bad-hips-up.mp4#1",
                ),
                "deadlift.max_head_drop": Evidence(
                    "Ear below the hip-shoulder line, torso lengths: a head hanging forward by a fifth of "
                    "the torso is past any neutral neck (a coach's rule). Clean reps reach 0.18 (one rep "
                    "of a front-oblique band pull), rounded upper backs 0.21 to 0.26 (rep medians).",
                    clean="0.059 kb-deadlift_side_correct.mp4#1",
                    faulty="-0.083 barbell-deadlift_side_bad-form-turf.mp4#4",
                ),
            },
        ),
        FaultSpec(
            id="knees_forward",
            name="Knees forward",
            cue="Keep the shins vertical",
            praise="still shins",
            lamp=("Knees", "still", "forward"),
            phase="bottom",
            view=SAGITTAL,
            rule="At the bottom (median of its frames) the shins tilt past the drill's limit, or tilt as far "
            "as the trunk with at least half the limit (a squat, not a hinge), or tilt past two thirds of "
            "the limit with the hips below the knees (the squatted pull).",
            thresholds=("max_shin_lean", "max_shin_to_trunk"),
            evidence={
                "deadlift.max_shin_lean": Evidence(
                    "A hinge keeps the shins within about 15 degrees of vertical; an RDL's soft knees allow "
                    "more (22), a deadlift from the floor needs the shins forward to reach the bar: 36 lies between "
                    "the cleanest pulls' 35.7 (a front slant, 31 to 36 as the pipeline's rounding changes) and "
                    "the nearest knee-dominant pull's 39.5, the rest of which read 40 to 50 (trunk upright: "
                    "the squat rules call them too). A thin margin: docs/coach.md.",
                    clean="35.7 barbell-deadlift_diag_greenscreen.mp4#1",
                    faulty="39.5 kb-deadlift_side_knee-dominant.mp4#1",
                ),
                "*.max_shin_to_trunk": Evidence(
                    "Shins tilting as far as the trunk is a squat's shape, whatever the depth.",
                ),
            },
        ),
        FaultSpec(
            id="hips_drop",
            name="Hips dropping",
            cue="Push the hips back, not down",
            praise="hips back, not down",
            lamp=("Hips", "back", "dropping"),
            phase="bottom",
            view=SAGITTAL,
            rule="From standing to the bottom the hips sink more than the drill allows, and more than they "
            "travel back (leg lengths, forward distances undone from the view's slant).",
            thresholds=("max_hip_drop", "max_drop_to_back"),
            evidence={
                "deadlift.max_hip_drop": Evidence(
                    "A hip hinge moves the hips back, not down: past a tenth of a leg length of drop the "
                    "knees are doing the work; a deadlift from the floor must sink further (0.4). The drop "
                    "must also exceed the hips' travel back, which the clean 0.397 did not.",
                    clean="0.397 kb-deadlift_side_hips-first.mp4#10",
                ),
                "*.max_drop_to_back": Evidence("Down further than back: the movement became a squat."),
            },
        ),
        FaultSpec(
            id="no_lockout",
            name="No lockout",
            cue="Stand tall: squeeze the glutes at the top",
            praise="full lockout",
            lamp=("Lockout", "full", "short"),
            phase="top",
            view=SAGITTAL,
            rule="At the top after the rep the hips never open to the drill's lockout angle (80th "
            "percentile of the top's frames). Not judged on the dowel drill, where the arms holding the "
            "stick behind the back move the shoulder keypoints.",
            thresholds=("lockout_hip_angle",),
            evidence={
                "deadlift.lockout_hip_angle": Evidence(
                    "Standing tall the hip angle reads 170 to 185 on the clean clips; 162 leaves room for "
                    "keypoint noise and a soft finish, a short lockout stops at 150 or less. The one clean "
                    "reading under it (147) is no rep at all: standing up after setting the bar down (an xfail).",
                    clean="147 barbell-deadlift_side_bad-form-turf.mp4#4",
                ),
            },
        ),
        FaultSpec(
            id="hips_rise_first",
            name="Hips rise first",
            cue="Chest and hips rise together",
            praise="chest and hips together",
            lamp=("Pull", "together", "hips first"),
            phase="pull",
            view=SAGITTAL,
            rule="From the deepest knee bend to the shoulders half way up, the trunk tips further forward "
            "than it started (the hips shoot up, the chest stays down).",
            thresholds=("max_trunk_tip",),
            evidence={
                "deadlift.max_trunk_tip": Evidence(
                    "Hips-first pulls tip the trunk 18 to 26 degrees (median 21); clean pulls 11.6 to 12.9 at most. "
                    "The nearest faulty rep is a hips-first set's first pull, which starts upright (missed).",
                    clean="11.6 barbell-deadlift_side_good-pull.mp4#1",
                    faulty="0.6 kb-deadlift_diag_hips-first.mp4#1",
                ),
            },
        ),
        FaultSpec(
            id="overextension",
            name="Leaning back",
            cue="Finish tall, don't lean back",
            praise="tall finish",
            lamp=("Top", "tall", "leaning back"),
            phase="top",
            view=SAGITTAL,
            rule="At the top the trunk leans behind vertical past the drill's limit (20th percentile of the "
            "top's frames) with the hips past straight.",
            thresholds=("max_lean_back",),
            evidence={
                "kb-swing.max_lean_back": Evidence(
                    "Standing tall the trunk is within a few degrees of vertical; 10 to 20 degrees behind "
                    "it at a swing's float is the lean-back a coach stops. Clean swings read 6 to 12 behind; "
                    "clean barbell lockouts 20 (so the deadlift has no lean-back rule: see docs/coach.md).",
                    clean="-11.3 kb-swing_side_hardstyle.mp4#5",
                ),
            },
        ),
    )
}


def threshold_table(drills: dict) -> str:
    """The threshold table of docs/coach.md (Markdown), from the registry and the drill catalogue."""
    lines = [
        "| fault | judged | threshold | " + " | ".join(drills) + " | nearest clean rep | nearest faulty rep | why |",
        "| --- | --- | --- | " + " | ".join("---" for _ in drills) + " | --- | --- | --- |",
    ]
    for spec in FAULTS.values():
        for name in spec.thresholds:
            cells = [f"{getattr(d.thresholds, name):g}" if spec.id in d.faults else "-" for d in drills.values()]
            key, why = next(((k, e) for k, e in spec.evidence.items() if k.endswith(f".{name}")), ("", Evidence("")))
            where = key.split(".")[0]
            clean = f"{where}: {why.clean}" if why.clean != "none" else "none"
            faulty = f"{where}: {why.faulty}" if why.faulty != "none" else "none"
            values = " | ".join(cells)
            lines.append(f"| {spec.name} | {spec.phase} | `{name}` | {values} | {clean} | {faulty} | {why.source} |")
    return "\n".join(lines)

