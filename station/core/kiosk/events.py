"""What goes into the kiosk's core and what comes out of it, as types.

The shell (buttons, the pose worker, the clock) turns what happens into events; the core
(`Kiosk.handle`) decides, and answers with effects; the shell carries the effects out (the speaker,
the LEDs, the history, systemd's watchdog). So every decision is testable without a screen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Literal

import numpy as np

from station.core.coach.setreport import SetReport
from station.core.keypoints import Pose

Action = Literal["select", "start", "hold", "health", "place"]
SELECT: Action = "select"
START: Action = "start"
HOLD: Action = "hold"  # START held down: ends a set
SHOW_HEALTH: Action = "health"  # SELECT and START held together: the owner's health page
CHECK_PLACEMENT: Action = "place"  # SELECT held long: the installer's placement check


class Problem(Enum):
    """What the problem screen explains, by kind (never found by searching a message's words)."""

    CAMERA = "camera"  # the camera is missing or stopped sending: the station retries by itself
    MODEL = "model"  # the pose model is missing or damaged: someone must install it
    SOURCE = "source"  # a clip or image could not be read: its message says why


# --- events: what happened (each at `now`, seconds on the shell's clock) ---


@dataclass(frozen=True)
class Pressed:
    action: Action
    now: float


@dataclass(frozen=True)
class PoseSeen:
    """A frame went through the pose stage. `image` (RGB) feeds the back reader and the learnt room."""

    pose: Pose
    now: float
    image: np.ndarray | None = None
    scale: float = 1.0  # image pixels per pose pixel


@dataclass(frozen=True)
class Tick:
    """Time passing, once per screen refresh: timers run, the watchdog is fed if the station is alive.
    `open`: inside the opening hours (or the clock is not set yet); outside them the station sleeps."""

    now: float
    open: bool = True


@dataclass(frozen=True)
class CameraLost:
    """The camera is missing or stopped sending; the worker retries (and says so each time)."""

    text: str
    now: float


@dataclass(frozen=True)
class CameraBack:
    """The camera opened again after a loss."""

    now: float


@dataclass(frozen=True)
class ModelProblem:
    """The pose model cannot run: nothing to retry, the screen says what to do."""

    text: str
    now: float


@dataclass(frozen=True)
class SourceProblem:
    """A clip or image could not be read."""

    text: str
    now: float


@dataclass(frozen=True)
class Chosen:
    """A drill picked from outside the buttons (`station run --drill`); `start` starts its set too."""

    drill: str
    now: float
    start: bool = False


@dataclass(frozen=True)
class Stopping:
    """The station is stopping (a signal, the end of a clip): the set in progress ends and is stored."""

    now: float


@dataclass(frozen=True)
class StoreFailed:
    """The history cannot be written (locked, full, damaged): the sets wait in the journal, and the
    owner is told on the screen until it can."""

    text: str
    now: float


@dataclass(frozen=True)
class StoreRecovered:
    """The history takes sets again (those that waited are written)."""

    now: float


@dataclass(frozen=True)
class PlacementNotRecorded:
    """A passed placement check could not be written to the history: the screen must not say "recorded"."""

    text: str
    now: float


Event = (
    Pressed | PoseSeen | Tick | CameraLost | CameraBack | ModelProblem | SourceProblem | Chosen | Stopping
    | StoreFailed | StoreRecovered | PlacementNotRecorded
)


# --- effects: what the shell must do ---


@dataclass(frozen=True)
class PlaySound:
    name: Literal["rep", "fault", "end"]


@dataclass(frozen=True)
class ShowLamps:
    """The fault LEDs: lit faults on, the rest off (all off outside a set)."""

    lit: Mapping[str, bool]


@dataclass(frozen=True)
class StoreSet:
    """A finished set with reps: into the history (or the journal), before anything else."""

    report: SetReport


@dataclass(frozen=True)
class FeedWatchdog:
    """The station is alive: frames move, or a problem screen is explaining itself, or it sleeps."""


@dataclass(frozen=True)
class RecordPlacement:
    """The placement check passed: keep when, and its figures, in the history."""

    figures: Mapping[str, float]


@dataclass(frozen=True)
class Sleep:
    """Outside the opening hours: blank the screen and rest the camera and model (`asleep`), or wake."""

    asleep: bool


Effect = PlaySound | ShowLamps | StoreSet | FeedWatchdog | Sleep | RecordPlacement
