"""Posture from keypoints: the angles and distances a coach reads, from the side or at a slant.

Pure: one frame's (smoothed) keypoints in, a Posture out. A measurement is None where the view
cannot show it, so a rule downstream never judges a guess: a front view has no shin lean, a lifter
whose feet are out of frame has no stature.

Views. How far the lifter is turned from side-on (yaw: 0 side-on, 90 facing the camera or facing
away) is read from how wide the shoulders and hips look against the torso's length; a body seen
square-on is about 0.65 torso lengths wide at the shoulder joints and 0.38 at the hip joints
(measured standing on the three front-view shared clips: shoulders 0.58 to 0.69, hips 0.34 to 0.43;
adult anthropometry gives 0.6 to 0.7 and 0.3 to 0.4). Which way they are turned (towards the camera
or away) is read from which side of the body shows on which side of the picture (`turn_of`).
Up and down are the same from every view; forward and back shrink by cos(yaw). So from a slant
the forward distances are divided by cos(yaw) before any angle is taken, on the body's midline (half
way between left and right joints, where the sideways offsets cancel).
Past `measure_max_yaw` (60 degrees: forward distances shrunk to half) nothing sagittal is read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from station.core.keypoints import KP

JOINTS = ("ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle")
SIDES = {side: {j: KP[f"{side}_{j}"] for j in JOINTS} for side in ("left", "right")}
BODY_PARTS = {
    "head": ("nose", "left_ear", "right_ear", "left_eye", "right_eye"),
    "shoulders": ("left_shoulder", "right_shoulder"),
    "hips": ("left_hip", "right_hip"),
    "knees": ("left_knee", "right_knee"),
    "feet": ("left_ankle", "right_ankle"),
}


@dataclass(frozen=True)
class ViewSettings:
    """The [view] table of the config file: how the camera's view of the lifter is read."""

    min_score: float = 0.3  # a keypoint at or above this score is trusted
    side_max_yaw: float = 25.0  # turned less than this from side-on: a side view
    front_min_yaw: float = 65.0  # turned more than this: a front (or back) view
    measure_max_yaw: float = 60.0  # angles are read up to this yaw, corrected for foreshortening
    midline_from_yaw: float = 10.0  # turned more than this: joints are read on the midline (both sides)
    shoulder_width: float = 0.65  # shoulder joints' width seen square-on, torso lengths
    hip_width: float = 0.38  # hip joints' width seen square-on, torso lengths
    edge_margin: float = 0.01  # keypoints this close to the frame's edge (fraction) count as cut off


@dataclass(frozen=True)
class Posture:
    t: float
    person: bool
    view: str  # "side", "oblique", "front" or "unknown"
    yaw: float | None  # degrees turned from side-on, 0..90
    turn: int  # +1 turned towards the camera, -1 turned away, 0 side-on (or not known)
    facing: int  # +1 the lifter faces image-right, -1 image-left, 0 not known
    missing: tuple[str, ...]  # body parts not seen: "head", "shoulders", "hips", "knees", "feet"
    stature: float | None  # shoulders above ankles, pixels
    knee_height: float | None  # shoulders above knees, pixels (depth where the feet are out of frame)
    segments: float | None  # torso + thigh + shin lengths on the near side, pixels (side view only)
    torso_length: float | None  # pixels as seen
    shin_length: float | None  # pixels as seen (a scale the lifter carries: it barely changes in a hinge)
    leg_length: float | None  # thigh + shin, pixels, corrected for the view
    hip_angle: float | None  # shoulder-hip-knee, 180 = fully extended, over 180 = hips pushed past straight
    knee_angle: float | None  # hip-knee-ankle
    torso_lean: float | None  # hip->shoulder from vertical, + forward, - leaning back
    shin_lean: float | None  # ankle->knee from vertical, + knee ahead of the ankle
    head_drop: float | None  # ear below the hip->shoulder line (towards the chest), torso lengths
    hands_up: float | None  # wrists above the hips, torso lengths (a swing's float)
    hip: tuple[float, float] | None  # hip (midline from a slant), pixels
    shoulder: tuple[float, float] | None

    @property
    def side_on(self) -> bool:
        return self.view == "side" and self.facing != 0

    @property
    def angles_seen(self) -> bool:
        """Whether this frame's view showed the sagittal angles (side-on or not too far turned)."""
        return self.torso_lean is not None

    @property
    def full_body(self) -> bool:
        return self.person and not self.missing


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


def torso_length_of(keypoints: np.ndarray, min_score: float = 0.3) -> float | None:
    """The longest trusted shoulder-to-hip distance on either side, pixels."""
    k, ok = keypoints[:, :2], keypoints[:, 2] >= min_score
    lengths = [
        float(np.linalg.norm(k[side["shoulder"]] - k[side["hip"]]))
        for side in SIDES.values()
        if ok[side["shoulder"]] and ok[side["hip"]]
    ]
    return max(lengths) if lengths else None


def yaw_of(keypoints: np.ndarray, torso: float | None, settings: ViewSettings) -> float | None:
    """Degrees the lifter is turned from side-on, from shoulder and hip width against `torso`.

    `torso` should be the lifter's torso length as seen standing (the caller keeps it): a torso
    tipped towards the camera looks short, and would make every view look like a front view.
    The larger of the two readings wins: arms that hold a bell or a dowel twist the shoulders
    (a one-arm swing seen square-on read 50 to 59 degrees from its shoulders), the hips stay square,
    and calling a front view a slant is the costly mistake (faults judged that cannot be seen).
    """
    if not torso:
        return None
    k, ok = keypoints[:, :2], keypoints[:, 2] >= settings.min_score
    estimates = []
    for pair, width in (("shoulder", settings.shoulder_width), ("hip", settings.hip_width)):
        a, b = KP[f"left_{pair}"], KP[f"right_{pair}"]
        if ok[a] and ok[b]:
            ratio = abs(float(k[a, 0] - k[b, 0])) / (width * torso)
            estimates.append(math.degrees(math.asin(min(1.0, ratio))))
    return max(estimates) if estimates else None


def turn_of(keypoints: np.ndarray, torso: float | None, settings: ViewSettings) -> float | None:
    """Which way the lifter is turned, as a signed width in torso lengths: + towards the camera, - away.

    Facing the camera, a person's left side shows on the image's right; turned away, on its left; and
    this holds whichever way along the image they face. Measured standing on the shared clips: the
    front-oblique ones +0.34 to +0.45 at the shoulders, the behind-45 ones -0.52 to -0.56, side-on
    within 0.15 of zero. Shoulders and hips add their widths (hips count alone where shoulders are lost).
    """
    if not torso:
        return None
    k, ok = keypoints[:, :2], keypoints[:, 2] >= settings.min_score
    widths = [
        float(k[KP[f"left_{pair}"], 0] - k[KP[f"right_{pair}"], 0]) / torso
        for pair in ("shoulder", "hip")
        if ok[KP[f"left_{pair}"]] and ok[KP[f"right_{pair}"]]
    ]
    return float(np.mean(widths)) if widths else None


def view_name(yaw: float | None, settings: ViewSettings) -> str:
    if yaw is None:
        return "unknown"
    if yaw <= settings.side_max_yaw:
        return "side"
    if yaw >= settings.front_min_yaw:
        return "front"
    return "oblique"


def _lean(lower: np.ndarray, upper: np.ndarray) -> float:
    """Angle of lower->upper from straight up, in sagittal coordinates (x forward, y down)."""
    dx, dy = upper - lower
    return math.degrees(math.atan2(dx, -dy))


def measure(
    t: float,
    keypoints: np.ndarray,
    frame_size: tuple[int, int],
    person: bool,
    facing: int,
    settings: ViewSettings | None = None,
    yaw: float | None = 0.0,
    turn: int = 0,
) -> Posture:
    """All measurements one frame supports. `facing` and `yaw` come from the caller's steadier votes."""
    settings = settings or ViewSettings()
    s, k = keypoints[:, 2], keypoints[:, :2].astype(np.float64)
    w, h = frame_size
    margin_x, margin_y = settings.edge_margin * w, settings.edge_margin * h
    inside = (k[:, 0] > margin_x) & (k[:, 0] < w - margin_x) & (k[:, 1] > margin_y) & (k[:, 1] < h - margin_y)
    ok = (s >= settings.min_score) & inside
    missing = tuple(part for part, names in BODY_PARTS.items() if not any(ok[KP[n]] for n in names))
    view = view_name(yaw, settings) if person else "unknown"
    # Turned even a little, both sides show and their midpoints lie on the body's midline (the spine);
    # square side-on the far side's joints are the model's guesses behind the body: the near side only.
    midline = yaw is not None and yaw > settings.midline_from_yaw

    near = SIDES[near_side(keypoints)]
    far = SIDES["right" if near is SIDES["left"] else "left"]

    def joint(name: str) -> np.ndarray | None:
        a, b = near[name], far[name]
        if midline and ok[a] and ok[b]:
            return (k[a] + k[b]) / 2.0
        for j in (a, b):
            if ok[j]:
                return k[j]
        return None

    def mean_y(names: tuple[str, str]) -> float | None:
        ys = [k[KP[n], 1] for n in names if ok[KP[n]]]
        return float(np.mean(ys)) if ys else None

    ear, shoulder, hip, knee, ankle = (joint(n) for n in ("ear", "shoulder", "hip", "knee", "ankle"))
    shoulders_y, ankles_y = mean_y(("left_shoulder", "right_shoulder")), mean_y(("left_ankle", "right_ankle"))
    stature = ankles_y - shoulders_y if shoulders_y is not None and ankles_y is not None else None
    knees_y = mean_y(("left_knee", "right_knee"))
    knee_height = knees_y - shoulders_y if shoulders_y is not None and knees_y is not None else None
    torso = float(np.linalg.norm(shoulder - hip)) if shoulder is not None and hip is not None else None
    shins = [float(np.linalg.norm(k[side["knee"]] - k[side["ankle"]])) for side in SIDES.values()
             if ok[side["knee"]] and ok[side["ankle"]]]  # fmt: skip
    shin_px = float(np.mean(shins)) if shins else None
    wrists_y = [k[side["wrist"], 1] for side in SIDES.values() if ok[side["wrist"]]]
    hands_up = (hip[1] - min(wrists_y)) / torso if wrists_y and hip is not None and torso else None

    sagittal = person and facing != 0 and yaw is not None and yaw <= settings.measure_max_yaw
    stretch = 1.0 / math.cos(math.radians(min(yaw or 0.0, settings.measure_max_yaw)))

    def sag(p: np.ndarray | None) -> np.ndarray | None:
        """Image pixels to sagittal ones: forward distances undone from the view's foreshortening."""
        if p is None or hip is None:
            return None
        return np.array([(p[0] - hip[0]) * facing * stretch, p[1]])

    E, S, H, K, A = (sag(p) for p in (ear, shoulder, hip, knee, ankle))
    thigh = float(np.linalg.norm(H - K)) if H is not None and K is not None else None
    shin = float(np.linalg.norm(K - A)) if K is not None and A is not None else None
    leg = thigh + shin if thigh is not None and shin is not None else None
    segments = None
    if view == "side" and torso is not None and leg is not None:
        segments = torso + leg

    hip_angle = knee_angle = torso_lean = thigh_lean = shin_lean = head_drop = None
    if sagittal:
        if S is not None and H is not None:
            torso_lean = _lean(H, S)
        if H is not None and K is not None:
            thigh_lean = -_lean(K, H)  # knee ahead of the hip: +
        if K is not None and A is not None:
            shin_lean = _lean(A, K)
        if torso_lean is not None and thigh_lean is not None:
            hip_angle = 180.0 - torso_lean - thigh_lean
        if thigh_lean is not None and shin_lean is not None:
            knee_angle = 180.0 - thigh_lean - shin_lean
        if E is not None and S is not None and H is not None:
            # The dowel's three points: head, upper back, tailbone. A head that hangs or an upper
            # back that rounds drops the ear below the line from the hip through the shoulder.
            length = float(np.linalg.norm(S - H))
            if length > 0:
                u = (S - H) / length
                ventral = np.array([-u[1], u[0]])  # x forward, y down: the chest's side of the line
                head_drop = float(np.dot(E - H, ventral)) / length
    return Posture(
        t=t,
        person=person,
        view=view,
        yaw=yaw if person else None,
        turn=turn if person and yaw is not None and yaw > settings.side_max_yaw else 0,
        facing=facing,
        missing=missing,
        stature=stature,
        knee_height=knee_height,
        segments=segments,
        torso_length=torso,
        shin_length=shin_px,
        leg_length=leg,
        hip_angle=hip_angle,
        knee_angle=knee_angle,
        torso_lean=torso_lean,
        shin_lean=shin_lean,
        head_drop=head_drop,
        hands_up=hands_up,
        hip=(float(hip[0]), float(hip[1])) if hip is not None else None,
        shoulder=(float(shoulder[0]), float(shoulder[1])) if shoulder is not None else None,
    )
