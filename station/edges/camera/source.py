"""The one interface every frame source offers: a frame, and a source of them (`pick.open_source` picks one)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from station.errors import StationError


@dataclass(frozen=True, eq=False)
class Frame:
    """One picture to analyse.

    `rgb` is the (possibly reduced) image the pose stage reads; `scale` maps its pixels back
    to source pixels, so keypoints are reported at the camera's or clip's own resolution.
    `truth` carries known keypoints (source pixels, 17x3) from the synthetic athlete, which
    bypasses the pose model. `display` is a larger image for the screen, when the source has one.
    """

    rgb: np.ndarray
    t: float
    index: int
    scale: float = 1.0
    truth: np.ndarray | None = None
    display: np.ndarray | None = field(default=None, repr=False)

    @property
    def source_size(self) -> tuple[int, int]:
        """(width, height) of the original image in pixels."""
        h, w = self.rgb.shape[:2]
        return round(w * self.scale), round(h * self.scale)


class FrameSource(Protocol):
    """Something that yields frames with timestamps in seconds from its own clock.

    `live` sources (a camera) drop frames when the pose stage is busy and the newest wins;
    recorded ones (files, the synthetic athlete) never drop a frame, so results repeat.
    """

    name: str
    live: bool

    def frames(self) -> Iterator[Frame]: ...

    def close(self) -> None: ...


class CameraLost(StationError):
    """A live source stopped answering (unplugged, driver reset): the kiosk retries. Here, beside the
    interface, so the pose worker catches it without importing the camera's own adapter."""
