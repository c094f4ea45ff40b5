import os
import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from station.edges.camera.pick import open_source
from station.edges.camera.video import VideoSource, reduced_size
from station.errors import StationError
from tests.conftest import shared_path


def write_clip(path: Path, n: int = 12, fps: int = 10, size: tuple[int, int] = (320, 240), picture=None,
               faststart: bool = False) -> Path:  # fmt: skip
    """A small real MPEG-4 clip whose frame times are known exactly (`faststart`: the index first)."""
    options = {"movflags": "faststart"} if faststart else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, fps)
        for i in range(n):
            image = picture(i, size) if picture else np.full((size[1], size[0], 3), i * 20 % 255, np.uint8)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def test_frame_times_come_from_the_file(tmp_path):
    clip = write_clip(tmp_path / "c.mp4", n=12, fps=10)
    frames = list(VideoSource(clip).frames())
    assert len(frames) == 12
    assert [round(f.t, 3) for f in frames] == [round(i / 10, 3) for i in range(12)]
    assert [f.index for f in frames] == list(range(12))


def test_large_clips_are_decoded_smaller_and_scale_back():
    source = VideoSource(shared_path("footage", "barbell-deadlift_side_good-outdoor.mp4"), max_side=640)
    frame = next(iter(source.frames()))
    assert frame.rgb.shape == (360, 640, 3)
    assert frame.source_size == (1920, 1080)


def test_reduced_size_never_enlarges():
    assert reduced_size(399, 640, 640) == (399, 640)
    assert reduced_size(1920, 1080, 640) == (640, 360)


def test_missing_clip_is_a_clear_error(tmp_path):
    with pytest.raises(StationError, match="There is no"):
        open_source(str(tmp_path / "nope.mp4"))


@pytest.mark.parametrize("content", [b"", b"this is not a video" * 100])
def test_a_file_that_is_not_video_is_a_clear_error(tmp_path, content):
    bad = tmp_path / "bad.mp4"
    bad.write_bytes(content)
    with pytest.raises(StationError, match=r"not a readable video|no video stream|no frames"):
        list(VideoSource(bad).frames())


def test_a_truncated_clip_gives_the_frames_it_has(tmp_path):
    clip = write_clip(tmp_path / "c.mp4", n=30)
    data = clip.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: int(len(data) * 0.6)])
    try:
        frames = list(VideoSource(cut).frames())
    except StationError as exc:  # the index may sit at the end: then one clear sentence
        assert "\n" not in str(exc)
    else:
        assert 0 < len(frames) < 30


def test_a_clip_can_play_as_a_live_camera(tmp_path):
    clip = write_clip(tmp_path / "c.mp4", n=6, fps=30)
    source = open_source(f"live:{clip}")
    assert source.live
    import time

    start = time.perf_counter()
    frames = list(source.frames())
    assert len(frames) == 6 and time.perf_counter() - start >= 5 / 30 * 0.9  # paced at the clip's own rate


def _halves(i: int, size: tuple[int, int]) -> np.ndarray:
    """The left half white, a red band along the top: which way up a picture is shows at once."""
    image = np.zeros((size[1], size[0], 3), np.uint8)
    image[:, : size[0] // 2] = 255
    image[:4, :] = (255, 0, 0)
    return image


def test_a_phone_clip_tagged_rotated_is_turned_upright(tmp_path):
    clip = write_clip(tmp_path / "phone.mp4", n=5, size=(64, 32), picture=_halves)
    data = bytearray(clip.read_bytes())
    matrix = data.find(b"tkhd") + 4 + 40  # the track header's display matrix
    data[matrix : matrix + 36] = struct.pack(">9i", 0, 65536, 0, -65536, 0, 0, 0, 0, 1 << 30)  # "rotate 90"
    clip.write_bytes(data)
    frame = next(VideoSource(clip).frames())
    assert frame.rgb.shape[:2] == (64, 32)  # portrait, as the phone held it
    assert frame.rgb[5, 2].min() > 200 and frame.rgb[-5, 2].max() < 50  # turned clockwise: white on top
    assert frame.rgb[5, -1][0] > 200 and frame.rgb[5, -1][1] < 60  # the red band now runs down the right


def test_a_clip_cut_short_is_read_with_a_warning(tmp_path, caplog):
    clip = write_clip(tmp_path / "cut.mp4", n=100, size=(64, 32), faststart=True)  # index first, as phones write
    data = clip.read_bytes()
    clip.write_bytes(data[: len(data) // 2])
    with caplog.at_level("WARNING"):
        frames = list(VideoSource(clip).frames())
    assert 10 < len(frames) < 90
    assert any("is cut short" in r.getMessage() for r in caplog.records)


def test_a_pipe_or_a_folder_is_one_sentence_not_a_hang(tmp_path):
    fifo = tmp_path / "clip.mp4"
    os.mkfifo(fifo)
    with pytest.raises(StationError, match="not a regular file"):
        open_source(str(fifo))
    with pytest.raises(StationError, match="not a regular file"):
        open_source(str(tmp_path))


def test_a_full_size_frame_is_opencvs_conversion_of_its_planes():
    """Issue 18: swscale's conversion differs between x86 and ARM (up to 3 levels on most pixels of a
    600-pixel-wide clip); OpenCV's of the decoded planes gives the same bytes on both."""
    import cv2

    from station.edges.camera.video import full_size_rgb

    with av.open(str(shared_path("footage", "barbell-deadlift_side_rounded-upper-back.mp4"))) as container:
        frame = next(container.decode(video=0))
        planes = frame.to_ndarray(format="yuv420p")
        rgb = full_size_rgb(frame)
    assert rgb.shape == (frame.height, frame.width, 3)
    assert np.array_equal(rgb, cv2.cvtColor(planes, cv2.COLOR_YUV2RGB_I420))
