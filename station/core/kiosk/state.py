"""The kiosk's core: the screens as a state machine, events in, effects out. No I/O.

attract -> chosen -> set -> summary -> (chosen or attract). `Kiosk.handle(event)` is the one way
in: it changes `Kiosk.state` and returns what the shell must do (`station.core.kiosk.events`). It reads
no clock (time is each event's `now`), starts no thread and touches no hardware, so tests drive it
step by step. The coach inside the state is an accumulator of the set in progress, fed here only.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from typing import NoReturn

from station.core.coach.faults import TOP_FAULTS
from station.core.coach.scene import SceneModel, lifter_box
from station.core.coach.session import Coach, CoachSettings, CoachUpdate
from station.core.coach.session import Event as CoachEvent
from station.core.coach.setreport import SetReport
from station.core.drills import Drill
from station.core.keypoints import Pose
from station.core.kiosk.events import (
    CHECK_PLACEMENT,
    HOLD,
    SELECT,
    SHOW_HEALTH,
    START,
    CameraBack,
    CameraLost,
    Chosen,
    Effect,
    Event,
    FeedWatchdog,
    ModelProblem,
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
from station.core.placement import Placement, PlacementCheck, PlacementSettings

log = logging.getLogger(__name__)

__all__ = [
    "ASLEEP", "ATTRACT", "CHOSEN", "HEALTH", "HOLD", "PLACE", "SELECT", "SET", "START", "SUMMARY",
    "Kiosk", "KioskSettings", "Problem",
]  # fmt: skip


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
    health_s: float = 30.0  # the owner's health page leaves by itself after this long


ATTRACT, CHOSEN, SET, SUMMARY = "attract", "chosen", "set", "summary"
HEALTH = "health"  # the owner's page: camera, model, temperature, disk, sets (outside a set only)
PLACE = "place"  # the installer's placement check: a person on the mark, five checks with advice
ASLEEP = "asleep"  # outside the opening hours: a black screen, camera and model resting; a button wakes it


@dataclass
class Lamp:
    """One fault's lamp: grey until a rep has been judged for the fault, then green until a rep shows
    it, red until a rep comes through clean of it.

    Grey ("unseen") while the last rep's view could not show the fault: never green for a fault
    the station could not see, nor before it has looked.
    """

    fault: str
    judged: bool = False  # a rep has been judged for this fault: "OK" means something only then
    lit: bool = False
    rep: int | None = None
    unseen: bool = False
    view_ok: bool = True  # while unseen: the view was fine, only this fault could not be read (the back)


def assert_never(value: NoReturn) -> NoReturn:
    """Where a type checker proves every kind of event has its case (`typing.assert_never` is 3.11+)."""
    raise AssertionError(f"no case for {value!r}")


@dataclass
class KioskState:
    screen: str = ATTRACT
    drill_index: int = 0
    coach: Coach | None = None
    lamps: dict[str, Lamp] = field(default_factory=dict)
    last_update: CoachUpdate | None = None
    report: SetReport | None = None  # the finished set, on the summary screen
    entered_at: float = 0.0
    last_input_at: float = -math.inf  # no button pressed yet
    last_person_at: float | None = None
    error: Problem | None = None  # a problem the screen must show
    error_text: str | None = None  # its sentence, for the kinds whose advice depends on it
    rep_flash_at: float | None = None  # when the count last changed (the screen pulses it)
    placement: PlacementCheck | None = None  # on the placement screen: the check in progress
    placed: Placement | None = None  # and its latest verdict
    placement_unrecorded: str | None = None  # why a passed check is not in the history
    alive: bool = False  # the pose stage reported (a frame or a camera retry) since the last tick
    leds: dict[str, bool] = field(default_factory=dict)  # what the fault LEDs show now
    store_problem: str | None = None  # the history cannot be written: the owner's notice on every screen
    # The set's (t, hip angle, depth) a frame, for the summary's chart: kept while the set runs.
    trace: list[tuple[float, float | None, float | None]] = field(default_factory=list)


class Kiosk:
    """What the person at the station sees, decided from buttons, poses and time."""

    def __init__(
        self, drills: list[Drill], settings: KioskSettings, coach_settings: CoachSettings | None = None,
        placement: PlacementSettings | None = None,
    ) -> None:  # fmt: skip
        self.drills = drills
        self.settings = settings
        self.coach_settings = coach_settings or CoachSettings()
        self.placement_settings = placement or PlacementSettings()
        self.state = KioskState()
        # The room the camera sees, learnt on every screen while nobody (or outside the lifter) is
        # in view, and kept across sets: the back-outline reader reads the back against it.
        self.scene = SceneModel(self.coach_settings.scene)

    @property
    def drill(self) -> Drill:
        return self.drills[self.state.drill_index]

    def handle(self, event: Event) -> list[Effect]:
        """The one way in: the state moves on, and the effects say what the shell must do."""
        s = self.state
        coached: list[CoachEvent] = []
        effects: list[Effect] = []
        # One case a kind of event; `assert_never` makes a type checker prove none is left out.
        match event:
            case Pressed():
                coached = self._press(event.action, event.now, effects)
            case PoseSeen():
                coached = self._frame(event, effects)
            case Tick():
                coached = self._tick(event.now, effects)
                self._sleep_or_wake(event, effects)
                if s.alive or s.error is Problem.MODEL or s.screen == ASLEEP:
                    # Alive while frames move or a camera is being retried; with no model, while the
                    # screen explains it (a restart would not fix it, and a restart loop would hide it).
                    effects.append(FeedWatchdog())
                s.alive = False
            case CameraLost():
                s.error, s.error_text, s.alive = Problem.CAMERA, event.text, True
            case CameraBack():
                if s.error is Problem.CAMERA:
                    s.error = s.error_text = None
            case ModelProblem():
                s.error, s.error_text = Problem.MODEL, event.text
            case SourceProblem():
                s.error, s.error_text = Problem.SOURCE, event.text
            case Chosen():
                s.drill_index = [d.id for d in self.drills].index(event.drill)
                self._go(CHOSEN, event.now)
                if event.start:
                    self._start_set(event.now)
            case Stopping():
                coached = self._end_set(event.now, effects)
            case StoreFailed():
                s.store_problem = event.text
            case StoreRecovered():
                s.store_problem = None
            case PlacementNotRecorded():
                s.placement_unrecorded = event.text
            case _:
                assert_never(event)
        # The set is stored before anything else is carried out (a sound that fails must not lose it).
        stored = [e for e in effects if isinstance(e, StoreSet)]
        effects = stored + _sounds(coached) + [e for e in effects if not isinstance(e, StoreSet)]
        lit = {f: lamp.lit for f, lamp in s.lamps.items()} if s.screen == SET else {}
        if lit != s.leds:
            s.leds = lit
            effects.append(ShowLamps(dict(lit)))
        return effects

    def _sleep_or_wake(self, tick: Tick, effects: list[Effect]) -> None:
        """Closed: sleep once no button has been pressed for idle_s (never during a set or a placement
        check: an installer may come after hours). Open: wake."""
        s = self.state
        if s.screen == ASLEEP:
            if tick.open:
                effects.append(Sleep(False))
                self._go(ATTRACT, tick.now)
        elif not tick.open and s.screen not in (SET, PLACE) and tick.now - s.last_input_at > self.settings.idle_s:
            s.coach = None
            s.last_update = None
            effects.append(Sleep(True))
            self._go(ASLEEP, tick.now)

    def _go(self, screen: str, now: float) -> None:
        if screen != self.state.screen:
            log.info("screen %s -> %s (%s)", self.state.screen, screen, self.drill.id)
        self.state.screen = screen
        self.state.entered_at = now

    def _press(self, action: str, now: float, effects: list[Effect]) -> list[CoachEvent]:
        """SELECT cycles drills, START starts and stops a set, holding START ends it."""
        s = self.state
        s.last_input_at = now
        if s.screen == ASLEEP:
            # Any button wakes it (and does nothing else): awake while buttons are pressed, for idle_s.
            effects.append(Sleep(False))
            self._go(ATTRACT, now)
            return []
        if action == SHOW_HEALTH:
            if s.screen != SET:  # never in the middle of someone's set
                self._go(HEALTH, now)
            return []
        if action == CHECK_PLACEMENT:
            if s.screen != SET:
                self._start_placement(now)
            return []
        if s.screen in (HEALTH, PLACE):
            s.placement = None
            self._go(ATTRACT, now)  # any button leaves the owner's and the installer's pages
        elif s.screen == ATTRACT:
            self._go(CHOSEN, now)
        elif s.screen == CHOSEN:
            if action == SELECT:
                s.drill_index = (s.drill_index + 1) % len(self.drills)
                s.entered_at = now
            elif action == START:
                self._start_set(now)
        elif s.screen == SET:
            if action in (START, HOLD):
                return self._end_set(now, effects)
        elif s.screen == SUMMARY:
            if action == SELECT:
                s.drill_index = (s.drill_index + 1) % len(self.drills)
            self._go(CHOSEN, now)
        return []

    def _start_placement(self, now: float) -> None:
        s = self.state
        s.placement = PlacementCheck(self.placement_settings, self.coach_settings.view, self.coach_settings.back)
        s.placed = s.placement_unrecorded = None
        s.coach = None
        self._go(PLACE, now)
        log.info("placement check started")

    def _start_set(self, now: float) -> None:
        s = self.state
        s.coach = Coach(self.drill, self.coach_settings, self.scene)
        s.lamps = {f: Lamp(f) for f in self.drill.faults}
        s.report = None
        s.rep_flash_at = None
        s.trace = []
        self._go(SET, now)
        log.info("set started: %s", self.drill.id)

    def _end_set(self, now: float, effects: list[Effect]) -> list[CoachEvent]:
        """Finish the set: settle the last rep, store it (if it has reps), show the summary."""
        s = self.state
        if s.screen != SET or s.coach is None:
            return []
        events = list(s.coach.finish())
        self._light(events, now)
        s.report = s.coach.report()
        s.coach = None
        if s.report.count > 0:
            effects += [StoreSet(s.report), PlaySound("end")]
        log.info("set ended: %s, %d reps", s.report.drill, s.report.count)
        self._go(SUMMARY, now)
        return events

    def _frame(self, event: PoseSeen, effects: list[Effect]) -> list[CoachEvent]:
        """A pose from the pose stage; during a set it goes to the coach."""
        s, pose, image, now = self.state, event.pose, event.image, event.now
        s.alive = True
        if s.error in (Problem.CAMERA, Problem.SOURCE):
            s.error = s.error_text = None  # a frame came through: the source works again
        if pose.person:
            s.last_person_at = now
        if s.screen == SET and s.coach is not None:
            update = s.coach.update(pose, image, event.scale)
            s.last_update = update
            s.trace.append((pose.t, update.posture.hip_angle, update.depth))
            self._light(update.events, now)
            return list(update.events)
        if s.screen in (CHOSEN, PLACE):
            # Not coaching yet, but the guidance ("stand side-on") needs a posture: a throwaway coach.
            if s.coach is None or s.coach.drill is not self.drill:
                s.coach = Coach(self.drill, self.coach_settings, self.scene)
            s.last_update = s.coach.update(pose, image, event.scale)
            if s.screen == PLACE and s.placement is not None:
                was = s.placement.passed_at
                s.placed = s.placement.update(
                    pose.t, pose.keypoints, s.last_update.posture, image, event.scale, self.scene.view()
                )
                if was is None and s.placed.passed:
                    log.info("placement check passed: %s", s.placed.figures)
                    effects.append(RecordPlacement(dict(s.placed.figures)))
        elif image is not None:
            self.scene.update(pose.t, image, None if not pose.person else _box(pose, event.scale, self.coach_settings))
        return []

    def _light(self, events: list[CoachEvent] | tuple[CoachEvent, ...], now: float) -> None:
        for event in events:
            if event.kind == "rep":
                self.state.rep_flash_at = now
                for fault, lamp in self.state.lamps.items():
                    lamp.lit = fault in event.rep.faults
                    lamp.rep = event.rep.index if lamp.lit else None
                    # The top's faults are judged later; a rep whose view showed nothing will not show them.
                    lamp.unseen = fault in event.rep.unseen or (fault in TOP_FAULTS and not event.rep.judged)
                    lamp.view_ok = event.rep.judged
                    # The top's faults are judged once the top closes (a "fault" event, or none at all).
                    # The top after rep N is judged by the time rep N + 1 counts (its window closes first).
                    top_done = fault not in TOP_FAULTS or event.rep.index > 1
                    lamp.judged = lamp.judged or lamp.lit or (not lamp.unseen and top_done)
            elif event.kind == "unseen" and event.fault in self.state.lamps:
                self.state.lamps[event.fault].unseen = True
            elif event.fault in self.state.lamps:
                lamp = self.state.lamps[event.fault]
                lamp.lit, lamp.rep, lamp.unseen, lamp.judged = True, event.rep.index, False, True

    def _tick(self, now: float, effects: list[Effect]) -> list[CoachEvent]:
        """Idle screens go back to attract, an abandoned set ends."""
        s = self.state
        since_input = now - max(s.last_input_at, s.entered_at)
        if s.screen == CHOSEN and since_input > self.settings.idle_s:
            seen = s.last_person_at is not None and now - s.last_person_at < self.settings.idle_s
            if not seen:
                s.coach = None
                self._go(ATTRACT, now)
        elif s.screen in (SUMMARY, HEALTH, PLACE):
            stays = {SUMMARY: self.settings.summary_s, HEALTH: self.settings.health_s}.get(
                s.screen, self.placement_settings.timeout_s
            )
            if since_input > stays:
                s.placement = None
                self._go(ATTRACT, now)
        elif s.screen == SET:
            gone_for = now - (s.last_person_at if s.last_person_at is not None else s.entered_at)
            if gone_for > self.settings.walk_away_s and now - s.entered_at > self.settings.walk_away_s:
                log.info("the lifter walked away: the set ends")
                return self._end_set(now, effects)
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
        return self.state.report.count if self.state.report else 0


def _sounds(events: list[CoachEvent]) -> list[Effect]:
    """A tick for a good rep, a low tone for a fault (at the rep, or at its top when it shows there)."""
    out: list[Effect] = []
    for event in events:
        if event.kind == "rep":
            out.append(PlaySound("fault" if event.rep.faults else "rep"))
        elif event.kind == "fault":
            out.append(PlaySound("fault"))
    return out


def _box(pose: Pose, image_scale: float, settings: CoachSettings) -> tuple | None:
    return lifter_box(pose.keypoints, settings.view.min_score, settings.scene.margin, image_scale)
