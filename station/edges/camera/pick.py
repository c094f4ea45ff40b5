"""How a `--source` string picks a frame source: its own module, so the interface (`source`) that every
source imports does not import every source back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from station.edges.camera.source import FrameSource
from station.errors import StationError

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}
CAMERAS = ("camera", "camera:mock")  # live cameras: the pose worker opens them, and retries


def open_source(spec: str, *, max_side: int = 640, fps: float | None = None, camera: Any = None) -> FrameSource:
    """Turn a `--source` value into a source: camera, camera:mock (the camera adapter on picamera2's
    stand-in), synthetic[:DRILL[:FAULT]], a clip, an image, or live:CLIP (a clip played as if it were
    a camera). `camera`: the [camera] settings."""
    if spec in CAMERAS:
        from station.edges.camera.picam import PicameraSource

        if spec == "camera:mock":
            from station.edges.camera.mockcam import MockPicamera2

            return PicameraSource(camera, MockPicamera2)
        return PicameraSource(camera)
    if spec == "synthetic" or spec.startswith("synthetic:"):
        from station.edges.camera.synthetic import SyntheticSource

        return SyntheticSource.from_spec(spec)
    if spec.startswith("live:"):
        from station.edges.camera.replay import ReplaySource

        if not Path(spec[5:]).is_file():
            raise StationError(f"There is no file at {spec[5:]} to play as a camera.")
        return ReplaySource(spec[5:], max_side=max_side)
    path = Path(spec)
    if not path.exists():
        raise StationError(f"There is no file at {spec}: give a video clip, an image, 'camera' or 'synthetic'.")
    if not path.is_file():
        raise StationError(f"{spec} is not a regular file (a folder, a pipe or a device): give a clip or an image.")
    if path.suffix.lower() in IMAGE_SUFFIXES:
        from station.edges.camera.still import StillSource

        return StillSource(path, max_side=max_side)
    from station.edges.camera.video import VideoSource

    return VideoSource(path, max_side=max_side)
