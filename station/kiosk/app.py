"""`station run`: the kiosk's main loop, the one place where screen, buttons, worker and coach meet.

The UI thread only draws, reads buttons and feeds the coach (cheap); capture and inference run
in the PoseWorker. The loop redraws at the display's rate whether or not a frame arrived.
Screen timers (idle, walk-away) run on the UI clock; the coach runs on the frames' own times.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from station.camera.source import open_source
from station.config import Config
from station.errors import StationError
from station.kiosk import screens
from station.kiosk.state import HOLD, SELECT, SET, START, SUMMARY, Kiosk
from station.kiosk.worker import PoseWorker, Result
from station.notify import Notifier

log = logging.getLogger(__name__)
LATENCY_SAMPLES = 5000


@dataclass
class RunOptions:
    source: str | None = None  # camera, synthetic[:DRILL[:FAULT]], a clip or an image; None: camera if any
    drill: str | None = None
    windowed: bool = False
    exit_at_end: bool = False
    screenshot: str | None = None
    size: tuple[int, int] | None = None  # window size (default 1280x720 windowed, the screen's own size full)
    max_seconds: float | None = None  # stop after this long (soak tests, demos)
    fast: bool = False  # recorded sources as fast as they go, not at their own speed (soak, benchmarks)


def camera_available() -> bool:
    """Whether this machine has a Pi camera stack and a camera device (checked without opening it)."""
    try:
        import picamera2  # noqa: F401
    except ImportError:
        return False
    return any(Path("/dev").glob("video*")) or Path("/dev/media0").exists()


class KioskApp:
    """One kiosk: call `step()` once per screen refresh (the run loop does, tests do it by hand)."""

    def __init__(self, options: RunOptions, config: Config, pin_factory: Any = None, start_worker: bool = True) -> None:
        import pygame

        self.options, self.config = options, config
        spec, note = options.source, None
        if spec is None:
            if camera_available():
                spec = "camera"
            else:
                spec = f"synthetic:{options.drill or 'rdl'}:back_rounding"
                note = "Demo: synthetic athlete (no camera on this machine)"
        elif spec.startswith("synthetic"):
            note = "Demo: synthetic athlete"
        if options.drill is not None and options.drill not in config.drills:
            raise StationError(f"There is no drill '{options.drill}': choose one of {', '.join(config.drills)}.")
        # Open the source once here, so a bad file is one sentence before any window opens.
        first = open_source(spec)
        live = first.live
        self.error: str | None = None
        estimator = None
        try:
            from station.pipeline import needs_model
            from station.pose.movenet import load_movenet

            if needs_model(first):
                estimator = load_movenet(config.pose.threads or None, config.pose.settings)
        except StationError as exc:
            if options.exit_at_end:
                raise
            log.error("%s", exc)
            self.error = "model"  # the screen says what to do; systemd must not restart-loop on it
        finally:
            first.close()

        from station.history import History
        from station.kiosk.buttons import Buttons, open_buttons
        from station.kiosk.leds import open_leds
        from station.kiosk.sound import Sounds

        self.history = History.open()
        pygame.display.init()
        pygame.font.init()
        flags = 0
        if options.windowed or options.size:
            size = options.size or (1280, 720)
        else:
            info = pygame.display.Info()
            size = (info.current_w or 1920, info.current_h or 1080)
            flags = pygame.FULLSCREEN if config.kiosk.fullscreen else 0
        self.surface = pygame.display.set_mode(size, flags)
        pygame.display.set_caption("Hinge Station")
        pygame.mouse.set_visible(options.windowed)
        self.ui = screens.Ui(self.surface)
        self.view = screens.View()
        self.view.source_note = note
        self.kiosk = Kiosk([config.drills[d] for d in config.drills], config.kiosk, config.coach)
        self.actions: queue.Queue[str] = queue.Queue()
        self.buttons = (
            Buttons(config.buttons, self.actions, pin_factory)
            if pin_factory
            else open_buttons(config.buttons, self.actions)
        )
        self.leds = open_leds(config.leds)
        self.sounds = Sounds(config.sound)
        self.notifier = Notifier.from_environment()
        pace = not live and not options.fast and not (options.exit_at_end and not spec.startswith("synthetic"))
        self.worker = PoseWorker(lambda: open_source(spec), estimator, pace=pace, retry_s=config.kiosk.camera_retry_s)
        if self.error is None and start_worker:
            self.worker.start()
        self.started = time.monotonic()
        self.ended = False
        self.frames_shown = 0
        # Capture -> lamp/screen update, seconds, for the benchmark: the recent ones only, a kiosk runs for months.
        self.latencies: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self._enter_down_at: float | None = None
        self._steps = 0
        if options.drill is not None:
            self.kiosk.choose(options.drill, 0.0)
            if not live:
                self.kiosk.start_set(0.0)
        self.kiosk.state.error = self.error

    @property
    def now(self) -> float:
        return time.monotonic() - self.started

    def _keyboard(self, now: float) -> bool:
        """Keyboard stand-ins for the buttons; returns False when the window is closed."""
        import pygame

        for event in pygame.event.get():
            if event.type == pygame.QUIT:
                return False
            if event.type == pygame.KEYDOWN:
                if event.key == pygame.K_ESCAPE and self.options.windowed:
                    return False
                if event.key in (pygame.K_s, pygame.K_TAB, pygame.K_RIGHT):
                    self.actions.put(SELECT)
                elif event.key in (pygame.K_RETURN, pygame.K_SPACE):
                    self._enter_down_at = now
                elif event.key == pygame.K_h:
                    self.actions.put(HOLD)
            if event.type == pygame.KEYUP and event.key in (pygame.K_RETURN, pygame.K_SPACE):
                held = self._enter_down_at is not None and now - self._enter_down_at >= self.config.buttons.hold_s
                self.actions.put(HOLD if held else START)
                self._enter_down_at = None
        return True

    def step(self, draw: bool = True) -> bool:
        """One screen refresh: buttons, new poses, timers, drawing. Returns False to quit."""
        import pygame

        now = self.now
        if not self._keyboard(now):
            return False
        while not self.actions.empty():
            self._react(self.kiosk.press(self.actions.get_nowait(), now))
        if self._drain(now) == "end":
            self.ended = True
        self._react(self.kiosk.tick(now))
        self._store_finished()
        if self.leds is not None:
            lit = {f: lamp.lit for f, lamp in self.kiosk.state.lamps.items()} if self.kiosk.state.screen == SET else {}
            self.leds.show(lit)
        if draw:
            screens.draw(self.ui, self.kiosk, self.view, now)
            pygame.display.flip()
        # The watchdog is fed while the pose stage hands over frames, or reports a camera it is
        # retrying, or (no model) while the screen keeps explaining the problem: a restart would
        # not fix it, and a restart loop would hide it. A source that simply stalls starves it.
        self._steps += 1
        self.notifier.progress(shown=draw, frames=self._steps if self.error else self.worker.reports)
        return True

    def _drain(self, now: float) -> str | None:
        """Take every result the worker has ready (a file never skips one)."""
        got = None
        while True:
            try:
                result: Result = self.worker.results.get_nowait()
            except queue.Empty:
                return got
            if result.end:
                return "end"
            if result.error is not None:
                self.kiosk.state.error = "camera" if "camera" in result.error.lower() else result.error
                continue
            assert result.frame is not None and result.pose is not None
            frame, pose = result.frame, result.pose
            events = self.kiosk.frame(pose, frame.rgb, frame.scale, now=now)
            self.latencies.append(time.perf_counter() - result.captured_at)
            self.frames_shown += 1
            view = self.view
            view.image = frame.display if frame.display is not None else frame.rgb
            view.scale = frame.scale * frame.rgb.shape[1] / view.image.shape[1]
            view.keypoints = pose.keypoints if pose.person else None
            update = self.kiosk.state.last_update
            if self.kiosk.state.screen == SET and update is not None:
                view.trace.append((pose.t, update.posture.hip_angle, update.depth))
            elif self.kiosk.state.screen != SUMMARY:
                view.trace = []
            self._react(events)
            got = "frame"

    def _react(self, events) -> None:
        for event in events:
            if event.kind == "rep":
                self.sounds.play("fault" if event.rep.faults else "rep")
            elif event.kind == "fault":
                self.sounds.play("fault")

    def _store_finished(self) -> None:
        while self.kiosk.finished_sets:
            self.history.record(self.kiosk.finished_sets.pop(0))
            self.sounds.play("end")

    def screenshot(self, path: str) -> None:
        import pygame

        pygame.image.save(self.surface, path)

    def finish_clip(self) -> dict:
        """The clip ended: draw its last set screen, end the set, return its report."""
        screens.draw(self.ui, self.kiosk, self.view, self.now)
        if self.options.screenshot:
            self.screenshot(self.options.screenshot)
        self._react(self.kiosk.end_set(self.now))
        self._store_finished()
        return self.kiosk.state.report or {"drill": self.kiosk.drill.id, "reps": 0, "rep_list": [], "frames": 0,
                                           "person_frames": 0}  # fmt: skip

    def close(self) -> None:
        import pygame

        self.notifier.stopping()
        self.worker.stop()
        if self.buttons is not None:
            self.buttons.close()
        if self.leds is not None:
            self.leds.close()
        self.history.close()
        pygame.quit()


def run(options: RunOptions, config: Config) -> int:
    """Run the kiosk until quit (or the clip ends with --exit-at-end). Returns the exit code."""
    import pygame

    app = KioskApp(options, config)
    clock = pygame.time.Clock()
    try:
        while app.step():
            if app.ended and options.exit_at_end:
                print(json.dumps(app.finish_clip()), flush=True)
                return 0
            if options.max_seconds is not None and app.now > options.max_seconds:
                if options.screenshot:
                    app.screenshot(options.screenshot)
                return 0
            clock.tick(config.kiosk.screen_fps)
        return 0
    finally:
        app.close()


def main_run(options: RunOptions, config: Config) -> int:
    if os.environ.get("SDL_VIDEODRIVER") is None and not options.windowed and sys.platform.startswith("linux"):
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ["SDL_VIDEODRIVER"] = "kmsdrm"  # the Pi's console, no desktop needed
    return run(options, config)
