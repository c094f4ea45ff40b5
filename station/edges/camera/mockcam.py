"""A picamera2 stand-in, beside the real adapter the way gpiozero keeps `MockFactory` beside its pin
factories: `--source camera:mock` runs the camera adapter (`PicameraSource`: streams, sensor times,
a camera that vanishes or is plugged in late) on a machine with no Pi camera, and the tests use it.

It answers the few calls the adapter makes, with grey frames; its class attributes are the knobs:
which cameras are listed, the sensor's timestamps, and after how many frames it fails.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

FRAME_NS = 33_333_333  # 30 frames a second, when no timestamps are given


class MockRequest:
    """One captured request: a grey main (RGB) and lores (YUV420) image and the sensor's timestamp."""

    def __init__(self, stamp_ns: int, main: tuple[int, int], lores: tuple[int, int]) -> None:
        self.stamp, self.main, self.lores, self.released = stamp_ns, main, lores, False

    def make_array(self, name: str) -> np.ndarray:
        if name == "main":
            return np.zeros((self.main[1], self.main[0], 3), np.uint8)
        w, h = self.lores
        return np.full((h * 3 // 2, w), 128, np.uint8)  # YUV420: the Y plane, then U and V

    def get_metadata(self) -> dict[str, int]:
        return {"SensorTimestamp": self.stamp}

    def release(self) -> None:
        self.released = True


class MockPicamera2:
    """`picamera2.Picamera2`, as far as the adapter uses it."""

    cameras: ClassVar[list[dict[str, Any]]] = [{"Model": "mock"}]  # what libcamera lists; empty: no camera
    stamps: ClassVar[list[int] | None] = None  # the sensor's timestamps (ns); None: 30 a second, for ever
    fail_after: ClassVar[int | None] = None  # capture fails after this many frames (the cable pulled)
    instances: ClassVar[list[MockPicamera2]] = []  # every camera opened, newest last

    def __init__(self) -> None:
        if not self.cameras:
            raise IndexError("list index out of range")  # what picamera2 raises with no camera attached
        self.config_kwargs: dict[str, Any] = {}
        self.configured: Any = None
        self.started = self.closed = False
        self.requests: list[MockRequest] = []
        MockPicamera2.instances.append(self)

    @classmethod
    def global_camera_info(cls) -> list[dict[str, Any]]:
        return list(cls.cameras)

    @classmethod
    def reset(cls) -> None:
        """Back to one camera, endless frames, nothing opened: a test starts from here."""
        cls.cameras, cls.stamps, cls.fail_after, cls.instances = [{"Model": "mock"}], None, None, []

    def create_video_configuration(self, **kwargs: Any) -> dict[str, Any]:
        self.config_kwargs = kwargs
        return {"video": kwargs}

    def configure(self, config: Any) -> None:
        self.configured = config

    def start(self) -> None:
        self.started = True

    def capture_request(self) -> MockRequest:
        i = len(self.requests)
        if self.fail_after is not None and i >= self.fail_after:
            raise RuntimeError("Camera frontend has timed out!")
        if self.stamps is not None and i >= len(self.stamps):
            raise TimeoutError("no more frames")
        stamp = self.stamps[i] if self.stamps is not None else 5_000_000_000 + i * FRAME_NS
        request = MockRequest(stamp, self.config_kwargs["main"]["size"], self.config_kwargs["lores"]["size"])
        self.requests.append(request)
        return request

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        self.closed = True
