"""The picamera2 adapter against a fake picamera2 module: stream set-up, timestamps, failures."""

import sys
import types
from typing import ClassVar

import numpy as np
import pytest

from station.edges.camera.picam import CameraSettings, PicameraSource
from station.edges.camera.source import CameraLost
from station.errors import StationError


class FakeRequest:
    def __init__(self, stamp_ns: int, main: tuple[int, int], lores: tuple[int, int]) -> None:
        self.stamp, self.main, self.lores, self.released = stamp_ns, main, lores, False

    def make_array(self, name: str) -> np.ndarray:
        if name == "main":
            return np.zeros((self.main[1], self.main[0], 3), np.uint8)
        w, h = self.lores
        return np.full((h * 3 // 2, w), 128, np.uint8)  # YUV420: Y plane then U and V

    def get_metadata(self) -> dict:
        return {"SensorTimestamp": self.stamp}

    def release(self) -> None:
        self.released = True


class FakePicamera2:
    instances: ClassVar[list["FakePicamera2"]] = []
    stamps: ClassVar[list[int]] = [5_000_000_000, 5_033_000_000, 5_066_500_000]
    fail_after: int | None = None

    def __init__(self) -> None:
        self.config_kwargs: dict = {}
        self.started = self.closed = False
        self.requests: list[FakeRequest] = []
        FakePicamera2.instances.append(self)

    def create_video_configuration(self, **kwargs):
        self.config_kwargs = kwargs
        return {"video": kwargs}

    def configure(self, config) -> None:
        self.configured = config

    def start(self) -> None:
        self.started = True

    def capture_request(self) -> FakeRequest:
        i = len(self.requests)
        if self.fail_after is not None and i >= self.fail_after:
            raise RuntimeError("Camera frontend has timed out!")
        if i >= len(self.stamps):
            raise TimeoutError("no more frames")
        request = FakeRequest(self.stamps[i], self.config_kwargs["main"]["size"], self.config_kwargs["lores"]["size"])
        self.requests.append(request)
        return request

    def stop(self) -> None:
        self.started = False

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_picamera2(monkeypatch):
    FakePicamera2.instances = []
    FakePicamera2.fail_after = None
    monkeypatch.setitem(sys.modules, "picamera2", types.SimpleNamespace(Picamera2=FakePicamera2))
    return FakePicamera2


def test_streams_are_a_small_yuv_lores_and_an_rgb_main(fake_picamera2):
    settings = CameraSettings(main_size=(1280, 720), lores_size=(512, 288), fps=30)
    PicameraSource(settings)
    kwargs = fake_picamera2.instances[0].config_kwargs
    assert kwargs["main"] == {"size": (1280, 720), "format": "BGR888"}
    assert kwargs["lores"] == {"size": (512, 288), "format": "YUV420"}
    assert kwargs["controls"]["FrameDurationLimits"] == (33333, 33333)


def test_frames_carry_sensor_time_and_map_to_main_pixels(fake_picamera2):
    source = PicameraSource(CameraSettings(main_size=(1280, 720), lores_size=(512, 288)))
    frames = []
    with pytest.raises(CameraLost):
        for frame in source.frames():
            frames.append(frame)
    assert [round(f.t, 4) for f in frames] == [5.0, 5.033, 5.0665]  # the sensor's own clock
    assert frames[0].rgb.shape == (288, 512, 3)
    assert frames[0].display.shape == (720, 1280, 3)
    assert frames[0].source_size == (1280, 720)
    assert all(r.released for r in fake_picamera2.instances[0].requests)
    source.close()
    assert fake_picamera2.instances[0].closed


def test_a_camera_that_vanishes_raises_camera_lost(fake_picamera2):
    fake_picamera2.fail_after = 1
    source = PicameraSource()
    it = source.frames()
    next(it)
    with pytest.raises(CameraLost, match="stopped sending frames"):
        next(it)


def test_without_picamera2_the_message_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)
    with pytest.raises(StationError, match="python3-picamera2"):
        PicameraSource()


def test_no_camera_listed_is_one_sentence_before_opening(fake_picamera2, monkeypatch):
    monkeypatch.setattr(FakePicamera2, "global_camera_info", staticmethod(lambda: []), raising=False)
    with pytest.raises(StationError, match="No camera is connected"):
        PicameraSource()
    assert fake_picamera2.instances == []  # asked the camera list, opened nothing


def test_the_configured_camera_settings_reach_picamera2(fake_picamera2, monkeypatch):
    from station.config import parse
    from station.edges.camera.pick import open_source

    config = parse({"camera": {"main_size": [1920, 1080], "lores_size": [640, 360], "fps": 25.0, "hflip": True}})
    libcamera = types.SimpleNamespace(Transform=lambda **kw: ("Transform", kw))
    monkeypatch.setitem(sys.modules, "libcamera", libcamera)
    open_source("camera", camera=config.camera)
    kwargs = fake_picamera2.instances[0].config_kwargs
    assert kwargs["main"]["size"] == (1920, 1080) and kwargs["lores"]["size"] == (640, 360)
    assert kwargs["controls"]["FrameDurationLimits"] == (40000, 40000)
    assert kwargs["transform"] == ("Transform", {"hflip": 1})
