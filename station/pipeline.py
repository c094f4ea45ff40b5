"""Frames to poses: the one place that knows the synthetic athlete bypasses the model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from station.camera.source import Frame, FrameSource
from station.pose.keypoints import Pose


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
