"""The Pi camera through picamera2, imported only when a camera is asked for.

Two streams from one capture: a small `lores` image (YUV420, which every Pi's ISP can give)
for the pose model, and the `main` image for the screen. Keypoints are reported in main-stream
pixels. Times come from the sensor's own timestamp, so a busy CPU does not bend the tempo.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from station.edges.camera.source import CameraLost, Frame
from station.errors import StationError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CameraSettings:
    """The [camera] table of the config file."""

    main_size: tuple[int, int] = (1280, 720)
    lores_size: tuple[int, int] = (512, 288)
    fps: float = 30.0
    hflip: bool = False


def _picamera2_class() -> Any:
    try:
        from picamera2 import Picamera2
    except ImportError as exc:
        raise StationError(
            "No camera support here: picamera2 is missing (on a Pi: `sudo apt install python3-picamera2`, "
            "venv made with --system-site-packages)."
        ) from exc
    return Picamera2


def stream_configuration(camera: Any, settings: CameraSettings) -> Any:
    """A video configuration with an RGB main stream for display and a YUV420 lores stream for inference.

    picamera2 names formats after DRM fourccs, so "BGR888" arrays come out in R, G, B order.
    """
    frame_us = int(1_000_000 / settings.fps)
    kwargs: dict[str, Any] = {
        "main": {"size": tuple(settings.main_size), "format": "BGR888"},
        "lores": {"size": tuple(settings.lores_size), "format": "YUV420"},
        "buffer_count": 4,
        "controls": {"FrameDurationLimits": (frame_us, frame_us)},
    }
    if settings.hflip:
        from libcamera import Transform  # ships with picamera2

        kwargs["transform"] = Transform(hflip=1)
    return camera.create_video_configuration(**kwargs)


class PicameraSource:
    """Live frames from the Pi camera; the newest frame wins when the pose stage falls behind."""

    live = True
    name = "camera"

    def __init__(self, settings: CameraSettings | None = None, library: Any = None) -> None:
        """`library`: the `Picamera2` class to use (default the real one; `mockcam.MockPicamera2` stands in)."""
        self.settings = settings or CameraSettings()
        picamera2 = library or _picamera2_class()
        # Asked the way libcamera counts cameras (a Pi always has /dev/video* codec nodes, camera or not).
        listed = getattr(picamera2, "global_camera_info", None)
        if listed is not None and not listed():
            raise StationError("No camera is connected: check the ribbon cable and `rpicam-hello --list-cameras`.")
        try:
            self._camera = picamera2()
        except (IndexError, RuntimeError) as exc:  # no camera attached, or it is busy
            raise StationError(
                f"No camera was found ({exc}): check the ribbon cable and `rpicam-hello --list-cameras`."
            ) from exc
        self._camera.configure(stream_configuration(self._camera, self.settings))
        self._started = False

    def frames(self) -> Iterator[Frame]:
        if not self._started:
            self._camera.start()
            self._started = True
        index = 0
        main_w = self.settings.main_size[0]
        lores_w = self.settings.lores_size[0]
        while True:
            try:
                request = self._camera.capture_request()
            except Exception as exc:
                raise CameraLost(f"The camera stopped sending frames ({exc}).") from exc
            try:
                main = request.make_array("main")
                lores = request.make_array("lores")
                stamp = int(request.get_metadata().get("SensorTimestamp", 0))
            finally:
                request.release()
            rgb = cv2.cvtColor(lores, cv2.COLOR_YUV2RGB_I420)
            yield Frame(
                # The sensor's clock is the system's monotonic clock: it runs on across a camera
                # that is unplugged and reopened, so a set's times never go backwards.
                rgb=rgb,
                t=stamp / 1e9,
                index=index,
                scale=main_w / lores_w,
                display=np.ascontiguousarray(main),
            )
            index += 1

    def close(self) -> None:
        try:
            if self._started:
                self._camera.stop()
            self._camera.close()
        except Exception as exc:
            log.warning("camera did not close cleanly: %s", exc)
