import dataclasses

import pytest

from station.core.coach.session import Coach
from station.core.drills import DRILLS, FAULT_CUES, FAULT_IDS, FAULT_NAMES, Drill, get_drill
from station.edges.camera.athlete import AthleteSpec
from station.errors import StationError
from tests.helpers import coach_run


def _counted(movement: str, drill: Drill, reps: int = 3) -> int:
    """Reps the coach of `drill` counts when the synthetic athlete does `movement`'s reps."""
    return len(coach_run(AthleteSpec(drill=movement, reps=reps), Coach(drill)).reps)


@pytest.mark.parametrize("drill_id", ["dowel-hinge", "wall-touch", "rdl", "deadlift", "kb-swing"])
def test_each_of_the_five_drills_counts_its_own_movement(drill_id):
    """The brief's five drills, each with its depth and tempo: a clean set of each is counted rep for rep."""
    assert _counted(drill_id, get_drill(drill_id)) == 3


@pytest.mark.parametrize("drill", DRILLS.values(), ids=list(DRILLS))
def test_each_drill_is_complete(drill):
    assert drill.name and drill.summary
    assert 2 <= len(drill.cues) <= 3 and all(len(c) <= 45 for c in drill.cues)
    assert set(drill.faults) <= set(FAULT_IDS)
    assert {"back_rounding", "knees_forward", "hips_drop"} <= set(drill.faults)
    t = drill.thresholds
    assert 0 < t.top_drop < t.bottom_drop < 1
    assert 90 < t.lockout_hip_angle < 180


def test_drill_specific_faults_sit_where_lifters_expect_them():
    assert "overextension" in DRILLS["kb-swing"].faults
    assert "hips_rise_first" in DRILLS["deadlift"].faults
    assert "overextension" not in DRILLS["dowel-hinge"].faults
    # The dowel and wall drills teach the three points of contact and the hips going back; the arms
    # holding the dowel move the shoulder keypoints, so no lockout is judged there.
    assert "no_lockout" not in DRILLS["dowel-hinge"].faults and "no_lockout" not in DRILLS["wall-touch"].faults
    assert "no_lockout" in DRILLS["deadlift"].faults and "no_lockout" in DRILLS["rdl"].faults


def test_tempo_differs_by_drill():
    """A swing's reps come every 1.25 s: the swing counts them, while the dowel hinge's slower tempo
    (a rep under 1.2 s is a twitch there) would count none of them."""
    swing, dowel = DRILLS["kb-swing"], DRILLS["dowel-hinge"]
    assert _counted("kb-swing", swing, reps=6) == 6
    assert _counted("kb-swing", swing.with_thresholds(min_rep_s=dowel.thresholds.min_rep_s), reps=6) == 0


def test_every_fault_has_a_name_and_a_plain_cue():
    assert set(FAULT_NAMES) == set(FAULT_IDS) == set(FAULT_CUES)
    assert FAULT_CUES["back_rounding"] == "Head, upper back, tailbone in one line"
    assert FAULT_CUES["knees_forward"] == "Keep the shins vertical"


def test_unknown_drill_is_one_sentence():
    with pytest.raises(StationError, match="no drill 'squat'"):
        get_drill("squat")


def test_thresholds_can_be_changed_per_site_without_touching_the_catalogue():
    changed = DRILLS["rdl"].with_thresholds(max_shin_lean=30.0)
    assert changed.thresholds.max_shin_lean == 30.0
    assert DRILLS["rdl"].thresholds.max_shin_lean != 30.0
    assert dataclasses.is_dataclass(changed.thresholds)
