import numpy as np
import pytest

from station.core.coach.posture import ViewSettings, facing_of, measure, torso_length_of, turn_of, view_name, yaw_of
from station.core.keypoints import KP
from station.edges.camera.athlete import MOVEMENTS, Athlete, AthleteSpec, Camera, Faults, body_at

SETTINGS = ViewSettings()


def _keypoints(p: float = 1.0, yaw: float = 0.0, facing: int = 1, faults: Faults | None = None, drill: str = "rdl"):
    a = Athlete(AthleteSpec(drill=drill, camera=Camera(yaw_deg=yaw, facing=facing)))
    return a.keypoints(body_at(MOVEMENTS[drill], p, faults or Faults()))


@pytest.mark.parametrize("facing", [1, -1])
def test_facing_is_read_from_the_body(facing):
    assert facing_of(_keypoints(1.0, facing=facing)) == facing
    assert facing_of(_keypoints(0.5, facing=facing)) == facing


def test_facing_holds_with_the_head_hanging_down():
    k = _keypoints(1.0, facing=1)
    k[KP["nose"], 0] = k[KP["left_ear"], 0] - 15  # nose behind the ear, as when looking at the feet
    assert facing_of(k) == 1


@pytest.mark.parametrize("yaw", [0, 15, 30, 45, 60, 75, 90, 135])
def test_yaw_is_read_from_shoulder_and_hip_width_against_the_standing_torso(yaw):
    standing = _keypoints(0.0, yaw=yaw)
    torso = torso_length_of(_keypoints(0.0, yaw=0))
    seen = yaw_of(_keypoints(1.0, yaw=yaw), torso, SETTINGS)  # at the bottom, against the standing torso
    expected = yaw if yaw <= 90 else 180 - yaw  # front and back diagonals look alike
    assert seen == pytest.approx(expected, abs=4)
    assert yaw_of(standing, torso, SETTINGS) == pytest.approx(expected, abs=4)


@pytest.mark.parametrize(("yaw", "view"), [(0, "side"), (20, "side"), (45, "oblique"), (60, "oblique"), (80, "front")])
def test_view_names(yaw, view):
    assert view_name(yaw, SETTINGS) == view
    assert view_name(None, SETTINGS) == "unknown"


@pytest.mark.parametrize("yaw", [30, 45, 55, 135])
def test_angles_from_a_slant_are_corrected_for_foreshortening(yaw):
    """The same bottom position measures the same angles from 45 degrees as from the side."""
    move = MOVEMENTS["deadlift"]
    k = _keypoints(1.0, yaw=yaw, drill="deadlift")
    facing = facing_of(k)
    true_yaw = yaw if yaw <= 90 else 180 - yaw
    p = measure(0.0, k, (640, 480), True, facing, SETTINGS, true_yaw)
    assert p.view == "oblique" or yaw == 30
    assert p.torso_lean == pytest.approx(move.trunk, abs=3)
    assert p.shin_lean == pytest.approx(move.shin, abs=3)
    assert p.hip_angle == pytest.approx(180 - move.trunk - move.thigh, abs=4)
    if true_yaw >= 45:  # without the correction, 45 degrees misleads
        uncorrected = measure(0.0, k, (640, 480), True, facing, SETTINGS, 0.0)
        assert abs(uncorrected.hip_angle - (180 - move.trunk - move.thigh)) > 8


def test_past_the_measuring_limit_nothing_sagittal_is_read():
    k = _keypoints(1.0, yaw=70)
    p = measure(0.0, k, (640, 480), True, facing_of(k), SETTINGS, 70.0)
    assert p.view == "front" and p.torso_lean is None and p.hip_angle is None
    assert p.stature is not None  # depth still counts reps


def test_angles_match_the_body():
    move = MOVEMENTS["rdl"]
    p = measure(0.0, _keypoints(1.0), (640, 480), True, 1)
    assert p.view == "side"
    assert p.hip_angle == pytest.approx(180 - move.trunk - move.thigh, abs=1)
    assert p.knee_angle == pytest.approx(180 - move.thigh - move.shin, abs=1)
    assert p.torso_lean == pytest.approx(move.trunk, abs=1)
    assert p.shin_lean == pytest.approx(move.shin, abs=1)


def test_leaning_back_is_negative():
    p = measure(0.0, _keypoints(0.0, faults=Faults(lean_back_deg=20)), (640, 480), True, 1)
    assert p.torso_lean == pytest.approx(-20, abs=1)


def test_a_hanging_head_drops_below_the_line():
    straight = measure(0.0, _keypoints(1.0), (640, 480), True, 1).head_drop
    bent = measure(0.0, _keypoints(1.0, faults=Faults(spine_flex_deg=60)), (640, 480), True, 1).head_drop
    assert bent > straight + 0.1


def test_side_only_measurements_are_withheld_in_a_front_view():
    p = measure(0.0, _keypoints(1.0, yaw=90), (640, 480), True, 1, SETTINGS, 90.0)
    assert p.view != "side"
    assert p.hip_angle is None and p.shin_lean is None and p.head_drop is None
    assert p.stature is not None  # depth still counts reps from the front


def test_hands_up_reads_a_swing_float():
    k = _keypoints(0.0, drill="kb-swing")
    p = measure(0.0, k, (640, 480), True, 1)
    assert p.hands_up < 0  # hands hang below the hips
    k[[KP["left_wrist"], KP["right_wrist"]], 1] = k[KP["left_shoulder"], 1]  # the bell floats to the chest
    assert measure(0.0, k, (640, 480), True, 1).hands_up > 0.8


def test_feet_out_of_frame_are_missing():
    k = _keypoints(0.0)
    k[[KP["left_ankle"], KP["right_ankle"]], 1] = 479.9  # on the bottom edge
    p = measure(0.0, k, (640, 480), True, 1)
    assert "feet" in p.missing and p.stature is None


def test_unscored_keypoints_are_not_trusted():
    k = _keypoints(1.0)
    k[:, 2] = 0.1
    p = measure(0.0, k, (640, 480), True, 1)
    assert p.hip_angle is None and set(p.missing) == {"head", "shoulders", "hips", "knees", "feet"}
    assert np.isfinite(k).all()


@pytest.mark.parametrize(("yaw", "turn"), [(45, 1), (60, 1), (135, -1), (120, -1)])
def test_which_way_the_lifter_is_turned_is_read_from_which_side_shows(yaw, turn):
    """Towards the camera the body's left shows on the image's right, turned away on its left (as the
    pose model labels real people), whichever way the lifter faces."""
    torso = torso_length_of(_keypoints(0.0, yaw=0))
    for facing in (1, -1):
        assert np.sign(turn_of(_keypoints(0.0, yaw=yaw, facing=facing), torso, SETTINGS)) == turn


def test_side_on_the_turn_is_near_zero_and_a_posture_says_side():
    torso = torso_length_of(_keypoints(0.0, yaw=0))
    assert abs(turn_of(_keypoints(0.0, yaw=0), torso, SETTINGS)) < 0.05
    assert measure(0.0, _keypoints(0.0), (1280, 720), True, 1, SETTINGS, yaw=5.0, turn=1).turn == 0


def test_twisted_shoulders_over_square_hips_still_read_as_a_front_view():
    """A one-arm swing seen square-on twists the shoulders (they look narrow); the hips stay square,
    and the larger reading wins: the front is never judged as a slant."""
    k = _keypoints(0.0, yaw=90)
    torso = torso_length_of(_keypoints(0.0, yaw=0))
    mid = (k[KP["left_shoulder"], 0] + k[KP["right_shoulder"], 0]) / 2
    for name, sign in (("left_shoulder", 1), ("right_shoulder", -1)):
        k[KP[name], 0] = mid + sign * 0.25 * torso  # shoulders look 0.5 torso lengths wide: 50 degrees alone
    assert yaw_of(k, torso, SETTINGS) >= SETTINGS.front_min_yaw  # hips 0.35 wide: 67 degrees
