"""A synthetic athlete: side-view keypoints (and a silhouette) of a person doing hinges.

It exists so the kiosk runs with no camera and so tests know the truth. Everything is physical:
segment lengths in metres, joint angles in degrees, faults by their size on the body (a shin 20
degrees off vertical, hips 5 cm lower than they should be, a spine flexed 40 degrees), never by
the coach's thresholds, so a test that passes says the coach sees what a coach would.

Joint angles, all from vertical: trunk lean (hip->shoulder, forward +), thigh (hip->knee, knee
forward +) and shin (ankle->knee, knee forward +). Hip angle = 180 - trunk - thigh; knee angle =
180 - thigh - shin.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from station.core.keypoints import KP

# Segment lengths (metres) of a 1.75 m lifter.
SHIN, THIGH, TORSO, NECK, UPPER_ARM, FOREARM = 0.45, 0.44, 0.52, 0.22, 0.30, 0.28
HEIGHT = 1.75
# Half-widths across the body (metres): what a camera turned away from side-on sees spread out.
# Joint centres, as MoveNet places them: shoulders 0.34 m apart (0.65 torso lengths), hips 0.18 m
# (0.35), as measured on the front-view shared clip and in adult anthropometry.
HALF_WIDTH = {
    "ear": 0.08,
    "eye": 0.03,
    "shoulder": 0.17,
    "elbow": 0.2,
    "wrist": 0.18,
    "hip": 0.09,
    "knee": 0.1,
    "ankle": 0.1,
}


@dataclass(frozen=True)
class Movement:
    """A drill as the body does it: the bottom position and the tempo (seconds)."""

    trunk: float  # trunk lean at the bottom
    thigh: float
    shin: float
    down_s: float
    pause_s: float
    up_s: float
    rest_s: float


MOVEMENTS: dict[str, Movement] = {
    "dowel-hinge": Movement(trunk=55, thigh=18, shin=6, down_s=2.0, pause_s=0.4, up_s=1.6, rest_s=1.2),
    "wall-touch": Movement(trunk=48, thigh=16, shin=5, down_s=1.6, pause_s=0.4, up_s=1.3, rest_s=1.0),
    "rdl": Movement(trunk=75, thigh=24, shin=8, down_s=1.6, pause_s=0.3, up_s=1.2, rest_s=1.0),
    "deadlift": Movement(trunk=55, thigh=65, shin=18, down_s=1.2, pause_s=0.4, up_s=1.1, rest_s=1.2),
    "kb-swing": Movement(trunk=62, thigh=32, shin=10, down_s=0.45, pause_s=0.05, up_s=0.4, rest_s=0.35),
}


@dataclass(frozen=True)
class Faults:
    """How a rep goes wrong, in physical sizes. All zero: a clean rep."""

    shin_extra_deg: float = 0.0  # knees_forward: shins this much further off vertical at the bottom
    hip_drop_cm: float = 0.0  # hips_drop: hips this much lower at the bottom (knees bend to allow it)
    spine_flex_deg: float = 0.0  # back_rounding: the spine bends this much between hips and shoulders
    lockout_short_deg: float = 0.0  # no_lockout: the hips stop this far short of straight at the top
    trunk_tip_deg: float = 0.0  # hips_rise_first: the trunk tips this much further forward as the hips rise
    lean_back_deg: float = 0.0  # overextension: the trunk leans back this far at the top

    @staticmethod
    def named(fault: str, size: float | None = None) -> Faults:
        """The typical size of a fault by its id (what a coach would clearly call)."""
        defaults = {
            "knees_forward": ("shin_extra_deg", 25.0),
            "hips_drop": ("hip_drop_cm", 20.0),
            "back_rounding": ("spine_flex_deg", 45.0),
            "no_lockout": ("lockout_short_deg", 30.0),
            "hips_rise_first": ("trunk_tip_deg", 25.0),
            "overextension": ("lean_back_deg", 20.0),
        }
        if fault not in defaults:
            raise ValueError(f"unknown fault {fault!r}")
        name, typical = defaults[fault]
        return Faults(**{name: typical if size is None else size})


@dataclass(frozen=True)
class Camera:
    size: tuple[int, int] = (640, 480)
    body_fraction: float = 0.75  # standing height over frame height
    yaw_deg: float = 0.0  # 0 side-on, 90 facing the camera, 180 facing away (135: the back diagonal)
    facing: int = 1  # +1 the lifter faces image-right


@dataclass(frozen=True)
class AthleteSpec:
    drill: str = "rdl"
    reps: int | None = 5  # None: keeps going (the kiosk's demo)
    faults: Faults = field(default_factory=Faults)
    fault_every: int = 1  # the faults show on every n-th rep (1: all of them)
    noise: float = 0.0  # keypoint noise, fraction of body height (standard deviation)
    drop: float = 0.0  # chance a keypoint is missing in a frame
    camera: Camera = field(default_factory=Camera)
    fps: float = 30.0
    lead_in_s: float = 1.5  # standing before the first rep
    lead_out_s: float = 1.5
    seed: int = 0


@dataclass(frozen=True)
class Body:
    """Joint positions in metres (x forward, y up, z across) and the spine's bend, for drawing."""

    joints: dict[str, np.ndarray]
    spine_flex_deg: float


def _unit(deg: float) -> np.ndarray:
    r = math.radians(deg)
    return np.array([math.sin(r), math.cos(r)])


def _knee_for(hip: np.ndarray) -> np.ndarray:
    """Where the knee must be for the hip to sit at `hip` with the ankle on the floor (knee forward)."""
    d = float(np.linalg.norm(hip))
    d = min(max(d, abs(SHIN - THIGH) + 1e-6), SHIN + THIGH - 1e-6)
    along = (SHIN**2 - THIGH**2 + d**2) / (2 * d)
    across = math.sqrt(max(0.0, SHIN**2 - along**2))
    u = hip / float(np.linalg.norm(hip))
    normal = np.array([u[1], -u[0]])  # to the front of the hip-ankle line
    return along * u + across * normal


def body_at(move: Movement, p: float, faults: Faults, rising: float | None = None, arms: float = 0.0) -> Body:
    """The body at depth `p` (0 standing, 1 bottom); `rising` is the ascent's progress (0..1) or None.

    `arms`: degrees the straight arms are raised forward from hanging (a swing's float: about 90).
    """
    trunk_p = p
    if rising is not None and faults.trunk_tip_deg:
        # Hips first: the legs straighten while the trunk holds its angle (and tips further).
        trunk_p = 1.0 - _smooth(max(0.0, (rising - 0.5) / 0.5))
    trunk = move.trunk * trunk_p
    if rising is not None and faults.trunk_tip_deg:
        trunk += faults.trunk_tip_deg * math.sin(math.pi * min(1.0, rising / 0.5))  # 0 from half way up
    thigh = move.thigh * p
    shin = (move.shin + faults.shin_extra_deg) * p
    # Near the top: the hips stop short of straight, or the trunk leans back past vertical.
    near_top = 1.0 - p
    trunk += (faults.lockout_short_deg * 0.6 - faults.lean_back_deg) * near_top
    thigh += faults.lockout_short_deg * 0.4 * near_top
    knee = SHIN * _unit(shin)
    hip = knee + THIGH * np.array([-math.sin(math.radians(thigh)), math.cos(math.radians(thigh))])
    if faults.hip_drop_cm and p > 0:
        # The hips sink straight down; the knees travel forward to let them.
        hip = hip - np.array([0.0, faults.hip_drop_cm / 100.0 * p])
        knee = _knee_for(hip)
    flex = faults.spine_flex_deg * p
    # A spine bent by `flex` spans a shorter chord, turned by half the bend towards the chest.
    half = math.radians(flex) / 2.0
    chord = TORSO * (math.sin(half) / half if half > 1e-6 else 1.0)
    shoulder = hip + chord * _unit(trunk + math.degrees(half))
    head_dir = _unit(trunk + math.degrees(2 * half))  # a neutral neck: head in line with the back
    ear = shoulder + NECK * head_dir
    ahead = np.array(
        [
            math.cos(math.radians(trunk + 2 * math.degrees(half))),
            -math.sin(math.radians(trunk + 2 * math.degrees(half))),
        ]
    )
    nose = ear + 0.09 * ahead - 0.02 * head_dir
    eye = ear + 0.07 * ahead + 0.01 * head_dir
    if arms:
        reach = _unit(180.0 - arms)  # hanging straight down is 180 degrees from up
        elbow, wrist = shoulder + UPPER_ARM * reach, shoulder + (UPPER_ARM + FOREARM) * reach
    else:
        elbow = shoulder + np.array([0.03, -UPPER_ARM])
        wrist = elbow + np.array([0.02, -FOREARM])
    j2 = {"ankle": np.zeros(2), "knee": knee, "hip": hip, "shoulder": shoulder, "ear": ear, "eye": eye,
          "nose": nose, "elbow": elbow, "wrist": wrist}  # fmt: skip
    return Body(joints=j2, spine_flex_deg=flex)


def _smooth(x: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * min(1.0, max(0.0, x)))


class Athlete:
    """Plays a set: `frames()` yields (t, keypoints 17x3 in pixels, image) at the camera's rate."""

    def __init__(self, spec: AthleteSpec) -> None:
        self.spec = spec
        self.move = MOVEMENTS[spec.drill]
        self._rng = np.random.default_rng(spec.seed)
        self._wall: np.ndarray | None = None  # the empty room, drawn once

    @property
    def rep_s(self) -> float:
        m = self.move
        return m.down_s + m.pause_s + m.up_s + m.rest_s

    def duration_s(self) -> float | None:
        if self.spec.reps is None:
            return None
        return self.spec.lead_in_s + self.spec.reps * self.rep_s + self.spec.lead_out_s

    def faults_on(self, rep_index: int) -> Faults:
        """The faults of rep `rep_index` (1-based)."""
        return self.spec.faults if rep_index % self.spec.fault_every == 0 else Faults()

    def body(self, t: float) -> Body:
        m, spec = self.move, self.spec
        u = t - spec.lead_in_s
        if u < 0 or (spec.reps is not None and u >= spec.reps * self.rep_s):
            rep = 0 if u < 0 else spec.reps or 0
            return body_at(m, 0.0, self.faults_on(rep) if rep else Faults())
        rep = int(u // self.rep_s) + 1
        v = u - (rep - 1) * self.rep_s
        faults = self.faults_on(rep)
        if v < m.down_s:
            return body_at(m, _smooth(v / m.down_s), faults)
        v -= m.down_s
        if v < m.pause_s:
            return body_at(m, 1.0, faults)
        v -= m.pause_s
        if v < m.up_s:
            q = v / m.up_s
            return body_at(m, 1.0 - _smooth(q), faults, rising=q)
        return body_at(m, 0.0, faults, arms=self._float(v - m.up_s))

    def _float(self, after_top_s: float) -> float:
        """A swing's arms after lockout: the bell floats to chest height and falls back (degrees)."""
        if self.spec.drill != "kb-swing":
            return 0.0
        return 85.0 * math.sin(math.pi * min(1.0, after_top_s / self.move.rest_s))

    def keypoints(self, body: Body) -> np.ndarray:
        """Project the body into the image: 17 rows of x, y (pixels) and a score."""
        cam = self.spec.camera
        w, h = cam.size
        scale = cam.body_fraction * h / HEIGHT
        yaw = math.radians(cam.yaw_deg)
        # Where the body's left side lands across the picture: turned towards the camera it shows on the
        # image's right (as a person facing you has their left on your right), turned away on its left.
        # This is how the pose model labels real people, and how the coach tells the two apart.
        lateral = math.sin(yaw) if cam.yaw_deg <= 90.0 else -math.sin(yaw)
        out = np.zeros((17, 3))
        for name, index in KP.items():
            if name == "nose":
                side, joint = 0, "nose"
            else:
                side_name, joint = name.split("_", 1)
                side = 1 if side_name == "left" else -1
            x, y = body.joints[joint]
            z = side * HALF_WIDTH.get(joint, 0.0)
            px = cam.facing * (x * math.cos(yaw)) + z * lateral
            out[index, 0] = w / 2 + px * scale
            out[index, 1] = h * 0.9 - y * scale
            out[index, 2] = 0.8 if side >= 0 or 30 < cam.yaw_deg < 150 else 0.65
            if cam.yaw_deg > 100 and joint in ("nose", "eye"):
                out[index, 2] = 0.1  # seen from behind, the face is hidden
        if self.spec.noise:
            out[:, :2] += self._rng.normal(0.0, self.spec.noise * HEIGHT * scale, (17, 2))
        if self.spec.drop:
            out[self._rng.random(17) < self.spec.drop, 2] = 0.0
        return out

    def render(self, body: Body) -> np.ndarray:
        """A plain silhouette on a plain wall: enough for the screen and the back-outline reader."""
        cam = self.spec.camera
        w, h = cam.size
        scale = cam.body_fraction * h / HEIGHT
        if self._wall is None or self._wall.shape[:2] != (h, w):
            self._wall = np.full((h, w, 3), (214, 218, 222), np.uint8)
            self._wall[int(h * 0.9) :] = (120, 120, 125)
        img = self._wall.copy()
        yaw = math.cos(math.radians(cam.yaw_deg))

        def px(p: np.ndarray) -> tuple[int, int]:
            return int(w / 2 + cam.facing * p[0] * yaw * scale), int(h * 0.9 - p[1] * scale)

        j = body.joints
        ink = (52, 58, 70)
        limb = max(2, int(0.12 * scale))
        for a, b in (("ankle", "knee"), ("knee", "hip")):
            cv2.line(img, px(j[a]), px(j[b]), ink, limb, cv2.LINE_AA)
        # Torso: a band from hip to shoulder whose back edge bows out as the spine flexes.
        hip, sh = j["hip"], j["shoulder"]
        chord = sh - hip
        length = float(np.linalg.norm(chord))
        u = chord / length
        back = np.array([-u[1], u[0]])  # the back is behind the chord (x points forward, y up)
        flex = math.radians(body.spine_flex_deg)
        sagitta = length * flex / 8.0
        pts_back, pts_front = [], []
        for f in np.linspace(0.0, 1.0, 12):
            base = hip + f * chord
            glute = 0.04 * max(0.0, 1.0 - f / 0.25)
            pts_back.append(px(base + (0.11 + glute + 4.0 * sagitta * f * (1 - f)) * back))
            pts_front.append(px(base - 0.10 * back))
        cv2.fillPoly(img, [np.array(pts_back + pts_front[::-1], np.int32)], ink, cv2.LINE_AA)
        cv2.circle(img, px(j["ear"] + 0.03 * (j["nose"] - j["ear"])), max(2, int(0.11 * scale)), ink, -1, cv2.LINE_AA)
        arm = max(2, int(0.08 * scale))
        cv2.line(img, px(j["shoulder"]), px(j["elbow"]), (70, 76, 90), arm, cv2.LINE_AA)
        cv2.line(img, px(j["elbow"]), px(j["wrist"]), (70, 76, 90), arm, cv2.LINE_AA)
        return img

    def frames(self, render: bool = True) -> Iterator[tuple[float, np.ndarray, np.ndarray | None]]:
        total = self.duration_s()
        i = 0
        while total is None or i / self.spec.fps <= total:
            t = i / self.spec.fps
            body = self.body(t)
            yield t, self.keypoints(body), (self.render(body) if render else None)
            i += 1


def with_camera(spec: AthleteSpec, **changes: float | int) -> AthleteSpec:
    return replace(spec, camera=replace(spec.camera, **changes))
