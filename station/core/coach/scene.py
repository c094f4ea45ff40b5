"""The scene behind the lifter, learnt by a fixed camera from what it sees around them.

The back-outline reader finds the body's edge far more reliably against the known room than
against a guess of it. Every frame teaches the scene outside the lifter's box (the whole frame
while nobody is in view), so the room behind the lifter's back at the bottom of a hinge is known
from the moments they stood elsewhere. It lives as long as the camera does: across sets, and
between them. Where the room changes (the light, the camera moved) the learnt pixels stop
agreeing with the frame, and they are learnt again.

Kept at a reduced size (the long side `size` pixels) and updated a few times a second: it
costs well under a millisecond a frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from station.core.pixels import resized


@dataclass(frozen=True)
class SceneSettings:
    size: int = 256  # long side of the learnt scene, pixels
    every_s: float = 0.2  # how often a frame is folded in
    rate: float = 0.1  # how much of a new frame each update takes in
    learn_s: float = 1.0  # a pixel seen this long outside the lifter is known
    steady: float = 12.0  # a known pixel varies less than this (RGB distance, standard deviation)
    changed: float = 30.0  # the known scene differs from the frame by more than this: learn it again
    margin: float = 0.35  # the lifter's box grows by this share of half its larger side past the keypoints


@dataclass(frozen=True)
class SceneView:
    """The learnt scene as the back reader needs it: colours, where they are known, and the scale."""

    image: np.ndarray  # (h, w, 3) uint8, reduced size
    known: np.ndarray  # (h, w) uint8, 255 where the scene is known and steady
    scale: float  # scene pixels per frame pixel


class SceneModel:
    def __init__(self, settings: SceneSettings | None = None) -> None:
        self.settings = settings or SceneSettings()
        self._mean: np.ndarray | None = None
        self._var: np.ndarray | None = None
        self._seen: np.ndarray | None = None
        self._shape: tuple[int, ...] | None = None
        self._last_t: float | None = None
        self.relearnt = 0  # times the whole scene was found changed and learnt again

    def update(self, t: float, image: np.ndarray, box: tuple[float, float, float, float] | None) -> None:
        """Fold in a frame taken at `t`; `box` (x0, y0, x1, y1, frame pixels) is where the lifter is."""
        cfg = self.settings
        if self._last_t is not None and 0.0 <= t - self._last_t < 0.95 * cfg.every_s:
            return
        dt = cfg.every_s if self._last_t is None or t < self._last_t else min(t - self._last_t, 1.0)
        self._last_t = t
        h, w = image.shape[:2]
        scale = cfg.size / max(h, w)
        frame = resized(image, (max(1, round(w * scale)), max(1, round(h * scale)))).astype(np.float32)
        if self._mean is None or self._shape != image.shape:
            self._shape = image.shape
            self._mean = frame.copy()
            self._var = np.full(frame.shape[:2], cfg.steady**2 * 4, np.float32)
            self._seen = np.zeros(frame.shape[:2], np.float32)
        assert self._var is not None and self._seen is not None
        outside = np.ones(frame.shape[:2], np.float32)
        if box is not None:
            x0, y0, x1, y1 = (round(v * scale) for v in box)
            outside[max(0, y0) : max(0, y1), max(0, x0) : max(0, x1)] = 0.0
        delta = frame - self._mean
        # Squared RGB distance, summed in a fixed order: the same bits on every processor.
        diff2 = delta[..., 0] * delta[..., 0] + delta[..., 1] * delta[..., 1] + delta[..., 2] * delta[..., 2]
        known = (outside > 0) & (self._seen >= cfg.learn_s)
        if known.sum() > 0.2 * known.size and float(np.median(diff2[known])) > cfg.changed**2:
            self._seen[:] = 0.0  # the light changed or the camera moved: what was learnt is stale
            self._mean = frame
            self.relearnt += 1
            return
        weight = cfg.rate * outside
        self._mean += weight[..., None] * delta
        self._var += weight * (diff2 - self._var)
        self._seen += dt * outside

    def view(self) -> SceneView | None:
        """The scene as learnt so far, or None while no part of it is known."""
        if self._mean is None or self._seen is None or self._var is None or self._shape is None:
            return None
        known = (self._seen >= self.settings.learn_s) & (self._var <= self.settings.steady**2)
        if not known.any():
            return None
        scale = self._mean.shape[1] / self._shape[1]
        return SceneView(self._mean.astype(np.uint8), known.astype(np.uint8) * 255, scale)


def lifter_box(keypoints: np.ndarray, min_score: float, margin: float, scale: float = 1.0) -> tuple | None:
    """The box around the lifter's trusted keypoints, grown by `margin` times half its larger side
    (frame pixels).

    `keypoints` are in source pixels; `scale` is source pixels per frame pixel.
    """
    ok = keypoints[:, 2] >= min_score
    if ok.sum() < 3:
        return None
    pts = keypoints[ok, :2] / scale
    x0, y0 = pts.min(axis=0)
    x1, y1 = pts.max(axis=0)
    reach = margin * max(x1 - x0, y1 - y0) * 0.5
    return (float(x0 - reach), float(y0 - reach), float(x1 + reach), float(y1 + reach))
