"""The kiosk's screens as a state machine. Pure: actions and frame results in, state out.

attract -> chosen -> set -> summary -> (chosen or attract). Time is whatever the caller says
it is (the frame clock or the UI's monotonic clock), so tests drive it step by step.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import Enum

from station.coach.faults import TOP_FAULTS
from station.coach.scene import SceneModel
from station.coach.session import Coach, CoachSettings, CoachUpdate, Event
from station.drills import Drill
from station.pose.keypoints import Pose

log = logging.getLogger(__name__)

SELECT, START, HOLD = "select", "start", "hold"


@dataclass(frozen=True)
class KioskSettings:
    """The [kiosk] table of the config file: the screens' timers (kept here, beside the state machine
    that uses them, so the pure core does not import the config loader and every adapter with it)."""

    idle_s: float = 45.0  # back to the attract screen after this long with nobody and no button
    summary_s: float = 30.0  # the summary stays this long, unless a button is pressed
    walk_away_s: float = 6.0  # a set ends when the lifter has been out of view this long
    fullscreen: bool = True
    screen_fps: float = 30.0
    camera_retry_s: float = 3.0  # how often a lost camera is looked for again


class Problem(Enum):
    """What the problem screen explains, by kind (never found by searching a message's words)."""

    CAMERA = "camera"  # the camera is missing or stopped sending: the station retries by itself
    MODEL = "model"  # the pose model is missing or damaged: someone must install it
    SOURCE = "source"  # a clip or image could not be read: its message says why
ATTRACT, CHOSEN, SET, SUMMARY = "attract", "chosen", "set", "summary"


@dataclass
class Lamp:
    """One fault's lamp: green until a rep shows the fault, red until a rep comes through clean of it.

    Grey ("unseen") while the last rep's view could not show the fault: never green for a fault
    the station could not see.
    """

    fault: str
    lit: bool = False
    rep: int | None = None
    unseen: bool = False
    view_ok: bool = True  # while unseen: the view was fine, only this fault could not be read (the back)


@dataclass
class KioskState:
    screen: str = ATTRACT
    drill_index: int = 0
    coach: Coach | None = None
    lamps: dict[str, Lamp] = field(default_factory=dict)
    last_update: CoachUpdate | None = None
    report: dict | None = None  # the finished set, on the summary screen
    entered_at: float = 0.0
    last_input_at: float = 0.0
    last_person_at: float | None = None
    error: Problem | None = None  # a problem the screen must show
    error_text: str | None = None  # its sentence, for the kinds whose advice depends on it
    rep_flash_at: float | None = None  # when the count last changed (the screen pulses it)


class Kiosk:
    """What the person at the station sees, decided from buttons and the coach."""

    def __init__(self, drills: list[Drill], settings: KioskSettings, coach_settings: CoachSettings | None = None):
        self.drills = drills
        self.settings = settings
        self.coach_settings = coach_settings or CoachSettings()
        self.state = KioskState()
        self.finished_sets: list[dict] = []  # reports of sets that ended, oldest first, for the caller to store
        # The room the camera sees, learnt on every screen while nobody (or outside the lifter) is
        # in view, and kept across sets: the back-outline reader reads the back against it.
        self.scene = SceneModel(self.coach_settings.scene)

    @property
    def drill(self) -> Drill:
        return self.drills[self.state.drill_index]

    def _go(self, screen: str, now: float) -> None:
        if screen != self.state.screen:
            log.info("screen %s -> %s (%s)", self.state.screen, screen, self.drill.id)
        self.state.screen = screen
        self.state.entered_at = now

    def choose(self, drill_id: str, now: float) -> None:
        self.state.drill_index = [d.id for d in self.drills].index(drill_id)
        self._go(CHOSEN, now)

    def press(self, action: str, now: float) -> list[Event]:
        """A button: SELECT cycles drills, START starts and stops a set, holding START ends it."""
        s = self.state
        s.last_input_at = now
        if s.screen == ATTRACT:
            self._go(CHOSEN, now)
        elif s.screen == CHOSEN:
            if action == SELECT:
                s.drill_index = (s.drill_index + 1) % len(self.drills)
                s.entered_at = now
            elif action == START:
                self.start_set(now)
        elif s.screen == SET:
            if action in (START, HOLD):
                return self.end_set(now)
        elif s.screen == SUMMARY:
            if action == SELECT:
                s.drill_index = (s.drill_index + 1) % len(self.drills)
            self._go(CHOSEN, now)
        return []

    def start_set(self, now: float) -> None:
        s = self.state
        s.coach = Coach(self.drill, self.coach_settings, self.scene)
        s.lamps = {f: Lamp(f) for f in self.drill.faults}
        s.report = None
        s.rep_flash_at = None
        self._go(SET, now)
        log.info("set started: %s", self.drill.id)

    def end_set(self, now: float) -> list[Event]:
        """Finish the set: settle the last rep, keep its report, show the summary."""
        s = self.state
        if s.coach is None:
            return []
        events = list(s.coach.finish())
        self._light(events, now)
        s.report = s.coach.report()
        s.coach = None
        if s.report["reps"] > 0:
            self.finished_sets.append(s.report)
        log.info("set ended: %s, %d reps", s.report["drill"], s.report["reps"])
        self._go(SUMMARY, now)
        return events

    def frame(self, pose: Pose, image=None, image_scale: float = 1.0, now: float | None = None) -> list[Event]:
        """A pose from the pose stage; during a set it goes to the coach."""
        s = self.state
        now = pose.t if now is None else now
        s.error = s.error_text = None
        if pose.person:
            s.last_person_at = now
        if s.screen == SET and s.coach is not None:
            update = s.coach.update(pose, image, image_scale)
            s.last_update = update
            self._light(update.events, now)
            return list(update.events)
        if s.screen == CHOSEN:
            # Not coaching yet, but the guidance ("stand side-on") needs a posture: a throwaway coach.
            if s.coach is None or s.coach.drill is not self.drill:
                s.coach = Coach(self.drill, self.coach_settings, self.scene)
            s.last_update = s.coach.update(pose, image, image_scale)
        elif image is not None:
            self.scene.update(pose.t, image, None if not pose.person else _box(pose, image_scale, self.coach_settings))
        return []

    def _light(self, events: list[Event] | tuple[Event, ...], now: float) -> None:
        for event in events:
            if event.kind == "rep":
                self.state.rep_flash_at = now
                for fault, lamp in self.state.lamps.items():
                    lamp.lit = fault in event.rep.faults
                    lamp.rep = event.rep.index if lamp.lit else None
                    # The top's faults are judged later; a rep whose view showed nothing will not show them.
                    lamp.unseen = fault in event.rep.unseen or (fault in TOP_FAULTS and not event.rep.judged)
                    lamp.view_ok = event.rep.judged
            elif event.kind == "unseen" and event.fault in self.state.lamps:
                self.state.lamps[event.fault].unseen = True
            elif event.fault in self.state.lamps:
                lamp = self.state.lamps[event.fault]
                lamp.lit, lamp.rep, lamp.unseen = True, event.rep.index, False

    def tick(self, now: float) -> list[Event]:
        """Time passing: idle screens go back to attract, an abandoned set ends."""
        s = self.state
        since_input = now - max(s.last_input_at, s.entered_at)
        if s.screen == CHOSEN and since_input > self.settings.idle_s:
            seen = s.last_person_at is not None and now - s.last_person_at < self.settings.idle_s
            if not seen:
                s.coach = None
                self._go(ATTRACT, now)
        elif s.screen == SUMMARY and since_input > self.settings.summary_s:
            self._go(ATTRACT, now)
        elif s.screen == SET:
            gone_for = now - (s.last_person_at if s.last_person_at is not None else s.entered_at)
            if gone_for > self.settings.walk_away_s and now - s.entered_at > self.settings.walk_away_s:
                log.info("the lifter walked away: the set ends")
                return self.end_set(now)
        return []

    @property
    def guidance(self) -> str | None:
        u = self.state.last_update
        return u.guidance if u is not None else "Step into view"

    @property
    def reps(self) -> int:
        c = self.state.coach
        if c is not None:
            return len(c.reps)
        return self.state.report["reps"] if self.state.report else 0


def _box(pose: Pose, image_scale: float, settings: CoachSettings) -> tuple | None:
    from station.coach.scene import lifter_box

    return lifter_box(pose.keypoints, settings.view.min_score, settings.scene.margin, image_scale)
