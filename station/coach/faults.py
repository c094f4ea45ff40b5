"""Fault rules: what a coach looks for in one rep, from the rep's frames.

Each rule is a plain comparison against the drill's thresholds, so a coach can check it:
- back_rounding: the back's outline bows out, or the head drops below the hip-shoulder line;
- knees_forward: the shins tilt past the drill's limit, or as far as the trunk does (a squat);
- hips_drop: the hips sink more than they travel back;
- hips_rise_first: the trunk tips further forward while the hips rise (hips before chest);
- no_lockout / overextension: judged on the top that follows the rep.
A rule only judges what the view shows: a fault needs side-on frames, or it is not called.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

import numpy as np

from station.coach.reps import RepWindow, Sample
from station.drills import Drill

MIN_SIDE_FRACTION = 0.5  # at least half the rep's frames side-on, or form is not judged
BOTTOM_REGION = 0.7  # frames at 70% or more of the rep's depth count as "the bottom"


@dataclass(frozen=True)
class Judgement:
    faults: tuple[str, ...]
    metrics: dict[str, float | None]
    judged: bool  # False: the view could not show form, so no fault was called


def _values(samples: list[Sample], name: str) -> list[float]:
    return [v for s in samples if (v := getattr(s.posture, name)) is not None]


def _med(values: list[float]) -> float | None:
    return float(median(values)) if values else None


def _r(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def judge_rep(window: RepWindow, drill: Drill) -> Judgement:
    """Faults shown between the rep's start and its top, with the metrics they rest on."""
    th = drill.thresholds
    samples = window.samples
    with_depth = [s for s in samples if s.depth is not None]
    bottom = max(with_depth, key=lambda s: s.depth or 0.0) if with_depth else samples[len(samples) // 2]
    depth = bottom.depth or 0.0
    region = [s for s in with_depth if (s.depth or 0.0) >= BOTTOM_REGION * depth] or [bottom]
    side = [s for s in samples if s.posture.side_on]
    judged = len(side) >= MIN_SIDE_FRACTION * len(samples)

    shin_max = max(_values(samples, "shin_lean"), default=None)
    shin_b = _med(_values(region, "shin_lean"))
    trunk_b = _med(_values(region, "torso_lean"))
    curve = _med([s.back_curve for s in region if s.back_curve is not None])
    head = _med(_values(region, "head_drop"))
    hip_back, hip_down = _hip_travel(window.lead or samples[:1], region)
    with_hips = [s for s in samples if s.posture.hip is not None]
    lowest_hips = max(with_hips, key=lambda s: s.posture.hip[1]) if with_hips else bottom  # type: ignore[index]
    tip = _trunk_tip(samples[samples.index(lowest_hips) :])

    metrics: dict[str, float | None] = {
        "depth": _r(depth),
        "min_hip_angle": _r(min(_values(samples, "hip_angle"), default=None), 1),
        "min_knee_angle": _r(min(_values(samples, "knee_angle"), default=None), 1),
        "max_shin_lean": _r(shin_max, 1),
        "max_torso_lean": _r(max(_values(samples, "torso_lean"), default=None), 1),
        "back_curve": _r(curve),
        "head_drop": _r(head),
        "hip_back": _r(hip_back),
        "hip_down": _r(hip_down),
        "trunk_tip": _r(tip, 1),
        "eccentric_s": None if window.started_at_bottom else round(bottom.t - samples[0].t, 3),
        "concentric_s": round(samples[-1].t - bottom.t, 3),
    }
    found: list[str] = []
    if judged:
        if (curve is not None and curve > th.max_back_curve) or (head is not None and head > th.max_head_drop):
            found.append("back_rounding")
        squat = shin_b is not None and trunk_b is not None and shin_b > th.max_shin_to_trunk * max(trunk_b, 0.0)
        if (shin_max is not None and shin_max > th.max_shin_lean) or (squat and shin_b > th.max_shin_lean / 2):
            found.append("knees_forward")
        if (
            hip_down is not None
            and hip_down > th.max_hip_drop
            and hip_down > th.max_drop_to_back * max(hip_back or 0.0, 0.0)
        ):
            found.append("hips_drop")
        if tip is not None and tip > th.max_trunk_tip:
            found.append("hips_rise_first")
    faults = tuple(f for f in drill.faults if f in found)
    return Judgement(faults, metrics, judged)


def judge_top(window: RepWindow, drill: Drill) -> tuple[tuple[str, ...], dict[str, float | None]]:
    """Faults of the top after a rep: the hips never fully opened, or the lifter leaned back."""
    th = drill.thresholds
    top = [s for s in window.top if s.posture.side_on]
    if not top:
        return (), {"max_top_hip_angle": None, "min_top_torso_lean": None}
    # Percentiles, not extremes: one noisy frame must neither grant nor deny a lockout.
    hips, leans = _values(top, "hip_angle"), _values(top, "torso_lean")
    hip = float(np.percentile(hips, 80)) if hips else None
    lean = float(np.percentile(leans, 20)) if leans else None
    found = []
    if hip is not None and hip < th.lockout_hip_angle:
        found.append("no_lockout")
    if lean is not None and lean < -th.max_lean_back:
        found.append("overextension")
    return tuple(f for f in drill.faults if f in found), {
        "max_top_hip_angle": _r(hip, 1),
        "min_top_torso_lean": _r(lean, 1),
    }


def _hip_travel(start: list[Sample], region: list[Sample]) -> tuple[float | None, float | None]:
    """How far the hips went back and down from the start to the bottom, in leg lengths."""
    begins = [s.posture for s in start if s.posture.hip is not None and s.posture.side_on]
    ends = [s.posture for s in region if s.posture.hip is not None and s.posture.side_on]
    legs = [s.posture.leg_length for s in region if s.posture.leg_length]
    if not begins or not ends or not legs:
        return None, None
    facing = begins[0].facing
    leg = float(median(legs))
    x0, y0 = median(p.hip[0] for p in begins if p.hip), median(p.hip[1] for p in begins if p.hip)
    x, y = median(p.hip[0] for p in ends if p.hip), median(p.hip[1] for p in ends if p.hip)
    return (x0 - x) * facing / leg, (y - y0) / leg


def _trunk_tip(rising: list[Sample]) -> float | None:
    """How many degrees the trunk tips further forward while the hips rise to half way.

    `rising` starts where the hips are lowest: the moment they begin to rise.

    In a good pull the back angle holds, then chest and hips rise together; when the hips shoot
    up first the trunk tips towards horizontal. None where the hips barely rise.
    """
    pts = [
        (s.posture.hip[1], s.posture.torso_lean) for s in rising if s.posture.hip and s.posture.torso_lean is not None
    ]
    if len(pts) < 4:
        return None
    hip0, lean0 = pts[0]
    hip1 = min(y for y, _ in pts)
    if hip0 - hip1 <= 0:
        return None
    tipped = [lean - lean0 for y, lean in pts if (hip0 - y) / (hip0 - hip1) <= 0.5]
    return max(tipped) if tipped else None
