"""Frames to poses: the one place that knows the synthetic athlete bypasses the model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from station.core.keypoints import Pose
from station.edges.camera.source import Frame, FrameSource


class PoseEstimator(Protocol):
    def estimate(self, frame: Frame) -> Pose: ...

    def reset(self) -> None: ...


def pose_of(frame: Frame, estimator: PoseEstimator | None) -> Pose:
    """The frame's pose: its known truth where it has one, else the estimator's."""
    if frame.truth is not None:
        return Pose(frame.t, frame.truth, bool((frame.truth[:, 2] > 0).sum() >= 8), frame.source_size)
    if estimator is None:
        raise ValueError("a frame without known keypoints needs a pose estimator")
    return estimator.estimate(frame)


def needs_model(source: FrameSource) -> bool:
    """Whether the source's frames need the pose model (only the synthetic athlete's do not)."""
    return not getattr(source, "has_truth", False)


def poses(source: FrameSource, estimator: PoseEstimator | None) -> Iterator[tuple[Frame, Pose]]:
    for frame in source.frames():
        yield frame, pose_of(frame, estimator)


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
