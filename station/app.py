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
import sqlite3
import sys
import time
from collections import deque
from datetime import datetime
from typing import Any

from station.compose import RunOptions, build
from station.config import Config
from station.core.coach.setreport import SetReport
from station.core.kiosk.events import (
    CHECK_PLACEMENT,
    HOLD,
    SELECT,
    SHOW_HEALTH,
    START,
    CameraBack,
    CameraLost,
    Effect,
    Event,
    FeedWatchdog,
    PlacementNotRecorded,
    PlaySound,
    PoseSeen,
    Pressed,
    Problem,
    RecordPlacement,
    ShowLamps,
    Sleep,
    SourceProblem,
    Stopping,
    StoreFailed,
    StoreRecovered,
    StoreSet,
    Tick,
)
from station.core.kiosk.shown import camera_status, shown
from station.core.kiosk.state import ASLEEP, HEALTH, SET
from station.edges.display import screens
from station.edges.health import HealthRecord, Machine, read_status
from station.edges.pose.worker import Result
from station.edges.storage.history import clock_synchronised
from station.errors import StationError

log = logging.getLogger(__name__)
LATENCY_SAMPLES = 5000
HEALTH_EVERY_S = 5.0  # the health record is rewritten this often (readers call it stale after a minute)
STATUS_EVERY_S = 2.0  # the health page reads the machine again this often while it is shown
FPS_WINDOW_S = 60.0  # pose frames a second are counted over this window
HOURS_EVERY_S = 5.0  # the opening hours are looked up this often
ASLEEP_FPS = 2.0  # screen refreshes a second while asleep: buttons still answer, the CPU rests

__all__ = ["KioskApp", "RunOptions", "main_run", "run"]


class KioskApp:
    """One kiosk: call `step()` once per screen refresh (the run loop does, tests do it by hand).

    The shell around the core: it turns buttons, worker results and time into events for
    `Kiosk.handle`, and carries out the effects it answers with. It decides nothing itself."""

    def __init__(self, options: RunOptions, config: Config, pin_factory: Any = None, start_worker: bool = True) -> None:
        parts = build(options, config, pin_factory, start_worker)
        self.options, self.config = options, config
        self.kiosk, self.worker, self.keeper = parts.kiosk, parts.worker, parts.keeper
        self.ui, self.view, self.surface = parts.ui, parts.view, parts.ui.surface
        self.actions, self.buttons, self.leds = parts.actions, parts.buttons, parts.leds
        self.sounds, self.notifier = parts.sounds, parts.notifier
        self.live = parts.live
        self.started = time.monotonic()
        self.ended = False
        self.stop_signal: int | None = None  # a stop signal arrived: the loop ends after this step
        self.frames_shown = 0
        self.fed = 0  # FeedWatchdog effects so far: the notifier pings while this moves
        # Capture -> lamp/screen update, seconds, for the benchmark: the recent ones only, a kiosk runs for months.
        self.latencies: deque[float] = deque(maxlen=LATENCY_SAMPLES)
        self._enter_down_at: float | None = None
        self._frame_times: deque[float] = deque()  # UI times of recent pose results, for the frame rate
        self._health_at = self._status_at = -1e9
        self._health_failed = False
        self.last_problem: str | None = None
        self.machine = Machine()  # where temperature, throttling and uptime are read (tests fake it)
        self.hours = config.display
        self.worker_wanted = parts.worker_started  # no model: the worker never runs, asleep or not
        self.local_time = lambda: datetime.now().astimezone()  # the wall clock where the station stands
        self._open_at, self._open = -1e9, True

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
                elif event.key == pygame.K_i:
                    self.actions.put(SHOW_HEALTH)
                elif event.key == pygame.K_p:
                    self.actions.put(CHECK_PLACEMENT)
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
            self.handle(Pressed(self.actions.get_nowait(), now))  # type: ignore[arg-type]
        if self._drain(now) == "end":
            self.ended = True
        self.handle(Tick(now, self.is_open(now)))
        self.keeper.retry(now)
        problem = self.keeper.problem  # the core decides what the screens say of it
        if problem != self.kiosk.state.store_problem:
            self.handle(StoreFailed(problem, now) if problem else StoreRecovered(now))
        self._report_health(now)
        if draw:
            self.draw(now)
            pygame.display.flip()
        self.notifier.progress(shown=draw, frames=self.fed)
        return True

    def draw(self, now: float) -> None:
        """The screen the core shows (its plain view), with the shell's picture and time."""
        screens.draw(self.ui, shown(self.kiosk), self.view, now)

    def handle(self, event: Event) -> None:
        """An event to the core, and its effects carried out (the set is always stored first)."""
        for effect in self.kiosk.handle(event):
            self._carry_out(effect)

    def _carry_out(self, effect: Effect) -> None:
        if isinstance(effect, StoreSet):
            self.keeper.keep(effect.report)
            self.view.set_finished_at = datetime.now().astimezone()  # the take-home code's date
            release_freed_memory()  # a set's frames and samples are freed now: give the pages back
        elif isinstance(effect, PlaySound):
            self.sounds.play(effect.name)
        elif isinstance(effect, ShowLamps):
            self.leds.show(dict(effect.lit))
        elif isinstance(effect, FeedWatchdog):
            self.fed += 1
        elif isinstance(effect, RecordPlacement):
            try:
                self.keeper.history().record_placement(dict(effect.figures))
            except (StationError, sqlite3.Error, OSError) as exc:
                log.warning("the placement could not be recorded in the history (%s)", exc)
                self.handle(PlacementNotRecorded(str(exc).rstrip("."), self.now))
        elif isinstance(effect, Sleep):
            log.info("%s", "outside opening hours: screen off, camera and model resting" if effect.asleep else "awake")
            if effect.asleep:
                self.worker.pause()
                self.view.image = self.view.keypoints = None
                release_freed_memory()
            elif self.worker_wanted:
                self.worker.resume()

    def is_open(self, now: float) -> bool:
        """Inside the opening hours, looked up every few seconds; always while the clock is not set
        (a Pi without network time may think it is the middle of the night)."""
        if self.hours.always:
            return True
        if now - self._open_at >= HOURS_EVERY_S:
            self._open_at = now
            self._open = not clock_synchronised() or self.hours.is_open(self.local_time())
        return self._open

    def health_record(self, now: float) -> HealthRecord:
        """What the kiosk says of itself to `station status`, the health page and the fleet sender."""
        while self._frame_times and now - self._frame_times[0] > FPS_WINDOW_S:
            self._frame_times.popleft()
        span = min(FPS_WINDOW_S, max(now, 1e-3))
        wall = time.time()
        return HealthRecord(
            written_at=wall, started_at=wall - now, pid=os.getpid(), pose_fps=round(len(self._frame_times) / span, 1),
            camera=camera_status(self.kiosk.state, self.live), screen=self.kiosk.state.screen,
            last_problem=self.last_problem, sets_waiting=self.keeper.waiting,
        )  # fmt: skip

    def _write_health(self, record: HealthRecord) -> None:
        try:
            record.write(self.keeper.folder)
            self._health_failed = False
        except OSError as exc:
            if not self._health_failed:  # one line per outage, not one per write
                log.warning("the health record cannot be written in %s (%s)", self.keeper.folder, exc)
            self._health_failed = True

    def _report_health(self, now: float) -> None:
        """Write the health record every few seconds; on the health page, read the machine too."""
        if now - self._health_at >= HEALTH_EVERY_S:
            self._health_at = now
            self._write_health(self.health_record(now))
        if self.kiosk.state.screen == HEALTH and now - self._status_at >= STATUS_EVERY_S:
            self._status_at = now
            self.view.status = read_status(self.keeper.folder, self.machine).lines()

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
            if result.back:
                self.handle(CameraBack(now))
                continue
            if result.error is not None:
                self.last_problem = result.error
                camera = (result.problem or Problem.SOURCE) is Problem.CAMERA
                self.handle(CameraLost(result.error, now) if camera else SourceProblem(result.error, now))
                continue
            assert result.frame is not None and result.pose is not None
            frame, pose = result.frame, result.pose
            self.handle(PoseSeen(pose, now, frame.rgb, frame.scale))
            self._frame_times.append(now)
            self.latencies.append(time.perf_counter() - result.captured_at)
            self.frames_shown += 1
            view = self.view
            if result.picture is not None:
                view.image = result.picture
            else:
                view.image = frame.display if frame.display is not None else frame.rgb
            view.scale = frame.scale * frame.rgb.shape[1] / view.image.shape[1]
            view.keypoints = pose.keypoints if pose.person else None
            got = "frame"

    @property
    def history(self):
        """The set history (read side), for `station history`-like checks."""
        return self.keeper.history()

    def end_set_in_progress(self) -> SetReport | None:
        """Stopping (a signal, Esc, --seconds, the end of a clip): end the set and keep it if it has reps."""
        if self.kiosk.state.screen != SET:
            return None
        self.handle(Stopping(self.now))
        return self.kiosk.state.report

    def screenshot(self, path: str) -> None:
        import pygame

        pygame.image.save(self.surface, path)

    def finish_clip(self) -> SetReport:
        """The clip ended (or the run stops): end the set, keep it, return its report.

        The set is stored before anything that can fail after it (the screenshot is taken by the
        caller once the report is out)."""
        self.draw(self.now)
        report = self.end_set_in_progress()
        return report or SetReport(self.kiosk.drill.id)

    def close(self) -> None:
        import pygame

        self.notifier.stopping()
        self.worker.stop()
        # `station status` must not call a stopped kiosk running.
        self._write_health(dataclasses.replace(self.health_record(self.now), stopped_at=time.time()))
        self.buttons.close()
        self.leds.close()
        self.keeper.close()
        pygame.quit()


def release_freed_memory() -> None:
    """Hand memory freed by a finished set (or the day) back to the system: glibc keeps freed heap
    pages for reuse, and a kiosk that runs for months would hold its busiest set's worth for good."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to do


# Every signal whose default would end the process ends it the one safe way: the set in progress
# is ended and kept first. (SIGKILL cannot be caught: the journal is why a finished set survives it.)
STOP_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM", "SIGVTALRM", "SIGPROF",
                "SIGXCPU", "SIGPWR")  # fmt: skip
# EX_TEMPFAIL: a set only the system log holds (systemd restarts the kiosk; the log says how to replay it).
UNSAVED_EXIT = 75


def run(options: RunOptions, config: Config) -> int:
    """Run the kiosk until quit (or the clip ends with --exit-at-end). Returns the exit code.

    However it stops (the clip's end, SIGTERM from systemd, SIGINT, SIGQUIT, SIGHUP, SIGUSR1, Esc,
    --seconds), the set in progress is ended and kept first, and with --exit-at-end its JSON is
    printed before the screenshot is saved. A stop signal exits 0 (130 for SIGINT, as a shell
    expects); a set that no disk could take exits 75, after the log says how to replay it.
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
            clock.tick(ASLEEP_FPS if app.kiosk.state.screen == ASLEEP else config.kiosk.screen_fps)
        if app.stop_signal is not None:
            log.info("stop signal %d: the set in progress is kept", app.stop_signal)
            code = 130 if app.stop_signal == getattr(signal, "SIGINT", -1) else 0
        report = app.finish_clip()
        if options.exit_at_end:
            print(json.dumps(report.to_json()), flush=True)
        if options.screenshot:
            try:
                app.screenshot(options.screenshot)
            except (pygame.error, OSError) as exc:  # the set is stored already: only the picture is lost
                log.error("the screenshot could not be saved at %s (%s)", options.screenshot, exc)
                code = code or 1
    finally:
        app.close()
        for name, handler in previous.items():
            signal.signal(getattr(signal, name), handler)
    return UNSAVED_EXIT if app.keeper.unsaved else code


def main_run(options: RunOptions, config: Config) -> int:
    if os.environ.get("SDL_VIDEODRIVER") is None and not options.windowed and sys.platform.startswith("linux"):
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ["SDL_VIDEODRIVER"] = "kmsdrm"  # the Pi's console, no desktop needed
    return run(options, config)
