"""The composition root: a Config becomes the parts, each with its own settings; bad input is one sentence."""

import pytest

from station.compose import RunOptions, analysis, build, screen_sized
from station.config import parse
from station.core.kiosk.state import SET
from station.edges.camera.picam import CameraSettings
from station.edges.display.widgets import CAMERA_BOX
from station.edges.gpio.buttons import Buttons
from station.edges.gpio.leds import NoLeds
from station.edges.sound import Silence
from station.errors import StationError
from tests.helpers import station


def test_the_camera_stream_is_sized_to_its_box_on_screen_keeping_the_aspect():
    wide = CameraSettings(main_size=(1920, 1080))
    assert screen_sized(wide, (1000, 800)).main_size == (1000, 562)
    assert screen_sized(wide, (4000, 4000)).main_size == (1920, 1080)  # never up-scaled by the ISP
    assert screen_sized(wide, (1000, 800)).fps == wide.fps  # the rest of the settings kept


def test_each_adapter_gets_its_own_table_of_the_config(pins, tmp_path):
    config = parse({"buttons": {"select_pin": 5, "start_pin": 6}, "sound": {"enabled": False},
                    "kiosk": {"camera_retry_s": 7.0}, "leds": {"enabled": False}})  # fmt: skip
    options = RunOptions(source="synthetic:rdl", drill="rdl", size=(640, 360), data_folder=tmp_path)
    parts = build(options, config, pins, start_worker=False)
    try:
        assert isinstance(parts.buttons, Buttons) and parts.buttons.select.pin.info.name == "GPIO5"
        assert isinstance(parts.sounds, Silence) and isinstance(parts.leds, NoLeds)
        assert parts.worker._retry_s == 7.0 and parts.keeper.folder == tmp_path
        assert parts.kiosk.state.screen == SET and parts.kiosk.drill.id == "rdl"  # a demo starts its set at once
        box = parts.ui.rect(*CAMERA_BOX)
        assert parts.worker.picture_box == (box.w, box.h)  # the worker scales each frame once, to its box
    finally:
        parts.worker.stop()
        parts.buttons.close()
        parts.keeper.close()


def test_an_unknown_drill_or_a_missing_clip_is_one_sentence_before_any_window(tmp_path):
    with pytest.raises(StationError, match="There is no drill 'squat'"):
        build(RunOptions(source="synthetic:rdl", drill="squat", data_folder=tmp_path), parse({}))
    with pytest.raises(StationError):
        build(RunOptions(source=str(tmp_path / "missing.mp4"), data_folder=tmp_path), parse({}))


@pytest.mark.parametrize("command", [["run", "--source", "CLIP", "--drill", "deadlift", "--seconds", "3"],
                                     ["place", "--seconds", "2"]])  # fmt: skip
def test_no_display_is_one_sentence_naming_the_headless_options(command, tmp_path):
    """Issue 19: `SDL_VIDEODRIVER=kmsdrm station run ...` with no display was a pygame traceback, exit 1."""
    import os

    from tests.conftest import shared_path

    clip = str(shared_path("footage", "barbell-deadlift_side_rounded-lower-back.mp4"))
    env = {**os.environ, "SDL_VIDEODRIVER": "kmsdrm", "STATION_DATA_DIR": str(tmp_path)}
    env.pop("DISPLAY", None)
    args = [clip if a == "CLIP" else a for a in command]
    run = station(*args, env=env, timeout=60)
    assert run.returncode == 2 and run.stderr.count("\n") == 1 and "Traceback" not in run.stderr, run.stderr
    assert run.stderr.startswith("station: There is no screen here") and "SDL_VIDEODRIVER=dummy" in run.stderr
    assert "--screenshot" in run.stderr and "--exit-at-end" in run.stderr
    assert not (tmp_path / "history.sqlite3").exists()  # before any other work


def test_an_analysis_takes_the_sites_thresholds_and_coach_settings():
    config = parse({"drills": {"deadlift": {"max_shin_lean": 30.0}}})
    parts = analysis(config, "deadlift")
    assert parts.drill.thresholds.max_shin_lean == 30.0 and parts.coach is config.coach
    with pytest.raises(StationError, match="There is no drill 'squat'"):
        analysis(config, "squat")
