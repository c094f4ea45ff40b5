"""Frames to poses: the model is loaded only where the frames need it, and each stand-in beside MoveNet
(known poses, recorded poses, a model that could not be loaded) answers as the kiosk expects."""

import numpy as np
import pytest

from station.core.keypoints import Pose
from station.edges.camera.pick import open_source
from station.edges.camera.source import Frame
from station.edges.pose.pipeline import KnownPoses, NoModel, RecordedPoses, estimator_for, poses
from station.errors import StationError


class Clip:
    """A recorded source of three blank frames: its frames carry no truth, so they need the model."""

    name, live = "clip", False

    def frames(self):
        for i in range(3):
            yield Frame(np.zeros((48, 64, 3), np.uint8), t=i / 10, index=i, scale=10.0)

    def close(self) -> None:
        pass


def _never() -> RecordedPoses:
    raise AssertionError("the model was loaded for frames that bring their own poses")


def test_the_synthetic_athlete_gets_its_known_poses_and_no_model_is_loaded():
    source = open_source("synthetic:rdl")
    estimator = estimator_for(source, _never)
    assert isinstance(estimator, KnownPoses)
    (frame, pose), *_ = [p for _, p in zip(range(2), poses(source, estimator), strict=False)]
    assert pose.person and np.array_equal(pose.keypoints, frame.truth) and pose.t == frame.t
    with pytest.raises(ValueError, match="needs the pose model"):
        KnownPoses().estimate(next(iter(Clip().frames())))


def test_a_clip_loads_the_model_once_and_its_poses_come_from_it():
    loaded: list[int] = []
    keypoints = np.full((17, 3), 0.5)
    recorded = {i: Pose(99.0, keypoints * (i + 1), True, (640, 480)) for i in range(3)}

    def load() -> RecordedPoses:
        loaded.append(1)
        return RecordedPoses(recorded)

    estimator = estimator_for(Clip(), load)
    got = list(poses(Clip(), estimator))
    assert loaded == [1] and len(got) == 3
    assert [p.t for _, p in got] == [0.0, 0.1, 0.2]  # the frame's own time, not the recording's
    assert np.array_equal(got[2][1].keypoints, keypoints * 3)
    with pytest.raises(ValueError, match="no recorded pose for frame 5"):
        RecordedPoses([recorded[0]]).estimate(Frame(np.zeros((4, 4, 3), np.uint8), 0.0, 5))


def test_a_model_that_could_not_load_answers_with_its_one_sentence():
    missing = NoModel("The pose model is missing: run `sudo station model install`.")
    with pytest.raises(StationError, match="model is missing"):
        missing.estimate(next(iter(Clip().frames())))
    missing.reset()
