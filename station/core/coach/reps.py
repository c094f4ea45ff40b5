"""Counting reps: down past the bottom, back up past the top, then a look at the lockout.

Depth is how far the shoulders have sunk towards the floor, as a fraction of standing shoulder
height. Unlike an angle in the image, that vertical drop looks the same from the side, from 45
degrees and from the front, so reps count from any of those views. Two things sink the shoulders
in the image without a hinge, and each has a gate a coach would recognise:
- walking away from the camera shrinks the whole lifter: a bottom also needs the shoulders to sink
  against the lifter's own shins (a scale the body carries with it), and, where the view shows
  angles, the hips to close;
- standing up after putting the bell down: a swing's rep needs the bell to float (the hands rise
  to the chest), so the rise after parking it is no rep.

Two levels above the bottom, with hysteresis between them:
- top: the lifter is back up, and the rep counts at once (the screen must not wait);
- lockout: full hip extension, looked for from the top until the next descent starts (or the
  set ends). A rep that reaches the top but not lockout keeps its count and gains `no_lockout`.
A stream may start with the lifter at the bottom, before any standing height is known: until the
first top, the counter keeps the last few seconds and judges them once the lifter stands still.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from station.core.coach.posture import Posture
from station.core.drills import Thresholds

# Standing straight, shoulders sit about this fraction of torso + thigh + shin above the ankles
# (0.96 to 0.99 measured on every shared clip with a standing frame: a body proportion, not a fit).
STANDING_FRACTION_OF_SEGMENTS = 0.975
# The standing height is this percentile of recent heights: a shrug or an arm wave must not raise it.
STANDING_PERCENTILE = 90.0
# Frames at the top kept as the rep's lead-in: where the hips started from.
LEAD_FRAMES = 8
# A bottom needs the shoulders to sink against the shins by at least this share of the drill's
# bottom depth too. Lenient on purpose (a shin tilting towards the camera looks shorter): it only
# has to tell a hinge from a lifter who shrinks because they walk away.
SCALE_GATE = 0.5
# Before the stream's first top: how far back a start at the bottom is looked for, and when the
# lifter counts as standing still (shoulders risen less than this share over `STILL_S`).
FRESH_LOOKBACK_S = 4.0
STILL_S = 0.3
STILL_RISE = 0.015
SETTLE_S = 0.1  # at the stream's end, a rise that levelled over this long has finished
# Standing tall, side-on: hips and knees this open. Where such frames exist, the standing height is
# measured on them, not estimated from limb lengths (the estimate ran 7% tall on a lifter holding
# dumbbells, so she never got back "up").
UPRIGHT_HIP = 165.0
UPRIGHT_KNEE = 160.0
KNEES_KEPT_BELOW = 0.02  # depth under which a frame counts as standing, for the knees' standing height


@dataclass(frozen=True)
class Sample:
    """What the counter and the fault rules see of one frame."""

    posture: Posture
    depth: float | None
    back_curve: float | None = None
    standing: float | None = None  # the standing height the depth was measured against, pixels
    depth_rel: float | None = None  # depth against the lifter's shins (no pixels: walking does not change it)
    standing_ratio: float | None = None  # standing height over shin length, what depth_rel was measured against
    standing_knee: float | None = None  # shoulders above knees standing, pixels (depth with the feet cut off)

    @property
    def t(self) -> float:
        return self.posture.t


class StatureGauge:
    """Depth from stature: 0 standing tall, 1 shoulders on the floor.

    The standing height is the tallest the lifter has stood lately, or (from a side view, where
    limb lengths show true) the sum of torso, thigh and shin: so a set that starts at the bottom
    knows its depth from the first frame. It also keeps the lifter's torso length as seen standing
    (how wide the body looks against it tells the view) and the standing height in shin lengths.
    """

    def __init__(self, window_s: float = 12.0) -> None:
        self.window_s = window_s
        self._recent: deque[tuple[float, float]] = deque()
        self._upright: deque[tuple[float, float]] = deque()  # statures measured standing tall
        self._knees: deque[tuple[float, float]] = deque()
        self._torsos: deque[tuple[float, float]] = deque()
        self._ratios: deque[tuple[float, float]] = deque()
        self._shins: deque[tuple[float, float]] = deque()
        self._cache: dict[int, float] = {}

    def reset(self) -> None:
        self._recent.clear()
        self._upright.clear()
        self._knees.clear()
        self._torsos.clear()
        self._ratios.clear()
        self._shins.clear()
        self._cache.clear()

    def _top(self, values: deque[tuple[float, float]]) -> float | None:
        """The 90th percentile of a window, worked out once per change of the window."""
        if not values:
            return None
        key = id(values)
        if key not in self._cache:
            self._cache[key] = _percentile(np.fromiter((v for _, v in values), float, len(values)), STANDING_PERCENTILE)
        return self._cache[key]

    def standing(self) -> float | None:
        """The lifter's standing shoulder height lately, pixels: measured standing tall where they have."""
        return self._top(self._upright) if self._upright else self._top(self._recent)

    def standing_knee(self) -> float | None:
        """The lifter's shoulders above the knees, standing, lately, pixels."""
        return self._top(self._knees)

    def torso(self) -> float | None:
        """The lifter's torso length as seen standing lately, pixels."""
        return self._top(self._torsos)

    def shin(self) -> float | None:
        """The lifter's shin length lately (median), pixels."""
        return float(np.median([v for _, v in self._shins])) if self._shins else None

    def standing_ratio(self) -> float | None:
        """Standing shoulder height over shin length lately."""
        return self._top(self._ratios)

    def _add(self, values: deque[tuple[float, float]], t: float, value: float | None) -> None:
        if value is not None:
            values.append((t, value))
        while values and values[0][0] < t - self.window_s:
            values.popleft()
        self._cache.pop(id(values), None)

    def observe_torso(self, t: float, torso: float | None) -> float | None:
        self._add(self._torsos, t, torso)
        return self.torso()

    def __call__(self, posture: Posture) -> tuple[float | None, float | None]:
        """(depth against standing height, depth against the shins) of one frame."""
        candidates = []
        if posture.stature is not None:
            candidates.append(posture.stature)
        if posture.segments is not None:
            candidates.append(posture.segments * STANDING_FRACTION_OF_SEGMENTS)
        self._add(self._recent, posture.t, max(candidates) if candidates else None)
        upright = (
            posture.hip_angle is not None and posture.hip_angle >= UPRIGHT_HIP
            and posture.knee_angle is not None and posture.knee_angle >= UPRIGHT_KNEE
        )  # fmt: skip
        self._add(self._upright, posture.t, posture.stature if upright else None)
        ratio = posture.stature / posture.shin_length if posture.stature and posture.shin_length else None
        self._add(self._ratios, posture.t, ratio)
        self._add(self._shins, posture.t, posture.shin_length)
        depth, rel = depth_against(posture, self.standing(), self.standing_ratio(), self.standing_knee())
        # The knees' height is kept only from frames known to be standing, so it never stands in for
        # a height the lifter has not shown (a set that starts at the bottom).
        standing = upright or (depth is not None and posture.stature is not None and depth <= KNEES_KEPT_BELOW)
        self._add(self._knees, posture.t, posture.knee_height if standing else None)
        return depth, rel


def _percentile(values: np.ndarray, q: float) -> float:
    """np.percentile's linear interpolation, from a partial sort (a frame's budget on a Pi is small)."""
    rank = q / 100.0 * (len(values) - 1)
    low = int(rank)
    high = min(low + 1, len(values) - 1)
    part = np.partition(values, (low, high))
    return float(part[low] + (rank - low) * (part[high] - part[low]))


def depth_against(
    posture: Posture, standing: float | None, ratio: float | None, standing_knee: float | None = None
) -> tuple[float | None, float | None]:
    """A frame's depth against a standing height (pixels) and a standing height in shin lengths.

    With the feet out of frame (a low camera, a lifter stepping closer) the shoulders' drop is read
    against the knees instead, still as a share of the standing height: the knees barely sink in a hinge.
    """
    if posture.stature is None:
        if posture.knee_height is not None and standing_knee and standing:
            return min(1.0, max(0.0, (standing_knee - posture.knee_height) / standing)), None
        return None, None
    depth = min(1.0, max(0.0, 1.0 - posture.stature / standing)) if standing else None
    rel = None
    if ratio and posture.shin_length:
        rel = min(1.0, max(0.0, 1.0 - posture.stature / posture.shin_length / ratio))
    return depth, rel


@dataclass
class RepWindow:
    """The frames of one counted rep, and of the top that followed it."""

    samples: list[Sample]
    started_at_bottom: bool
    top: list[Sample] = field(default_factory=list)
    lead: list[Sample] = field(default_factory=list)  # the lifter standing just before the rep


class RepCounter:
    """Turns samples into counted reps and, later, their lockout windows. Pure and synchronous.

    `needs_float`: the drill's top is a float (a swing): a rep counts only once the hands rise to
    `thresholds.min_float`, and a rise without it (standing up after parking the bell) is no rep.
    """

    def __init__(self, thresholds: Thresholds, needs_float: bool = False) -> None:
        self.t = thresholds
        self.needs_float = needs_float
        self.reset()

    def reset(self) -> None:
        """Forget any half-done rep (the lifter stepped away, or a new set)."""
        self._phase = "down"  # a stream may start mid-rep: treat it as a descent under way
        self._buffer: list[Sample] = []
        self._bottom = False
        self._bottom_seen_live = False  # the bottom was measured as it happened, not only in hindsight
        self._fresh = True  # no top seen yet: the first rep may have started at the bottom
        self._pending: RepWindow | None = None
        self._awaiting: RepWindow | None = None  # a swing at its top, waiting for the bell to float
        self._standing: deque[Sample] = deque(maxlen=LEAD_FRAMES)

    @property
    def phase(self) -> str:
        return self._phase

    def _deep_enough(self, depth: float | None, depth_rel: float | None, sample: Sample) -> bool:
        if depth is None or depth < self.t.bottom_drop:
            return False
        if depth_rel is not None and depth_rel < SCALE_GATE * self.t.bottom_drop:
            return False
        hip = sample.posture.hip_angle
        return hip is None or hip <= self.t.bottom_hip_angle

    def _reached_bottom_in_hindsight(self, now: Sample) -> bool:
        """Judge the rep's depth against the standing height known now that the lifter is up.

        A set that starts at the bottom, or a rounded back that shortens the torso, makes the
        early estimate of standing height too low; at the top it is known.
        """
        if not now.standing:
            return False
        for s in self._buffer:
            depth, rel = depth_against(s.posture, now.standing, now.standing_ratio, now.standing_knee)
            if self._deep_enough(depth, rel, s):
                return True
        return False

    def _still(self, sample: Sample) -> bool:
        """The lifter has stopped rising: the shoulders gained little over the last moment."""
        if sample.posture.stature is None:
            return False
        before = [s.posture.stature for s in self._buffer if s.t <= sample.t - STILL_S and s.posture.stature]
        return bool(before) and sample.posture.stature <= before[-1] * (1.0 + STILL_RISE)

    def _floated(self, samples: list[Sample]) -> bool:
        return any(s.posture.hands_up is not None and s.posture.hands_up >= self.t.min_float for s in samples)

    def update(self, sample: Sample) -> tuple[RepWindow | None, RepWindow | None]:
        """Feed one sample; returns (a rep just counted, a top window just closed), either may be None."""
        counted = closed = None
        depth = sample.depth
        descending = depth is not None and depth > (self.t.top_drop + self.t.bottom_drop) / 2.0
        if self._awaiting is not None:
            if descending:
                self._awaiting = None  # back down without a float: that was no swing
            else:
                self._awaiting.top.append(sample)
                if self._floated([sample]):
                    closed = self._close_top()
                    counted, self._pending, self._awaiting = self._awaiting, self._awaiting, None
        if self._pending is not None and counted is None:
            # The lockout window stays open until a real descent (half way to the bottom), so a
            # wobble around the top level cannot close it before the lifter has stood tall.
            if descending:
                closed = self._close_top()
            elif depth is None or depth <= self.t.top_drop:
                self._pending.top.append(sample)
        if self._phase == "up":
            if depth is not None and depth > self.t.top_drop:
                self._phase = "down"
                self._buffer = [self._buffer[-1]] if self._buffer else []
                self._bottom = self._bottom_seen_live = False
            else:
                self._buffer = [sample]
                self._standing.append(sample)
                return counted, closed
        if self._fresh:
            if depth is not None and depth > self.t.top_drop and self._buffer and self._at_top(self._buffer[-1]):
                # A descent from a standing start: the stream's first top is behind us.
                self._fresh, self._buffer = False, [self._buffer[-1]]
            else:
                self._buffer = [s for s in self._buffer if s.t >= sample.t - FRESH_LOOKBACK_S]
        self._buffer.append(sample)
        if self._deep_enough(depth, sample.depth_rel, sample):
            self._bottom = self._bottom_seen_live = True
        if not self._at_top(sample):
            return counted, closed
        self._bottom = self._bottom or self._reached_bottom_in_hindsight(sample)
        # Before the first top the standing height is known only once the lifter stops rising,
        # unless the view shows the limbs' true lengths (side-on), which tell it from the start.
        known = self._bottom_seen_live or sample.posture.segments is not None or self._still(sample)
        if self._fresh and not (self._bottom and known):
            return counted, closed  # still looking for the stream's first top
        long_enough = self._fresh or (sample.t - self._buffer[0].t) >= self.t.min_rep_s
        if self._bottom and long_enough:
            lead = [] if self._fresh else list(self._standing)
            window = RepWindow(samples=self._buffer, started_at_bottom=self._fresh, top=[sample], lead=lead)
            if self.needs_float and not self._floated([*self._buffer[-3:], sample]):
                self._awaiting = window
            else:
                if self._pending is not None:
                    closed = self._close_top()
                counted, self._pending = window, window
        self._phase = "up"
        self._fresh = False
        self._buffer = [sample]
        self._standing.clear()
        self._standing.append(sample)
        self._bottom = self._bottom_seen_live = False
        return counted, closed

    def _at_top(self, sample: Sample) -> bool:
        return sample.depth is not None and sample.depth <= self.t.top_drop

    def _close_top(self) -> RepWindow | None:
        pending, self._pending = self._pending, None
        return pending

    def settle(self) -> RepWindow | None:
        """The stream is ending: a set that started at the bottom and ended soon after its one lockout
        counts that rep, if the lifter had stopped rising (hips open, or the shoulders level over the
        last moment). Before the end the counter waits for the lifter to stand still to be sure of
        the standing height; at the end there is no more to wait for. Call before `finish`."""
        if not self._fresh or not self._buffer:
            return None
        last = self._buffer[-1]
        if not self._at_top(last) or not self._reached_bottom_in_hindsight(last):
            return None
        hip = last.posture.hip_angle
        risen = [s.posture.stature for s in self._buffer if s.t >= last.t - SETTLE_S and s.posture.stature]
        levelled = len(risen) >= 2 and risen[-1] <= risen[0] * (1.0 + STILL_RISE)
        if not ((hip is not None and hip >= self.t.lockout_hip_angle) or (hip is None and levelled)):
            return None
        if self.needs_float and not self._floated(self._buffer[-3:]):
            return None
        window = RepWindow(samples=self._buffer, started_at_bottom=True, top=[last])
        self._pending, self._buffer, self._fresh = window, [last], False
        return window

    def finish(self) -> RepWindow | None:
        """The stream ended: close the last rep's top window. A rep still rising is no rep."""
        closed = self._close_top()
        self.reset()
        return closed
