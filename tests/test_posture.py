import numpy as np
import pytest

from station.athlete import MOVEMENTS, Athlete, AthleteSpec, Camera, Faults, body_at
from station.coach.posture import ViewSettings, facing_of, measure, view_of
from station.pose.keypoints import KP


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


@pytest.mark.parametrize(("yaw", "view"), [(0, "side"), (10, "side"), (45, "oblique"), (90, "front")])
def test_view_from_shoulder_and_hip_width(yaw, view):
    k = _keypoints(0.0, yaw=yaw)
    settings = ViewSettings(front_min_width=0.7)
    assert view_of(k, settings) == view


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
    p = measure(0.0, _keypoints(1.0, yaw=90), (640, 480), True, 1)
    assert p.view != "side"
    assert p.hip_angle is None and p.shin_lean is None and p.head_drop is None
    assert p.stature is not None  # depth still counts reps from the front


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
