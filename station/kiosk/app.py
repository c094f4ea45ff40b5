"""`station run`: the kiosk's main loop, the one place where screen, buttons, worker and coach meet.

The UI thread only draws, reads buttons and feeds the coach (cheap); capture and inference run
in the PoseWorker. The loop redraws at the display's rate whether or not a frame arrived.
Screen timers (idle, walk-away) run on the UI clock; the coach runs on the frames' own times.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import queue
import signal
import sys
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from station.camera.picam import CameraSettings
from station.camera.source import open_source
from station.config import Config
from station.errors import StationError
from station.kiosk import screens
from station.kiosk.state import HOLD, SELECT, SET, START, SUMMARY, Kiosk, Problem
from station.kiosk.widgets import CAMERA_BOX
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
    data_folder: Path | None = None  # where sets are kept (default: the data folder; soak and bench use their own)


def screen_sized(camera: CameraSettings, box: tuple[int, int]) -> CameraSettings:
    """The camera settings with the main stream at the size of its box on screen: the ISP scales
    it for free, and the UI thread only blits (the configured main size gives the aspect)."""
    w, h = camera.main_size
    fit = min(box[0] / w, box[1] / h, 1.0)
    size = (max(16, int(w * fit) // 2 * 2), max(16, int(h * fit) // 2 * 2))
    return dataclasses.replace(camera, main_size=size)


def camera_stack() -> bool:
    """Whether this machine has the Pi camera stack (picamera2): then the kiosk watches the camera,
    and a camera that is not connected (yet) is a problem screen and a retry, never an exit."""
    try:
        import picamera2  # noqa: F401
    except ImportError:
        return False
    return True


class KioskApp:
    """One kiosk: call `step()` once per screen refresh (the run loop does, tests do it by hand)."""

    def __init__(self, options: RunOptions, config: Config, pin_factory: Any = None, start_worker: bool = True) -> None:
        import pygame

        self.options, self.config = options, config
        spec, note = options.source, None
        if spec is None:
            if camera_stack():
                spec = "camera"
            else:
                spec = f"synthetic:{options.drill or 'rdl'}:back_rounding"
                note = "Demo: synthetic athlete (no camera on this machine)"
        elif spec.startswith("synthetic"):
            note = "Demo: synthetic athlete"
        if options.drill is not None and options.drill not in config.drills:
            raise StationError(f"There is no drill '{options.drill}': choose one of {', '.join(config.drills)}.")
        # Open a file once here, so a bad file is one sentence before any window opens. The camera
        # is opened by the pose worker, which retries: no camera at boot is a problem screen.
        camera = spec == "camera"
        first = None if camera else open_source(spec)
        live = camera or bool(first and first.live)
        self.error: Problem | None = None
        estimator = None
        try:
            from station.pipeline import needs_model
            from station.pose.movenet import load_movenet

            if camera or needs_model(first):  # type: ignore[arg-type]
                estimator = load_movenet(config.pose.threads or None, config.pose.settings)
        except StationError as exc:
            if options.exit_at_end:
                raise
            log.error("%s", exc)
            self.error = Problem.MODEL  # the screen says what to do; systemd must not restart-loop on it
        finally:
            if first is not None:
                first.close()

        from station.kiosk.buttons import Buttons, open_buttons
        from station.kiosk.leds import open_leds
        from station.kiosk.sound import Sounds
        from station.paths import data_dir
        from station.setkeeper import SetKeeper

        # Every finished set is kept, whatever the database does (locked, full, damaged).
        self.keeper = SetKeeper(options.data_folder or data_dir(create=False))
        # Stop signals are ours, not SDL's: SDL would turn SIGTERM into a window close (and leave
        # SIGHUP to kill the process), where the kiosk must store the set in progress first.
        os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
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
        box = self.ui.rect(*CAMERA_BOX)
        camera_settings = screen_sized(config.camera, (box.w, box.h))
        self.worker = PoseWorker(
            lambda: open_source(spec, camera=camera_settings), estimator, pace=pace,
            retry_s=config.kiosk.camera_retry_s, camera=live,
        )  # fmt: skip
        self.worker.picture_box = (box.w, box.h)
        if self.error is None and start_worker:
            self.worker.start()
        self.started = time.monotonic()
        self.ended = False
        self.stop_signal: int | None = None  # a stop signal arrived: the loop ends after this step
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
        self.keeper.retry(now)
        self.view.notice = self.keeper.problem
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
                self.kiosk.state.error, self.kiosk.state.error_text = result.problem or Problem.SOURCE, result.error
                continue
            assert result.frame is not None and result.pose is not None
            frame, pose = result.frame, result.pose
            events = self.kiosk.frame(pose, frame.rgb, frame.scale, now=now)
            self.latencies.append(time.perf_counter() - result.captured_at)
            self.frames_shown += 1
            view = self.view
            if result.picture is not None:
                view.image = result.picture
            else:
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
            self.keeper.keep(self.kiosk.finished_sets.pop(0))
            self.sounds.play("end")

    @property
    def history(self):
        """The set history (read side), for `station history`-like checks."""
        return self.keeper.history()

    def end_set_in_progress(self) -> dict | None:
        """Stopping (a signal, Esc, --seconds, the end of a clip): end the set and keep it if it has reps."""
        if self.kiosk.state.screen != SET:
            return None
        self._react(self.kiosk.end_set(self.now))
        self._store_finished()
        return self.kiosk.state.report

    def screenshot(self, path: str) -> None:
        import pygame

        pygame.image.save(self.surface, path)

    def finish_clip(self) -> dict:
        """The clip ended (or the run stops): end the set, keep it, return its report.

        The set is stored before anything that can fail after it (the screenshot is taken by the
        caller once the report is out)."""
        screens.draw(self.ui, self.kiosk, self.view, self.now)
        report = self.end_set_in_progress()
        return report or {"drill": self.kiosk.drill.id, "reps": 0, "rep_list": [], "frames": 0, "person_frames": 0}

    def close(self) -> None:
        import pygame

        self.notifier.stopping()
        self.worker.stop()
        if self.buttons is not None:
            self.buttons.close()
        if self.leds is not None:
            self.leds.close()
        self.keeper.close()
        pygame.quit()


STOP_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP")


def run(options: RunOptions, config: Config) -> int:
    """Run the kiosk until quit (or the clip ends with --exit-at-end). Returns the exit code.

    However it stops (the clip's end, SIGTERM from systemd, SIGINT, SIGHUP, Esc, --seconds), the
    set in progress is ended and kept first, and with --exit-at-end its JSON is printed before the
    screenshot is saved. A stop signal exits 0 (130 for SIGINT, as a shell expects).
    """
    import pygame

    app = KioskApp(options, config)
    previous = {}

    def stop(signum: int, _frame: Any) -> None:
        app.stop_signal = signum

    for name in STOP_SIGNALS:
        if hasattr(signal, name):
            previous[name] = signal.signal(getattr(signal, name), stop)
    clock = pygame.time.Clock()
    code = 0
    try:
        while app.stop_signal is None and app.step():
            if app.ended and options.exit_at_end:
                break
            if options.max_seconds is not None and app.now > options.max_seconds:
                break
            clock.tick(config.kiosk.screen_fps)
        if app.stop_signal is not None:
            log.info("stop signal %d: the set in progress is kept", app.stop_signal)
            code = 130 if app.stop_signal == getattr(signal, "SIGINT", -1) else 0
        report = app.finish_clip()
        if options.exit_at_end:
            print(json.dumps(report), flush=True)
        if options.screenshot:
            app.screenshot(options.screenshot)
        return code
    finally:
        app.close()
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)


def main_run(options: RunOptions, config: Config) -> int:
    if os.environ.get("SDL_VIDEODRIVER") is None and not options.windowed and sys.platform.startswith("linux"):
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ["SDL_VIDEODRIVER"] = "kmsdrm"  # the Pi's console, no desktop needed
    return run(options, config)
