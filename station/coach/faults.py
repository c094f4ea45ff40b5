"""Fault rules: what a coach looks for in one rep, from the rep's frames.

Each rule is a plain comparison against the drill's thresholds, so a coach can check it:
- back_rounding: the back's outline bows out, or the head drops below the hip-shoulder line;
- knees_forward: the shins tilt past the drill's limit, or as far as the trunk does (a squat);
- hips_drop: the hips sink more than they travel back;
- hips_rise_first: the trunk tips further forward while the hips rise (hips before chest);
- no_lockout / overextension: judged on the top that follows the rep.
Each fault has its own view gate (`drills.FAULT_MAX_YAW`): a fault the view could not show is
reported as unseen, never as clean, and the other faults are still judged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import median

import numpy as np

from station.coach.reps import RepWindow, Sample
from station.drills import FAULT_MAX_YAW, Drill

MIN_SEEN_FRACTION = 0.5  # the view showed the angles on at least half the rep's frames, or they are unseen
BOTTOM_REGION = 0.7  # frames at 70% or more of the rep's depth count as "the bottom"
MIN_BACK_READINGS = 3  # outline readings at the bottom needed to judge the back from its outline
# Readings of one bottom that disagree by more than this (interquartile range of the bow) are a
# busy room read as the back, not a back changing shape: the back is not read on that rep.
MAX_BACK_SPREAD = 0.15


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


def _visible(fault: str, samples: list[Sample]) -> bool:
    """Whether the rep's view let the sagittal angles behind `fault` be measured."""
    yaw = view_yaw(samples)
    seen = sum(s.posture.angles_seen for s in samples)
    return yaw is not None and yaw <= FAULT_MAX_YAW[fault] and seen >= MIN_SEEN_FRACTION * max(1, len(samples))


def judge_rep(window: RepWindow, drill: Drill) -> Judgement:
    """Faults shown between the rep's start and its top, with the metrics they rest on."""
    th = drill.thresholds
    samples = window.samples
    with_depth = [s for s in samples if s.depth is not None]
    bottom = max(with_depth, key=lambda s: s.depth or 0.0) if with_depth else samples[len(samples) // 2]
    depth = bottom.depth or 0.0
    region = [s for s in with_depth if (s.depth or 0.0) >= BOTTOM_REGION * depth] or [bottom]

    shin_max = max(_values(samples, "shin_lean"), default=None)
    shin_b = _med(_values(region, "shin_lean"))
    trunk_b = _med(_values(region, "torso_lean"))
    curves = [s.back_curve for s in region if s.back_curve is not None]
    curve = _med(curves)
    spread = float(np.subtract(*np.percentile(curves, [75, 25]))) if curves else None
    head = _med(_values(region, "head_drop"))
    hip_back, hip_down = _hip_travel(window.lead or samples[:1], region)
    tip = _trunk_tip(samples)
    yaw = view_yaw(samples)

    metrics: dict[str, float | None] = {
        "depth": _r(depth),
        "yaw": _r(yaw, 1),
        "min_hip_angle": _r(min(_values(samples, "hip_angle"), default=None), 1),
        "min_knee_angle": _r(min(_values(samples, "knee_angle"), default=None), 1),
        "max_shin_lean": _r(shin_max, 1),
        "max_torso_lean": _r(max(_values(samples, "torso_lean"), default=None), 1),
        "bottom_shin_lean": _r(shin_b, 1),
        "bottom_torso_lean": _r(trunk_b, 1),
        "back_curve": _r(curve),
        "back_readings": float(len(curves)),
        "back_spread": _r(spread),
        "head_drop": _r(head),
        "hip_back": _r(hip_back),
        "hip_down": _r(hip_down),
        "trunk_tip": _r(tip, 1),
        "eccentric_s": None if window.started_at_bottom else round(bottom.t - samples[0].t, 3),
        "concentric_s": round(samples[-1].t - bottom.t, 3),
    }
    found: list[str] = []
    unseen: list[str] = []

    def rule(fault: str, seen: bool, shown: bool) -> None:
        if fault not in drill.faults:
            return
        if not seen:
            unseen.append(fault)
        elif shown:
            found.append(fault)

    angles = {f: _visible(f, samples) for f in FAULT_MAX_YAW}
    head_hangs = angles["back_rounding"] and head is not None and head > th.max_head_drop
    steady = spread is not None and spread <= MAX_BACK_SPREAD
    outline_read = angles["back_rounding"] and len(curves) >= MIN_BACK_READINGS and steady
    rule(
        "back_rounding",
        head_hangs or outline_read,
        head_hangs or (curve is not None and curve > th.max_back_curve),
    )
    squat = shin_b is not None and trunk_b is not None and shin_b > th.max_shin_to_trunk * max(trunk_b, 0.0)
    # At the bottom (the median of its frames, not one frame's extreme): shins past the drill's
    # limit, or tilting as far as the trunk does with at least half the limit (a squat, not a hinge).
    rule(
        "knees_forward",
        angles["knees_forward"] and shin_b is not None,
        shin_b is not None and (shin_b > th.max_shin_lean or (squat and shin_b > th.max_shin_lean / 2)),
    )
    rule(
        "hips_drop",
        angles["hips_drop"] and hip_down is not None,
        hip_down is not None and hip_down > th.max_hip_drop and hip_down > th.max_drop_to_back * max(hip_back or 0, 0),
    )
    rule("hips_rise_first", angles["hips_rise_first"], tip is not None and tip > th.max_trunk_tip)
    return Judgement(
        tuple(f for f in drill.faults if f in found),
        metrics,
        tuple(f for f in drill.faults if f in unseen),
        tuple(f for f in drill.faults if f not in TOP_FAULTS),
    )


def judge_top(window: RepWindow, drill: Drill) -> Judgement:
    """Faults of the top after a rep: the hips never fully opened, or the lifter leaned back."""
    th = drill.thresholds
    top = [s for s in window.top if s.posture.angles_seen]
    # Percentiles, not extremes: one noisy frame must neither grant nor deny a lockout.
    hips, leans = _values(top, "hip_angle"), _values(top, "torso_lean")
    hip = float(np.percentile(hips, 80)) if hips else None
    lean = float(np.percentile(leans, 20)) if leans else None
    found, unseen = [], []
    for fault, value, shown in (
        ("no_lockout", hip, hip is not None and hip < th.lockout_hip_angle),
        ("overextension", lean, lean is not None and lean < -th.max_lean_back),
    ):
        if fault not in drill.faults:
            continue
        if value is None or not _visible(fault, window.top):
            unseen.append(fault)
        elif shown:
            found.append(fault)
    metrics = {"max_top_hip_angle": _r(hip, 1), "min_top_torso_lean": _r(lean, 1)}
    return Judgement(tuple(found), metrics, tuple(unseen), tuple(f for f in TOP_FAULTS if f in drill.faults))


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
    # The back angle the pull starts from: the last few frames up to the knees' deepest bend.
    setup = [v for s in samples[max(0, start - 4) : start + 1] if (v := s.posture.torso_lean) is not None]
    if len(leans) < 4 or not setup:
        return None
    return max(leans) - float(median(setup))
