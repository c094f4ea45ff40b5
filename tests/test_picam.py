"""The picamera2 adapter against picamera2's stand-in (`mockcam`): stream set-up, timestamps, failures."""

import sys
import types

import numpy as np
import pytest

from station.edges.camera.mockcam import MockPicamera2
from station.edges.camera.picam import CameraSettings, PicameraSource
from station.edges.camera.source import CameraLost
from station.errors import StationError


@pytest.fixture
def fake_picamera2(monkeypatch):
    """picamera2's stand-in from the package, as the real module: the adapter imports it by name."""
    MockPicamera2.reset()
    monkeypatch.setattr(MockPicamera2, "stamps", [5_000_000_000, 5_033_000_000, 5_066_500_000])
    monkeypatch.setitem(sys.modules, "picamera2", types.SimpleNamespace(Picamera2=MockPicamera2))
    yield MockPicamera2
    MockPicamera2.reset()


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
    monkeypatch.setattr(MockPicamera2, "cameras", [])
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


def test_the_stand_in_runs_the_real_adapter_as_source_camera_mock():
    """`--source camera:mock`: the camera adapter itself (streams, sensor times) on picamera2's stand-in,
    with endless frames 30 a second; a camera list that is empty is the one sentence a Pi gives."""
    from station.edges.camera.pick import open_source

    MockPicamera2.reset()
    try:
        source = open_source("camera:mock", camera=CameraSettings(main_size=(640, 360), lores_size=(320, 180)))
        assert isinstance(source, PicameraSource) and source.live
        frames = [f for _, f in zip(range(40), source.frames(), strict=False)]
        assert len(frames) == 40 and frames[0].rgb.shape == (180, 320, 3) and frames[0].scale == 2.0
        assert np.allclose(np.diff([f.t for f in frames]), 1 / 30, atol=1e-6)
        source.close()
        MockPicamera2.cameras = []
        with pytest.raises(StationError, match="No camera is connected"):
            open_source("camera:mock")
    finally:
        MockPicamera2.reset()
