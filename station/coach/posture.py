"""Posture from keypoints: the angles and distances a coach reads from a side view.

Pure: one frame's (smoothed) keypoints in, a Posture out. A measurement is None where the view
cannot show it, so a rule downstream never judges a guess: a front view has no shin lean, a lifter
whose feet are out of frame has no stature.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from station.pose.keypoints import KP

SIDES = {
    "left": {j: KP[f"left_{j}"] for j in ("ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")},
    "right": {j: KP[f"right_{j}"] for j in ("ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")},
}
BODY_PARTS = {
    "head": ("nose", "left_ear", "right_ear", "left_eye", "right_eye"),
    "shoulders": ("left_shoulder", "right_shoulder"),
    "hips": ("left_hip", "right_hip"),
    "knees": ("left_knee", "right_knee"),
    "feet": ("left_ankle", "right_ankle"),
}


@dataclass(frozen=True)
class ViewSettings:
    """The [view] table of the config file: when a view counts as side-on."""

    min_score: float = 0.3
    side_max_width: float = 0.45  # shoulder (or hip) width over torso length below this: side-on
    front_min_width: float = 0.75  # above this: facing the camera
    edge_margin: float = 0.01  # keypoints this close to the frame's edge (fraction) count as cut off


@dataclass(frozen=True)
class Posture:
    t: float
    person: bool
    view: str  # "side", "oblique", "front" or "unknown"
    facing: int  # +1 the lifter faces image-right, -1 image-left, 0 not known
    missing: tuple[str, ...]  # body parts not seen: "head", "shoulders", "hips", "knees", "feet"
    stature: float | None  # shoulders above ankles, pixels
    segments: float | None  # torso + thigh + shin lengths on the near side, pixels
    torso_length: float | None
    leg_length: float | None
    hip_angle: float | None  # shoulder-hip-knee, 180 = fully extended
    knee_angle: float | None  # hip-knee-ankle
    torso_lean: float | None  # hip->shoulder from vertical, + forward, - leaning back
    shin_lean: float | None  # ankle->knee from vertical, + knee ahead of the ankle
    head_drop: float | None  # ear below the hip->shoulder line (towards the chest), torso lengths
    hip: tuple[float, float] | None  # near-side hip, pixels
    shoulder: tuple[float, float] | None  # near-side shoulder, pixels

    @property
    def side_on(self) -> bool:
        return self.view == "side" and self.facing != 0

    @property
    def full_body(self) -> bool:
        return self.person and not self.missing


def _angle(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> float:
    v1, v2 = a - b, c - b
    denom = float(np.linalg.norm(v1) * np.linalg.norm(v2))
    if denom == 0.0:
        return float("nan")
    return math.degrees(math.acos(max(-1.0, min(1.0, float(np.dot(v1, v2)) / denom))))


def _lean(lower: np.ndarray, upper: np.ndarray, facing: int) -> float:
    """Angle of lower->upper from straight up, positive towards the way the lifter faces."""
    dx, dy = upper - lower
    return math.degrees(math.atan2(dx * facing, -dy))


def facing_of(keypoints: np.ndarray, min_score: float = 0.3) -> int:
    """Which way the lifter faces in the image, by a vote of three cues a coach would use.

    The nose is ahead of the ears (not when the head hangs down); bent knees point forward;
    a hinging trunk tips forward. Each cue votes with its strength, in body proportions.
    """
    s, k = keypoints[:, 2], keypoints[:, :2]
    ok = s >= min_score
    vote = 0.0
    for side in SIDES.values():
        sh, hp, kn, an = side["shoulder"], side["hip"], side["knee"], side["ankle"]
        if ok[sh] and ok[hp]:
            torso = float(np.linalg.norm(k[sh] - k[hp])) or 1.0
            vote += float(np.clip(2.0 * (k[sh, 0] - k[hp, 0]) / torso, -1.0, 1.0))
            ears = [side["ear"]] if ok[side["ear"]] else []
            if ok[KP["nose"]] and ears:
                vote += float(np.clip((k[KP["nose"], 0] - k[ears[0], 0]) / (0.25 * torso), -1.0, 1.0))
        if ok[hp] and ok[kn] and ok[an]:
            leg = float(np.linalg.norm(k[hp] - k[kn]) + np.linalg.norm(k[kn] - k[an])) or 1.0
            vote += float(np.clip(4.0 * (k[kn, 0] - (k[hp, 0] + k[an, 0]) / 2.0) / leg, -1.0, 1.0))
    if abs(vote) < 0.3:
        return 0
    return 1 if vote > 0 else -1


def near_side(keypoints: np.ndarray) -> str:
    """The side nearer the camera: its joints score higher."""
    score = {name: sum(keypoints[j, 2] for j in joints.values()) for name, joints in SIDES.items()}
    return "left" if score["left"] >= score["right"] else "right"


def view_of(keypoints: np.ndarray, settings: ViewSettings) -> str:
    """Side-on, oblique or front, from how wide the shoulders and hips look against the torso."""
    s, k = keypoints[:, 2], keypoints[:, :2]
    ok = s >= settings.min_score
    widths, torsos = [], []
    for a, b in (("left_shoulder", "right_shoulder"), ("left_hip", "right_hip")):
        if ok[KP[a]] and ok[KP[b]]:
            widths.append(abs(k[KP[a], 0] - k[KP[b], 0]))
    for side in ("left", "right"):
        sh, hp = KP[f"{side}_shoulder"], KP[f"{side}_hip"]
        if ok[sh] and ok[hp]:
            torsos.append(float(np.linalg.norm(k[sh] - k[hp])))
    if not widths or not torsos:
        return "unknown"
    ratio = max(widths) / max(torsos)
    if ratio < settings.side_max_width:
        return "side"
    if ratio > settings.front_min_width:
        return "front"
    return "oblique"


def measure(
    t: float,
    keypoints: np.ndarray,
    frame_size: tuple[int, int],
    person: bool,
    facing: int,
    settings: ViewSettings | None = None,
) -> Posture:
    """All measurements one frame supports. `facing` comes from the caller's steadier vote."""
    settings = settings or ViewSettings()
    s, k = keypoints[:, 2], keypoints[:, :2].astype(np.float64)
    w, h = frame_size
    margin_x, margin_y = settings.edge_margin * w, settings.edge_margin * h
    inside = (k[:, 0] > margin_x) & (k[:, 0] < w - margin_x) & (k[:, 1] > margin_y) & (k[:, 1] < h - margin_y)
    ok = (s >= settings.min_score) & inside
    missing = tuple(part for part, names in BODY_PARTS.items() if not any(ok[KP[n]] for n in names))
    view = view_of(keypoints, settings) if person else "unknown"

    side = SIDES[near_side(keypoints)]
    other = SIDES["right" if side is SIDES["left"] else "left"]

    def joint(name: str) -> np.ndarray | None:
        for s_ in (side, other):
            if ok[s_[name]]:
                return k[s_[name]]
        return None

    def mean_y(names: tuple[str, str]) -> float | None:
        ys = [k[KP[n], 1] for n in names if ok[KP[n]]]
        return float(np.mean(ys)) if ys else None

    ear, shoulder, hip, knee, ankle = (joint(n) for n in ("ear", "shoulder", "hip", "knee", "ankle"))
    shoulders_y, ankles_y = mean_y(("left_shoulder", "right_shoulder")), mean_y(("left_ankle", "right_ankle"))
    stature = ankles_y - shoulders_y if shoulders_y is not None and ankles_y is not None else None
    torso = float(np.linalg.norm(shoulder - hip)) if shoulder is not None and hip is not None else None
    thigh = float(np.linalg.norm(hip - knee)) if hip is not None and knee is not None else None
    shin = float(np.linalg.norm(knee - ankle)) if knee is not None and ankle is not None else None
    leg = thigh + shin if thigh is not None and shin is not None else None
    segments = torso + leg if torso is not None and leg is not None else None

    side_on = person and view == "side" and facing != 0
    hip_angle = knee_angle = torso_lean = shin_lean = head_drop = None
    if side_on:
        if shoulder is not None and hip is not None and knee is not None:
            hip_angle = _angle(shoulder, hip, knee)
        if hip is not None and knee is not None and ankle is not None:
            knee_angle = _angle(hip, knee, ankle)
        if shoulder is not None and hip is not None:
            torso_lean = _lean(hip, shoulder, facing)
        if knee is not None and ankle is not None:
            shin_lean = _lean(ankle, knee, facing)
        if ear is not None and shoulder is not None and hip is not None and torso:
            # The dowel's three points: head, upper back, tailbone. A head that hangs or an upper
            # back that rounds drops the ear below the line from the hip through the shoulder.
            u = (shoulder - hip) / torso
            ventral = -np.array([facing * u[1], -facing * u[0]])
            head_drop = float(np.dot(ear - hip, ventral)) / torso
    return Posture(
        t=t,
        person=person,
        view=view,
        facing=facing,
        missing=missing,
        stature=stature,
        segments=segments,
        torso_length=torso,
        leg_length=leg,
        hip_angle=hip_angle,
        knee_angle=knee_angle,
        torso_lean=torso_lean,
        shin_lean=shin_lean,
        head_drop=head_drop,
        hip=(float(hip[0]), float(hip[1])) if hip is not None else None,
        shoulder=(float(shoulder[0]), float(shoulder[1])) if shoulder is not None else None,
    )
