"""Small builders shared by the coach tests (not fixtures: plain functions)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from station.core.coach.posture import Posture
from station.core.coach.session import Coach
from station.core.drills import DRILLS
from station.core.keypoints import Pose
from station.core.kiosk.events import Effect, PoseSeen
from station.core.kiosk.state import Kiosk
from station.edges.camera.athlete import Athlete, AthleteSpec


def coach_run(spec: AthleteSpec, coach: Coach | None = None) -> Coach:
    """Play the synthetic athlete through a coach, images and all, and finish the set."""
    athlete = Athlete(spec)
    coach = coach or Coach(DRILLS[spec.drill])
    for t, keypoints, image in athlete.frames():
        coach.update(Pose(t, keypoints, True, spec.camera.size), image, 1.0)
    coach.finish()
    return coach


def lift(kiosk: Kiosk, spec: AthleteSpec, t0: float = 0.0) -> list[Effect]:
    """Play the synthetic athlete into the kiosk's core as poses from `t0`; the effects it answered with."""
    effects: list[Effect] = []
    for t, keypoints, image in Athlete(spec).frames():
        effects += kiosk.handle(PoseSeen(Pose(t0 + t, keypoints, True, spec.camera.size), t0 + t, image, 1.0))
    return effects


_BASE = Posture(
    t=0.0, person=True, view="side", yaw=0.0, turn=0, facing=1, missing=(), stature=400.0, knee_height=250.0,
    segments=None,
    torso_length=150.0, shin_length=120.0, leg_length=250.0, hip_angle=170.0, knee_angle=170.0, torso_lean=5.0,
    shin_lean=3.0, head_drop=0.0, hands_up=-0.3, hip=(300.0, 200.0), shoulder=(310.0, 60.0),
)  # fmt: skip


def make_posture(**fields: object) -> Posture:
    """A side-on standing posture with the given fields changed."""
    return replace(_BASE, **fields)


@contextlib.contextmanager
def tmpfs(folder: Path, options: str) -> Iterator[Path]:
    """A small tmpfs mounted on `folder` (made if needed) for fault injection; the test skips, saying
    why, where it cannot be mounted (not root, or no mount allowed)."""
    import pytest

    folder.mkdir(exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a tmpfs (CI runs as root)")
    if subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True).returncode:
        pytest.skip(f"cannot mount a tmpfs ({options}) here")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def station(
    *args: str, env: dict[str, str] | None = None, timeout: int = 300, cwd: str | os.PathLike[str] | None = None
) -> subprocess.CompletedProcess:
    """`station ARGS` as a user runs it, in a process of its own (this environment unless `env`), its
    output captured as text: the one way the tests run the command."""
    return subprocess.run([sys.executable, "-m", "station", *args], capture_output=True, text=True,
                          env=dict(os.environ) if env is None else env, timeout=timeout, cwd=cwd)  # fmt: skip
