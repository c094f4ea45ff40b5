"""Stage timings and the ratios the issues ask for, measured together in one run.

Ratios, not absolute times, are the figures to compare across machines: the bare
interpreter invoke is timed interleaved with the pipeline, so both see the same load.
"""

from __future__ import annotations

import os
import resource
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from statistics import median
from typing import Any

from station.config import Config
from station.edges.camera.video import VideoSource, reduced_size
from station.edges.pose.movenet import MoveNet, Square, crop_resize, load_movenet

WARM_UP_INVOKES = 20  # the first invokes allocate and pack weights


def ms(values: list[float]) -> float:
    """Median of seconds, in milliseconds."""
    return median(values) * 1000.0 if values else float("nan")


def peak_memory_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def bench_pose(
    clip: Path, load: Callable[[], MoveNet] = load_movenet, max_frames: int = 1500, out: Callable[[str], None] = print
) -> float:
    """Time decode, crop and resize, invoke and postprocess per frame; returns pipeline/invoke.

    `load`: the model as the station runs it (`compose.pose_model`, the site's [pose] settings).
    After every frame's pipeline the bare invoke runs once on a fixed input, so the two medians
    are taken under the same conditions.
    """
    estimator = load()
    source = VideoSource(clip)
    decode: list[float] = []
    pipeline: list[float] = []
    bare: list[float] = []
    frames = source.frames()
    fixed_input = None
    for _ in range(max_frames):
        t0 = time.perf_counter()
        frame = next(frames, None)
        decode.append(time.perf_counter() - t0)
        if frame is None:
            decode.pop()
            break
        if fixed_input is None:
            fixed_input = crop_resize(frame.rgb, Square.whole(frame.rgb.shape), estimator.input_size)
            for _ in range(WARM_UP_INVOKES):
                estimator.invoke(fixed_input)
            estimator.stage_times = {}
        t2 = time.perf_counter()
        estimator.estimate(frame)
        pipeline.append(time.perf_counter() - t2)
        t4 = time.perf_counter()
        estimator.invoke(fixed_input)
        bare.append(time.perf_counter() - t4)
    source.close()
    stages = estimator.stage_times or {}
    invokes_per_frame = len(stages.get("invoke", [])) / max(1, len(pipeline))
    size = "x".join(map(str, reduced_size(source.width, source.height, source.max_side)))
    out(f"clip: {clip.name}, {len(pipeline)} frames, runtime: {estimator.runtime}, threads: {estimator.threads}")
    out(f"decode (to {size}):".ljust(22) + f"{ms(decode):7.3f} ms median")
    out(f"crop and resize:      {ms(stages.get('crop', [])):7.3f} ms median")
    out(f"invoke (in pipeline): {ms(stages.get('invoke', [])):7.3f} ms median ({invokes_per_frame:.3f} a frame)")
    out(f"postprocess:          {ms(stages.get('post', [])):7.3f} ms median")
    out(f"pipeline after decode:{ms(pipeline):7.3f} ms median")
    out(f"bare invoke:          {ms(bare):7.3f} ms median")
    out(f"peak memory:          {peak_memory_mb():7.1f} MB")
    return ms(pipeline) / ms(bare)


def bench_live(
    clip: Path, config: Config | None = None, drill: str = "deadlift", seconds: float = 12.0,
    out: Callable[[str], None] = print,
) -> None:  # fmt: skip
    """The kiosk as a lifter meets it: the clip played as a live camera into the real app.

    Prints frames shown per second, frames dropped, the time from a frame's capture to the
    lamps and count being updated, and the screen's redraw rate.
    """
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    import tempfile

    from station.app import KioskApp, RunOptions
    from station.core.kiosk.events import Chosen

    config = config or Config()
    scratch = tempfile.TemporaryDirectory(prefix="hinge-bench-")  # benchmark sets stay out of the gym's history
    options = RunOptions(source=f"live:{clip}", drill=drill, size=(1280, 720), data_folder=Path(scratch.name))
    started = time.perf_counter()
    app = KioskApp(options, config)
    app.handle(Chosen(app.kiosk.drill.id, 0.0, start=True))
    redraws = 0
    first_frame_s = float("nan")
    try:
        t0 = time.perf_counter()
        cpu0 = thread_cpu(app)
        while time.perf_counter() - t0 < seconds:
            app.step()
            redraws += 1
            if app.frames_shown and first_frame_s != first_frame_s:
                first_frame_s = time.perf_counter() - started
            delay = 1.0 / config.kiosk.screen_fps - (time.perf_counter() - t0) % (1.0 / config.kiosk.screen_fps)
            time.sleep(max(0.0, delay))
        elapsed = time.perf_counter() - t0
        cpu1 = thread_cpu(app)
        source_fps = VideoSource(clip).fps
    finally:
        app.close()
        scratch.cleanup()
    lat = sorted(app.latencies) or [float("nan")]
    p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))]
    out(f"live path: {clip.name} played as a {source_fps:.0f} fps camera for {elapsed:.1f} s")
    out(f"frames shown:         {app.frames_shown / elapsed:7.1f} per second ({app.frames_shown} frames)")
    out(f"screen redraws:       {redraws / elapsed:7.1f} per second")
    out(f"capture to lamp:      {median(lat) * 1000:7.1f} ms median, {p95 * 1000:.1f} ms 95th percentile")
    for name in cpu1:
        used = cpu1[name] - cpu0.get(name, 0.0)
        out(f"cpu {name + ':':18s}{used / elapsed:7.3f} s a second")
    out(f"first frame on screen:{first_frame_s:7.2f} s after the kiosk started (model loaded, camera opened)")


def thread_cpu(app: Any) -> dict[str, float]:
    """CPU seconds each of the kiosk's threads has used: the UI loop, and capture and pose."""
    tick = os.sysconf("SC_CLK_TCK")
    threads = {"ui thread": threading.main_thread().native_id}
    for i, thread in enumerate(app.worker._threads):
        threads["capture and pose" if i == 0 else f"worker {i}"] = thread.native_id
    used = {}
    for name, tid in threads.items():
        try:
            fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
            used[name] = (int(fields[11]) + int(fields[12])) / tick  # utime + stime
        except (OSError, IndexError, ValueError, TypeError):
            continue
    return used


UI_SIZES = ((1920, 1080), (800, 480))


def bench_ui(
    config: Config | None = None, sizes: tuple[tuple[int, int], ...] = UI_SIZES, out: Callable[[str], None] = print
) -> None:
    """The UI thread's CPU for drawing and flipping one frame (thread time, median): the set screen
    with the live picture updating, and the summary after a ten-minute set."""
    import pygame

    from station.app import KioskApp, RunOptions
    from station.core.coach.setreport import Rep, SetReport
    from station.edges.camera.athlete import AthleteSpec

    for size in sizes:
        scratch = tempfile.TemporaryDirectory(prefix="hinge-bench-")
        options = RunOptions(source="synthetic:rdl", drill="rdl", size=size, data_folder=Path(scratch.name))
        app = KioskApp(options, config or Config())
        try:
            t0 = time.perf_counter()
            while app.frames_shown < 30 and time.perf_counter() - t0 < 30:
                app.step(draw=False)
                time.sleep(0.01)
            cost = []
            for _ in range(60):
                app.step(draw=False)  # a new picture, a new pose: the screen has changed
                c0 = time.thread_time()
                app.draw(app.now)
                pygame.display.flip()
                cost.append(time.thread_time() - c0)
                time.sleep(1.0 / 30)
            label = f"{size[0]}x{size[1]}"
            out(f"ui redraw {label}: {ms(cost):.2f} ms CPU (draw and flip, median, the set screen with a live picture)")
            # Ten minutes of a set at 30 frames a second: the summary's chart of it, redrawn.
            spec = AthleteSpec(drill="rdl", reps=None)
            app.kiosk.state.trace = [(i / 30, 180 - 60 * abs((i % 120) / 60 - 1), 0.3) for i in range(18_000)]
            reps = tuple(Rep(i + 1, 4.0 * i, 4.0 * i + 2, 4.0 * i + 4, (), {}, True) for i in range(150))
            app.kiosk.state.report = SetReport(spec.drill, reps, 18_000, 18_000)
            app.kiosk.state.screen = "summary"
            cost = []
            for _ in range(30):
                c0 = time.thread_time()
                app.draw(app.now)
                pygame.display.flip()
                cost.append(time.thread_time() - c0)
            out(f"ui redraw {label} after a 10-minute set: {ms(cost):.2f} ms CPU (the summary and its chart)")
        finally:
            app.close()
            scratch.cleanup()
