"""Frames to poses: the pose model's interface, and the stand-ins beside MoveNet (the synthetic athlete's
known poses, poses recorded before, a model that could not be loaded)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Protocol

from station.core.keypoints import Pose
from station.edges.camera.source import Frame, FrameSource
from station.errors import StationError


class PoseEstimator(Protocol):
    def estimate(self, frame: Frame) -> Pose: ...

    def reset(self) -> None: ...


def needs_model(source: FrameSource) -> bool:
    """Whether the source's frames need the pose model (only the synthetic athlete's do not)."""
    return not getattr(source, "has_truth", False)


def estimator_for(source: FrameSource, load: Callable[[], PoseEstimator]) -> PoseEstimator:
    """The model where the frames need one (loaded only then), else the stand-in that reads their truth."""
    return load() if needs_model(source) else KnownPoses()


def poses(source: FrameSource, estimator: PoseEstimator) -> Iterator[tuple[Frame, Pose]]:
    for frame in source.frames():
        yield frame, estimator.estimate(frame)


class KnownPoses:
    """The pose model's stand-in for frames that carry their own keypoints (the synthetic athlete):
    their truth, scored as MoveNet's would be, with no model loaded."""

    def estimate(self, frame: Frame) -> Pose:
        if frame.truth is None:
            raise ValueError("a frame without known keypoints needs the pose model")
        return Pose(frame.t, frame.truth, bool((frame.truth[:, 2] > 0).sum() >= 8), frame.source_size)

    def reset(self) -> None:
        """Nothing to forget: every frame brings its own pose."""


class NoModel:
    """The pose model's stand-in where it could not be loaded: the kiosk shows the problem screen and
    never runs the pose stage; anything that asks it for a pose gets the same one sentence."""

    def __init__(self, why: str) -> None:
        self.why = why

    def estimate(self, frame: Frame) -> Pose:
        raise StationError(self.why)

    def reset(self) -> None:
        """Nothing to forget."""


class RecordedPoses:
    """A pose estimator that replays poses worked out before, frame by frame (by frame index; a
    pose-rate run recorded only some frames).

    The tests run MoveNet over each shared clip once and replay its poses to every test that
    reads the clip, so a clip costs one pass of the model per run however often it is analysed.
    """

    def __init__(self, poses: list[Pose] | dict[int, Pose]) -> None:
        self._poses = poses if isinstance(poses, dict) else dict(enumerate(poses))

    def estimate(self, frame: Frame) -> Pose:
        pose = self._poses.get(frame.index)
        if pose is None:
            raise ValueError(f"no recorded pose for frame {frame.index} (recorded {len(self._poses)})")
        return Pose(frame.t, pose.keypoints, pose.person, pose.size)

    def reset(self) -> None:
        """Nothing to forget: the poses were worked out already."""
