"""A clip played as if it were a live camera: at its own pace, and the newest frame wins.

For the benchmark's live path and for demos of the kiosk's camera behaviour on a machine with no
camera: unlike a plain clip, frames the pose stage is too slow for are dropped, as on the Pi.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from station.edges.camera.source import Frame
from station.edges.camera.video import VideoSource


class ReplaySource:
    live = True

    def __init__(self, path: Path | str, max_side: int = 640) -> None:
        self._video = VideoSource(path, max_side=max_side)
        self.name = f"live {self._video.name}"

    def frames(self) -> Iterator[Frame]:
        started = time.perf_counter()
        for frame in self._video.frames():
            delay = started + frame.t - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            yield frame

    def close(self) -> None:
        self._video.close()
