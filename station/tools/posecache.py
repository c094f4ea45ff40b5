"""MoveNet's poses for a clip, worked out once and kept on disk: calibration reruns the coach, not the model.

A cache file is keyed by the clip's bytes, the model's SHA-256 and the pose rate, so a changed clip,
model or rate is never served stale poses. Files are plain NumPy archives a person can open.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from station.core.keypoints import Pose
from station.edges.camera.source import Frame
from station.edges.pose.model import sha256_of

T = TypeVar("T")
# Bump when MoveNet's pre- or post-processing changes what a pose is (2: crops cut at whole pixels and
# padded by copy; 3: clips decoded the same on every processor; 4: exact resizes, issue 18).
CACHE_VERSION = 4


class PoseRate:
    """Which frames a model that takes 1/`fps` s a frame would see, live: whenever it comes free it takes
    the newest frame that has arrived (the rest are dropped), or waits for the next one. Fed one frame
    at a time (`offer`), it hands back the frames the model would have taken, each with its own time;
    `flush` hands back the one it was holding when the stream ends."""

    def __init__(self, fps: float) -> None:
        self.period = 1.0 / fps
        self._free_at: float | None = None  # when the model is next free
        self._newest: tuple[float, Any] | None = None  # the newest frame that arrived while it was busy

    def offer(self, t: float, item: T) -> list[T]:
        eps = 1e-6
        if self._free_at is None:
            self._free_at = t + self.period
            return [item]
        if t <= self._free_at + eps:
            self._newest = (t, item)
            return []
        taken: list[T] = []
        if self._newest is not None:  # it came free before this frame arrived: it took the newest one then
            taken.append(self._newest[1])
            self._free_at, self._newest = self._free_at + self.period, None
            if t <= self._free_at + eps:
                self._newest = (t, item)
                return taken
        self._free_at = t + self.period  # idle when this frame arrived: it takes it at once
        return [*taken, item]

    def flush(self) -> list[Any]:
        held, self._newest = self._newest, None
        return [held[1]] if held is not None else []


def thinned(frames: Iterable[Frame], pose_fps: float | None) -> Iterator[Frame]:
    """The frames of `frames` a model at `pose_fps` would see live (`PoseRate`); None: every frame,
    as a clip is read offline."""
    if pose_fps is None:
        yield from frames
        return
    rate = PoseRate(pose_fps)
    for frame in frames:
        yield from rate.offer(frame.t, frame)
    yield from rate.flush()


def cache_file(folder: Path, clip: Path, model_sha: str, pose_fps: float | None, kernels: str = "auto") -> Path:
    """Other int8 kernels give other poses: they key the file too (the default's names are unchanged)."""
    rate = "all" if pose_fps is None else f"{pose_fps:g}fps"
    model = model_sha[:12] if kernels == "auto" else f"{model_sha[:12]}-{kernels}"
    key = f"{sha256_of(clip)[:16]}-{model}-{rate}-v{CACHE_VERSION}"
    return folder / f"{clip.stem}.{key}.npz"


def save(path: Path, poses: list[Pose], indices: list[int]) -> None:
    """Written under a temporary name then renamed: a killed run never leaves half a cache file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    keypoints = np.stack([p.keypoints for p in poses]) if poses else np.zeros((0, 17, 3), np.float32)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
    try:
        with os.fdopen(fd, "wb") as handle:
            np.savez_compressed(
                handle,
                t=np.array([p.t for p in poses], np.float64),
                keypoints=keypoints.astype(np.float32),
                person=np.array([p.person for p in poses], bool),
                size=np.array([p.size for p in poses], np.int32).reshape(-1, 2),
                index=np.array(indices, np.int64),
            )
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def load(path: Path) -> tuple[list[Pose], list[int]] | None:
    """The cached poses and their frame indices, or None where the file is missing or unreadable."""
    try:
        with np.load(path) as data:
            t, kp, person, size, index = data["t"], data["keypoints"], data["person"], data["size"], data["index"]
    except (OSError, ValueError, KeyError):
        return None
    poses = [Pose(float(t[i]), kp[i], bool(person[i]), (int(size[i, 0]), int(size[i, 1]))) for i in range(len(t))]
    return poses, [int(i) for i in index]


def poses_for(
    clip: Path,
    frames: Callable[[], Iterator[Frame]],
    estimate: Callable[[Frame], Pose],
    folder: Path | None,
    model_sha: str,
    pose_fps: float | None = None,
    kernels: str = "auto",
) -> dict[int, Pose]:
    """Poses by frame index for the frames a model at `pose_fps` would see, from the cache where it has them."""
    path = cache_file(folder, clip, model_sha, pose_fps, kernels) if folder is not None else None
    if path is not None and (got := load(path)) is not None:
        poses, indices = got
        return dict(zip(indices, poses, strict=True))
    indices, poses = [], []
    for frame in thinned(frames(), pose_fps):
        indices.append(frame.index)
        poses.append(estimate(frame))
    if path is not None:
        save(path, poses, indices)
    return dict(zip(indices, poses, strict=True))
