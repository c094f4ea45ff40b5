"""The drill catalogue: what each drill is, what a coach says, and the thresholds it is judged by.

Every number a fault rule uses lives here (per drill) or in the config file (per site), so a coach
can read an entry and recognise the drill. Angles are degrees; lengths are fractions of the
lifter's own leg or torso length (so they hold for any lifter and any distance from the camera);
"drop" is how far the shoulders sink towards the floor as a fraction of standing shoulder height.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from station.core.registry import FAULTS

# The words and view gates of each fault live in its registry entry (`station/core/registry.py`); these
# views of it keep the names every reader imports.
FAULT_IDS: tuple[str, ...] = tuple(FAULTS)
FAULT_NAMES: dict[str, str] = {f.id: f.name for f in FAULTS.values()}
FAULT_CUES: dict[str, str] = {f.id: f.cue for f in FAULTS.values()}  # what the lamp says when it lights
FAULT_PRAISE: dict[str, str] = {f.id: f.praise for f in FAULTS.values()}  # the summary's "went well"
FAULT_LAMPS: dict[str, tuple[str, str, str]] = {f.id: f.lamp for f in FAULTS.values()}  # "Lockout: full/short"

# What a lamp says when the view cannot show its fault.
UNSEEN_CUE = "Can't see from here: turn side-on"
BACK_UNREAD_CUE = "Can't read the back against the room"


@dataclass(frozen=True)
class Thresholds:
    """Where a drill's rep begins and ends, and where each fault starts."""

    bottom_drop: float  # shoulders sink at least this much: the bottom was reached
    top_drop: float  # back above this: the lifter is up and the rep counts
    bottom_hip_angle: float  # side view: the hips must also close to this (walking away is no rep)
    lockout_hip_angle: float  # side view: full hip extension at the top
    max_shin_lean: float  # knees_forward: shin tilt past this
    max_shin_to_trunk: float  # knees_forward: shins tilting this fraction of the trunk's lean (a squat)
    max_hip_drop: float  # hips_drop: hips sink more than this many leg lengths ...
    max_drop_to_back: float  # ... and more than this times how far they travel back
    max_back_curve: float  # back_rounding: outline bows out by this (curvature per torso length)
    max_head_drop: float  # back_rounding (upper back, head): ear below the hip-shoulder line, torso lengths
    max_trunk_tip: float  # hips_rise_first: trunk tips this many degrees further forward as the hips rise
    max_lean_back: float  # overextension: trunk behind vertical at the top
    min_rep_s: float  # faster than this from top to top is a twitch, not a rep
    target_eccentric_s: float  # tempo: the lowering should take about this long
    min_float: float = 0.45  # a swing's top: the hands rise this many torso lengths above the hips


@dataclass(frozen=True)
class Drill:
    id: str
    name: str
    summary: str
    cues: tuple[str, ...]
    faults: tuple[str, ...]
    thresholds: Thresholds
    explosive: bool = False
    floats: bool = False  # the top is a float (the hands rise with the bell): no float, no rep
    notes: tuple[str, ...] = field(default=())

    def with_thresholds(self, **changes: float) -> Drill:
        return replace(self, thresholds=replace(self.thresholds, **changes))


_HINGE = Thresholds(
    bottom_drop=0.09,
    top_drop=0.05,
    bottom_hip_angle=140.0,
    lockout_hip_angle=162.0,
    max_shin_lean=15.0,
    max_shin_to_trunk=0.8,
    max_hip_drop=0.12,
    max_drop_to_back=1.0,
    max_back_curve=0.1,
    max_head_drop=0.2,
    max_trunk_tip=15.0,
    max_lean_back=12.0,
    min_rep_s=1.2,
    target_eccentric_s=2.0,
)

DRILLS: dict[str, Drill] = {
    d.id: d
    for d in (
        Drill(
            id="dowel-hinge",
            name="Dowel hip hinge",
            summary="Dowel on the back, touching head, upper back and tailbone; hinge slowly to a flat back.",
            cues=("Push the hips back", "Keep the shins vertical", "Head, upper back, tailbone in one line"),
            # What the drill teaches: the three points of contact and the hips going back. No lockout
            # rule: the hands holding the dowel behind the back pull the shoulder keypoints about.
            faults=("back_rounding", "knees_forward", "hips_drop"),
            thresholds=_HINGE,
        ),
        Drill(
            id="wall-touch",
            name="Wall touch",
            summary="Stand a foot from a wall, back to it; push the hips back until they touch it.",
            cues=("Reach back to the wall with the hips", "Soft knees, shins stay still", "Long flat back"),
            faults=("back_rounding", "knees_forward", "hips_drop"),  # the hips reaching back, not the finish
            thresholds=replace(_HINGE, bottom_drop=0.08, bottom_hip_angle=145.0, min_rep_s=1.0),
        ),
        Drill(
            id="rdl",
            name="Romanian deadlift",
            summary="From standing, lower the weight down the thighs by pushing the hips back; knees soft.",
            cues=("Push the hips back", "Weight slides down the thighs", "Flat back, chest long"),
            faults=("back_rounding", "knees_forward", "hips_drop", "no_lockout"),
            thresholds=replace(
                _HINGE, max_shin_lean=22.0, max_hip_drop=0.2, target_eccentric_s=1.5,
            ),
        ),
        Drill(
            id="deadlift",
            name="Deadlift",
            summary="Pull the weight from the floor to standing tall; kettlebell or barbell.",
            cues=("Push the floor away", "Chest and hips rise together", "Stand tall at the top"),
            faults=("back_rounding", "knees_forward", "hips_drop", "no_lockout", "hips_rise_first"),
            thresholds=replace(
                # top_drop 0.07: a barbell held in front of the thighs at lockout keeps the shoulders a
                # little low; 0.05 missed two front-view tops of the dowel clip by 0.01.
                # max_shin_lean 36: the cleanest pulls' shins reach 31 (a front slant) and the same rep
                # moves 4 degrees between pose rates; knee-dominant pulls are called by the squat rules.
                _HINGE, bottom_drop=0.15, top_drop=0.07, bottom_hip_angle=130.0, max_shin_lean=36.0,
                max_shin_to_trunk=1.0, max_hip_drop=0.4, max_drop_to_back=1.2, min_rep_s=0.8, target_eccentric_s=1.0,
            ),
        ),
        Drill(
            id="kb-swing",
            name="Kettlebell swing",
            summary="Hike the bell back between the legs and snap the hips through to chest height.",
            cues=("Hike it back, hips back", "Snap the hips, stand tall", "Don't lean back at the top"),
            faults=("back_rounding", "knees_forward", "hips_drop", "no_lockout", "overextension"),
            thresholds=replace(
                # bottom_drop 0.1: the float (hands to the chest) is what tells a swing; a Russian swing
                # filmed low sank the shoulders only 0.13 to 0.2, and 0.15 missed two of its ten reps.
                _HINGE, bottom_drop=0.1, top_drop=0.05, bottom_hip_angle=130.0, max_shin_lean=25.0, max_lean_back=15.0,
                max_hip_drop=0.18, max_drop_to_back=1.5, min_rep_s=0.35, target_eccentric_s=0.5,
            ),
            explosive=True,
            floats=True,
        ),
    )
}  # fmt: skip


def get_drill(drill_id: str) -> Drill:
    from station.errors import StationError

    try:
        return DRILLS[drill_id]
    except KeyError:
        raise StationError(f"There is no drill '{drill_id}': choose one of {', '.join(DRILLS)}.") from None


if __name__ == "__main__":  # the threshold table of docs/coach.md: python -m station.core.drills
    from station.core.registry import threshold_table

    print(threshold_table(DRILLS))
