"""The whole kiosk under the dummy video driver, driven by gpiozero mock pins, checked by its pixels."""

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pygame
import pytest

from station.app import KioskApp, RunOptions
from station.config import Config
from station.core.keypoints import Pose
from station.core.kiosk.events import Chosen, Problem
from station.core.kiosk.state import ATTRACT, CHOSEN, SET, SUMMARY
from station.edges.camera.athlete import Athlete, AthleteSpec, Camera, Faults
from station.edges.camera.source import Frame
from station.edges.display.widgets import GREEN, MUTED, RED
from station.edges.gpio.buttons import ButtonSettings
from station.edges.pose.worker import Result
from station.edges.sound import Sounds
from tests.conftest import shared_path
from tests.helpers import station

DOCS = os.environ.get("STATION_DOCS_DIR")  # set it to refresh the README's screenshots


@pytest.fixture
def app(pins, tmp_path):
    factory = pins
    config = Config(buttons=ButtonSettings(bounce_s=0.0, hold_s=0.3))
    kiosk_app = KioskApp(RunOptions(source="synthetic:rdl", size=(1280, 720)), config, factory, start_worker=False)
    kiosk_app.factory = factory
    yield kiosk_app
    kiosk_app.close()


def press(app, pin: int, seconds: float = 0.02) -> None:
    p = app.factory.pin(pin)
    p.drive_low()
    time.sleep(seconds)
    p.drive_high()
    time.sleep(0.03)
    app.step()


class Feeder:
    """Plays the synthetic athlete into the app's result queue, as the worker would."""

    def __init__(self, app) -> None:
        self.app, self.t = app, 0.0

    def lift(self, spec: AthleteSpec, until_reps: int | None = None) -> None:
        for t, k, image in Athlete(spec).frames():
            frame = Frame(rgb=image, t=self.t + t, index=0, truth=k)
            self.app.worker.results.put(Result(frame=frame, pose=Pose(self.t + t, k, True, (640, 480)),
                                               captured_at=time.perf_counter()))  # fmt: skip
            self.app.step(draw=False)
        self.t += t + 0.1
        self.app.step()


def pixels(app) -> np.ndarray:
    return pygame.surfarray.array3d(app.surface).transpose(1, 0, 2)


def count(img: np.ndarray, colour: tuple[int, int, int], region: tuple[float, float, float, float]) -> int:
    h, w = img.shape[:2]
    x0, y0, x1, y1 = region
    part = img[int(y0 * h) : int(y1 * h), int(x0 * w) : int(x1 * w)].astype(int)
    return int((np.abs(part - np.array(colour)).sum(axis=2) < 12).sum())


def shot(app, name: str, tmp_path: Path) -> np.ndarray:
    path = Path(DOCS) / f"{name}.png" if DOCS else tmp_path / f"{name}.png"
    app.screenshot(str(path))
    return pixels(app)


LAMPS, COUNT = (0.6, 0.45, 1.0, 0.95), (0.62, 0.05, 1.0, 0.42)


def test_every_screen_through_the_buttons(app, tmp_path):
    app.step()
    assert app.kiosk.state.screen == ATTRACT
    attract = shot(app, "attract", tmp_path)
    assert count(attract, GREEN, (0, 0, 1, 1)) > 500  # the moving figure and "press SELECT"

    press(app, 17)  # SELECT: the first press wakes the station on the first drill
    assert app.kiosk.state.screen == CHOSEN and app.kiosk.drill.id == "dowel-hinge"
    press(app, 17)
    assert app.kiosk.drill.id == "wall-touch"
    press(app, 17)
    assert app.kiosk.drill.id == "rdl"
    feed = Feeder(app)
    feed.lift(AthleteSpec(drill="rdl", reps=0, lead_in_s=0.5))
    chosen = shot(app, "chosen", tmp_path)
    assert count(chosen, GREEN, (0, 0.8, 0.62, 1)) > 5000  # the banner is green: "Ready: press START"

    press(app, 27)  # START
    assert app.kiosk.state.screen == SET
    before = shot(app, "set-start", tmp_path)
    # Before any rep the lamps are grey: no green "OK" before the station has looked.
    assert count(before, RED, LAMPS) == 0 and count(before, GREEN, LAMPS) == 0

    feed.lift(AthleteSpec(drill="rdl", reps=1, lead_in_s=0.5))
    one = pixels(app)
    assert app.kiosk.reps == 1 and count(one, RED, LAMPS) == 0
    h, w = one.shape[:2]
    region = (slice(int(COUNT[1] * h), int(COUNT[3] * h)), slice(int(COUNT[0] * w), int(COUNT[2] * w)))
    assert not np.array_equal(before[region], one[region])  # the count area shows the new number

    feed.lift(AthleteSpec(drill="rdl", reps=1, lead_in_s=0.5, faults=Faults.named("knees_forward")))
    lit = shot(app, "set", tmp_path)
    assert app.kiosk.reps == 2 and app.kiosk.state.lamps["knees_forward"].lit
    assert count(lit, RED, LAMPS) > 500  # the knees lamp is red
    assert not np.array_equal(one[region], lit[region])

    press(app, 27)  # START again: the set ends
    assert app.kiosk.state.screen == SUMMARY
    summary = shot(app, "summary", tmp_path)
    report = app.kiosk.state.report
    assert report.count == 2 and [bool(r.faults) for r in report.reps] == [False, True]
    # Tiles: one a rep, green for the clean one and red for the faulty one.
    tiles = (0.0, 0.37, 1.0, 0.6)
    assert count(summary, GREEN, tiles) > 200 and count(summary, RED, tiles) > 200
    assert app.history.sets()[-1]["reps"] == 2

    press(app, 27)
    assert app.kiosk.state.screen == CHOSEN


def test_a_set_seen_from_the_front_counts_and_greys_the_lamps_it_cannot_judge(app, tmp_path):
    press(app, 17)
    press(app, 17)
    press(app, 17)  # rdl
    press(app, 27)
    feed = Feeder(app)
    feed.lift(AthleteSpec(drill="rdl", reps=2, lead_in_s=0.5, camera=Camera(yaw_deg=85.0)))
    img = shot(app, "set-front", tmp_path)
    lamps = app.kiosk.state.lamps
    assert app.kiosk.reps == 2 and all(lamp.unseen and not lamp.lit for lamp in lamps.values())
    assert count(img, MUTED, LAMPS) > 500 and count(img, GREEN, LAMPS) < 200  # grey, not green: nothing seen
    assert app.kiosk.guidance == "Turn side-on to the camera"
    feed.lift(AthleteSpec(drill="rdl", reps=1, lead_in_s=0.5, camera=Camera(yaw_deg=45.0)))
    assert app.kiosk.reps == 3 and not any(lamp.unseen for f, lamp in lamps.items() if f != "back_rounding")


def test_holding_start_ends_the_set(app):
    press(app, 17)
    press(app, 27)
    assert app.kiosk.state.screen == SET
    press(app, 27, seconds=0.6)
    assert app.kiosk.state.screen == SUMMARY


def test_a_lost_camera_shows_a_problem_and_keeps_the_set(app, tmp_path):
    press(app, 17)
    press(app, 27)
    feed = Feeder(app)
    feed.lift(AthleteSpec(drill="dowel-hinge", reps=1, lead_in_s=0.5))
    reps = app.kiosk.reps
    app.worker.results.put(Result(error="The camera stopped sending frames (unplugged).", problem=Problem.CAMERA))
    app.step()
    problem = shot(app, "no-camera", tmp_path)
    assert app.kiosk.state.error is Problem.CAMERA and app.kiosk.state.screen == SET
    assert count(problem, (245, 165, 30), (0, 0, 1, 1)) > 1000  # the amber problem box
    feed.lift(AthleteSpec(drill="dowel-hinge", reps=1, lead_in_s=0.5))
    assert app.kiosk.state.error is None and app.kiosk.reps == reps + 1


def test_the_small_pi_display_is_readable(pins, tmp_path):
    factory = pins
    kiosk_app = KioskApp(RunOptions(source="synthetic:rdl", size=(800, 480)), Config(), factory, start_worker=False)
    try:
        kiosk_app.handle(Chosen("rdl", 0, start=True))
        Feeder(kiosk_app).lift(AthleteSpec(drill="rdl", reps=1, lead_in_s=0.5, fps=15))  # a lifter in the picture
        img = shot(kiosk_app, "set-800x480", tmp_path)
        assert img.shape == (480, 800, 3) and kiosk_app.kiosk.reps == 1
        assert count(img, (240, 242, 245), (0.62, 0.05, 1.0, 0.42)) > 1000  # a big white "1"
        assert count(img, GREEN, (0.02, 0.05, 0.58, 0.85)) > 200  # the skeleton over the live picture
    finally:
        kiosk_app.close()


CLIP = "barbell-deadlift_side_rounded-lower-back.mp4"  # short (113 frames), one rep with its back rounded


@pytest.mark.xdist_group(CLIP)  # with that clip's one pass
def test_station_run_on_a_clip_matches_analyze(tmp_path, clip_reports):
    """The issue's command: the summary's reps equal analyze's, and the screenshot shows a lit back lamp."""
    clip = str(shared_path("footage", CLIP))
    png = tmp_path / "set.png"
    env = dict(os.environ, SDL_VIDEODRIVER="dummy", SDL_AUDIODRIVER="dummy")
    cmd = [sys.executable, "-m", "station", "run", "--source", clip, "--drill", "deadlift", "--exit-at-end"]
    run = subprocess.run([*cmd, "--screenshot", str(png)], capture_output=True, text=True, env=env, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    summary = json.loads(run.stdout)  # one JSON object and nothing else
    analyzed = clip_reports(CLIP)  # `station analyze`, with this run's poses
    assert [r["faults"] for r in summary["rep_list"]] == [r["faults"] for r in analyzed["rep_list"]]
    assert [r["metrics"] for r in summary["rep_list"]] == [r["metrics"] for r in analyzed["rep_list"]]
    assert summary["reps"] == 1 and summary["rep_list"][0]["faults"] == ["back_rounding"]
    assert "rep 1 of deadlift" in run.stderr  # one log line a rep, for journald
    img = pygame.image.load(str(png))
    arr = pygame.surfarray.array3d(img).transpose(1, 0, 2)
    assert count(arr, RED, LAMPS) > 300
    history = station("history", "--csv", env=env)
    assert history.returncode == 0
    last = history.stdout.strip().splitlines()[-1].split(",")
    assert last[3] == "deadlift" and last[4] == "1"


def test_exit_at_end_needs_a_file_and_a_drill():
    run = station("run", "--exit-at-end")
    assert run.returncode == 2 and "needs --source FILE" in run.stderr


def test_a_missing_model_shows_a_problem_screen_and_keeps_running(pins, tmp_path, monkeypatch):
    monkeypatch.delenv("STATION_MODEL_DIR", raising=False)
    monkeypatch.setenv("STATION_DATA_DIR", str(tmp_path))
    factory = pins
    clip = str(shared_path("footage", "barbell-deadlift_side_good-pull.mp4"))
    kiosk_app = KioskApp(RunOptions(source=clip, size=(1280, 720)), Config(), factory)
    try:
        for _ in range(3):
            assert kiosk_app.step()
        assert kiosk_app.kiosk.state.error is Problem.MODEL
        img = shot(kiosk_app, "no-model", tmp_path)
        assert count(img, (245, 165, 30), (0, 0, 1, 1)) > 1000
    finally:
        kiosk_app.close()


def test_a_missing_model_with_exit_at_end_is_one_sentence(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "STATION_MODEL_DIR"}
    env.update(STATION_DATA_DIR=str(tmp_path), SDL_VIDEODRIVER="dummy")
    clip = str(shared_path("footage", "barbell-deadlift_side_good-pull.mp4"))
    cmd = [sys.executable, "-m", "station", "run", "--source", clip, "--drill", "deadlift", "--exit-at-end"]
    run = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    assert run.returncode == 2 and run.stdout == "" and "station model install" in run.stderr
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize(("sig", "code", "reps_before"), [
    (signal.SIGTERM, 0, 1), (signal.SIGINT, 130, 1), (signal.SIGHUP, 0, 1), (signal.SIGQUIT, 0, 1),
    (signal.SIGUSR1, 0, 1),
])  # fmt: skip
def test_a_stop_signal_mid_set_keeps_the_set(tmp_path, sig, code, reps_before):
    """`station run --source synthetic:rdl --drill rdl`, stopped mid-set (systemctl stop, Ctrl-C, a
    hang-up, Ctrl-\\, a stray SIGUSR1: issue 17 #5 lost the set to the last two): the set so far is in
    `station history`, the exit code is the documented one, and `station status` says the kiosk
    stopped (issue 17 #15: it said "running" for a minute)."""
    env = {**os.environ, "STATION_DATA_DIR": str(tmp_path), "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    cmd = [sys.executable, "-m", "station", "run", "--source", "synthetic:rdl", "--drill", "rdl"]
    proc = subprocess.Popen(cmd, env=env, stderr=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    counted, deadline = 0, time.monotonic() + 90
    assert proc.stderr is not None
    while counted < reps_before and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        counted += " rep " in line and " of rdl at " in line
    proc.send_signal(sig)
    _, rest = proc.communicate(timeout=60)
    assert proc.returncode == code, rest[-2000:]
    counted += rest.count(" of rdl at ")
    history = station("history", "--csv", env=env, timeout=60)
    rows = [r for r in history.stdout.splitlines()[1:] if ",rdl," in r]
    assert len(rows) == 1 and counted >= reps_before, (history.stdout, history.stderr)
    assert rows[0].split(",")[4] == str(counted)  # the reps counted so far, all of them kept
    if sig == signal.SIGTERM:
        status = station("status", env=env, timeout=60)
        assert "kiosk: not running" in status.stdout, status.stdout


def test_a_data_folder_nothing_can_be_written_to_puts_the_set_in_the_log_and_exits_75(tmp_path):
    """Issue 17 #1 end to end: the set ends up in the log as a line to import, and the exit says so."""
    from tests.helpers import tmpfs

    with tmpfs(tmp_path / "ro", "ro,size=256k") as ro:
        env = {**os.environ, "STATION_DATA_DIR": str(ro), "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
        run = station("run", "--source", "synthetic:rdl", "--drill", "rdl", "--seconds", "6", env=env, timeout=120)
    assert run.returncode == 75, run.stderr[-2000:]
    assert "hinge-set {" in run.stderr and "station history --import" in run.stderr.splitlines()[-1]


def test_no_camera_at_boot_shows_the_problem_keeps_the_watchdog_fed_and_goes_live_when_one_appears(pins, monkeypatch):
    """picamera2's stand-in lists no camera: the kiosk starts anyway, shows "No camera picture",
    retries and stays fed; when a camera is plugged in, frames flow and the problem goes away."""
    from station.edges.camera.mockcam import MockPicamera2

    cameras: list[dict] = []
    MockPicamera2.reset()
    monkeypatch.setattr(MockPicamera2, "cameras", cameras)
    shared_path("models")
    factory = pins
    config = Config(kiosk=replace(Config().kiosk, camera_retry_s=0.5))
    app = KioskApp(RunOptions(source="camera:mock", size=(640, 360)), config, factory)  # the camera adapter
    fed: list[int] = []
    monkeypatch.setattr(app.notifier, "progress", lambda shown, frames: fed.append(frames))
    try:
        deadline = time.monotonic() + 10
        while (app.kiosk.state.error is not Problem.CAMERA or app.worker.reports < 3) and time.monotonic() < deadline:
            app.step()
            time.sleep(0.02)
        app.step()
        assert app.kiosk.state.error is Problem.CAMERA and any(t.is_alive() for t in app.worker._threads)
        assert len(set(fed)) >= 3  # three retries, each a report: the watchdog is fed while no camera is there
        before = app.worker.reports
        cameras.append({"Model": "imx708"})  # the ribbon cable goes in
        deadline = time.monotonic() + 15
        while app.frames_shown < 3 and time.monotonic() < deadline:
            app.step()
            time.sleep(0.02)
        assert app.frames_shown >= 3 and app.kiosk.state.error is None
        assert app.worker.reports > before and max(fed) > before  # and fed by the frames once it is
    finally:
        app.close()


def test_a_good_rep_a_fault_and_the_end_of_a_set_each_reach_the_mixer(app):
    played: list[str] = []

    class Recorder:
        def __init__(self, name: str) -> None:
            self.name = name

        def play(self) -> None:
            played.append(self.name)

    assert isinstance(app.sounds, Sounds)  # SDL's dummy audio driver: a real mixer, no speaker
    app.sounds._sounds = {name: Recorder(name) for name in app.sounds._sounds}
    press(app, 17)
    press(app, 17)
    press(app, 17)  # rdl
    press(app, 27)
    feed = Feeder(app)
    feed.lift(AthleteSpec(drill="rdl", reps=1, lead_in_s=0.5))
    feed.lift(AthleteSpec(drill="rdl", reps=1, lead_in_s=0.5, faults=Faults.named("knees_forward")))
    press(app, 27)  # the set ends
    assert played == ["rep", "fault", "end"]


def test_seconds_ending_a_demo_mid_set_keeps_the_set(tmp_path):
    env = {**os.environ, "STATION_DATA_DIR": str(tmp_path), "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
    run = station("run", "--source", "synthetic:rdl", "--drill", "rdl", "--seconds", "6", env=env, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    counted = run.stderr.count(" of rdl at ")
    history = station("history", "--csv", env=env, timeout=60)
    rows = history.stdout.splitlines()[1:]
    assert counted >= 1 and len(rows) == 1 and rows[0].split(",")[4] == str(counted)


def test_esc_in_a_window_ends_the_loop_and_the_set_in_progress_is_kept(pins, tmp_path):
    factory = pins
    options = RunOptions(source="synthetic:rdl", drill="rdl", windowed=True, size=(640, 360), data_folder=tmp_path)
    app = KioskApp(options, Config(), factory, start_worker=False)
    try:
        Feeder(app).lift(AthleteSpec(drill="rdl", reps=2, lead_in_s=0.5))
        assert app.kiosk.state.screen == SET and app.kiosk.reps == 2
        pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_ESCAPE))
        assert app.step() is False  # the loop in `run` stops, then keeps the set as it does for a signal
        report = app.finish_clip()
        assert report.count == 2 and [s["reps"] for s in app.history.sets()] == [2]
    finally:
        app.close()


def test_the_summary_qr_code_reads_back_as_the_sets_report(pins, tmp_path):
    """A phone's view of the summary: OpenCV's QR reader on the 1080p screenshot gives the set's text."""
    import cv2

    from station.core.takehome import take_home_text

    factory = pins
    options = RunOptions(source="synthetic:rdl", drill="rdl", size=(1920, 1080), data_folder=tmp_path)
    app = KioskApp(options, Config(), factory, start_worker=False)
    try:
        feed = Feeder(app)
        feed.lift(AthleteSpec(drill="rdl", reps=2, lead_in_s=0.5))
        feed.lift(AthleteSpec(drill="rdl", reps=1, lead_in_s=0.5, faults=Faults.named("knees_forward")))
        app.actions.put("start")
        app.step()
        assert app.kiosk.state.screen == SUMMARY
        img = shot(app, "summary-1080p", tmp_path)
        text, corners, _ = cv2.QRCodeDetector().detectAndDecode(cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
        report = app.kiosk.state.report
        assert report is not None and report.count == 3
        assert text == app.view.take_home[2]
        assert text.startswith("Hinge Station: Romanian deadlift\n") and "\n3 reps, 2 good\n" in text
        assert "Knees forward (rep 3): Keep the shins vertical" in text
        when = text.splitlines()[1]
        from datetime import datetime

        finished = datetime.strptime(when, "%a %d %b %Y, %H:%M")
        assert text == take_home_text(report, "Romanian deadlift", finished)  # the set's report, nothing else
        side = float(np.ptp(corners[0][:, 0]))
        assert side >= 300  # at least 5 px a module at 1080p: readable from about a metre
    finally:
        app.close()


def test_the_health_page_shows_the_status_lines_and_the_kiosks_own_record(app, tmp_path):
    from station.edges.health import HealthRecord, Machine

    zone = tmp_path / "sys/class/thermal/thermal_zone0"  # a Pi's readings, faked
    zone.mkdir(parents=True)
    (zone / "type").write_text("cpu-thermal\n")
    (zone / "temp").write_text("51234\n")
    app.machine = Machine(sys_root=tmp_path, vcgencmd=lambda: "throttled=0x50000\n")
    Feeder(app).lift(AthleteSpec(drill="rdl", reps=1, lead_in_s=0.3))  # frames through: a frame rate to report
    app.actions.put("health")  # the keyboard's I, or SELECT and START held together
    app.step()
    assert app.kiosk.state.screen == "health"
    lines = app.view.status
    assert "CPU temperature: 51.2 C" in lines and "throttled: under-voltage since boot, throttled since boot" in lines
    assert any(line.startswith("sets today:") for line in lines)
    record = HealthRecord.read(app.keeper.folder)
    assert record is not None and record.screen in ("attract", "chosen", "health") and record.pid == os.getpid()
    img = shot(app, "health", tmp_path)
    assert count(img, (28, 34, 46), (0, 0.15, 1, 0.85)) > 100_000  # the page's panel


def test_closing_time_blanks_the_screen_rests_the_worker_and_an_unsynced_clock_keeps_it_on(pins, tmp_path, monkeypatch):
    from datetime import datetime

    import station.app as app_module
    from station.core.hours import OpeningHours

    factory = pins
    options = RunOptions(source="synthetic:rdl", size=(640, 360), data_folder=tmp_path)
    app = KioskApp(options, Config(display=OpeningHours.parse({"daily": "06:00-22:00"})), factory)
    fed: list[int] = []
    monkeypatch.setattr(app.notifier, "progress", lambda shown, frames: fed.append(frames))
    try:
        app.local_time = lambda: datetime(2026, 11, 29, 23, 30).astimezone()  # half past eleven at night
        monkeypatch.setattr(app_module, "clock_synchronised", lambda: False)
        for _ in range(5):
            app.step()
        assert app.kiosk.state.screen == ATTRACT  # the clock is not set: it may not be night at all
        monkeypatch.setattr(app_module, "clock_synchronised", lambda: True)
        app._open_at = -1e9  # look the hours up now, not in five seconds
        app.step()
        assert app.kiosk.state.screen == "asleep" and app.worker.paused  # camera and model rest
        for _ in range(3):
            app.step()
        assert not pixels(app).any()  # black
        assert len(set(fed[-4:])) == 4  # the watchdog is still fed
        app.actions.put("select")  # a button wakes it
        app.step()
        assert app.kiosk.state.screen == ATTRACT and not app.worker.paused
        deadline = time.monotonic() + 10
        shown = app.frames_shown
        while app.frames_shown == shown and time.monotonic() < deadline:
            app.step()
            time.sleep(0.01)
        assert app.frames_shown > shown  # frames again
    finally:
        app.close()


def test_a_good_placement_is_recorded_and_listed_by_station_history(app, tmp_path):
    app.actions.put("place")  # the keyboard's P, or SELECT held for 5 seconds
    app.step()
    assert app.kiosk.state.screen == "place"
    camera = Camera(size=(640, 480), body_fraction=0.62)
    Feeder(app).lift(AthleteSpec(drill="rdl", reps=1, lead_in_s=6, fps=15, camera=camera))
    shot(app, "place", tmp_path)
    assert [p["figures"]["height"] for p in app.history.placements()] == [app.kiosk.state.placed.figures["height"]]
    listed = station("history", "--placements", timeout=60)
    assert listed.returncode == 0 and len(listed.stdout.strip().splitlines()) == 2 and "height 0.6" in listed.stdout


def test_a_placement_the_history_cannot_take_is_not_called_recorded(app, monkeypatch):
    """Issue 20: a failed placement record was only logged, and the screen still said "recorded"."""
    from station.core.kiosk.events import RecordPlacement
    from station.errors import StationError

    def locked(figures):
        raise StationError("the history is locked.")

    monkeypatch.setattr(app.keeper.history(), "record_placement", locked)
    app._carry_out(RecordPlacement({"height": 0.7}))
    assert app.kiosk.state.placement_unrecorded == "the history is locked"
