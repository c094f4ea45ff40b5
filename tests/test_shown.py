"""What the screens show, decided by the core: the set's one cue, the summary's words, the problem
screen and the camera's status, driven through `Kiosk.handle` with no screen."""

import dataclasses

from station.core.coach.setreport import Rep, SetReport
from station.core.drills import DRILLS, FAULT_CUES, FAULT_PRAISE, UNSEEN_CUE
from station.core.kiosk.events import CameraLost, Chosen, ModelProblem, Pressed, SourceProblem, Stopping, Tick
from station.core.kiosk.shown import camera_status, shown, went_well
from station.core.kiosk.state import ASLEEP, HEALTH, SET, SHOW_HEALTH, SUMMARY, Kiosk, KioskSettings
from station.edges.camera.athlete import AthleteSpec, Faults
from tests.helpers import lift

SETTINGS = KioskSettings(idle_s=10, summary_s=5, walk_away_s=3, health_s=30)


def _kiosk() -> Kiosk:
    return Kiosk(list(DRILLS.values()), SETTINGS)


def test_the_set_shows_the_lit_faults_fix_and_the_count():
    k = _kiosk()
    k.handle(Chosen("rdl", 0.0, start=True))
    first = shown(k)
    assert first.screen == SET and first.reps == 0 and first.cue.tone == "warn"  # "Step into view" first
    lift(k, AthleteSpec(drill="rdl", reps=2, faults=Faults.named("knees_forward"), fault_every=2))
    s = shown(k)
    assert s.reps == 2 and s.guidance is None and s.ready
    assert (s.cue.text, s.cue.tone) == (FAULT_CUES["knees_forward"], "fault")
    lit = [lamp.fault for lamp in s.lamps if lamp.lit]
    assert lit == ["knees_forward"]
    s.lamps[0].lit = not s.lamps[0].lit  # a screen that scribbles on its copy changes nothing in the core
    assert [f for f, lamp in k.state.lamps.items() if lamp.lit] == ["knees_forward"]


def test_a_clean_rep_shows_the_drills_own_cue():
    k = _kiosk()
    k.handle(Chosen("rdl", 0.0, start=True))
    lift(k, AthleteSpec(drill="rdl", reps=1))
    s = shown(k)
    assert (s.cue.text, s.cue.tone) == (DRILLS["rdl"].cues[0], "good")


def test_the_summary_says_what_to_fix_and_praises_only_what_was_clean():
    k = _kiosk()
    k.handle(Chosen("rdl", 0.0, start=True))
    lift(k, AthleteSpec(drill="rdl", reps=3, faults=Faults.named("knees_forward"), fault_every=2))
    k.handle(Stopping(100.0))
    s = shown(k)
    assert s.screen == SUMMARY and s.report is not None and s.report.count == 3
    assert s.to_fix == f"{FAULT_CUES['knees_forward']} (knees forward on 1 of 3 reps)"
    assert s.went_well is not None and FAULT_PRAISE["knees_forward"] not in s.went_well.lower()
    assert FAULT_PRAISE["back_rounding"] in s.went_well.lower()
    assert len(s.trace) > 0  # the chart's data came with it


def test_no_praise_for_a_fault_the_view_could_not_show_on_most_reps():
    drill = DRILLS["rdl"]
    unseen = tuple(f for f in drill.faults if f != "knees_forward")
    reps = tuple(Rep(i + 1, i, i + 0.5, i + 1, (), {}, True, unseen) for i in range(3))
    assert went_well(SetReport("rdl", reps), drill) == FAULT_PRAISE["knees_forward"].capitalize()
    reps = tuple(dataclasses.replace(r, unseen=drill.faults) for r in reps)
    assert went_well(SetReport("rdl", reps), drill) is None
    assert went_well(SetReport("rdl", ()), drill) is None


def test_a_grey_lamp_from_a_bad_view_says_why():
    k = _kiosk()
    k.handle(Chosen("rdl", 0.0, start=True))
    lift(k, AthleteSpec(drill="rdl", reps=1))
    lamp = next(iter(k.state.lamps.values()))
    lamp.unseen, lamp.view_ok = True, False
    assert shown(k).cue.text == UNSEEN_CUE


def test_a_problem_stands_in_for_the_set_and_says_the_set_is_kept():
    k = _kiosk()
    k.handle(Chosen("rdl", 0.0, start=True))
    lift(k, AthleteSpec(drill="rdl", reps=1))
    k.handle(CameraLost("the camera stopped sending", 50.0))
    s = shown(k)
    assert s.problem is not None and s.problem.title == "No camera picture"
    assert s.problem.kept == "Your set is kept: 1 reps so far."
    assert camera_status(k.state, live=True) == "lost (retrying)"
    k.handle(Stopping(51.0))
    assert shown(k).problem is None  # the summary stays: the lifter's set is what they came for


def test_a_clips_problem_is_advised_in_its_own_words():
    k = _kiosk()
    k.handle(SourceProblem("The clip x.mp4 cannot be read: it is not a video.", 1.0))
    s = shown(k)
    assert s.problem is not None and s.problem.advice == "The clip x.mp4 cannot be read: it is not a video."
    assert s.problem.kept is None and camera_status(k.state, live=False) == "clip unreadable"
    k = _kiosk()
    k.handle(ModelProblem("no model file", 1.0))
    assert shown(k).problem.title == "The pose model is missing"  # type: ignore[union-attr]


def test_the_camera_status_in_words():
    k = _kiosk()
    assert camera_status(k.state, live=True) == "ok"
    assert camera_status(k.state, live=False) == "none (a clip or the synthetic athlete)"
    k.handle(Tick(100.0, open=False))
    assert k.state.screen == ASLEEP and camera_status(k.state, live=True) == "resting (outside opening hours)"


def test_the_health_page_leaves_at_a_time_the_screen_counts_down_to():
    k = _kiosk()
    k.handle(Pressed(SHOW_HEALTH, 12.0))
    s = shown(k)
    assert s.screen == HEALTH and s.leaves_at == 12.0 + SETTINGS.health_s
