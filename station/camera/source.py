"""The one interface every frame source offers, and how a `--source` string picks one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from station.errors import StationError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


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


def open_source(spec: str, *, max_side: int = 640, fps: float | None = None, camera: Any = None) -> FrameSource:
    """Turn a `--source` value into a source: camera, synthetic[:DRILL[:FAULT]], a clip, an image,
    or live:CLIP (a clip played as if it were a camera). `camera`: the [camera] settings."""
    if spec == "camera":
        from station.camera.picam import PicameraSource

        return PicameraSource(camera)
    if spec == "synthetic" or spec.startswith("synthetic:"):
        from station.camera.synthetic import SyntheticSource

        return SyntheticSource.from_spec(spec)
    if spec.startswith("live:"):
        from station.camera.replay import ReplaySource

        if not Path(spec[5:]).is_file():
            raise StationError(f"There is no file at {spec[5:]} to play as a camera.")
        return ReplaySource(spec[5:], max_side=max_side)
    path = Path(spec)
    if not path.exists():
        raise StationError(f"There is no file at {spec}: give a video clip, an image, 'camera' or 'synthetic'.")
    if not path.is_file():
        raise StationError(f"{spec} is not a regular file (a folder, a pipe or a device): give a clip or an image.")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        from station.camera.still import StillSource

        return StillSource(path, max_side=max_side)
    from station.camera.video import VideoSource

    return VideoSource(path, max_side=max_side)
