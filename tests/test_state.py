"""The kiosk's core, driven by hand: events in, state and effects out; no screen, no threads."""

import numpy as np
import pytest

from station.core.drills import DRILLS
from station.core.keypoints import Pose
from station.core.kiosk.events import (
    CHECK_PLACEMENT,
    SHOW_HEALTH,
    CameraBack,
    CameraLost,
    Chosen,
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
from station.core.kiosk.state import (
    ASLEEP,
    ATTRACT,
    CHOSEN,
    HEALTH,
    HOLD,
    PLACE,
    SELECT,
    SET,
    START,
    SUMMARY,
    Kiosk,
    KioskSettings,
)
from station.edges.camera.athlete import Athlete, AthleteSpec, Camera, Faults
from tests.helpers import lift

SETTINGS = KioskSettings(idle_s=10, summary_s=5, walk_away_s=3)


def _kiosk() -> Kiosk:
    return Kiosk(list(DRILLS.values()), SETTINGS)


def _stored(effects: list) -> list:
    return [e.report for e in effects if isinstance(e, StoreSet)]


def test_buttons_walk_through_the_screens():
    k = _kiosk()
    assert k.state.screen == ATTRACT
    k.handle(Pressed(SELECT, 1))
    assert k.state.screen == CHOSEN and k.drill.id == "dowel-hinge"
    k.handle(Pressed(SELECT, 2))
    k.handle(Pressed(SELECT, 3))
    assert k.drill.id == "rdl"
    k.handle(Pressed(START, 4))
    assert k.state.screen == SET and set(k.state.lamps) == set(DRILLS["rdl"].faults)
    k.handle(Pressed(START, 5))
    assert k.state.screen == SUMMARY and k.state.report is not None and k.state.report.count == 0
    k.handle(Pressed(START, 6))
    assert k.state.screen == CHOSEN and k.drill.id == "rdl"


def test_selecting_wraps_round_the_drills():
    k = _kiosk()
    k.handle(Pressed(SELECT, 0))
    for i in range(len(DRILLS)):
        k.handle(Pressed(SELECT, i + 1))
    assert k.drill.id == "dowel-hinge"


def test_a_set_counts_lights_lamps_sounds_and_is_stored_when_it_ends():
    k = _kiosk()
    k.handle(Chosen("rdl", 0, start=True))
    effects = lift(k, AthleteSpec(drill="rdl", reps=2, faults=Faults.named("knees_forward"), fault_every=2))
    sounds = [e.name for e in effects if isinstance(e, PlaySound)]
    assert sounds == ["rep", "fault"]  # a tick for the clean rep, the low tone for the faulty one
    assert k.reps == 2 and k.state.lamps["knees_forward"].lit and k.state.lamps["knees_forward"].rep == 2
    leds = [e.lit for e in effects if isinstance(e, ShowLamps)]
    assert leds and leds[-1]["knees_forward"] and not any(v for f, v in leds[-1].items() if f != "knees_forward")
    ended = k.handle(Pressed(HOLD, 100))
    assert k.state.screen == SUMMARY
    assert isinstance(ended[0], StoreSet), "the set is stored before anything else is carried out"
    assert ended[0].report.count == 2 and ended[0].report.good_reps == 1
    assert PlaySound("end") in ended and ShowLamps({}) in ended  # the chime; the LEDs go off with the set


def test_lamps_stay_grey_until_a_rep_has_been_judged():
    """No green "OK" before the station has looked: the bottom's faults are judged at the first rep,
    the top's (lockout) once that rep's top has closed."""
    k = _kiosk()
    k.handle(Chosen("rdl", 0, start=True))
    assert not any(lamp.judged for lamp in k.state.lamps.values())
    lift(k, AthleteSpec(drill="rdl", reps=1))
    assert k.state.lamps["knees_forward"].judged and not k.state.lamps["knees_forward"].lit
    assert not k.state.lamps["no_lockout"].judged  # its top is judged as the next rep starts
    lift(k, AthleteSpec(drill="rdl", reps=1, lead_in_s=0.5), t0=100.0)
    assert k.state.lamps["no_lockout"].judged


def test_a_clean_rep_turns_a_lamp_green_again():
    k = _kiosk()
    k.handle(Chosen("rdl", 0, start=True))
    lift(k, AthleteSpec(drill="rdl", reps=2, faults=Faults.named("knees_forward"), fault_every=1))
    assert k.state.lamps["knees_forward"].lit
    lift(k, AthleteSpec(drill="rdl", reps=1, lead_in_s=0.5), t0=100.0)
    assert not k.state.lamps["knees_forward"].lit


def test_idle_screens_go_back_to_attract():
    k = _kiosk()
    k.handle(Pressed(SELECT, 0))
    k.handle(Tick(9))
    assert k.state.screen == CHOSEN
    k.handle(Tick(11))
    assert k.state.screen == ATTRACT
    k.handle(Pressed(SELECT, 20))
    k.handle(Pressed(START, 21))
    k.handle(Pressed(START, 22))
    k.handle(Tick(26))
    assert k.state.screen == SUMMARY
    k.handle(Tick(28))
    assert k.state.screen == ATTRACT


def test_walking_away_ends_the_set_and_stores_it():
    k = _kiosk()
    k.handle(Chosen("rdl", 0, start=True))
    lift(k, AthleteSpec(drill="rdl", reps=1))
    nobody = Pose(50.0, np.zeros((17, 3)), False, (640, 480))
    last_seen = k.state.last_person_at
    k.handle(PoseSeen(nobody, last_seen + 1))
    assert _stored(k.handle(Tick(last_seen + 2))) == [] and k.state.screen == SET
    stored = _stored(k.handle(Tick(last_seen + 4)))
    assert k.state.screen == SUMMARY and [r.count for r in stored] == [1]


def test_an_empty_set_is_not_stored():
    k = _kiosk()
    k.handle(Chosen("rdl", 0, start=True))
    effects = k.handle(Pressed(START, 1))
    assert k.state.screen == SUMMARY and _stored(effects) == [] and PlaySound("end") not in effects


def test_stopping_ends_the_set_in_progress_once():
    k = _kiosk()
    k.handle(Chosen("rdl", 0, start=True))
    lift(k, AthleteSpec(drill="rdl", reps=2))
    assert [r.count for r in _stored(k.handle(Stopping(60)))] == [2]
    assert _stored(k.handle(Stopping(61))) == []  # nothing in progress: nothing stored twice


def test_the_watchdog_is_fed_only_while_the_station_is_alive():
    k = _kiosk()
    assert FeedWatchdog() not in k.handle(Tick(0))  # nothing from the pose stage yet
    k.handle(PoseSeen(Pose(0.0, np.zeros((17, 3)), False, (640, 480)), 0.1))
    assert FeedWatchdog() in k.handle(Tick(0.2))
    assert FeedWatchdog() not in k.handle(Tick(0.3))  # a stalled source starves it
    k.handle(CameraLost("No camera found.", 1.0))  # the worker retrying is alive
    assert FeedWatchdog() in k.handle(Tick(1.1))
    k.handle(ModelProblem("The pose model is missing.", 2.0))  # no model: fed while the screen explains
    assert FeedWatchdog() in k.handle(Tick(2.1)) and FeedWatchdog() in k.handle(Tick(2.2))


def test_problems_are_kinds_and_clear_when_the_source_works_again():
    k = _kiosk()
    k.handle(Chosen("rdl", 0, start=True))
    k.handle(CameraLost("The camera stopped sending frames.", 1.0))
    assert k.state.error is Problem.CAMERA and k.state.screen == SET  # the set goes on
    k.handle(CameraBack(2.0))
    assert k.state.error is None
    k.handle(SourceProblem("The clip is damaged.", 3.0))
    assert k.state.error is Problem.SOURCE and k.state.error_text == "The clip is damaged."
    k.handle(PoseSeen(Pose(3.1, np.zeros((17, 3)), False, (640, 480)), 3.1))
    assert k.state.error is None
    k.handle(ModelProblem("The pose model is missing.", 4.0))
    k.handle(PoseSeen(Pose(4.1, np.zeros((17, 3)), False, (640, 480)), 4.1))
    assert k.state.error is Problem.MODEL  # a frame does not install a model


def test_the_chosen_screen_guides_the_lifter():
    k = _kiosk()
    k.handle(Chosen("rdl", 0))
    spec = AthleteSpec(drill="rdl", reps=1)
    a = Athlete(spec)
    keypoints = a.keypoints(a.body(0.0))
    keypoints[[15, 16], 2] = 0.0  # no feet
    k.handle(PoseSeen(Pose(0.0, keypoints, True, (640, 480)), 0.0))
    assert k.guidance == "Step back, I can't see your feet"
    k.handle(PoseSeen(Pose(0.1, a.keypoints(a.body(0.1)), True, (640, 480)), 0.1))
    assert k.guidance is None


def test_the_health_page_opens_outside_a_set_only_and_closes_by_itself():
    k = _kiosk()
    k.handle(Pressed(SHOW_HEALTH, 1))
    assert k.state.screen == HEALTH
    k.handle(Tick(1 + SETTINGS.health_s - 1))
    assert k.state.screen == HEALTH
    k.handle(Tick(1 + SETTINGS.health_s + 1))
    assert k.state.screen == ATTRACT
    k.handle(Pressed(SHOW_HEALTH, 100))
    k.handle(Pressed(START, 101))  # any button leaves it
    assert k.state.screen == ATTRACT
    k.handle(Chosen("rdl", 200, start=True))
    k.handle(Pressed(SHOW_HEALTH, 201))
    assert k.state.screen == SET  # never in the middle of someone's set


def test_outside_opening_hours_it_sleeps_when_idle_wakes_on_a_button_and_at_opening():
    k = _kiosk()
    assert k.handle(Tick(1, open=False)) == [Sleep(True), FeedWatchdog()]  # nobody pressed anything: sleep
    assert k.state.screen == ASLEEP and FeedWatchdog() in k.handle(Tick(2, open=False))  # fed while asleep
    woken = k.handle(Pressed(SELECT, 3))
    assert Sleep(False) in woken and k.state.screen == ATTRACT  # a button wakes it, and does nothing else
    k.handle(Pressed(SELECT, 4))
    assert k.state.screen == CHOSEN
    k.handle(Tick(4 + SETTINGS.idle_s - 1, open=False))
    assert k.state.screen == CHOSEN  # awake for idle_s after the last button
    assert Sleep(True) in k.handle(Tick(4 + SETTINGS.idle_s + 1, open=False))
    assert Sleep(False) in k.handle(Tick(100, open=True)) and k.state.screen == ATTRACT  # opening time


def test_a_set_in_progress_is_never_put_to_sleep():
    k = _kiosk()
    k.handle(Chosen("rdl", 0, start=True))
    lift(k, AthleteSpec(drill="rdl", reps=1))
    assert Sleep(True) not in k.handle(Tick(k.state.last_person_at + 1, open=False)) and k.state.screen == SET


def test_the_placement_check_records_a_good_placement_once_and_any_button_leaves():
    k = _kiosk()
    k.handle(Pressed(CHECK_PLACEMENT, 0))
    assert k.state.screen == PLACE
    spec = AthleteSpec(drill="rdl", reps=1, lead_in_s=7, fps=15, camera=Camera(size=(640, 480), body_fraction=0.62))
    recorded = []
    for t, keypoints, image in Athlete(spec).frames():
        if t > 6:
            break
        effects = k.handle(PoseSeen(Pose(t, keypoints, True, (640, 480)), t, image))
        recorded += [e for e in effects if isinstance(e, RecordPlacement)]
    assert len(recorded) == 1 and 0.55 < recorded[0].figures["height"] < 0.7
    assert k.state.placed is not None and k.state.placed.passed
    k.handle(Pressed(SELECT, 7))
    assert k.state.screen == ATTRACT and k.state.placement is None
    k.handle(Chosen("rdl", 8, start=True))
    k.handle(Pressed(CHECK_PLACEMENT, 9))
    assert k.state.screen == SET  # not in the middle of a set


def test_the_history_notice_comes_and_goes_through_the_core():
    """Issue 20: the shell set the "History not saved" notice on the screen itself, past the core."""
    kiosk = Kiosk([DRILLS["rdl"]], KioskSettings())
    assert kiosk.handle(StoreFailed("History not saved (locked).", 1.0)) == []
    assert kiosk.state.store_problem == "History not saved (locked)."
    kiosk.handle(StoreRecovered(2.0))
    assert kiosk.state.store_problem is None


def test_an_event_with_no_case_is_an_error_not_ignored():
    with pytest.raises(AssertionError, match="no case for"):
        Kiosk([DRILLS["rdl"]], KioskSettings()).handle("not an event")  # type: ignore[arg-type]


def test_a_type_checker_proves_every_kind_of_event_has_its_case():
    """`Kiosk.handle` matches on the event and ends in `assert_never`: mypy fails if a kind is left out."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    pytest.importorskip("mypy")
    run = subprocess.run([sys.executable, "-m", "mypy", "--follow-imports=silent", "--ignore-missing-imports",
                          "--no-incremental", "station/core/kiosk/state.py"],
                         cwd=ROOT, capture_output=True, text=True, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stdout


def test_a_placement_not_recorded_is_said_until_the_next_check():
    kiosk = Kiosk([DRILLS["rdl"]], KioskSettings())
    kiosk.handle(PlacementNotRecorded("the history is locked", 1.0))
    assert kiosk.state.placement_unrecorded == "the history is locked"
    kiosk.handle(Pressed(CHECK_PLACEMENT, 2.0))  # a new check
    assert kiosk.state.placement_unrecorded is None


def test_the_sets_trace_for_the_chart_is_kept_by_the_core_while_the_set_runs():
    """Issue 20: the shell decided when to keep the trace; now the core keeps it, a new set starts it anew."""
    kiosk = _kiosk()
    kiosk.handle(Chosen("rdl", 0.0, start=True))
    lift(kiosk, AthleteSpec(drill="rdl", reps=1, fps=15))
    kept = len(kiosk.state.trace)
    assert kept > 10 and all(len(row) == 3 for row in kiosk.state.trace)
    kiosk.handle(Stopping(100.0))
    assert kiosk.state.screen == SUMMARY and len(kiosk.state.trace) == kept  # the summary draws it
    kiosk.handle(Chosen("rdl", 101.0, start=True))
    assert kiosk.state.trace == []
