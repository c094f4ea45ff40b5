"""Video files through PyAV, with frame times taken from the file, not the wall clock."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np

from station.core.pixels import resized
from station.edges.camera.source import Frame
from station.errors import StationError

log = logging.getLogger(__name__)


def reduced_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The size to decode at: the long side at most `max_side`, even numbers for the scaler."""
    scale = max_side / max(width, height)
    if scale >= 1.0:
        return width, height  # no resampling: it would only blur
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def full_size_rgb(vf: av.VideoFrame) -> np.ndarray:
    """A frame as RGB at its own size. The usual 4:2:0 video goes through OpenCV's conversion, which
    gives the same bytes on x86 and ARM where swscale's does not (up to 3 levels on most pixels of a
    600-pixel-wide clip); full-range and other formats through swscale."""
    limited = getattr(vf, "color_range", 0) != 2  # 2: full range (JPEG's), which OpenCV's conversion is not for
    if vf.format.name == "yuv420p" and limited and vf.width % 2 == 0 and vf.height % 2 == 0:
        return cv2.cvtColor(vf.to_ndarray(format="yuv420p"), cv2.COLOR_YUV2RGB_I420)
    return vf.to_ndarray(format="rgb24")


class VideoSource:
    """Frames of a clip, decoded straight to a reduced RGB size (the pose model sees 192 px)."""

    live = False

    def __init__(self, path: Path | str, max_side: int = 640) -> None:
        self.path = Path(path)
        self.name = self.path.name
        self.max_side = max_side
        self.skipped = 0  # packets that would not decode
        try:
            self._container = av.open(str(self.path))
        except FileNotFoundError as exc:
            raise StationError(f"There is no clip at {self.path}.") from exc
        except av.error.FFmpegError as exc:
            raise StationError(f"{self.path} is not a readable video ({exc.strerror or exc}).") from exc
        if not self._container.streams.video:
            self._container.close()
            raise StationError(f"{self.path} has no video stream.")
        self._stream = self._container.streams.video[0]
        # FFmpeg's integer reference IDCT: its default picks a SIMD IDCT per processor, and MPEG-4
        # Part 2, MPEG-1/2 and MJPEG clips then decode differently on ARM (1 level on 0.08% of pixels,
        # enough to move keypoints); H.264 and HEVC decode the same everywhere by their standard.
        self._stream.codec_context.options = {"idct": "int"}
        # One decoding thread: frame threading cost 15% more CPU here (1080p: 8.1 against 7.1 ms a
        # frame), CPU that a Pi's model wants (a clip is decoded on the pose worker, before MoveNet).
        rate = self._stream.average_rate
        self.fps = float(rate) if rate else 30.0
        cc = self._stream.codec_context
        self.width, self.height = int(cc.width), int(cc.height)
        if self.width <= 0 or self.height <= 0:
            self._container.close()
            raise StationError(f"{self.path} has a video stream with no picture size.")

    def frames(self) -> Iterator[Frame]:
        out_w, out_h = reduced_size(self.width, self.height, self.max_side)
        scale = self.width / out_w
        t0: float | None = None
        t = 0.0
        index = 0
        turns = 0  # quarter turns counter-clockwise that show the picture upright (a phone's rotation tag)
        try:
            for packet in self._container.demux(self._stream):
                try:
                    decoded = packet.decode()
                except av.error.FFmpegError:
                    self.skipped += 1
                    continue
                for vf in decoded:
                    t = float(vf.time) if vf.time is not None else index / self.fps
                    if t0 is None:
                        t0 = t
                        turns = round(getattr(vf, "rotation", 0) / 90) % 4
                        if turns:
                            log.info("%s: turned %d degrees, as its rotation tag asks", self.name, -90 * turns)
                    rgb = full_size_rgb(vf)
                    if (out_w, out_h) != (self.width, self.height):
                        # No aliasing on a 1080p clip read at 640 px, and the same bytes on every
                        # processor (swscale's scaling differs between processors and PyAV releases).
                        rgb = resized(rgb, (out_w, out_h))
                    if turns:
                        rgb = np.rot90(rgb, turns)
                    yield Frame(rgb=np.ascontiguousarray(rgb), t=t - t0, index=index, scale=scale)
                    index += 1
        except av.error.FFmpegError as exc:
            log.warning("%s: stopped reading after %d frames (%s)", self.name, index, exc)
        if self.skipped:
            log.warning("%s: %d damaged packets skipped", self.name, self.skipped)
        if index == 0:
            raise StationError(f"{self.path} holds no frames that can be decoded.")
        expected = self.duration_s()
        if expected is not None and t0 is not None and (t - t0) < 0.9 * expected - 0.5:
            log.warning(
                "%s is cut short: only %.1f s of its %.1f s could be read; the set is the part that was there",
                self.name, t - t0, expected,
            )  # fmt: skip

    def duration_s(self) -> float | None:
        """How long the file says the clip is, or None where it does not say."""
        stream = self._stream
        if stream.duration is not None and stream.time_base is not None:
            return float(stream.duration * stream.time_base)
        if self._container.duration is not None:
            return self._container.duration / 1_000_000
        return None

    def close(self) -> None:
        self._container.close()
