"""The coach for one set: poses in, reps, fault lamps and guidance out. Pure and synchronous.

The same frames give the same reps whether they come live or from a file, because time is the
frames' own timestamps and nothing here looks at a clock or drops a frame.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

from station.core.coach.back import BackSettings, read_back
from station.core.coach.faults import judge_rep, judge_top
from station.core.coach.filters import KeypointSmoother, SmoothingSettings
from station.core.coach.posture import Posture, ViewSettings, facing_of, measure, torso_length_of, turn_of, yaw_of
from station.core.coach.reps import RepCounter, RepWindow, Sample, StatureGauge
from station.core.coach.scene import SceneModel, SceneSettings, lifter_box
from station.core.coach.setreport import Rep, SetReport
from station.core.drills import Drill
from station.core.keypoints import Pose
from station.core.registry import FAULTS, OUTLINE_VIEW

log = logging.getLogger(__name__)

NEW_STREAM_JUMP_S = 1.0  # frame times this far backwards mean a new stream, not a late frame
FACING_VOTES = 15  # frames in the facing vote: one bad nose guess must not flip the lifter round
FACING_FROM = 0.5  # facing votes are taken once the shoulders are this far to the drill's bottom depth
YAW_FRAMES = 15  # frames in the view's running median: a view does not change in half a second
# The view is read while the lifter stands (depth below this): a trunk tipped towards the camera
# looks wider at the shoulders (nearer) and shorter, and would read as turned further than it is.
# The feet stay planted through a rep, so the view read at its top holds for its bottom.
UPRIGHT_DEPTH = 0.1
# Torso (shoulder to hip joint) over shin (knee to ankle) length in adults, about 1.15: until the
# lifter has stood up, the torso is known to be at least this long (a set may start at the bottom).
TORSO_PER_SHIN = 1.15
BACK_READ_FROM = 0.5  # read the back's outline once the shoulders are this far to the bottom depth


@dataclass(frozen=True)
class CoachSettings:
    view: ViewSettings = field(default_factory=ViewSettings)
    smoothing: SmoothingSettings = field(default_factory=SmoothingSettings)
    back: BackSettings = field(default_factory=BackSettings)
    scene: SceneSettings = field(default_factory=SceneSettings)
    read_back_outline: bool = True
    gap_s: float = 1.0  # the lifter lost for longer than this: the rep in progress is dropped


@dataclass(frozen=True)
class Event:
    """Something the screen, the LEDs and the log react to."""

    kind: str  # "rep" (a rep counted), "fault" (a fault added at its top) or "unseen" (the top could not show it)
    rep: Rep
    fault: str | None = None


@dataclass(frozen=True)
class CoachUpdate:
    posture: Posture
    depth: float | None
    guidance: str | None  # what the lifter should do to be seen properly; None when all is well
    events: tuple[Event, ...] = ()


def guidance_for(posture: Posture, drill: Drill | None = None) -> str | None:
    """One plain instruction for a lifter the camera cannot judge properly.

    "Turn side-on" is asked only where turning would let the station judge more of the drill's
    faults: from 45 degrees most of them are judged, from the front none.
    """
    if not posture.person:
        return "Step into view"
    if "feet" in posture.missing or "knees" in posture.missing:
        return "Step back, I can't see your feet"
    if "head" in posture.missing or "shoulders" in posture.missing:
        return "Step back, I can't see your head"
    faults = drill.faults if drill is not None else tuple(FAULTS)
    if (
        posture.yaw is None
        or posture.facing == 0
        or not all(FAULTS[f].view.allows(posture.yaw, posture.turn) for f in faults)
    ):
        return "Turn side-on to the camera"
    return None


class Coach:
    """The coach for one set. `scene` is the camera's learnt room, kept by the caller across sets."""

    def __init__(self, drill: Drill, settings: CoachSettings | None = None, scene: SceneModel | None = None) -> None:
        self.drill = drill
        self.settings = settings or CoachSettings()
        self._smoother = KeypointSmoother(self.settings.smoothing, self.settings.view.min_score)
        self._gauge = StatureGauge()
        self._counter = RepCounter(drill.thresholds, needs_float=drill.floats)
        self.scene = scene if scene is not None else SceneModel(self.settings.scene)
        self._facing: deque[int] = deque(maxlen=FACING_VOTES)
        self._yaw: deque[float] = deque(maxlen=YAW_FRAMES)  # read standing up
        self._yaw_any: deque[float] = deque(maxlen=YAW_FRAMES)  # read in any posture (before the first top)
        self._turn: deque[float] = deque(maxlen=YAW_FRAMES)  # towards (+) or away (-), read as the yaw is
        self._turn_any: deque[float] = deque(maxlen=YAW_FRAMES)
        self._depth: float | None = None
        self.reps: list[Rep] = []
        self.frames = 0
        self.person_frames = 0
        self._last_t: float | None = None
        self._last_person_t: float | None = None
        self._last_back: tuple[float, np.ndarray] | None = None  # (t, shoulder and mid-back points)

    @property
    def facing(self) -> int:
        votes = Counter(v for v in self._facing if v != 0)
        return votes.most_common(1)[0][0] if votes else 0

    @property
    def yaw(self) -> float | None:
        """The view, degrees from side-on: from standing frames where there are some."""
        votes = self._yaw or self._yaw_any
        return float(np.median(votes)) if votes else None

    @property
    def turn(self) -> int:
        """+1 turned towards the camera, -1 away, 0 not known (side-on is told by the yaw)."""
        votes = self._turn or self._turn_any
        return int(np.sign(np.median(votes))) if votes else 0

    def _restart(self) -> None:
        self._smoother.reset()
        self._gauge.reset()
        self._counter.reset()
        self._facing.clear()
        self._yaw.clear()
        self._yaw_any.clear()
        self._turn.clear()
        self._turn_any.clear()
        self._depth = None

    def update(self, pose: Pose, image: np.ndarray | None = None, image_scale: float = 1.0) -> CoachUpdate:
        """One frame's pose (and, for the back's outline, its image at `image_scale` source px per px)."""
        if self._last_t is not None and pose.t <= self._last_t:
            if pose.t > self._last_t - NEW_STREAM_JUMP_S:
                log.debug("frame at %.3f s is not after %.3f s: skipped", pose.t, self._last_t)
                nobody = _nobody(pose)
                return CoachUpdate(nobody, None, guidance_for(nobody, self.drill))
            # The clock went far back: a new stream (a source reopened). Keep the reps, start afresh.
            log.info("frame times restarted (%.1f s after %.1f s): rep in progress dropped", pose.t, self._last_t)
            self._restart()
            self._last_person_t = None
        self._last_t = pose.t
        self.frames += 1
        keypoints = np.nan_to_num(np.asarray(pose.keypoints, dtype=np.float64), nan=0.0)
        person = bool(pose.person) and bool(np.isfinite(pose.keypoints).all())
        view = self.settings.view
        if image is not None:
            box = lifter_box(keypoints, view.min_score, self.settings.scene.margin, image_scale) if person else None
            self.scene.update(pose.t, image, box)
        if not person:
            # A blurred frame or two mid-swing is not the lifter leaving: only a longer gap drops the rep.
            if self._last_person_t is None or pose.t - self._last_person_t > self.settings.gap_s:
                self._restart()
            posture = measure(pose.t, keypoints, pose.size, False, 0, view)
            return CoachUpdate(posture, None, guidance_for(posture, self.drill))
        self._last_person_t = pose.t
        self.person_frames += 1
        smooth = self._smoother(pose.t, keypoints, float(pose.size[1]))
        # The way the lifter faces shows when they bend (trunk and knees go forward); standing,
        # a lean back at the top of a swing would point the other way. Until a bend, any vote.
        bent = self._depth is not None and self._depth >= FACING_FROM * self.drill.thresholds.bottom_drop
        if bent or not self._facing:
            self._facing.append(facing_of(smooth, view.min_score))
        torso = self._gauge.observe_torso(pose.t, torso_length_of(smooth, view.min_score))
        shin = self._gauge.shin()
        if torso is not None and shin is not None:
            torso = max(torso, TORSO_PER_SHIN * shin)
        yaw, turn = yaw_of(smooth, torso, view), turn_of(smooth, torso, view)
        upright = self._depth is not None and self._depth <= UPRIGHT_DEPTH
        for value, steady, any_posture in ((yaw, self._yaw, self._yaw_any), (turn, self._turn, self._turn_any)):
            if value is not None:
                any_posture.append(value)
                if upright:
                    steady.append(value)
        posture = measure(pose.t, smooth, pose.size, True, self.facing, view, self.yaw, self.turn)
        depth, depth_rel = self._gauge(posture)
        self._depth = depth
        curve = self._read_back(posture, depth, image, image_scale)
        gauge = self._gauge
        sample = Sample(
            posture, depth, curve, gauge.standing(), depth_rel, gauge.standing_ratio(), gauge.standing_knee()
        )
        counted, closed = self._counter.update(sample)
        events = self._closed(closed) + self._counted(counted)
        return CoachUpdate(posture, depth, guidance_for(posture, self.drill), events)

    def _back_speed(self, posture: Posture) -> float | None:
        """How fast the back moves, torso lengths a second (the faster of shoulder and mid-back)."""
        if not posture.shoulder or not posture.hip or not posture.torso_length:
            self._last_back = None
            return None
        points = np.array([posture.shoulder, np.add(posture.shoulder, posture.hip) / 2.0])
        last, self._last_back = self._last_back, (posture.t, points)
        if last is None or posture.t <= last[0]:
            return None
        moved = float(np.linalg.norm(points - last[1], axis=1).max())
        return moved / (posture.t - last[0]) / posture.torso_length

    def _read_back(self, posture: Posture, depth: float | None, image: np.ndarray | None, scale: float) -> float | None:
        """The back outline's bow on this frame, where the view shows the back, still, near the bottom."""
        speed = self._back_speed(posture)
        if (
            speed is None
            or speed > self.settings.back.max_speed
            or not self.settings.read_back_outline
            or image is None
            or depth is None
            or depth < BACK_READ_FROM * self.drill.thresholds.bottom_drop
            or not posture.angles_seen
            or not OUTLINE_VIEW.allows(posture.yaw, posture.turn)
            or not posture.shoulder
            or not posture.hip
        ):
            return None
        sh = (posture.shoulder[0] / scale, posture.shoulder[1] / scale)
        hp = (posture.hip[0] / scale, posture.hip[1] / scale)
        reading = read_back(image, sh, hp, posture.facing, self.scene.view(), self.settings.back)
        return reading.curve if reading is not None else None

    def finish(self) -> tuple[Event, ...]:
        """The set or stream ended: settle the last rep's lockout. A rep still rising is no rep."""
        counted = self._counted(self._counter.settle())
        return counted + self._closed(self._counter.finish())

    def _counted(self, window: RepWindow | None) -> tuple[Event, ...]:
        if window is None:
            return ()
        judgement = judge_rep(window, self.drill)
        depths = [s for s in window.samples if s.depth is not None]
        bottom = max(depths, key=lambda s: s.depth or 0.0) if depths else window.samples[0]
        rep = Rep(
            index=len(self.reps) + 1,
            start_s=window.samples[0].t,
            bottom_s=bottom.t,
            end_s=window.samples[-1].t,
            faults=judgement.faults,
            metrics=judgement.metrics,
            judged=judgement.judged,
            unseen=judgement.unseen,
        )
        self.reps.append(rep)
        log.info("rep %d of %s at %.2f s: %s", rep.index, self.drill.id, rep.end_s, ", ".join(rep.faults) or "good")
        return (Event("rep", rep),)

    def _closed(self, window: RepWindow | None) -> tuple[Event, ...]:
        if window is None or not self.reps:
            return ()
        rep = self.reps[-1]
        top = judge_top(window, self.drill)
        added = tuple(f for f in top.faults if f not in rep.faults)
        unseen = rep.unseen + tuple(f for f in top.unseen if f not in rep.unseen)
        rep = Rep(
            rep.index, rep.start_s, rep.bottom_s, rep.end_s, rep.faults + added, {**rep.metrics, **top.metrics},
            rep.judged or top.judged, unseen,
        )  # fmt: skip
        self.reps[-1] = rep
        for fault in added:
            log.info("fault %s on rep %d of %s", fault, rep.index, self.drill.id)
        return tuple(Event("fault", rep, f) for f in added) + tuple(Event("unseen", rep, f) for f in top.unseen)

    def report(self) -> SetReport:
        """The set so far (all of it once `finish()` has run)."""
        return SetReport(self.drill.id, tuple(self.reps), self.frames, self.person_frames)


def _nobody(pose: Pose) -> Posture:
    return measure(pose.t, np.zeros((17, 3)), pose.size, False, 0, yaw=None)
