"""Fault rules: what a coach looks for in one rep, from the rep's frames.

Each rule is a plain comparison against the drill's thresholds, so a coach can check it:
- back_rounding: the back's outline bows out, or the head drops below the hip-shoulder line;
- knees_forward: the shins tilt past the drill's limit, or as far as the trunk does (a squat), or
  well forward with the hips sunk to the knees (the squatted pull);
- hips_drop: the hips sink more than they travel back;
- hips_rise_first: the trunk tips further forward while the hips rise (hips before chest);
- no_lockout / overextension: judged on the top that follows the rep.
Each rule reads only the rep's metrics (`decide_rep`, `decide_top`), so calibration can re-judge
stored reps with other thresholds.
Each fault has its own view gate (`registry.FAULTS[...].view`): a fault the view could not show is
reported as unseen, never as clean, and the other faults are still judged.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from statistics import median

import numpy as np

from station.core.coach.reps import RepWindow, Sample
from station.core.drills import Drill, Thresholds
from station.core.registry import FAULTS, OUTLINE_VIEW

MIN_SEEN_FRACTION = 0.5  # the view showed the angles on at least half the rep's frames, or they are unseen
# The top is judged only where frames came at most this far apart around it: a clip at 1 frame a
# second can miss the moment of lockout altogether (issue 17 #19: a clean rep called "No lockout").
# 0.5 s keeps a Pi 4's 7 to 10 poses a second (0.1 to 0.14 s apart) judged, with room for a dropped frame.
MAX_TOP_GAP_S = 0.5
BOTTOM_REGION = 0.7  # frames at 70% or more of the rep's depth count as "the bottom"
MIN_BACK_READINGS = 3  # outline readings at the bottom needed to judge the back from its outline
# How sure the bottom's reading of the back is: the standard error of the readings' median bow (from
# their interquartile range and count). A flat back's bow and a rounded one's lie about 0.1 apart
# (rep medians -0.09 and 0.15 on the shared side clips); a median less sure than half that gap cannot
# tell them apart, and the back is not read on that rep. Busy rooms read as the back, and a Pi's few
# readings, fail it. (Until the 35-clip calibration: an interquartile range of 0.15 at most, whatever
# the count; at 10 poses a second a clean band RDL then read 0.14 from five readings spread 0.12.)
MAX_BACK_ERROR = 0.04
# The squatted pull: thighs within 10 degrees of level at the bottom (hips at the knees' height or
# below), and the shins past two thirds of the drill's limit (21 degrees for the deadlift: the held-back
# squatted pulls showed 30 at the bottom's median, under the old 32-degree limit).
SQUAT_THIGH_LEAN = 80.0
SETUP_S = 0.07  # the back angle a pull starts from: the trunk's lean over this moment before the knees' deepest bend
SQUATTED_PULL_SHARE = 2.0 / 3.0


TOP_FAULTS = ("no_lockout", "overextension")  # judged on the top after the rep, not on the rep itself


@dataclass(frozen=True)
class Judgement:
    faults: tuple[str, ...]
    metrics: dict[str, float | None]
    unseen: tuple[str, ...] = ()  # faults of the drill the view could not show on this rep
    covered: tuple[str, ...] = ()  # the faults this judgement looked for (seen or unseen)

    @property
    def judged(self) -> bool:
        """Whether any fault it looked for could be judged at all."""
        return any(f not in self.unseen for f in self.covered)


def _values(samples: list[Sample], name: str) -> list[float]:
    return [v for s in samples if (v := getattr(s.posture, name)) is not None]


def _med(values: list[float]) -> float | None:
    return float(median(values)) if values else None


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def view_yaw(samples: list[Sample]) -> float | None:
    """The rep's view: the median yaw of its frames, or None where no frame showed it."""
    return _med(_values(samples, "yaw"))


def view_turn(samples: list[Sample]) -> int:
    """The rep's turn: +1 towards the camera, -1 away, 0 side-on or not known (the frames' majority)."""
    total = sum(s.posture.turn for s in samples)
    return (total > 0) - (total < 0)


def median_error(spread: float | None, n: int) -> float | None:
    """Standard error of the median of `n` readings with interquartile range `spread` (normal readings:
    sigma = IQR / 1.349, error = 1.253 sigma / sqrt(n))."""
    if spread is None or n < 1:
        return None
    return 1.253 * (spread / 1.349) / float(np.sqrt(n))


def outline_sure(metrics: Mapping[str, float | None]) -> bool:
    """Whether the rep's outline readings say something: enough of them, and their median sure enough."""
    error = metrics.get("back_error")
    return (metrics.get("back_readings") or 0.0) >= MIN_BACK_READINGS and error is not None and error <= MAX_BACK_ERROR


def _angles_seen(samples: list[Sample]) -> float:
    return sum(s.posture.angles_seen for s in samples) / max(1, len(samples))


def view_allows(fault: str, metrics: Mapping[str, float | None], prefix: str = "") -> bool:
    """Whether the rep's view (its yaw, turn and share of frames with the angles) showed `fault`."""
    yaw, turn, seen = metrics.get(prefix + "yaw"), metrics.get(prefix + "turn"), metrics.get(prefix + "angles_seen")
    return FAULTS[fault].view.allows(yaw, int(turn or 0)) and (seen or 0.0) >= MIN_SEEN_FRACTION


def judge_rep(window: RepWindow, drill: Drill) -> Judgement:
    """Faults shown between the rep's start and its top, with the metrics they rest on."""
    samples = window.samples
    with_depth = [s for s in samples if s.depth is not None]
    bottom = max(with_depth, key=lambda s: s.depth or 0.0) if with_depth else samples[len(samples) // 2]
    depth = bottom.depth or 0.0
    region = [s for s in with_depth if (s.depth or 0.0) >= BOTTOM_REGION * depth] or [bottom]

    shin_max = max(_values(samples, "shin_lean"), default=None)
    curves = [s.back_curve for s in region if s.back_curve is not None]
    spread = float(np.subtract(*np.percentile(curves, [75, 25]))) if curves else None
    error = median_error(spread, len(curves))
    thighs = [180.0 - s.posture.hip_angle - s.posture.torso_lean for s in region
              if s.posture.hip_angle is not None and s.posture.torso_lean is not None]  # fmt: skip
    hip_back, hip_down = _hip_travel(window.lead or samples[:1], region)
    metrics: dict[str, float | None] = {
        "depth": _r(depth),
        "yaw": _r(view_yaw(samples), 1),
        "turn": float(view_turn(samples)),
        "angles_seen": _r(_angles_seen(samples), 2),
        "min_hip_angle": _r(min(_values(samples, "hip_angle"), default=None), 1),
        "min_knee_angle": _r(min(_values(samples, "knee_angle"), default=None), 1),
        "max_shin_lean": _r(shin_max, 1),
        "max_torso_lean": _r(max(_values(samples, "torso_lean"), default=None), 1),
        "bottom_shin_lean": _r(_med(_values(region, "shin_lean")), 1),
        "bottom_torso_lean": _r(_med(_values(region, "torso_lean")), 1),
        "bottom_thigh_lean": _r(_med(thighs), 1),  # 90: thighs level, hips at knee height
        "back_curve": _r(_med(curves)),
        "back_readings": float(len(curves)),
        "back_spread": _r(spread),
        "back_error": _r(error),
        "head_drop": _r(_med(_values(region, "head_drop"))),
        "hip_back": _r(hip_back),
        "hip_down": _r(hip_down),
        "trunk_tip": _r(_trunk_tip(samples), 1),
        "eccentric_s": None if window.started_at_bottom else round(bottom.t - samples[0].t, 3),
        "concentric_s": round(samples[-1].t - bottom.t, 3),
    }
    found, unseen = decide_rep(metrics, drill.faults, drill.thresholds)
    return Judgement(found, metrics, unseen, tuple(f for f in drill.faults if f not in TOP_FAULTS))


def decide_rep(
    metrics: Mapping[str, float | None], faults: tuple[str, ...], th: Thresholds
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(faults called, faults unseen) of a rep from its metrics alone: the rules, and nothing else.

    Pure on purpose: `station calibrate` re-judges stored reps with other thresholds through it.
    """
    m = metrics
    found: list[str] = []
    unseen: list[str] = []

    def rule(fault: str, seen: bool, shown: bool) -> None:
        if fault not in faults:
            return
        if not seen:
            unseen.append(fault)
        elif shown:
            found.append(fault)

    def over(name: str, limit: float) -> bool:
        value = m.get(name)
        return value is not None and value > limit

    back_view = view_allows("back_rounding", m)
    head_hangs = back_view and over("head_drop", th.max_head_drop)
    outline_view = back_view and OUTLINE_VIEW.allows(m.get("yaw"), int(m.get("turn") or 0))
    outline_read = outline_view and outline_sure(m)
    rule(
        "back_rounding",
        head_hangs or outline_read,
        head_hangs or (outline_read and over("back_curve", th.max_back_curve)),
    )

    # At the bottom (the median of its frames, not one frame's extreme): shins past the drill's limit;
    # or tilting as far as the trunk does with at least half the limit (a squat, not a hinge); or, with
    # the hips sunk to the knees' height, past two thirds of it (the squatted pull: knees far past the toes).
    shin, trunk = m.get("bottom_shin_lean"), m.get("bottom_torso_lean")
    squat = shin is not None and trunk is not None and shin > th.max_shin_to_trunk * max(trunk, 0.0)
    hips_low = over("bottom_thigh_lean", SQUAT_THIGH_LEAN)
    rule(
        "knees_forward",
        view_allows("knees_forward", m) and shin is not None,
        shin is not None and (
            shin > th.max_shin_lean
            or (squat and shin > th.max_shin_lean / 2)
            or (hips_low and shin > SQUATTED_PULL_SHARE * th.max_shin_lean)
        ),
    )  # fmt: skip
    down, back = m.get("hip_down"), m.get("hip_back")
    rule(
        "hips_drop",
        view_allows("hips_drop", m) and down is not None,
        down is not None and down > th.max_hip_drop and down > th.max_drop_to_back * max(back or 0.0, 0.0),
    )
    rule("hips_rise_first", view_allows("hips_rise_first", m), over("trunk_tip", th.max_trunk_tip))
    order = [f for f in faults if f not in TOP_FAULTS]
    return tuple(f for f in order if f in found), tuple(f for f in order if f in unseen)


def judge_top(window: RepWindow, drill: Drill) -> Judgement:
    """Faults of the top after a rep: the hips never fully opened, or the lifter leaned back."""
    top = [s for s in window.top if s.posture.angles_seen]
    # Percentiles, not extremes: one noisy frame must neither grant nor deny a lockout.
    hips, leans = _values(top, "hip_angle"), _values(top, "torso_lean")
    metrics: dict[str, float | None] = {
        "max_top_hip_angle": _r(float(np.percentile(hips, 80)) if hips else None, 1),
        "min_top_torso_lean": _r(float(np.percentile(leans, 20)) if leans else None, 1),
        "top_yaw": _r(view_yaw(window.top), 1),
        "top_turn": float(view_turn(window.top)),
        "top_angles_seen": _r(_angles_seen(window.top), 2),
        "top_gap_s": _r(max((b.t - a.t for a, b in itertools.pairwise(window.top)), default=None), 2),
    }
    found, unseen = decide_top(metrics, drill.faults, drill.thresholds)
    return Judgement(found, metrics, unseen, tuple(f for f in TOP_FAULTS if f in drill.faults))


def decide_top(
    metrics: Mapping[str, float | None], faults: tuple[str, ...], th: Thresholds
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(faults called, faults unseen) of a rep's top from its metrics alone."""
    hip, lean = metrics.get("max_top_hip_angle"), metrics.get("min_top_torso_lean")
    gap = metrics.get("top_gap_s")
    sampled = gap is not None and gap <= MAX_TOP_GAP_S
    found, unseen = [], []
    for fault, value, shown in (
        ("no_lockout", hip, hip is not None and hip < th.lockout_hip_angle),
        # Behind vertical with the hips past straight: a lean back, not a trunk that reads tilted.
        ("overextension", lean, lean is not None and lean < -th.max_lean_back and (hip or 0.0) > 180.0),
    ):
        if fault not in faults:
            continue
        if value is None or not sampled or not view_allows(fault, metrics, "top_"):
            unseen.append(fault)
        elif shown:
            found.append(fault)
    return tuple(found), tuple(unseen)


def _hip_travel(start: list[Sample], region: list[Sample]) -> tuple[float | None, float | None]:
    """How far the hips went back and down from the start to the bottom, in leg lengths.

    Forward distances are undone from the view's foreshortening (divided by cos yaw), as the
    posture's angles are; up and down look the same from every view.
    """
    begins = [s.posture for s in start if s.posture.hip is not None and s.posture.angles_seen]
    ends = [s.posture for s in region if s.posture.hip is not None and s.posture.angles_seen]
    legs = [s.posture.leg_length for s in region if s.posture.leg_length and s.posture.angles_seen]
    yaw = view_yaw(start + region)
    if not begins or not ends or not legs or yaw is None:
        return None, None
    facing = begins[0].facing
    leg = float(median(legs))
    stretch = 1.0 / math.cos(math.radians(min(yaw, 89.0)))
    x0, y0 = median(p.hip[0] for p in begins if p.hip), median(p.hip[1] for p in begins if p.hip)
    x, y = median(p.hip[0] for p in ends if p.hip), median(p.hip[1] for p in ends if p.hip)
    return (x0 - x) * facing * stretch / leg, (y - y0) / leg


def _trunk_tip(samples: list[Sample]) -> float | None:
    """How many degrees the trunk tips further forward early in the pull.

    In a good pull the back angle holds off the floor while chest and hips rise together; when
    the hips shoot up first the knees straighten under a trunk that tips towards horizontal. (The
    shins coming back to vertical as the bar passes the knees is normal in a barbell pull, so it
    is not counted: only the trunk.) The pull starts where the knees are most bent at the bottom
    and its early part ends when the shoulders have come half way up (depth, which reads the same
    from every view, where the hips' height in the image does not). None where it was not seen.
    """
    with_depth = [(i, s.depth) for i, s in enumerate(samples) if s.depth is not None]
    if not with_depth:
        return None
    deepest = max(d for _, d in with_depth)
    bottom = [i for i, d in with_depth if d >= BOTTOM_REGION * deepest]
    deepest_at = max(i for i, d in with_depth if d == deepest)
    knees = [(k, abs(i - deepest_at), i) for i in bottom if (k := samples[i].posture.knee_angle) is not None]
    start = min(knees)[2] if knees else deepest_at  # the deepest knee bend, the nearest to the bottom
    last_deep = max(bottom)
    leans = []
    for i, s in enumerate(samples[start:], start):
        if i > last_deep and s.depth is not None and s.depth < 0.5 * deepest:
            break
        if s.posture.torso_lean is not None:
            leans.append(s.posture.torso_lean)
    # The back angle the pull starts from: the moment up to the knees' deepest bend. Windows are in
    # seconds, not frames, so a Pi's 10 poses a second reads the pull as a camera's 60 does.
    t0 = samples[start].t
    setup = [v for s in samples[: start + 1] if s.t >= t0 - SETUP_S and (v := s.posture.torso_lean) is not None]
    if len(leans) < 3 or not setup:
        return None
    return max(leans) - float(median(setup))
