"""Counting reps: down past the bottom, back up past the top, then a look at the lockout.

Depth is how far the shoulders have sunk towards the floor, as a fraction of standing shoulder
height. Unlike an angle in the image, that vertical drop looks the same from the side, from 45
degrees and from the front, so reps count from any of those views. A hinge and a squat both
sink the shoulders; walking away from the camera shrinks the lifter too, so in a side view the
hips must also close before a bottom counts.

Two levels above the bottom, with hysteresis between them:
- top: the lifter is back up, and the rep counts at once (the screen must not wait);
- lockout: full hip extension, looked for from the top until the next descent starts (or the
  set ends). A rep that reaches the top but not lockout keeps its count and gains `no_lockout`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from station.coach.posture import Posture
from station.drills import Thresholds

# Standing straight, shoulders sit about this fraction of torso + thigh + shin above the ankles
# (0.96 to 0.99 measured on every shared clip with a standing frame: a body proportion, not a fit).
STANDING_FRACTION_OF_SEGMENTS = 0.975
# The standing height is this percentile of recent heights: a shrug or an arm wave must not raise it.
STANDING_PERCENTILE = 90.0
# Frames at the top kept as the rep's lead-in: where the hips started from.
LEAD_FRAMES = 8


@dataclass(frozen=True)
class Sample:
    """What the counter and the fault rules see of one frame."""

    posture: Posture
    depth: float | None
    back_curve: float | None = None
    standing: float | None = None  # the standing height the depth was measured against, pixels

    @property
    def t(self) -> float:
        return self.posture.t


class StatureGauge:
    """Depth from stature: 0 standing tall, 1 shoulders on the floor.

    The standing height is the tallest the lifter has stood lately, or (from a side view, where
    limb lengths show true) the sum of torso, thigh and shin: so a set that starts at the bottom
    knows its depth from the first frame.
    """

    def __init__(self, window_s: float = 12.0) -> None:
        self.window_s = window_s
        self._recent: deque[tuple[float, float]] = deque()

    def reset(self) -> None:
        self._recent.clear()

    def standing(self) -> float | None:
        """The lifter's standing shoulder height lately, pixels."""
        if not self._recent:
            return None
        return float(np.percentile([v for _, v in self._recent], STANDING_PERCENTILE))

    def __call__(self, posture: Posture) -> float | None:
        candidates = []
        if posture.stature is not None:
            candidates.append(posture.stature)
        if posture.segments is not None and posture.view == "side":
            candidates.append(posture.segments * STANDING_FRACTION_OF_SEGMENTS)
        if candidates:
            self._recent.append((posture.t, max(candidates)))
        while self._recent and self._recent[0][0] < posture.t - self.window_s:
            self._recent.popleft()
        standing = self.standing()
        if posture.stature is None or standing is None:
            return None
        return min(1.0, max(0.0, 1.0 - posture.stature / standing)) if standing > 0 else None


@dataclass
class RepWindow:
    """The frames of one counted rep, and of the top that followed it."""

    samples: list[Sample]
    started_at_bottom: bool
    top: list[Sample] = field(default_factory=list)
    lead: list[Sample] = field(default_factory=list)  # the lifter standing just before the rep


class RepCounter:
    """Turns samples into counted reps and, later, their lockout windows. Pure and synchronous."""

    def __init__(self, thresholds: Thresholds) -> None:
        self.t = thresholds
        self.reset()

    def reset(self) -> None:
        """Forget any half-done rep (the lifter stepped away, or a new set)."""
        self._phase = "down"  # a stream may start mid-rep: treat it as a descent under way
        self._buffer: list[Sample] = []
        self._bottom = False
        self._fresh = True  # no top seen yet: the first rep may have started at the bottom
        self._pending: RepWindow | None = None
        self._standing: deque[Sample] = deque(maxlen=LEAD_FRAMES)

    @property
    def phase(self) -> str:
        return self._phase

    def _deep_enough(self, depth: float | None, sample: Sample) -> bool:
        if depth is None or depth < self.t.bottom_drop:
            return False
        hip = sample.posture.hip_angle
        return hip is None or hip <= self.t.bottom_hip_angle

    def _reached_bottom_in_hindsight(self, standing: float | None) -> bool:
        """Judge the rep's depth against the standing height known now that the lifter is up.

        A set that starts at the bottom, or a rounded back that shortens the torso, makes the
        early estimate of standing height too low; at the top it is known.
        """
        if standing is None or standing <= 0:
            return False
        return any(
            self._deep_enough(1.0 - s.posture.stature / standing, s)
            for s in self._buffer
            if s.posture.stature is not None
        )

    def update(self, sample: Sample) -> tuple[RepWindow | None, RepWindow | None]:
        """Feed one sample; returns (a rep just counted, a top window just closed), either may be None."""
        counted = closed = None
        depth = sample.depth
        if self._pending is not None:
            # The lockout window stays open until a real descent (half way to the bottom), so a
            # wobble around the top level cannot close it before the lifter has stood tall.
            if depth is not None and depth > (self.t.top_drop + self.t.bottom_drop) / 2.0:
                closed = self._close_top()
            elif depth is None or depth <= self.t.top_drop:
                self._pending.top.append(sample)
        if self._phase == "up":
            if depth is not None and depth > self.t.top_drop:
                self._phase = "down"
                self._buffer = [self._buffer[-1]] if self._buffer else []
                self._bottom = False
            else:
                self._buffer = [sample]
                self._standing.append(sample)
                return counted, closed
        self._buffer.append(sample)
        self._bottom = self._bottom or self._deep_enough(depth, sample)
        if depth is not None and depth <= self.t.top_drop:
            self._bottom = self._bottom or self._reached_bottom_in_hindsight(sample.standing)
            long_enough = self._fresh or (sample.t - self._buffer[0].t) >= self.t.min_rep_s
            if self._bottom and long_enough:
                if self._pending is not None:
                    closed = self._close_top()
                lead = [] if self._fresh else list(self._standing)
                counted = RepWindow(samples=self._buffer, started_at_bottom=self._fresh, top=[sample], lead=lead)
                self._pending = counted
            self._phase = "up"
            self._fresh = False
            self._buffer = [sample]
            self._standing.clear()
            self._standing.append(sample)
            self._bottom = False
        return counted, closed

    def _close_top(self) -> RepWindow | None:
        pending, self._pending = self._pending, None
        return pending

    def finish(self) -> RepWindow | None:
        """The stream ended: close the last rep's top window. A rep still rising is no rep."""
        closed = self._close_top()
        self.reset()
        return closed
