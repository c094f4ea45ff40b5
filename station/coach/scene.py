"""The empty scene, learnt while nobody stands in front of a fixed kiosk camera.

The back-outline reader finds the body's edge far more reliably against the known empty room
than against a guess of it. The scene is a running average of frames with no person in them,
ready once it has seen enough of them; a camera that is moved relearns it the same way.
"""

from __future__ import annotations

import numpy as np


class SceneModel:
    def __init__(self, learn_s: float = 1.0, rate: float = 0.05) -> None:
        self.learn_s = learn_s
        self.rate = rate
        self._mean: np.ndarray | None = None
        self._empty_since: float | None = None
        self._learnt_s = 0.0
        self._last_t: float | None = None

    def update(self, t: float, image: np.ndarray, person: bool) -> None:
        """Fold in a frame taken at `t` when nobody is in it."""
        dt = 0.0 if self._last_t is None else max(0.0, t - self._last_t)
        self._last_t = t
        if person:
            self._empty_since = None
            return
        if self._mean is None or self._mean.shape != image.shape:
            self._mean, self._learnt_s = image.astype(np.float32), 0.0
        else:
            self._mean += self.rate * (image.astype(np.float32) - self._mean)
            self._learnt_s += dt

    @property
    def background(self) -> np.ndarray | None:
        """The empty scene, or None until it has been watched for `learn_s` seconds."""
        if self._mean is None or self._learnt_s < self.learn_s:
            return None
        return self._mean.astype(np.uint8)
