import re
from pathlib import Path

import pytest

from station.config import Config, load, parse
from station.errors import StationError
from tests.conftest import ROOT
from tests.helpers import station


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


@pytest.mark.parametrize(("text", "phrase"), [
    ("[back]\nprofiles = 0", "back.profiles is 0, outside 3 to 60"),
    ("[back]\nprofiles = 100000000", "back.profiles is 100000000"),
    ("[back]\nreach = 0", "back.reach is 0"),
    ("[back]\nreach = inf", "back.reach must be a finite number"),
    ("[back]\nfirst = 0.5\nlast = 0.5", "need first < last"),
    ("[pose]\nextent_score = 2.0", "pose.extent_score is 2.0"),
    ("[pose]\nperson_keypoints = 99", "pose.person_keypoints is 99"),
    ("[view]\nside_max_yaw = 60\nfront_min_yaw = 40", "need side_max_yaw < front_min_yaw"),
    ("[camera]\nmain_size = [0, 720]", "sizes from 16 to 4096"),
    ("[drills.rdl]\nmax_shin_lean = nan", "must be a finite number"),
])  # fmt: skip
def test_values_that_would_crash_a_set_or_count_nothing_are_refused(tmp_path, text, phrase):
    path = tmp_path / "c.toml"
    path.write_text(text + "\n")
    with pytest.raises(StationError, match=re.escape(phrase)):
        load(path)


def test_files_that_are_not_configs_are_one_sentence(tmp_path):
    binary = tmp_path / "b.toml"
    binary.write_bytes(b"\xff\xfe[kiosk]\n")
    deep = tmp_path / "deep.toml"
    deep.write_text("a = " + "[" * 100_000 + "]" * 100_000 + "\n")
    for path, phrase in ((binary, "not UTF-8"), (deep, "too deeply"), (Path("/dev/zero"), "not a regular file")):
        with pytest.raises(StationError, match=phrase):
            load(path)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://kiosk:s3cret@db.gym:5432/fleet",
        "postgresql://kiosk@db.gym:5432/fleet?password=s3cret",
        "postgresql://kiosk@db.gym/fleet?sslmode=require&PASSWORD=s3cret",
    ],
)
def test_a_password_anywhere_in_the_database_url_is_refused_and_never_shown(tmp_path, url):
    path = tmp_path / "c.toml"
    path.write_text(f'[sync]\ndatabase_url = "{url}"\n')
    with pytest.raises(StationError, match="holds a password") as caught:
        load(path)
    assert "s3cret" not in str(caught.value)


def test_station_config_with_a_password_in_the_query_is_one_sentence(tmp_path):

    path = tmp_path / "c.toml"
    path.write_text('[sync]\ndatabase_url = "postgresql://kiosk@db/fleet?password=s3cret"\n')
    result = station("config", "--config", str(path), timeout=60)
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "s3cret" not in result.stderr


def test_the_pose_kernels_are_named_from_a_short_list():
    from station.config import parse
    from station.errors import StationError

    assert parse({"pose": {"kernels": "builtin"}}).pose.settings.kernels == "builtin"
    with pytest.raises(StationError, match=r"pose\.kernels must be one of auto, builtin, reference"):
        parse({"pose": {"kernels": "fastest"}})
