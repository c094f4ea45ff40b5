import threading
import time

import numpy as np

from station.core.keypoints import Pose
from station.core.kiosk.state import Problem
from station.edges.camera.source import CameraLost, Frame
from station.edges.pose.worker import LatestSlot, PoseWorker
from station.errors import StationError


class CountingEstimator:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay, self.seen = delay, []

    def estimate(self, frame: Frame) -> Pose:
        time.sleep(self.delay)
        self.seen.append(frame.index)
        return Pose(frame.t, np.zeros((17, 3)), False, frame.source_size)

    def reset(self) -> None:
        pass


class ListSource:
    def __init__(self, n: int, live: bool = False, fail_after: int | None = None, fps: float = 0.0) -> None:
        self.n, self.live, self.fail_after, self.fps, self.name = n, live, fail_after, fps, "list"

    def frames(self):
        for i in range(self.n):
            if self.fail_after is not None and i >= self.fail_after:
                raise CameraLost("The camera stopped sending frames (unplugged).")
            if self.fps:
                time.sleep(1 / self.fps)
            yield Frame(np.zeros((8, 8, 3), np.uint8), i / 30, i)

    def close(self) -> None:
        pass


def _collect(worker: PoseWorker, until, timeout: float = 10.0, slow_consumer: float = 0.0) -> list:
    out, deadline = [], time.time() + timeout
    while time.time() < deadline:
        try:
            r = worker.results.get(timeout=0.1)
        except Exception:
            continue
        out.append(r)
        time.sleep(slow_consumer)
        if until(out):
            break
    return out


def test_a_recorded_source_never_drops_a_frame_even_with_a_slow_screen():
    est = CountingEstimator()
    worker = PoseWorker(lambda: ListSource(40), est, depth=2)
    worker.start()
    out = _collect(worker, lambda rs: rs and rs[-1].end, slow_consumer=0.01)
    worker.stop()
    assert [r.frame.index for r in out if r.frame] == list(range(40)) and out[-1].end


def test_a_live_source_gives_the_newest_frame_and_drops_the_rest():
    est = CountingEstimator(delay=0.03)
    worker = PoseWorker(lambda: ListSource(60, live=True, fps=200), est)
    worker.start()
    out = _collect(worker, lambda rs: len(rs) >= 5 and any(r.error for r in rs), timeout=5)
    worker.stop()
    seen = [r.frame.index for r in out if r.frame]
    assert len(seen) < 40 and seen == sorted(seen)


def test_a_lost_camera_is_reported_and_retried():
    opened = []

    def factory():
        opened.append(1)
        return ListSource(5, live=True, fail_after=3, fps=100)

    worker = PoseWorker(factory, CountingEstimator(), retry_s=0.1)
    worker.start()
    out = _collect(worker, lambda rs: sum(1 for r in rs if r.error) >= 2, timeout=5)
    worker.stop()
    assert sum(1 for r in out if r.error and r.problem is Problem.CAMERA) >= 2 and len(opened) >= 2


def test_a_source_that_cannot_open_is_reported_not_raised():
    def factory():
        raise StationError("No camera was found.")

    worker = PoseWorker(factory, None, retry_s=0.05, camera=True)
    worker.start()
    out = _collect(worker, lambda rs: len(rs) >= 2, timeout=3)
    worker.stop()
    assert all(r.error == "No camera was found." and r.problem is Problem.CAMERA for r in out)


def test_garbage_frames_are_skipped_not_fatal():
    class Garbage(CountingEstimator):
        def estimate(self, frame):
            if frame.index % 2:
                raise ValueError("NaN everywhere")
            return super().estimate(frame)

    worker = PoseWorker(lambda: ListSource(10), Garbage())
    worker.start()
    out = _collect(worker, lambda rs: rs and rs[-1].end)
    worker.stop()
    assert [r.frame.index for r in out if r.frame] == [0, 2, 4, 6, 8]


def test_latest_slot_counts_what_it_dropped():
    slot = LatestSlot()
    for i in range(5):
        slot.put(Frame(np.zeros((2, 2, 3), np.uint8), i, i))
    frame, _ = slot.take(0.1)
    assert frame.index == 4 and slot.dropped == 4
    assert slot.take(0.01) is None
    threading.Timer(0.05, lambda: slot.put(Frame(np.zeros((2, 2, 3), np.uint8), 9, 9))).start()
    assert slot.take(1.0)[0].index == 9


def test_paused_the_source_is_closed_and_the_same_thread_waits_then_goes_on():
    opened, closed = [], []

    class Tracked(ListSource):
        def __init__(self) -> None:
            super().__init__(100_000, live=True, fps=300)
            opened.append(self)

        def close(self) -> None:
            closed.append(self)

    worker = PoseWorker(Tracked, CountingEstimator(), camera=True)
    worker.start()
    assert _collect(worker, lambda rs: len(rs) >= 5, timeout=5)
    threads = threading.active_count()
    worker.pause()
    deadline = time.time() + 5
    while len(closed) < 1 and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.3)
    while not worker.results.empty():
        worker.results.get_nowait()
    time.sleep(0.3)
    assert closed == opened and worker.results.empty()  # the camera is closed, nothing comes
    assert threading.active_count() <= threads  # the pose thread waits; the capture thread ended
    worker.resume()
    assert _collect(worker, lambda rs: len(rs) >= 5, timeout=5)  # a new source, the same pose thread
    assert len(opened) == 2 and len(worker._threads) == 1
    worker.stop()
