"""The installer's placement check: is the camera where the coach can do its work?

A person stands on the floor mark, side-on, and the screen checks five things live, each with
pass or fail and one instruction: distance, height and tilt, angle, light, and the scene behind.
Each limit comes from what the coach needs, not from a clip:

- distance: the lifter's standing height between `min_height` and `max_height` of the frame. Below,
  the back's outline is a few dozen pixels and the keypoints' jitter is a large share of a shin's
  lean; above, there is no room for a swing's float or a step back. The instruction in centimetres
  uses a pinhole camera: the lens's vertical field of view and an adult's typical height.
- height and tilt: the head and the feet inside the frame with a margin, room ahead of the hips for
  the head and the bar at a deadlift's bottom and the bell at a swing's top, room behind for the hips
  pushing back, and the standing body upright in the picture (a camera tipped sideways tilts every
  angle the coach reads).
- angle: side-on as the coach counts it (`view.side_max_yaw`): turned further, forward distances
  shrink by the cosine of the turn and the back's outline turns into the shoulder blades.
- light: the lifter not a silhouette against a window, and the back standing out from what is behind
  it by twice the colour difference the back reader needs (`back.min_contrast`): light moves during a
  rep, so the check keeps headroom.
- the scene behind: the empty room learnt (the back reader reads the back against it) and nothing
  moving behind the lifter (a screen, a door, a mirror with people in it).

Pure: poses, postures and pictures in, checks out. Figures are medians over the last `window_s`,
so a single bad frame neither passes nor fails a check.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field, replace

import cv2
import numpy as np

from station.core.coach.back import BackSettings
from station.core.coach.posture import Posture, ViewSettings
from station.core.coach.scene import SceneSettings, SceneView, lifter_box
from station.core.keypoints import KP

# Anthropometry (standing adults, heights over stature): eyes 0.936, ear 0.92, lateral ankle 0.039.
EYE_HEIGHT, ANKLE_HEIGHT = 0.936, 0.039
CHECKS = ("distance", "height", "angle", "light", "scene")


@dataclass(frozen=True)
class PlacementSettings:
    """The [placement] table of the config file."""

    min_height: float = 0.4  # standing height over frame height, at least
    max_height: float = 0.8  # and at most
    margin: float = 0.03  # head and feet at least this share of the frame height inside
    room_ahead: float = 0.55  # statures of room ahead of the hips (head and bar at the bottom, a swing's bell)
    room_behind: float = 0.3  # statures of room behind the hips (they push back)
    max_roll_deg: float = 6.0  # straight standing legs (ankle to hip) from the picture's vertical
    max_backlight: float = 2.5  # the background this many times brighter than the lifter ...
    blown_out: float = 0.2  # ... and this share of it blown out to white (a window): a silhouette
    min_light: float = 35.0  # the picture's mean brightness (0-255), at least (dark clothes are no fault)
    contrast_headroom: float = 2.0  # back against scene: this many times back.min_contrast
    max_moving: float = 0.01  # share of the scene outside the lifter that changes between frames
    min_known: float = 0.6  # share of the scene outside the lifter learnt (steady and known)
    camera_vfov_deg: float = 41.0  # the lens's vertical field of view (Camera Module 3: 41 degrees)
    typical_height_m: float = 1.7  # an adult, for turning picture sizes into centimetres
    window_s: float = 1.0  # figures are medians over this long
    hold_s: float = 2.0  # every check passes this long: the placement is good and is recorded
    timeout_s: float = 300.0  # the placement screen leaves by itself after this long without a button


@dataclass(frozen=True)
class Check:
    name: str  # one of CHECKS
    passed: bool | None  # None: not known yet (nobody standing in view)
    figure: str  # what was measured, in words
    advice: str = ""  # one instruction when it fails


@dataclass(frozen=True)
class Placement:
    checks: tuple[Check, ...]
    good_for_s: float  # how long every check has passed
    passed: bool  # every check has passed for hold_s
    figures: dict[str, float] = field(default_factory=dict)

    def check(self, name: str) -> Check:
        return next(c for c in self.checks if c.name == name)


@dataclass(frozen=True)
class _Reading:
    """One standing frame's figures."""

    t: float
    height: float  # stature over frame height
    head_margin: float  # frame heights from the frame's top to the head's top
    feet_margin: float  # frame heights from the floor under the feet to the frame's bottom
    ahead: float  # statures from the hips to the frame's edge ahead
    behind: float
    roll: float | None  # degrees, the standing legs (ankle to hip) from vertical; None: not standing straight
    yaw: float | None
    lifter_light: float
    scene_light: float
    picture_light: float
    blown: float  # share of the background at white (luma 245 or more)
    contrast: float | None
    moving: float | None
    known: float | None


class PlacementCheck:
    """Feed it frames while someone stands on the mark; it says what to change."""

    def __init__(
        self, settings: PlacementSettings | None = None, view: ViewSettings | None = None,
        back: BackSettings | None = None,
    ) -> None:  # fmt: skip
        self.settings = settings or PlacementSettings()
        self.view = view or ViewSettings()
        self.back = back or BackSettings()
        self._readings: deque[_Reading] = deque()
        self._last_gray: np.ndarray | None = None
        self._last_t: float | None = None
        self._good_since: float | None = None
        self.passed_at: float | None = None

    def update(
        self, t: float, keypoints: np.ndarray, posture: Posture, image: np.ndarray | None, scale: float = 1.0,
        scene: SceneView | None = None,
    ) -> Placement:  # fmt: skip
        """A frame: keypoints in pose pixels (`scale` pose pixels per image pixel), its posture, the picture."""
        # The picture's brightness and the lifter's box, once a frame for every check that needs them.
        gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY) if image is not None else None
        box = _box(keypoints, self.view.min_score, scale)
        moving = self._motion(t, gray, box)
        reading = self._read(t, keypoints, posture, image, gray, box, scale, moving, scene)
        if reading is not None:
            self._readings.append(reading)
        while self._readings and t - self._readings[0].t > self.settings.window_s:
            self._readings.popleft()
        return self._judge(t)

    # --- one frame ---

    def _motion(self, t: float, picture: np.ndarray | None, box: tuple | None) -> float | None:
        """Share of the scene outside the lifter that changed since the last look (a tenth of a second)."""
        if picture is None:
            return None
        if self._last_t is not None and 0 <= t - self._last_t < 0.1:
            return None
        h, w = picture.shape[:2]
        f = 160.0 / max(h, w)
        gray = cv2.resize(picture, (max(1, round(w * f)), max(1, round(h * f))))
        gray = cv2.GaussianBlur(gray, (3, 3), 0).astype(np.int16)
        previous, self._last_gray, self._last_t = self._last_gray, gray, t
        if previous is None or previous.shape != gray.shape:
            return None
        outside = np.ones(gray.shape, bool)
        if box is not None:
            x0, y0, x1, y1 = (round(v * f) for v in box)
            outside[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = False
        if outside.sum() < 0.1 * outside.size:
            return None
        changed = np.abs(gray - previous) > 25
        return float(changed[outside].mean())

    def _read(
        self, t: float, keypoints: np.ndarray, posture: Posture, image: np.ndarray | None, gray: np.ndarray | None,
        box: tuple | None, scale: float, moving: float | None, scene: SceneView | None,
    ) -> _Reading | None:  # fmt: skip
        if not posture.person or image is None or gray is None:
            return None
        standing = posture.hip_angle is None or posture.hip_angle > 160
        if not standing:
            return None
        h, w = image.shape[:2]
        k = keypoints.copy()
        k[:, :2] /= scale
        ok = k[:, 2] >= self.view.min_score
        eyes = [KP[n] for n in ("left_eye", "right_eye", "left_ear", "right_ear", "nose") if ok[KP[n]]]
        ankles = [KP[n] for n in ("left_ankle", "right_ankle") if ok[KP[n]]]
        hips = [KP[n] for n in ("left_hip", "right_hip") if ok[KP[n]]]
        if not eyes or not ankles or not hips:
            return None
        eye_y, ankle_y = float(np.min(k[eyes, 1])), float(np.max(k[ankles, 1]))
        stature = (ankle_y - eye_y) / (EYE_HEIGHT - ANKLE_HEIGHT)
        if stature <= 0:
            return None
        head_top = ankle_y - (1.0 - ANKLE_HEIGHT) * stature
        floor = ankle_y + ANKLE_HEIGHT * stature
        hip = k[hips, :2].mean(axis=0)
        ankle = k[ankles, :2].mean(axis=0)
        facing = _facing(k, ok)
        right, left = (w - hip[0]) / stature, hip[0] / stature
        ahead, behind = (right, left) if facing >= 0 else (left, right)
        if facing == 0:
            ahead = behind = min(right, left)
        # Legs standing straight are plumb within a few degrees whoever stands there; the trunk and
        # the head lean with the person, so they cannot tell a tipped camera from a leaning lifter.
        straight = (posture.knee_angle or 0) > 165 and (posture.hip_angle or 0) > 165
        roll = math.degrees(math.atan2(hip[0] - ankle[0], ankle[1] - hip[1])) if straight else None
        lifter, scene_light, blown, contrast = self._light(image, gray, k, ok, facing, stature)
        known = None
        if scene is not None:
            inside = np.zeros(scene.known.shape, bool)
            if box is not None:
                x0, y0, x1, y1 = (round(v * scene.scale) for v in box)
                inside[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = True
            known = float((scene.known[~inside] > 0).mean()) if (~inside).any() else None
        elif self.settings.min_known > 0:
            known = 0.0
        return _Reading(
            t, stature / h, head_top / h, (h - floor) / h, ahead, behind, roll, posture.yaw, lifter, scene_light,
            float(gray.mean()), blown, contrast, moving, known,
        )  # fmt: skip

    def _light(
        self, image: np.ndarray, luma: np.ndarray, k: np.ndarray, ok: np.ndarray, facing: int, stature: float
    ) -> tuple[float, float, float, float | None]:
        """The lifter's brightness (along the trunk), the background's (outside the lifter) and its
        share blown out to white, and the colour difference between the body just inside the back
        and the background just behind it."""
        h, w = image.shape[:2]
        sh = [KP[n] for n in ("left_shoulder", "right_shoulder") if ok[KP[n]]]
        hp = [KP[n] for n in ("left_hip", "right_hip") if ok[KP[n]]]
        if not sh or not hp:
            return float(luma.mean()), float(luma.mean()), float((luma >= 245).mean()), None
        a, b = k[hp, :2].mean(axis=0), k[sh, :2].mean(axis=0)
        torso = float(np.linalg.norm(b - a)) or 1.0
        u = (b - a) / torso
        normal = np.array([-u[1], u[0]])
        if facing != 0 and np.sign(normal[0]) == facing:
            normal = -normal  # behind the back: away from where the lifter faces
        body_pts, behind_pts = [], []
        for f in np.linspace(0.2, 0.8, 9):
            base = a + f * (b - a)
            body_pts.append(base + 0.05 * torso * normal)
            behind_pts.append(base + 0.6 * torso * normal)  # past the back (about a quarter torso) and the glutes
        pairs = [(p, q) for p, q in zip(body_pts, behind_pts, strict=True) if _inside(p, w, h) and _inside(q, w, h)]
        lifter = float(np.mean([luma[int(y), int(x)] for x, y in body_pts if _inside((x, y), w, h)] or [0.0]))
        x0, x1 = max(0, int(min(k[ok, 0]) - 0.2 * stature)), min(w, int(max(k[ok, 0]) + 0.2 * stature))
        mask = np.ones((h, w), bool)
        mask[:, x0:x1] = False
        background = luma[mask] if mask.any() else luma.ravel()
        scene, blown = float(background.mean()), float((background >= 245).mean())
        if len(pairs) < 5:
            return lifter, scene, blown, None
        body_px = np.array([image[int(p[1]), int(p[0])] for p, _ in pairs], np.float32)
        scene_px = np.array([image[int(q[1]), int(q[0])] for _, q in pairs], np.float32)
        return lifter, scene, blown, float(np.median(np.linalg.norm(body_px - scene_px, axis=1)))

    # --- the verdict over the window ---

    def _judge(self, t: float) -> Placement:
        cfg = self.settings
        if not self._readings:
            waiting = Check("", None, "nobody standing in view", "Stand on the floor mark, side-on")
            checks = tuple(replace(waiting, name=n) for n in CHECKS)
            self._good_since = None
            return Placement(checks, 0.0, self.passed_at is not None)
        r = self._readings

        def med(values: list[float | None]) -> float | None:
            got = [v for v in values if v is not None]
            return float(np.median(got)) if got else None

        height = med([x.height for x in r]) or 0.0
        figures: dict[str, float] = {"height": round(height, 3)}
        checks = [
            self._distance(height),
            self._height(med([x.head_margin for x in r]), med([x.feet_margin for x in r]), med([x.ahead for x in r]),
                         med([x.behind for x in r]), med([x.roll for x in r]), figures),
            self._angle(med([x.yaw for x in r]), figures),
            self._lighting(med([x.lifter_light for x in r]), med([x.scene_light for x in r]),
                           med([x.picture_light for x in r]), med([x.blown for x in r]), med([x.contrast for x in r]),
                           figures),
            self._scene(med([x.moving for x in r]), med([x.known for x in r]), figures),
        ]  # fmt: skip
        if all(c.passed for c in checks):
            self._good_since = t if self._good_since is None else self._good_since
        else:
            self._good_since = None
        good_for = 0.0 if self._good_since is None else t - self._good_since
        if good_for >= cfg.hold_s and self.passed_at is None:
            self.passed_at = t
        return Placement(tuple(checks), good_for, self.passed_at is not None, figures)

    def _cm(self, frame_heights: float, height: float) -> int:
        """A distance across the picture (frame heights) in centimetres at the lifter, to 10 cm."""
        return max(10, round(frame_heights / max(height, 1e-3) * self.settings.typical_height_m * 10) * 10)

    def _distance(self, height: float) -> Check:
        cfg = self.settings
        figure = f"standing height {height:.0%} of the picture (wanted {cfg.min_height:.0%} to {cfg.max_height:.0%})"
        if cfg.min_height <= height <= cfg.max_height:
            return Check("distance", True, figure)
        # Pinhole: the picture's height at the lifter is 2 d tan(fov / 2); the lifter fills `height` of it.
        fov = math.radians(cfg.camera_vfov_deg)
        distance = cfg.typical_height_m / (2 * math.tan(fov / 2) * height)
        target = (cfg.min_height + cfg.max_height) / 2
        move = round(abs(distance * (height / target - 1)) * 10) * 10
        where = "closer" if height < cfg.min_height else "further back"
        return Check("distance", False, figure, f"Move the camera about {max(10, move)} cm {where}")

    def _height(
        self, head: float | None, feet: float | None, ahead: float | None, behind: float | None, roll: float | None,
        figures: dict[str, float],
    ) -> Check:  # fmt: skip
        cfg = self.settings
        head, feet, ahead, behind, roll = (v if v is not None else 0.0 for v in (head, feet, ahead, behind, roll))
        figures.update(head_margin=round(head, 3), feet_margin=round(feet, 3), room_ahead=round(ahead, 2),
                       room_behind=round(behind, 2), roll_deg=round(roll, 1))  # fmt: skip
        figure = (f"head {head:.0%} and feet {feet:.0%} from the edges, room ahead {ahead:.2f} and behind "
                  f"{behind:.2f} statures, tipped {abs(roll):.0f} degrees")  # fmt: skip
        height = figures["height"]
        if head < cfg.margin and feet < cfg.margin:
            return Check("height", False, figure, "Head and feet are cut off: move the camera further back")
        if head < cfg.margin:
            return Check("height", False, figure, "The head is cut off: tilt the camera up a little, or raise it")
        if feet < cfg.margin:
            return Check("height", False, figure, "The feet are cut off: tilt the camera down a little, or lower it")
        if abs(roll) > cfg.max_roll_deg:
            return Check("height", False, figure, f"Level the camera: it is tipped about {abs(roll):.0f} degrees")
        if ahead < cfg.room_ahead or behind < cfg.room_behind:
            short = "ahead of" if ahead < cfg.room_ahead else "behind"
            need = (cfg.room_ahead - ahead) if ahead < cfg.room_ahead else (cfg.room_behind - behind)
            cm = self._cm(need * height, height)
            advice = f"No room {short} the lifter: move the mark about {cm} cm towards the middle of the picture"
            return Check("height", False, figure, advice)
        return Check("height", True, figure)

    def _angle(self, yaw: float | None, figures: dict[str, float]) -> Check:
        limit = self.view.side_max_yaw
        if yaw is None:
            return Check("angle", None, "the view cannot be read yet", "Stand side-on to the camera, arms down")
        figures["yaw_deg"] = round(yaw, 1)
        figure = f"turned {yaw:.0f} degrees from side-on (at most {limit:.0f})"
        if yaw <= limit:
            return Check("angle", True, figure)
        turn = round(yaw / 5) * 5
        advice = f"Turn the floor mark (or the camera) about {turn} degrees: the lifter must stand side-on"
        return Check("angle", False, figure, advice)

    def _lighting(
        self, lifter: float | None, scene: float | None, picture: float | None, blown: float | None,
        contrast: float | None, figures: dict[str, float],
    ) -> Check:  # fmt: skip
        cfg = self.settings
        lifter, scene, picture, blown = lifter or 0.0, scene or 0.0, picture or 0.0, blown or 0.0
        figures.update(lifter_light=round(lifter, 1), scene_light=round(scene, 1), blown_out=round(blown, 3))
        need = cfg.contrast_headroom * self.back.min_contrast
        figure = f"lifter {lifter:.0f}, background {scene:.0f} bright; back against background {contrast or 0:.0f}"
        if contrast is not None:
            figures["back_contrast"] = round(contrast, 1)
        if blown >= cfg.blown_out and scene > cfg.max_backlight * max(lifter, 1.0):
            return Check("light", False, figure,
                         "The lifter is a silhouette against a bright background: close the blinds or turn the camera "
                         "away from the window")  # fmt: skip
        if picture < cfg.min_light:
            return Check("light", False, figure, "Too dark: more light in the room, from the camera's side")
        if contrast is None or contrast < need:
            return Check("light", False, figure,
                         "The back does not stand out from the background: a plainer or different-coloured wall "
                         "behind, or more light on the lifter")  # fmt: skip
        return Check("light", True, figure)

    def _scene(self, moving: float | None, known: float | None, figures: dict[str, float]) -> Check:
        cfg = self.settings
        if moving is not None:
            figures["moving"] = round(moving, 4)
        if known is not None:
            figures["scene_known"] = round(known, 2)
        figure = f"{(moving or 0):.1%} of the background moving, {(known or 0):.0%} of it learnt"
        if moving is not None and moving > cfg.max_moving:
            return Check("scene", False, figure,
                         "Something moves behind the lifter (a screen, a door, people): turn the camera to a still "
                         "background")  # fmt: skip
        if known is None or known < cfg.min_known:
            return Check("scene", False, figure, "Hold still a few seconds: the station is learning the empty room")
        return Check("scene", True, figure)


def _facing(k: np.ndarray, ok: np.ndarray) -> int:
    """+1 facing image-right, -1 left, 0 unknown: the nose ahead of the ears."""
    ears = [KP[n] for n in ("left_ear", "right_ear") if ok[KP[n]]]
    if not ok[KP["nose"]] or not ears:
        return 0
    dx = k[KP["nose"], 0] - float(np.mean(k[ears, 0]))
    return int(np.sign(dx)) if abs(dx) > 1.0 else 0


def _inside(point, w: int, h: int) -> bool:
    return 0 <= point[0] < w and 0 <= point[1] < h


def _box(keypoints: np.ndarray, min_score: float, scale: float) -> tuple[float, float, float, float] | None:
    return lifter_box(keypoints, min_score, SceneSettings().margin, scale)
