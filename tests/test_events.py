"""Every kind of event the shell can send is one the core handles; effects are plain values."""

import typing

import numpy as np

from station.core.drills import DRILLS
from station.core.keypoints import Pose
from station.core.kiosk import events
from station.core.kiosk.state import CHOSEN, SET, SUMMARY, Kiosk, KioskSettings, Problem

SAMPLES = {
    events.Pressed: events.Pressed(events.SELECT, 1.0),
    events.PoseSeen: events.PoseSeen(Pose(1.0, np.zeros((17, 3)), False, (640, 480)), 1.0),
    events.Tick: events.Tick(1.0),
    events.CameraLost: events.CameraLost("No camera found.", 1.0),
    events.CameraBack: events.CameraBack(1.0),
    events.ModelProblem: events.ModelProblem("The pose model is missing.", 1.0),
    events.SourceProblem: events.SourceProblem("The clip is damaged.", 1.0),
    events.Chosen: events.Chosen("rdl", 1.0, start=True),
    events.Stopping: events.Stopping(1.0),
    events.StoreFailed: events.StoreFailed("History not saved (locked).", 1.0),
    events.StoreRecovered: events.StoreRecovered(1.0),
    events.PlacementNotRecorded: events.PlacementNotRecorded("the history is locked", 1.0),
}


def test_every_event_kind_has_a_sample_and_each_moves_the_core_as_it_should():
    """Each kind of event, in an order a day could bring them, and what it changed: not only that the
    core answers with effects of the known kinds."""
    assert set(typing.get_args(events.Event)) == set(SAMPLES)
    kiosk = Kiosk(list(DRILLS.values()), KioskSettings())
    s = kiosk.state
    effect_kinds = set(typing.get_args(events.Effect))
    checks = {
        events.Pressed: lambda out: s.screen == CHOSEN,
        events.PoseSeen: lambda out: s.alive and s.last_person_at is None,  # a frame, nobody in it
        events.Tick: lambda out: events.FeedWatchdog() in out and not s.alive,  # fed for that frame
        events.CameraLost: lambda out: s.error is Problem.CAMERA and s.error_text == "No camera found.",
        events.CameraBack: lambda out: s.error is None,
        events.ModelProblem: lambda out: s.error is Problem.MODEL,
        events.SourceProblem: lambda out: s.error is Problem.SOURCE and s.error_text == "The clip is damaged.",
        events.Chosen: lambda out: s.screen == SET and kiosk.drill.id == "rdl",
        # No reps: nothing to store, and the fault LEDs go off with the set.
        events.Stopping: lambda out: s.screen == SUMMARY and out == [events.ShowLamps({})],
        events.StoreFailed: lambda out: s.store_problem == "History not saved (locked).",
        events.StoreRecovered: lambda out: s.store_problem is None,
        events.PlacementNotRecorded: lambda out: s.placement_unrecorded == "the history is locked",
    }
    assert set(checks) == set(SAMPLES)
    for kind, sample in SAMPLES.items():
        out = kiosk.handle(sample)
        assert all(type(e) in effect_kinds for e in out), (kind, out)
        assert checks[kind](out), (kind.__name__, out, s)


def test_effects_compare_by_value():
    assert events.PlaySound("end") == events.PlaySound("end") and events.FeedWatchdog() == events.FeedWatchdog()
    assert events.ShowLamps({"hips_drop": True}) != events.ShowLamps({"hips_drop": False})
