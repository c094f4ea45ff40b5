import dataclasses

import pytest

from station.core.drills import DRILLS, FAULT_CUES, FAULT_IDS, FAULT_NAMES, get_drill
from station.errors import StationError


def test_drill_ids_are_exactly_the_five():
    assert list(DRILLS) == ["dowel-hinge", "wall-touch", "rdl", "deadlift", "kb-swing"]


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
    assert DRILLS["kb-swing"].explosive and not DRILLS["dowel-hinge"].explosive
    assert DRILLS["kb-swing"].thresholds.min_rep_s < DRILLS["dowel-hinge"].thresholds.min_rep_s
    assert DRILLS["kb-swing"].thresholds.target_eccentric_s < DRILLS["dowel-hinge"].thresholds.target_eccentric_s


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
