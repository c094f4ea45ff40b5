"""Draw every kiosk screen at fixed times into a folder of PNGs: to look at what the kiosk draws, and
to show a change to the screens or the core's words changed no pixel it did not mean to.

    SDL_VIDEODRIVER=dummy python scripts/draw_screens.py OUT_DIR
    git worktree add /tmp/before REV && (cd /tmp/before && PYTHONPATH=. python scripts/draw_screens.py /tmp/a)
    cmp each PNG of /tmp/a with OUT_DIR's

The synthetic athlete lifts a set with "Knees forward" on every other rep, then each screen is
drawn at 1920x1080 and 800x480: set, problem (camera lost mid-set, with the history notice),
summary, chosen, health, attract, model missing. The times are fixed, so two runs in the same
minute (the take-home code carries the minute) give the same bytes.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from station.app import KioskApp, RunOptions
from station.config import Config
from station.core.kiosk import events as ev
from station.edges.camera.athlete import AthleteSpec, Faults

SIZES = ((1920, 1080), (800, 480))
NOTICE = "History not saved (locked); your sets are kept and will be written later."


def lift(app: KioskApp, spec: AthleteSpec) -> None:
    """The athlete's frames to the kiosk as poses, as the pose worker would hand them over."""
    from station.core.keypoints import Pose
    from station.edges.camera.athlete import Athlete

    for t, keypoints, image in Athlete(spec).frames():
        app.handle(ev.PoseSeen(Pose(t, keypoints, True, spec.camera.size), t, image, 1.0))
        app.view.image, app.view.keypoints = image, keypoints


def draw_size(out: Path, size: tuple[int, int]) -> list[Path]:
    """Every screen at one size, each at a fixed time."""
    saved: list[Path] = []
    options = RunOptions(source="synthetic:rdl", drill="rdl", size=size, data_folder=Path(tempfile.mkdtemp()))
    app = KioskApp(options, Config(), start_worker=False)

    def shot(name: str, now: float) -> None:
        app.draw(now)
        path = out / f"{name}-{size[0]}x{size[1]}.png"
        app.screenshot(str(path))
        saved.append(path)

    try:
        lift(app, AthleteSpec(drill="rdl", reps=3, faults=Faults.named("knees_forward"), fault_every=2, fps=15))
        t = 1000.0  # long after the last rep: the count's pulse is over; the attract screen drifts with it
        shot("set", t)
        app.handle(ev.StoreFailed(NOTICE, t))
        app.handle(ev.CameraLost("The camera stopped sending frames.", t))
        shot("problem", t)
        app.handle(ev.CameraBack(t))
        app.handle(ev.Stopping(t))
        shot("summary", t)
        app.handle(ev.Pressed(ev.START, t + 1))
        shot("chosen", t + 1)
        app.handle(ev.Pressed(ev.SHOW_HEALTH, t + 2))
        app.view.status = ["Kiosk: running", "Camera: lost (retrying)"]
        shot("health", t + 9.5)
        app.handle(ev.Pressed(ev.START, t + 10))
        shot("attract", t + 10)
        app.handle(ev.ModelProblem("no model", t + 11))
        shot("model", t + 11)
    finally:
        app.close()
    return saved


def draw_all(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    return [path for size in SIZES for path in draw_size(out, size)]


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: draw_screens.py OUT_DIR")
    for path in draw_all(Path(sys.argv[1])):
        print(path)
