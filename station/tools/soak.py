"""A long run of the whole kiosk (threads, dummy screen, history and all) to show nothing leaks.

Memory and open file handles are read after a warm-up and at the end; a set is ended and a new
one started every `set_frames` frames, so the history database and the summary screen get used.
"""

from __future__ import annotations

import dataclasses
import gc
import os
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from station.app import KioskApp, RunOptions
from station.config import Config
from station.core.kiosk.events import START, Chosen
from station.core.kiosk.state import ASLEEP, SET
from station.edges.progress import Progress


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def open_files() -> int:
    return len(os.listdir("/proc/self/fd"))


WARMUP_FRAMES = 5000  # the first reading comes after this many frames


def _night(app: KioskApp) -> int:
    """Close the opening hours until the station sleeps, sleep a little, open them again and wait
    for frames: the worker's source and threads are closed and made again each time."""
    app.is_open = lambda now: False  # type: ignore[method-assign]
    deadline = time.monotonic() + 60
    while app.kiosk.state.screen != ASLEEP and time.monotonic() < deadline:
        app.step()
        time.sleep(0.01)
    slept = app.kiosk.state.screen == ASLEEP
    for _ in range(10):
        app.step()
        time.sleep(0.01)
    del app.is_open  # the opening hours again (the app's own method)
    shown = app.frames_shown
    while app.frames_shown == shown and time.monotonic() < deadline:
        app.step()
        time.sleep(0.001)
    return int(slept)


def soak(
    frames: int = 100_000, warmup: int = WARMUP_FRAMES, set_frames: int = 3000, out: Callable[[str], None] = print,
    config: Config | None = None,
) -> float:  # fmt: skip
    """Run `frames` synthetic frames through the kiosk; returns the memory growth in MB.

    The first reading comes after a whole set has ended, so one-time costs (fonts for the summary
    screen, the history database) are not counted as growth.
    """
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    # A short idle time: outside opening hours the station sleeps once no button was pressed for it.
    config = config or Config()
    config = dataclasses.replace(config, kiosk=dataclasses.replace(config.kiosk, idle_s=5.0))
    scratch = tempfile.TemporaryDirectory(prefix="hinge-soak-")  # test sets stay out of the gym's history
    options = RunOptions(source="synthetic:kb-swing:back_rounding", drill="kb-swing", size=(640, 360), fast=True,
                         data_folder=Path(scratch.name))  # fmt: skip
    app = KioskApp(options, config)
    start = None
    progress = Progress("soak: frames through the kiosk", total=frames, every_s=2.0)
    try:
        last_switch, switches, nights = 0, 0, 0
        while app.frames_shown < frames:
            app.step()
            # The kiosk's own loop sleeps between redraws; one that never sleeps would keep the
            # interpreter from the pose worker (measured: 0.3 frames a second instead of 290).
            time.sleep(0.001)
            n = app.frames_shown
            progress.step(n - progress.done_count)
            if start is None and n >= warmup:
                gc.collect()
                start = (rss_mb(), open_files(), threading.active_count(), n)
                out(f"start: {start[0]:.1f} MB resident, {start[1]} open files, {start[2]} threads after {n} frames")
            if n - last_switch >= set_frames:  # end the set and start the next: history and summary get used
                app.actions.put(START)
                app.step()
                app.actions.put(START)
                app.step()
                switches += 1
                if switches % 2 == 0:  # every other set, the gym closes and opens again
                    nights += _night(app)
                if app.kiosk.state.screen != SET:
                    app.handle(Chosen(app.kiosk.drill.id, app.now, start=True))
                last_switch = n
        gc.collect()
        end = (rss_mb(), open_files(), threading.active_count())
        sets = len(app.history.sets())
    finally:
        progress.close()
        app.close()
        scratch.cleanup()
    assert start is not None
    out(f"end:   {end[0]:.1f} MB resident, {end[1]} open files, {end[2]} threads after {app.frames_shown} frames")
    out(f"sets recorded: {sets}, nights slept (screen off, camera and model paused): {nights}")
    growth = end[0] - start[0]
    out(f"memory growth: {growth:+.1f} MB, open files {end[1] - start[1]:+d}")
    return growth
