"""Capture and inference off the UI thread, so the screen never stalls.

From a live camera the newest frame wins: a capture thread keeps one slot, the pose thread takes
whatever is newest, nothing queues up. From a file or the synthetic athlete no frame is ever
dropped: the pose thread reads them in order and waits for the UI to take each result, so a clip
gives the same reps live as in `station analyze`. A camera that vanishes is retried; the set goes on.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from station.core.keypoints import Pose
from station.core.kiosk.events import Problem
from station.edges.camera.source import CameraLost, Frame, FrameSource
from station.edges.pose.pipeline import PoseEstimator
from station.errors import StationError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Result:
    """What the UI thread receives: a pose with its frame, a problem, or the end of the stream."""

    frame: Frame | None = None
    pose: Pose | None = None
    captured_at: float = 0.0  # perf_counter when the frame was taken from the source
    error: str | None = None
    problem: Problem | None = None  # the kind of `error`
    end: bool = False
    back: bool = False  # the source opened again after a problem was reported
    picture: np.ndarray | None = None  # the frame at its size on screen, ready to blit (RGB)


class LatestSlot:
    """A one-frame mailbox: a newer frame replaces an older one that was never taken."""

    def __init__(self) -> None:
        self._item: tuple[Frame, float] | None = None
        self._ready = threading.Condition()
        self.dropped = 0

    def put(self, frame: Frame) -> None:
        with self._ready:
            if self._item is not None:
                self.dropped += 1
            self._item = (frame, time.perf_counter())
            self._ready.notify()

    def take(self, timeout: float) -> tuple[Frame, float] | None:
        with self._ready:
            if self._item is None:
                self._ready.wait(timeout)
            item, self._item = self._item, None
            return item


class PoseWorker:
    """Runs a frame source and the pose stage in background threads."""

    def __init__(
        self,
        open_source: Callable[[], FrameSource],
        estimator: PoseEstimator,
        pace: bool = False,
        retry_s: float = 3.0,
        depth: int = 4,
        camera: bool = False,
    ) -> None:
        self._open_source = open_source
        self._problem = Problem.CAMERA if camera else Problem.SOURCE  # what a failing source means
        self._estimator = estimator
        self._pace = pace  # play recorded frames at their own speed (a demo), or as fast as possible
        self._retry_s = retry_s
        self.results: queue.Queue[Result] = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._threads: list[threading.Thread] = []
        self.frames_done = 0
        self.reports = 0  # frames and problems handed to the UI: the worker is alive while this moves
        self.picture_box: tuple[int, int] | None = None  # the camera box on screen, pixels (set by the app)
        self.live = False

    def start(self) -> None:
        thread = threading.Thread(target=self._run, name="pose", daemon=True)
        self._threads.append(thread)
        thread.start()

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)
        self._threads = [t for t in self._threads if t.is_alive()]

    def pause(self) -> None:
        """Rest the camera and the model (outside opening hours): the source is closed and the pose
        thread waits (kept, not ended: a new thread each night would take memory each night)."""
        self._paused.set()
        while not self.results.empty():
            with contextlib.suppress(queue.Empty):
                self.results.get_nowait()

    def resume(self) -> None:
        """Open the source again and go on (a clip starts from its beginning)."""
        self._paused.clear()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    def _halted(self) -> bool:
        return self._stop.is_set() or self._paused.is_set()

    def _emit(self, result: Result) -> bool:
        """Hand a result to the UI, waiting while it is busy; False once stopping or paused."""
        while not self._halted():
            try:
                self.results.put(result, timeout=0.2)
                self.reports += 1
                return True
            except queue.Full:
                continue
        return False

    def _run(self) -> None:
        troubled = False  # a problem was reported: the next source that opens is news
        while not self._stop.is_set():
            if self._paused.is_set():
                self._stop.wait(0.2)
                continue
            try:
                source = self._open_source()
            except StationError as exc:
                log.warning("frame source unavailable: %s", exc)
                troubled = True
                self._emit(Result(error=str(exc), problem=self._problem))
                if self._stop.wait(self._retry_s):
                    return
                continue
            self.live = source.live
            if troubled:
                log.info("the frame source is back")
                troubled = not self._emit(Result(back=True))
            try:
                if source.live:
                    self._run_live(source)
                else:
                    self._run_recorded(source)
                    if self._paused.is_set():
                        continue  # paused mid-clip: it starts again when resumed
                    self._emit(Result(end=True))
                    return
            except CameraLost as exc:
                log.warning("%s Retrying in %.0f s.", exc, self._retry_s)
                troubled = True
                self._emit(Result(error=str(exc), problem=Problem.CAMERA))
                if self._stop.wait(self._retry_s):
                    return
            except StationError as exc:
                log.error("%s", exc)
                self._emit(Result(error=str(exc), problem=self._problem))
                self._emit(Result(end=True))
                return
            finally:
                source.close()

    def _pose(self, frame: Frame, captured_at: float) -> bool:
        try:
            pose = self._estimator.estimate(frame)
        except Exception as exc:
            log.warning("frame %d skipped: %s", frame.index, exc)
            return True
        self.frames_done += 1
        return self._emit(Result(frame=frame, pose=pose, captured_at=captured_at, picture=self._picture(frame)))

    def _picture(self, frame: Frame) -> np.ndarray | None:
        """The frame fitted to the screen's camera box, here off the UI thread and once per frame.

        The camera's main stream comes at that size from the ISP already (no work at all); a clip
        or the synthetic athlete is scaled here, never again per redraw."""
        box = self.picture_box
        image = frame.display if frame.display is not None else frame.rgb
        if box is None:
            return None
        h, w = image.shape[:2]
        fit = min(box[0] / w, box[1] / h)
        size = (max(1, int(w * fit)), max(1, int(h * fit)))
        if size == (w, h):
            return np.ascontiguousarray(image)
        return cv2.resize(image, size, interpolation=cv2.INTER_AREA if fit < 1 else cv2.INTER_LINEAR)

    def _run_recorded(self, source: FrameSource) -> None:
        started = time.perf_counter()
        for frame in source.frames():
            if self._halted():
                return
            if self._pace:
                delay = started + frame.t - time.perf_counter()
                if delay > 0 and self._stop.wait(delay):
                    return
            if not self._pose(frame, time.perf_counter()):
                return

    def _run_live(self, source: FrameSource) -> None:
        slot = LatestSlot()
        failure: list[BaseException] = []

        def capture() -> None:
            try:
                for frame in source.frames():
                    slot.put(frame)
                    if self._halted():
                        return
            except BaseException as exc:
                failure.append(exc)

        grabber = threading.Thread(target=capture, name="capture", daemon=True)
        grabber.start()
        while not self._halted():
            item = slot.take(timeout=0.5)
            if item is None:
                if failure:
                    raise failure[0]
                if not grabber.is_alive():
                    raise CameraLost("The camera stopped sending frames.")
                continue
            if not self._pose(*item):
                return
