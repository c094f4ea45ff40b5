"""Every kind of event the shell can send is one the core handles; effects are plain values."""

import typing

import numpy as np

from station.core.drills import DRILLS
from station.core.keypoints import Pose
from station.core.kiosk import events
from station.core.kiosk.state import Kiosk, KioskSettings

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


def test_every_event_kind_has_a_sample_and_the_core_takes_each():
    assert set(typing.get_args(events.Event)) == set(SAMPLES)
    kiosk = Kiosk(list(DRILLS.values()), KioskSettings())
    effect_kinds = set(typing.get_args(events.Effect))
    for sample in SAMPLES.values():
        out = kiosk.handle(sample)
        assert isinstance(out, list) and all(type(e) in effect_kinds for e in out)


def test_effects_compare_by_value():
    assert events.PlaySound("end") == events.PlaySound("end") and events.FeedWatchdog() == events.FeedWatchdog()
    assert events.ShowLamps({"hips_drop": True}) != events.ShowLamps({"hips_drop": False})
