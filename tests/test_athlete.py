import math

import numpy as np
import pytest

from station.core.keypoints import KP
from station.edges.camera.athlete import MOVEMENTS, SHIN, Athlete, AthleteSpec, Camera, Faults, body_at


def _angle(a, b, c):
    v1, v2 = a - b, c - b
    return math.degrees(math.acos(np.dot(v1, v2) / np.linalg.norm(v1) / np.linalg.norm(v2)))


def test_bottom_position_has_the_drills_angles():
    move = MOVEMENTS["deadlift"]
    j = body_at(move, 1.0, Faults()).joints
    assert _angle(j["shoulder"], j["hip"], j["knee"]) == pytest.approx(180 - move.trunk - move.thigh, abs=0.5)
    assert _angle(j["hip"], j["knee"], j["ankle"]) == pytest.approx(180 - move.thigh - move.shin, abs=0.5)


def test_faults_are_physical_sizes():
    move = MOVEMENTS["rdl"]
    clean, shins = body_at(move, 1.0, Faults()).joints, body_at(move, 1.0, Faults(shin_extra_deg=20)).joints
    tilt = lambda j: math.degrees(math.atan2(j["knee"][0], j["knee"][1]))  # noqa: E731
    assert tilt(shins) - tilt(clean) == pytest.approx(20, abs=0.01)
    dropped = body_at(move, 1.0, Faults(hip_drop_cm=5)).joints
    assert clean["hip"][1] - dropped["hip"][1] == pytest.approx(0.05, abs=1e-6)
    assert dropped["hip"][0] == pytest.approx(clean["hip"][0], abs=1e-6)  # straight down
    assert np.linalg.norm(dropped["knee"]) == pytest.approx(SHIN)


def test_standing_keypoints_fill_the_frame_as_set():
    a = Athlete(AthleteSpec(camera=Camera(size=(640, 480), body_fraction=0.75)))
    k = a.keypoints(a.body(0.0))
    assert k[KP["left_ankle"], 1] - k[KP["nose"], 1] == pytest.approx(0.75 * 480 * 0.93, rel=0.1)


def test_yaw_spreads_the_shoulders():
    side = Athlete(AthleteSpec(camera=Camera(yaw_deg=0)))
    front = Athlete(AthleteSpec(camera=Camera(yaw_deg=90)))
    width = lambda a: abs(np.subtract(*a.keypoints(a.body(0))[[KP["left_shoulder"], KP["right_shoulder"]], 0]))  # noqa: E731
    assert width(side) < 1 and width(front) > 50


def test_a_set_lasts_its_reps_and_yields_frames_at_its_rate():
    spec = AthleteSpec(drill="rdl", reps=2, fps=30)
    a = Athlete(spec)
    frames = list(a.frames(render=False))
    assert len(frames) == int(a.duration_s() * 30) + 1
    assert frames[1][0] - frames[0][0] == pytest.approx(1 / 30)


def test_noise_and_drops_follow_the_seed():
    spec = AthleteSpec(noise=0.02, drop=0.1, seed=3)
    k1 = np.stack([f[1] for _, f in zip(range(20), Athlete(spec).frames(render=False), strict=False)])
    k2 = np.stack([f[1] for _, f in zip(range(20), Athlete(spec).frames(render=False), strict=False)])
    assert np.array_equal(k1, k2)
    assert 0.03 < (k1[..., 2] == 0).mean() < 0.2


def test_named_faults_refuse_unknown_ids():
    with pytest.raises(ValueError):
        Faults.named("wobbly")
