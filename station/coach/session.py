"""The coach for one set: poses in, reps, fault lamps and guidance out. Pure and synchronous.

The same frames give the same reps whether they come live or from a file, because time is the
frames' own timestamps and nothing here looks at a clock or drops a frame.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

from station.coach.back import BackSettings, read_back
from station.coach.faults import judge_rep, judge_top
from station.coach.filters import KeypointSmoother, SmoothingSettings
from station.coach.posture import Posture, ViewSettings, facing_of, measure
from station.coach.reps import RepCounter, RepWindow, Sample, StatureGauge
from station.coach.scene import SceneModel
from station.drills import Drill
from station.pose.keypoints import Pose

log = logging.getLogger(__name__)

NEW_STREAM_JUMP_S = 1.0  # frame times this far backwards mean a new stream, not a late frame
FACING_VOTES = 15  # frames in the facing vote: one bad nose guess must not flip the lifter round
BACK_READ_FROM = 0.5  # read the back's outline once the shoulders are this far to the bottom depth


@dataclass(frozen=True)
class CoachSettings:
    view: ViewSettings = field(default_factory=ViewSettings)
    smoothing: SmoothingSettings = field(default_factory=SmoothingSettings)
    back: BackSettings = field(default_factory=BackSettings)
    read_back_outline: bool = True


@dataclass(frozen=True)
class Rep:
    index: int
    start_s: float
    bottom_s: float
    end_s: float
    faults: tuple[str, ...]
    metrics: dict[str, float | None]
    judged: bool

    @property
    def good(self) -> bool:
        return self.judged and not self.faults

    def to_json(self) -> dict:
        return {
            "index": self.index,
            "start_s": round(self.start_s, 3),
            "bottom_s": round(self.bottom_s, 3),
            "end_s": round(self.end_s, 3),
            "faults": list(self.faults),
            "judged": self.judged,
            "metrics": self.metrics,
        }


@dataclass(frozen=True)
class Event:
    """Something the screen, the LEDs and the log react to."""

    kind: str  # "rep" (a rep counted) or "fault" (a fault added to a counted rep at its top)
    rep: Rep
    fault: str | None = None


@dataclass(frozen=True)
class CoachUpdate:
    posture: Posture
    depth: float | None
    guidance: str | None  # what the lifter should do to be seen properly; None when all is well
    events: tuple[Event, ...] = ()


def guidance_for(posture: Posture) -> str | None:
    """One plain instruction for a lifter the camera cannot judge properly."""
    if not posture.person:
        return "Step into view"
    if "feet" in posture.missing or "knees" in posture.missing:
        return "Step back, I can't see your feet"
    if "head" in posture.missing or "shoulders" in posture.missing:
        return "Step back, I can't see your head"
    if posture.view != "side":
        return "Turn side-on to the camera"
    return None


class Coach:
    def __init__(self, drill: Drill, settings: CoachSettings | None = None) -> None:
        self.drill = drill
        self.settings = settings or CoachSettings()
        self._smoother = KeypointSmoother(self.settings.smoothing, self.settings.view.min_score)
        self._gauge = StatureGauge()
        self._counter = RepCounter(drill.thresholds)
        self.scene = SceneModel()
        self._facing: deque[int] = deque(maxlen=FACING_VOTES)
        self.reps: list[Rep] = []
        self.frames = 0
        self.person_frames = 0
        self._last_t: float | None = None

    @property
    def facing(self) -> int:
        votes = Counter(v for v in self._facing if v != 0)
        return votes.most_common(1)[0][0] if votes else 0

    def update(self, pose: Pose, image: np.ndarray | None = None, image_scale: float = 1.0) -> CoachUpdate:
        """One frame's pose (and, for the back's outline, its image at `image_scale` source px per px)."""
        if self._last_t is not None and pose.t <= self._last_t:
            if pose.t > self._last_t - NEW_STREAM_JUMP_S:
                log.debug("frame at %.3f s is not after %.3f s: skipped", pose.t, self._last_t)
                nobody = _nobody(pose)
                return CoachUpdate(nobody, None, guidance_for(nobody))
            # The clock went far back: a new stream (a source reopened). Keep the reps, start afresh.
            log.info("frame times restarted (%.1f s after %.1f s): rep in progress dropped", pose.t, self._last_t)
            self._smoother.reset()
            self._gauge.reset()
            self._counter.reset()
        self._last_t = pose.t
        self.frames += 1
        keypoints = np.nan_to_num(np.asarray(pose.keypoints, dtype=np.float64), nan=0.0)
        person = bool(pose.person) and bool(np.isfinite(pose.keypoints).all())
        if image is not None:
            self.scene.update(pose.t, image, person)
        if not person:
            self._smoother.reset()
            self._counter.reset()
            posture = measure(pose.t, keypoints, pose.size, False, 0, self.settings.view)
            return CoachUpdate(posture, None, guidance_for(posture))
        self.person_frames += 1
        smooth = self._smoother(pose.t, keypoints, float(pose.size[1]))
        self._facing.append(facing_of(smooth, self.settings.view.min_score))
        posture = measure(pose.t, smooth, pose.size, True, self.facing, self.settings.view)
        depth = self._gauge(posture)
        curve = None
        if (
            self.settings.read_back_outline
            and image is not None
            and posture.side_on
            and depth is not None
            and depth >= BACK_READ_FROM * self.drill.thresholds.bottom_drop
            and posture.shoulder
            and posture.hip
        ):
            sh = (posture.shoulder[0] / image_scale, posture.shoulder[1] / image_scale)
            hp = (posture.hip[0] / image_scale, posture.hip[1] / image_scale)
            reading = read_back(image, sh, hp, posture.facing, self.scene.background, self.settings.back)
            curve = reading.curve if reading else None
        counted, closed = self._counter.update(Sample(posture, depth, curve, self._gauge.standing()))
        events = self._closed(closed) + self._counted(counted)
        return CoachUpdate(posture, depth, guidance_for(posture), events)

    def finish(self) -> tuple[Event, ...]:
        """The set or stream ended: settle the last rep's lockout. A rep still rising is no rep."""
        return self._closed(self._counter.finish())

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
        )
        self.reps.append(rep)
        log.info("rep %d of %s at %.2f s: %s", rep.index, self.drill.id, rep.end_s, ", ".join(rep.faults) or "good")
        return (Event("rep", rep),)

    def _closed(self, window: RepWindow | None) -> tuple[Event, ...]:
        if window is None or not self.reps:
            return ()
        rep = self.reps[-1]
        faults, metrics = judge_top(window, self.drill)
        if not rep.judged:  # a rep the view could not judge gains no fault at its top either
            faults = ()
        added = tuple(f for f in faults if f not in rep.faults)
        rep = Rep(
            rep.index, rep.start_s, rep.bottom_s, rep.end_s, rep.faults + added, {**rep.metrics, **metrics}, rep.judged
        )
        self.reps[-1] = rep
        for fault in added:
            log.info("fault %s on rep %d of %s", fault, rep.index, self.drill.id)
        return tuple(Event("fault", rep, f) for f in added)

    def report(self) -> dict:
        """The set as one JSON-ready object (the schema of `station analyze --json`)."""
        return {
            "drill": self.drill.id,
            "reps": len(self.reps),
            "rep_list": [r.to_json() for r in self.reps],
            "frames": self.frames,
            "person_frames": self.person_frames,
        }


def _nobody(pose: Pose) -> Posture:
    return measure(pose.t, np.zeros((17, 3)), pose.size, False, 0)
