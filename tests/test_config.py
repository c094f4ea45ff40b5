import pytest

from station.config import Config, load, parse
from station.errors import StationError
from tests.conftest import ROOT


def test_no_file_means_the_defaults(monkeypatch, tmp_path):
    monkeypatch.setattr("station.config.SYSTEM_CONFIG", tmp_path / "none.toml")
    assert load() == Config()


def test_the_shipped_example_is_the_defaults():
    config = load(ROOT / "systemd" / "config.toml")
    assert config.kiosk == Config().kiosk and config.buttons == Config().buttons and config.camera == Config().camera


def test_values_and_drill_overrides_are_read(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[kiosk]\nidle_s = 20\n[camera]\nmain_size = [1920, 1080]\n[drills.rdl]\nmax_shin_lean = 25.0\n")
    config = load(path)
    assert config.kiosk.idle_s == 20.0 and config.camera.main_size == (1920, 1080)
    assert config.drills["rdl"].thresholds.max_shin_lean == 25.0


@pytest.mark.parametrize(("data", "key"), [
    ({"kiosk": {"idle": 3}}, "kiosk.idle"),
    ({"kiosk": {"idle_s": "soon"}}, "kiosk.idle_s"),
    ({"sound": {"enabled": 1}}, "sound.enabled"),
    ({"buttons": {"select_pin": 27}}, "buttons.start_pin"),
    ({"leds": {"enabled": True, "pins": {"back_rounding": 17}}}, "leds.pins.back_rounding"),
    ({"buttons": {"start_pin": 40}}, "buttons.start_pin"),
    ({"sound": {"volume": 2.0}}, "sound.volume"),
    ({"drills": {"rdl": {"bottom_drop": 0.01}}}, "drills.rdl"),
    ({"drills": {"squat": {}}}, "drills.squat"),
    ({"camera": {"main_size": [1920]}}, "camera.main_size"),
    ({"screen": {}}, "[screen]"),
])  # fmt: skip
def test_a_bad_value_stops_with_one_sentence_naming_the_key(data, key):
    with pytest.raises(StationError) as err:
        parse(data)
    assert key in str(err.value) and "\n" not in str(err.value)


def test_a_file_that_is_not_toml_is_one_sentence(tmp_path):
    path = tmp_path / "c.toml"
    path.write_text("[kiosk\nidle_s = ")
    with pytest.raises(StationError, match="not valid TOML"):
        load(path)
    with pytest.raises(StationError, match="no config file"):
        load(tmp_path / "missing.toml")
