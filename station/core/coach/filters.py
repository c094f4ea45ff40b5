"""Jitter removal without lag: the One Euro filter, on timestamps, for all keypoints at once.

A low-pass filter whose cut-off rises with speed: still joints are smoothed hard (MoveNet jitters
by several pixels), moving joints follow closely (a swing's snap must not arrive late).
Casiez, Roussel and Vogel, "1 Euro Filter", CHI 2012.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SmoothingSettings:
    """The [smoothing] table of the config file. Positions are in body heights, so `beta` is scale-free."""

    min_cutoff_hz: float = 1.5
    beta: float = 2.0
    derivative_cutoff_hz: float = 1.0
    hold_s: float = 0.3  # how long a keypoint the model lost keeps its last place


def _alpha(cutoff_hz: np.ndarray | float, dt: float) -> np.ndarray | float:
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff_hz))
    return 1.0 / (1.0 + tau / dt)


class OneEuroFilter:
    """One Euro filter over an array of values that share timestamps."""

    def __init__(self, min_cutoff_hz: float, beta: float, derivative_cutoff_hz: float) -> None:
        self.min_cutoff_hz, self.beta, self.derivative_cutoff_hz = min_cutoff_hz, beta, derivative_cutoff_hz
        self._t: float | None = None
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    def reset(self) -> None:
        self._t = self._x = self._dx = None

    def __call__(self, t: float, x: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
        """Filter `x` taken at time `t` (seconds); entries where `valid` is false keep their last value."""
        x = np.asarray(x, dtype=np.float64)
        if self._x is None or self._t is None or t <= self._t:
            if self._x is None or self._t is None:
                self._t, self._x, self._dx = t, x.copy(), np.zeros_like(x)
                return self._x.copy()
            return self._x.copy()  # a repeated or out-of-order time changes nothing
        dt = t - self._t
        self._t = t
        assert self._dx is not None
        dx = (x - self._x) / dt
        dx_hat = self._dx + _alpha(self.derivative_cutoff_hz, dt) * (dx - self._dx)
        cutoff = self.min_cutoff_hz + self.beta * np.abs(dx_hat)
        x_hat = self._x + _alpha(cutoff, dt) * (x - self._x)
        if valid is not None:
            x_hat = np.where(valid, x_hat, self._x)
            dx_hat = np.where(valid, dx_hat, self._dx)
        self._x, self._dx = x_hat, dx_hat
        return x_hat.copy()


class KeypointSmoother:
    """Smooths 17 keypoints; a keypoint the model loses holds its place for a moment, then drops out.

    Positions are filtered in units of the frame height so the settings mean the same on any camera.
    Returns keypoints in the same layout (x, y, score), with score 0 for keypoints that are gone.
    """

    def __init__(self, settings: SmoothingSettings | None = None, min_score: float = 0.3) -> None:
        self.settings = settings or SmoothingSettings()
        self.min_score = min_score
        s = self.settings
        self._filter = OneEuroFilter(s.min_cutoff_hz, s.beta, s.derivative_cutoff_hz)
        self._last_seen = np.full(17, -np.inf)
        self._scores = np.zeros(17)

    def reset(self) -> None:
        self._filter.reset()
        self._last_seen[:] = -np.inf

    def __call__(self, t: float, keypoints: np.ndarray, frame_height: float) -> np.ndarray:
        seen = np.nan_to_num(keypoints[:, 2], nan=0.0) >= self.min_score
        xy = np.nan_to_num(keypoints[:, :2], nan=0.0) / frame_height
        fresh = ~np.isfinite(self._last_seen)
        # A keypoint seen for the first time starts from where it is, not from the origin.
        if self._filter._x is not None and fresh.any():
            start = self._filter._x.reshape(17, 2)
            start[fresh & seen] = xy[fresh & seen]
        smoothed = self._filter(t, xy.reshape(-1), np.repeat(seen, 2)).reshape(17, 2)
        self._last_seen[seen] = t
        self._scores = np.where(seen, keypoints[:, 2], self._scores)
        alive = (t - self._last_seen) <= self.settings.hold_s
        out = np.empty((17, 3))
        out[:, :2] = smoothed * frame_height
        out[:, 2] = np.where(alive, self._scores, 0.0)
        return out
