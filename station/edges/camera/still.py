"""A still image as a one-frame source, for smoke tests of the pose stage."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from station.edges.camera.source import Frame
from station.edges.camera.video import VideoSource


class StillSource:
    """One photo, shown `repeat` times a tenth of a second apart (the crop settles over repeats)."""

    live = False

    def __init__(self, path: Path | str, max_side: int = 640, repeat: int = 1) -> None:
        self._video = VideoSource(path, max_side=max_side)  # FFmpeg reads JPEG and PNG too
        self.name = self._video.name
        self.repeat = repeat

    def frames(self) -> Iterator[Frame]:
        first = next(iter(self._video.frames()))
        for i in range(self.repeat):
            yield Frame(rgb=first.rgb, t=i * 0.1, index=i, scale=first.scale)

    def close(self) -> None:
        self._video.close()
