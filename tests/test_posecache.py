"""Poses kept on disk, and the frames a slow model would see."""

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from station.core.keypoints import Pose
from station.tools.posecache import PoseRate, cache_file, load, poses_for, save, thinned


def _frames(n: int, fps: float) -> list:
    return [SimpleNamespace(t=i / fps, index=i) for i in range(n)]


@pytest.mark.parametrize(
    ("fps", "kept"), [(30, list(range(31))), (15, list(range(0, 31, 2))), (10, list(range(0, 31, 3)))]
)
def test_a_slow_model_takes_every_nth_frame_of_a_steady_camera(fps, kept):
    assert [f.index for f in thinned(_frames(31, 30.0), fps)] == kept


def test_a_model_slower_than_the_frames_takes_the_newest_when_it_comes_free():
    """At 7 poses a second a 30 fps camera's frames are taken every 4 or 5: the newest that had arrived."""
    taken = [f.index for f in thinned(_frames(61, 30.0), 7.0)]
    gaps = np.diff(taken)
    assert set(gaps) <= {4, 5} and 13 <= len(taken) <= 15
    assert [f.t for f in thinned(_frames(61, 30.0), 7.0)] == [i / 30.0 for i in taken]  # own times kept


def test_a_model_faster_than_the_frames_takes_them_all_and_none_is_lost_at_the_end():
    assert [f.index for f in thinned(_frames(10, 10.0), 30.0)] == list(range(10))
    rate = PoseRate(10.0)
    assert rate.offer(0.0, "a") == ["a"] and rate.offer(0.05, "b") == [] and rate.flush() == ["b"]


def _poses(n: int) -> list[Pose]:
    rng = np.random.default_rng(1)
    return [Pose(i / 30, rng.random((17, 3)).astype(np.float32), bool(i % 2), (640, 360)) for i in range(n)]


def test_poses_round_trip_through_the_cache(tmp_path: Path):
    path, poses = tmp_path / "c.npz", _poses(5)
    save(path, poses, [0, 3, 6, 9, 12])
    back, indices = load(path)
    assert indices == [0, 3, 6, 9, 12]
    assert all(np.array_equal(a.keypoints, b.keypoints) and a.person == b.person and a.t == b.t
               and a.size == b.size for a, b in zip(poses, back, strict=True))  # fmt: skip


def test_the_cache_is_keyed_by_clip_model_and_rate_and_a_damaged_file_is_worked_out_again(tmp_path: Path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"one")
    keys = {cache_file(tmp_path, clip, "a" * 64, None), cache_file(tmp_path, clip, "b" * 64, None),
            cache_file(tmp_path, clip, "a" * 64, 10.0)}  # fmt: skip
    assert len(keys) == 3
    calls = []

    def estimate(frame):
        calls.append(frame.index)
        return _poses(1)[0]

    frames = lambda: iter(_frames(6, 30.0))  # noqa: E731
    first = poses_for(clip, frames, estimate, tmp_path, "a" * 64, 10.0)
    assert sorted(first) == [0, 3, 5] and calls == [0, 3, 5]  # the last frame, taken when it comes free
    again = poses_for(clip, frames, estimate, tmp_path, "a" * 64, 10.0)
    assert sorted(again) == [0, 3, 5] and calls == [0, 3, 5]  # from the cache: the model is not run again
    cache_file(tmp_path, clip, "a" * 64, 10.0).write_bytes(b"not a numpy archive")
    poses_for(clip, frames, estimate, tmp_path, "a" * 64, 10.0)
    assert calls == [0, 3, 5, 0, 3, 5]
    clip.write_bytes(b"two")  # a changed clip is a new key: never stale poses
    assert not cache_file(tmp_path, clip, "a" * 64, 10.0).exists()


def test_other_kernels_key_their_own_file_and_the_default_names_stay(tmp_path):
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"a clip's bytes")
    auto = cache_file(tmp_path, clip, "a" * 64, None)
    assert cache_file(tmp_path, clip, "a" * 64, None, "auto") == auto and f"-{'a' * 12}-all-" in auto.name
    assert cache_file(tmp_path, clip, "a" * 64, None, "builtin").name != auto.name
