"""Shared fixtures: the stand-ins for hardware, and the shared data (which must be present)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import cv2
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("STATION_SHARED", ROOT.parent / "shared"))

# Two test workers share two cores: OpenCV's own thread pool would only fight over them.
cv2.setNumThreads(1)

# Stand-ins for the screen, the sound card and the GPIO header, before anything imports them.
os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("GPIOZERO_PIN_FACTORY", "mock")
os.environ.setdefault("STATION_MODEL_DIR", str(SHARED / "models"))


def pytest_sessionstart(session: pytest.Session) -> None:
    """A fresh per-clip table each run (written by tests/test_analyze.py); only the controller clears it."""
    if not hasattr(session.config, "workerinput"):
        (ROOT / "build" / "clip-table.txt").unlink(missing_ok=True)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The longest clips' groups first: xdist hands out groups in collection order, and a long clip's
    MoveNet pass handed out last keeps one worker busy while the other idles (longest first balances)."""
    frames: dict[str, float] = {}

    def length(clip: str) -> float:
        if clip not in frames:
            capture = cv2.VideoCapture(str(SHARED / "footage" / clip))
            frames[clip] = capture.get(cv2.CAP_PROP_FRAME_COUNT) if capture.isOpened() else 0.0
            capture.release()
        return frames[clip]

    def key(pair: tuple[int, pytest.Item]) -> tuple[int, float, str, int]:
        index, item = pair
        mark = item.get_closest_marker("xdist_group")
        group = str(mark.args[0]) if mark and mark.args else ""
        return (0, -length(group), group, index) if group.endswith(".mp4") else (1, 0.0, "", index)

    items[:] = [item for _, item in sorted(enumerate(items), key=key)]


@pytest.fixture(autouse=True)
def _data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test writes its history and model copy into a fresh folder, never /var/lib."""
    path = tmp_path_factory.mktemp("data")
    monkeypatch.setenv("STATION_DATA_DIR", str(path))
    return path


def shared_path(*parts: str) -> Path:
    """A file from ../shared. Missing: in CI the test fails loudly (CI must have the data); on a
    developer's machine without ../shared it is skipped, saying what it needed."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"needs the shared data: {path} is missing (put shared/ beside the repo or set STATION_SHARED)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def clip_labels() -> dict[str, dict]:
    """The shared clips' labels, or nothing when ../shared is missing (the clip tests then skip)."""
    path = SHARED / "footage" / "labels.json"
    return json.loads(path.read_text())["clips"] if path.exists() else {}


def clip_names() -> list[str]:
    """Clip names to parametrize over; one placeholder that skips when the footage is missing."""
    return sorted(clip_labels()) or ["labels.json"]


@pytest.fixture(scope="session")
def movenet_model():
    """One loaded interpreter for the whole run (the pose tests reset its crop between uses)."""
    from station.edges.pose.model import MODEL_FILE, verify
    from station.edges.pose.runtime import load_interpreter

    path = shared_path("models", MODEL_FILE)
    verify(path)
    # One thread: the suite runs on two workers, each with its own interpreter; two threads each
    # would fight over the two cores.
    return load_interpreter(path, 1)


@pytest.fixture
def movenet(movenet_model):
    from station.edges.pose.movenet import MoveNet

    return MoveNet(movenet_model)


PI_POSE_FPS = 10.0  # a Pi 4's pose rate: the coach must hold its figures there


@dataclass
class ClipPass:
    """One pass over a shared clip: MoveNet's poses, and the coach's report at full rate, at a Pi 4's
    pose rate (the frames a 10 fps model would take, with the poses this pass found on them) and from
    the keypoints alone (the back's outline not read)."""

    poses: list
    report: dict
    report_pi: dict
    report_keypoints: dict  # the back judged from the keypoints alone (no outline): what the outline adds


@pytest.fixture(scope="session")
def clip_pass(movenet_model, tmp_path_factory):
    """Each shared clip decoded once and MoveNet run over it once per test run, with two coaches fed
    as the frames go by: the clip tests need no second decode. The result is kept in the run's shared
    temporary folder under a lock: whichever worker first needs a clip works it out, the other reads
    it (or waits for it), so the two workers share the clips without being told which is whose."""
    import fcntl
    import pickle

    from station.core.coach.session import Coach, CoachSettings
    from station.core.drills import get_drill
    from station.edges.camera.video import VideoSource
    from station.edges.pose.movenet import MoveNet
    from station.tools.analyze import check_found
    from station.tools.posecache import PoseRate

    # Under xdist the workers' folders share this run's parent; alone, the run keeps its passes in its
    # own folder (the parent is then every run's: an old run's passes must never stand in for this one's).
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "clip-passes"
    shared.mkdir(exist_ok=True)
    cache: dict[str, ClipPass] = {}

    def run(clip: str) -> ClipPass:
        if clip not in cache:
            kept = shared / f"{clip}.pickle"
            with open(shared / f"{clip}.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)  # the other worker may be working this clip out
                if kept.exists():
                    cache[clip] = ClipPass(*pickle.loads(kept.read_bytes()))
                else:
                    got = cache[clip] = compute(clip)
                    part = kept.with_suffix(".part")
                    part.write_bytes(pickle.dumps((got.poses, got.report, got.report_pi, got.report_keypoints)))
                    part.replace(kept)
        return cache[clip]

    def compute(clip: str) -> ClipPass:
        drill = get_drill(clip_labels()[clip]["drill"])
        source, estimator = VideoSource(shared_path("footage", clip)), MoveNet(movenet_model)
        full, pi, rate, poses = Coach(drill), Coach(drill), PoseRate(PI_POSE_FPS), []
        keypoints_only = Coach(drill, CoachSettings(read_back_outline=False))
        try:
            for frame in source.frames():
                pose = estimator.estimate(frame)
                poses.append(pose)
                full.update(pose, frame.rgb, frame.scale)
                keypoints_only.update(pose)
                for p, f in rate.offer(frame.t, (pose, frame)):
                    pi.update(p, f.rgb, f.scale)
            for p, f in rate.flush():
                pi.update(p, f.rgb, f.scale)
        finally:
            source.close()
        reports = []
        for coach in (full, pi, keypoints_only):
            coach.finish()
            reports.append(check_found(coach.report(), clip).to_json())
        return ClipPass(poses, *reports)

    return run


@pytest.fixture(scope="session")
def clip_poses(clip_pass):
    """MoveNet's poses for a shared clip, worked out once per test run and shared by every test."""
    return lambda clip: clip_pass(clip).poses


@pytest.fixture
def recorded(clip_poses):
    """An estimator replaying a clip's poses: `analyze(path, drill, recorded(clip))`."""
    from station.edges.pose.pipeline import RecordedPoses

    return lambda clip: RecordedPoses(clip_poses(clip))


@pytest.fixture(scope="session")
def clip_reports(clip_pass):
    """`station analyze --json`'s report of a shared clip (default settings), worked out once per run."""
    return lambda clip: clip_pass(clip).report


@pytest.fixture(scope="session")
def clip_reports_keypoints(clip_pass):
    """The report of a shared clip with the back judged from the keypoints alone (no outline)."""
    return lambda clip: clip_pass(clip).report_keypoints


@pytest.fixture(scope="session")
def clip_reports_pi(clip_pass):
    """The report of a shared clip at a Pi 4's pose rate (`station analyze --pose-fps 10`)."""
    return lambda clip: clip_pass(clip).report_pi


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory):
    """A real PostgreSQL server for the fleet tests, started once per run (fsync off: a test server).
    Where PostgreSQL is not installed the fleet tests skip, saying how to get it (.ci/run installs it)."""
    from tests.pgserver import PostgresServer, postgres_bin

    if postgres_bin() is None:
        pytest.skip("PostgreSQL is not installed (no initdb): `apt-get install postgresql`, as .ci/run does")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("psycopg is not installed: pip install -e '.[test]'")
    root = Path(tempfile.mkdtemp(prefix="hinge-pg-", dir="/tmp"))  # the server's user must reach it
    root.chmod(0o755)
    try:
        server = PostgresServer(root / "pg")
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"a PostgreSQL server cannot be made here: {exc}")
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def fleet_db(postgres, request):
    """An empty database of its own for one test."""
    name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name)[:50].lower()
    return postgres.create_database(name)


@pytest.fixture
def pins():
    """gpiozero's mock pin factory, as gpiozero's own tests use it: every button and LED of a test on
    fake pins, released after it."""
    from gpiozero.pins.mock import MockFactory

    factory = MockFactory()
    yield factory
    factory.reset()
