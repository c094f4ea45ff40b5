"""The composition root: the one place that turns a `Config` into the station's parts (`build` for the
kiosk, `analysis` for `station analyze`, `pose_model` and `site_drill` for every other command that
runs the model or the coach: `pose`, `bench`, `views`, `soak`).

Each adapter owns its settings (`CameraSettings` beside the camera, `ButtonSettings` beside the
buttons, ...); only the entry point reads the config file, and only this module hands each part
its settings. Everything hardware is chosen here: the camera, its stand-in or a clip; MoveNet or a
stand-in (known poses, a model that could not load); GPIO pins or the keyboard; the speaker or
silence; the screen (full screen on the Pi's console, a window elsewhere).
"""

from __future__ import annotations

import dataclasses
import logging
import os
import queue
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from station.config import Config
from station.core.coach.session import CoachSettings
from station.core.drills import Drill
from station.core.kiosk.events import CHECK_PLACEMENT, Chosen, ModelProblem, Pressed
from station.core.kiosk.state import Kiosk
from station.edges.camera.picam import CameraSettings
from station.edges.camera.pick import CAMERAS, open_source
from station.edges.display.screens import Ui, View
from station.edges.gpio.buttons import Buttons, KeysOnly
from station.edges.gpio.leds import FaultLeds, NoLeds
from station.edges.notify import Notifier
from station.edges.pose.pipeline import NoModel, PoseEstimator, estimator_for
from station.edges.pose.worker import PoseWorker
from station.edges.sound import Silence, Sounds, open_sounds
from station.edges.storage.setkeeper import SetKeeper
from station.errors import StationError

if TYPE_CHECKING:
    from station.edges.pose.movenet import MoveNet

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Analysis:
    """What `station analyze` needs, from the same Config as the kiosk: a clip reviewed at the desk gets
    the answer the station on the wall would give (the site's thresholds, coach and pose settings)."""

    drill: Drill
    coach: CoachSettings
    load_estimator: Callable[[], PoseEstimator]


def site_drill(config: Config, drill_id: str) -> Drill:
    """The drill with the site's thresholds; an unknown one is one sentence before any work."""
    if drill_id not in config.drills:
        raise StationError(f"There is no drill '{drill_id}': choose one of {', '.join(config.drills)}.")
    return config.drills[drill_id]


def pose_model(config: Config, threads: int | None = None) -> MoveNet:
    """MoveNet with the site's [pose] settings, for the kiosk and every command that runs the model
    (`threads`: a command line's --threads, over the site's)."""
    from station.edges.pose.movenet import load_movenet

    return load_movenet(threads or config.pose.threads or None, config.pose.settings)


def analysis(config: Config, drill_id: str) -> Analysis:
    """The parts of an analysis, the model loaded only where the clip needs it."""
    return Analysis(site_drill(config, drill_id), config.coach, lambda: pose_model(config))


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
    place: bool = False  # open on the installer's placement check (`station place`)


@dataclass
class Parts:
    """A station, assembled: the kiosk's core and every adapter around it."""

    kiosk: Kiosk
    worker: PoseWorker
    ui: Ui
    view: View
    actions: queue.Queue[str]  # button presses, from GPIO or the keyboard
    buttons: Buttons | KeysOnly  # the keyboard's stand-in where there is no GPIO
    leds: FaultLeds | NoLeds  # the stand-in where none are fitted
    sounds: Sounds | Silence  # the stand-in where sound is off or there is no sound card
    keeper: SetKeeper
    notifier: Notifier
    live: bool  # a camera (frames may be dropped) rather than a file (never)
    worker_started: bool  # False: no model (the problem screen) or a test that feeds results itself


def screen_sized(camera: CameraSettings, box: tuple[int, int]) -> CameraSettings:
    """The camera settings with the main stream at the size of its box on screen: the ISP scales
    it for free, and the UI thread only blits (the configured main size gives the aspect)."""
    w, h = camera.main_size
    fit = min(box[0] / w, box[1] / h, 1.0)
    size = (max(16, int(w * fit) // 2 * 2), max(16, int(h * fit) // 2 * 2))
    return dataclasses.replace(camera, main_size=size)


NO_SCREEN = ("There is no screen here ({why}): on a machine without a display, run it with SDL_VIDEODRIVER=dummy "
             "and --screenshot FILE.png (add --exit-at-end with a clip, or --seconds N).")  # fmt: skip


def open_screen(options: RunOptions, config: Config) -> Any:
    """The window or the full screen, before any other work: no display is one sentence, not a traceback."""
    import pygame

    # Stop signals are ours, not SDL's: SDL would turn SIGTERM into a window close (and leave
    # SIGHUP to kill the process), where the kiosk must store the set in progress first.
    os.environ.setdefault("SDL_NO_SIGNAL_HANDLERS", "1")
    try:
        pygame.display.init()
        pygame.font.init()
        flags = 0
        if options.windowed or options.size:
            size = options.size or (1280, 720)
        else:
            info = pygame.display.Info()
            size = (info.current_w or 1920, info.current_h or 1080)
            flags = pygame.FULLSCREEN if config.kiosk.fullscreen else 0
        surface = pygame.display.set_mode(size, flags)
    except pygame.error as exc:
        pygame.quit()
        raise StationError(NO_SCREEN.format(why=str(exc).rstrip(".") or "no video driver")) from None
    pygame.display.set_caption("Hinge Station")
    pygame.mouse.set_visible(options.windowed)
    return surface


def camera_stack() -> bool:
    """Whether this machine has the Pi camera stack (picamera2): then the kiosk watches the camera,
    and a camera that is not connected (yet) is a problem screen and a retry, never an exit."""
    try:
        import picamera2  # noqa: F401
    except ImportError:
        return False
    return True


def build(options: RunOptions, config: Config, pin_factory: Any = None, start_worker: bool = True) -> Parts:
    """Every part of a running station, from the options and the config. A bad drill, no display,
    a bad clip or (with --exit-at-end) no model is one StationError before any other work."""

    from station.edges.display.widgets import CAMERA_BOX
    from station.edges.gpio.buttons import open_buttons
    from station.edges.gpio.leds import open_leds
    from station.edges.paths import data_dir, refuse_foreign_folder

    spec, note = options.source, None
    if spec is None:
        if camera_stack():
            spec = "camera"
        else:
            spec = f"synthetic:{options.drill or 'rdl'}:back_rounding"
            note = "Demo: synthetic athlete (no camera on this machine)"
    elif spec.startswith("synthetic"):
        note = "Demo: synthetic athlete"
    if options.drill is not None:
        site_drill(config, options.drill)
    # Open a file once here, so a bad file is one sentence before the screen opens. The camera
    # is opened by the pose worker, which retries: no camera at boot is a problem screen.
    camera = spec in CAMERAS
    first = None if camera else open_source(spec)
    live = camera or bool(first and first.live)
    model_problem = None
    try:
        surface = open_screen(options, config)  # no display: one sentence before the model loads
    except StationError:
        if first is not None:
            first.close()
        raise
    try:
        estimator = pose_model(config) if first is None else estimator_for(first, lambda: pose_model(config))
    except StationError as exc:
        if options.exit_at_end:
            raise
        log.error("%s", exc)
        model_problem = str(exc)  # the screen says what to do; systemd must not restart-loop on it
        estimator = NoModel(model_problem)
    finally:
        if first is not None:
            first.close()

    # Every finished set is kept, whatever the database does (locked, full, damaged).
    folder = options.data_folder or data_dir(create=False)
    refuse_foreign_folder(folder)
    keeper = SetKeeper(folder)
    ui, view = Ui(surface), View()
    view.source_note = note
    kiosk = Kiosk([config.drills[d] for d in config.drills], config.kiosk, config.coach, config.placement)
    actions: queue.Queue[str] = queue.Queue()
    buttons = Buttons(config.buttons, actions, pin_factory) if pin_factory else open_buttons(config.buttons, actions)
    view.keys = buttons.keys_shown  # no GPIO here: the screens name the keyboard's keys
    pace = not live and not options.fast and not (options.exit_at_end and not spec.startswith("synthetic"))
    box = ui.rect(*CAMERA_BOX)
    camera_settings = screen_sized(config.camera, (box.w, box.h))
    worker = PoseWorker(
        lambda: open_source(spec, camera=camera_settings), estimator, pace=pace,
        retry_s=config.kiosk.camera_retry_s, camera=live,
    )  # fmt: skip
    worker.picture_box = (box.w, box.h)
    if options.drill is not None:
        kiosk.handle(Chosen(options.drill, 0.0, start=not live))
    if options.place:
        kiosk.handle(Pressed(CHECK_PLACEMENT, 0.0))
    if model_problem is not None:
        kiosk.handle(ModelProblem(model_problem, 0.0))
    elif start_worker:
        worker.start()
    return Parts(
        kiosk=kiosk, worker=worker, ui=ui, view=view, actions=actions, buttons=buttons,
        leds=open_leds(config.leds), sounds=open_sounds(config.sound), keeper=keeper,
        notifier=Notifier.from_environment(), live=live, worker_started=model_problem is None and start_worker,
    )  # fmt: skip
