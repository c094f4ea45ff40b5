"""The kiosk's state machine, driven by hand: no screen, no threads."""

import numpy as np

from station.athlete import Athlete, AthleteSpec, Faults
from station.drills import DRILLS
from station.kiosk.state import ATTRACT, CHOSEN, HOLD, SELECT, SET, START, SUMMARY, Kiosk, KioskSettings
from station.pose.keypoints import Pose

SETTINGS = KioskSettings(idle_s=10, summary_s=5, walk_away_s=3)


def _kiosk() -> Kiosk:
    return Kiosk(list(DRILLS.values()), SETTINGS)


def _lift(kiosk: Kiosk, spec: AthleteSpec, t0: float = 0.0) -> list:
    events = []
    for t, k, image in Athlete(spec).frames():
        events += kiosk.frame(Pose(t0 + t, k, True, (640, 480)), image, 1.0, now=t0 + t)
    return events


def test_buttons_walk_through_the_screens():
    k = _kiosk()
    assert k.state.screen == ATTRACT
    k.press(SELECT, 1)
    assert k.state.screen == CHOSEN and k.drill.id == "dowel-hinge"
    k.press(SELECT, 2)
    k.press(SELECT, 3)
    assert k.drill.id == "rdl"
    k.press(START, 4)
    assert k.state.screen == SET and set(k.state.lamps) == set(DRILLS["rdl"].faults)
    k.press(START, 5)
    assert k.state.screen == SUMMARY and k.state.report["reps"] == 0
    k.press(START, 6)
    assert k.state.screen == CHOSEN and k.drill.id == "rdl"


def test_selecting_wraps_round_the_drills():
    k = _kiosk()
    k.press(SELECT, 0)
    for i in range(len(DRILLS)):
        k.press(SELECT, i + 1)
    assert k.drill.id == "dowel-hinge"


def test_a_set_counts_lights_lamps_and_is_kept_when_it_ends():
    k = _kiosk()
    k.choose("rdl", 0)
    k.start_set(0)
    events = _lift(k, AthleteSpec(drill="rdl", reps=2, faults=Faults.named("knees_forward"), fault_every=2))
    assert [e.kind for e in events if e.kind == "rep"] == ["rep", "rep"]
    assert k.reps == 2 and k.state.lamps["knees_forward"].lit and k.state.lamps["knees_forward"].rep == 2
    k.press(HOLD, 100)
    assert k.state.screen == SUMMARY and k.finished_sets[0]["reps"] == 2


def test_a_clean_rep_turns_a_lamp_green_again():
    k = _kiosk()
    k.choose("rdl", 0)
    k.start_set(0)
    _lift(k, AthleteSpec(drill="rdl", reps=2, faults=Faults.named("knees_forward"), fault_every=1))
    assert k.state.lamps["knees_forward"].lit
    _lift(k, AthleteSpec(drill="rdl", reps=1, lead_in_s=0.5), t0=100.0)
    assert not k.state.lamps["knees_forward"].lit


def test_idle_screens_go_back_to_attract():
    k = _kiosk()
    k.press(SELECT, 0)
    k.tick(9)
    assert k.state.screen == CHOSEN
    k.tick(11)
    assert k.state.screen == ATTRACT
    k.press(SELECT, 20)
    k.press(START, 21)
    k.press(START, 22)
    k.tick(26)
    assert k.state.screen == SUMMARY
    k.tick(28)
    assert k.state.screen == ATTRACT


def test_walking_away_ends_the_set():
    k = _kiosk()
    k.choose("rdl", 0)
    k.start_set(0)
    _lift(k, AthleteSpec(drill="rdl", reps=1))
    nobody = Pose(50.0, np.zeros((17, 3)), False, (640, 480))
    last_seen = k.state.last_person_at
    k.frame(nobody, None, 1.0, now=last_seen + 1)
    k.tick(last_seen + 2)
    assert k.state.screen == SET
    k.tick(last_seen + 4)
    assert k.state.screen == SUMMARY and k.finished_sets[0]["reps"] == 1


def test_an_empty_set_is_not_stored():
    k = _kiosk()
    k.choose("rdl", 0)
    k.start_set(0)
    k.press(START, 1)
    assert k.state.screen == SUMMARY and k.finished_sets == []


def test_the_chosen_screen_guides_the_lifter():
    k = _kiosk()
    k.choose("rdl", 0)
    spec = AthleteSpec(drill="rdl", reps=1)
    a = Athlete(spec)
    keypoints = a.keypoints(a.body(0.0))
    keypoints[[15, 16], 2] = 0.0  # no feet
    k.frame(Pose(0.0, keypoints, True, (640, 480)), None, now=0.0)
    assert k.guidance == "Step back, I can't see your feet"
    k.frame(Pose(0.1, a.keypoints(a.body(0.1)), True, (640, 480)), None, now=0.1)
    assert k.guidance is None
