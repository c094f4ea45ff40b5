from dataclasses import replace

import numpy as np

from station.core.coach.faults import MAX_BACK_ERROR, MAX_TOP_GAP_S, decide_rep, judge_rep, judge_top, median_error
from station.core.coach.posture import Posture
from station.core.coach.reps import RepWindow, Sample
from station.core.drills import DRILLS
from tests.helpers import make_posture

DL = DRILLS["deadlift"]


def _p(t: float, **kw) -> Posture:
    return make_posture(t=t, **kw)


def _window(bottom: dict, n: int = 30, **kw) -> RepWindow:
    """A rep that goes down to `bottom` (posture fields) and back, linearly."""
    samples = []
    for i in range(n + 1):
        f = 1 - abs(2 * i / n - 1)  # 0 -> 1 -> 0
        fields = {}
        for key, value in bottom.items():
            start = getattr(_p(0), key)
            if isinstance(value, tuple):
                fields[key] = tuple(a + (b - a) * f for a, b in zip(start, value, strict=True))
            else:
                fields[key] = start + (value - start) * f
        curve = kw.get("curve", 0.0) if f > 0.5 else None
        samples.append(Sample(_p(i / 30, **fields), 0.4 * f, curve))
    return RepWindow(samples, started_at_bottom=False, top=[samples[-1]])


GOOD_BOTTOM = {"hip_angle": 70.0, "knee_angle": 100.0, "torso_lean": 55.0, "shin_lean": 15.0, "hip": (250.0, 260.0)}


def test_a_good_rep_has_no_faults_and_full_metrics():
    j = judge_rep(_window(GOOD_BOTTOM), DL)
    assert j.judged and j.faults == ()
    m = j.metrics
    assert m["min_hip_angle"] == 70.0 and m["max_shin_lean"] == 15.0
    assert m["eccentric_s"] == 0.5 and m["concentric_s"] == 0.5
    assert m["hip_back"] > 0 and m["hip_down"] > 0


def test_shins_past_the_limit_are_knees_forward():
    assert "knees_forward" in judge_rep(_window({**GOOD_BOTTOM, "shin_lean": 45.0}), DL).faults


def test_shins_tilting_more_than_the_trunk_is_a_squat():
    squat = {**GOOD_BOTTOM, "torso_lean": 20.0, "shin_lean": 30.0}
    assert "knees_forward" in judge_rep(_window(squat), DL).faults


def test_hips_sinking_straight_down_is_hips_drop():
    sink = {**GOOD_BOTTOM, "hip": (298.0, 330.0)}  # 0.52 leg lengths down, hardly back
    assert "hips_drop" in judge_rep(_window(sink), DL).faults


def test_a_bowed_back_outline_is_back_rounding():
    assert "back_rounding" in judge_rep(_window(GOOD_BOTTOM, curve=0.2), DL).faults
    assert "back_rounding" not in judge_rep(_window(GOOD_BOTTOM, curve=-0.1), DL).faults


def test_a_hanging_head_is_back_rounding():
    assert "back_rounding" in judge_rep(_window({**GOOD_BOTTOM, "head_drop": 0.5}), DL).faults


def test_trunk_tipping_as_the_hips_rise_is_hips_rise_first():
    w = _window(GOOD_BOTTOM)
    n = len(w.samples)
    for i in range(n // 2 + 1, n // 2 + 7):  # the knees straighten, the shoulders stay low, the trunk tips
        s, k = w.samples[i], i - n // 2
        tipped = replace(s.posture, torso_lean=55.0 + 25.0 * np.sin(k / 6 * np.pi), knee_angle=100.0 + 8.0 * k)
        w.samples[i] = replace(s, posture=tipped, depth=0.39)
    j = judge_rep(w, DL)
    assert "hips_rise_first" in j.faults and j.metrics["trunk_tip"] > 20
    assert "hips_rise_first" not in judge_rep(_window(GOOD_BOTTOM), DL).faults


def test_faults_the_drill_does_not_list_are_never_called():
    squat = {**GOOD_BOTTOM, "hip": (298.0, 330.0)}
    assert "hips_drop" in judge_rep(_window(squat), DL).faults
    no_drop = DRILLS["rdl"].__class__(**{**DRILLS["rdl"].__dict__, "faults": ("back_rounding",)})
    assert judge_rep(_window(squat), no_drop).faults == ()


def test_a_front_view_rep_is_not_judged_and_says_so():
    w = _window({**GOOD_BOTTOM, "shin_lean": 45.0})
    front = replace(w.samples[0].posture, view="front", yaw=80.0)
    angles_gone = {k: None for k in ("hip_angle", "knee_angle", "torso_lean", "shin_lean", "head_drop")}
    w = RepWindow([replace(s, posture=replace(front, t=s.t, **angles_gone)) for s in w.samples], False, w.top)
    j = judge_rep(w, DL)
    assert not j.judged and j.faults == ()
    assert set(j.unseen) == {"back_rounding", "knees_forward", "hips_drop", "hips_rise_first"}


def test_from_45_degrees_the_angles_are_judged_but_an_unread_back_is_unseen():
    w = _window({**GOOD_BOTTOM, "shin_lean": 45.0})
    w = RepWindow([replace(s, posture=replace(s.posture, view="oblique", yaw=45.0), back_curve=None)
                   for s in w.samples], False, w.top)  # fmt: skip
    j = judge_rep(w, DL)
    assert "knees_forward" in j.faults and j.unseen == ("back_rounding",) and j.judged


def test_a_back_read_a_few_times_but_disagreeing_is_unseen():
    w = _window(GOOD_BOTTOM, curve=0.3)
    for i, s in enumerate(w.samples):
        if s.back_curve is not None:
            w.samples[i] = replace(s, back_curve=0.3 if i % 2 else -0.3)  # a busy room, not a back
    assert "back_rounding" in judge_rep(w, DL).unseen


def _top(gap: float = 0.1, **kw) -> RepWindow:
    """A rep's top: two frames `gap` seconds apart."""
    return RepWindow([], False, top=[Sample(_p(0.0, **kw), 0.02), Sample(_p(gap, **kw), 0.02)])


def test_the_top_judges_lockout_and_leaning_back():
    swing = DRILLS["kb-swing"]
    assert judge_top(_top(hip_angle=150.0), swing).faults == ("no_lockout",)
    back = _top(hip_angle=186.0, torso_lean=-20.0)
    assert judge_top(back, swing).faults == ("overextension",)
    # Behind vertical with the hips short of straight is a trunk read tilted, not a lean back.
    assert judge_top(_top(hip_angle=176.0, torso_lean=-20.0), swing).faults == ()
    assert judge_top(back, DL).faults == ()  # a deadlift does not list leaning back
    front = _top(view="front", yaw=85.0, hip_angle=None, torso_lean=None)
    assert judge_top(front, swing).unseen == ("no_lockout", "overextension")


def test_a_top_sampled_too_sparsely_is_unseen_not_a_missed_lockout():
    """Issue 17 #19: a clip at one frame a second may skip the lockout: the top is not judged."""
    sparse = judge_top(_top(gap=1.0, hip_angle=150.0), DRILLS["kb-swing"])
    assert sparse.faults == () and "no_lockout" in sparse.unseen and sparse.metrics["top_gap_s"] == 1.0
    one_frame = RepWindow([], False, top=[Sample(_p(0, hip_angle=150.0), 0.02)])
    assert judge_top(one_frame, DRILLS["kb-swing"]).faults == ()
    assert judge_top(_top(gap=MAX_TOP_GAP_S, hip_angle=150.0), DRILLS["kb-swing"]).faults == ("no_lockout",)


def _metrics(**kw):
    """A side-on rep's metrics as judge_rep writes them, clean, with the given ones changed."""
    base = {
        "yaw": 5.0, "turn": 0.0, "angles_seen": 1.0, "bottom_shin_lean": 10.0, "bottom_torso_lean": 45.0,
        "bottom_thigh_lean": 60.0, "back_curve": -0.05, "back_readings": 20.0, "back_spread": 0.04,
        "back_error": 0.01, "head_drop": -0.1, "hip_back": 0.3, "hip_down": 0.1, "trunk_tip": 2.0,
    }  # fmt: skip
    return {**base, **kw}


def test_a_clean_rep_is_clean_from_its_metrics_alone():
    assert decide_rep(_metrics(), DL.faults, DL.thresholds) == ((), ())


def test_the_squatted_pull_is_called_with_the_hips_at_the_knees():
    """Shins 25 degrees at the bottom are under the deadlift's 32, but with the thighs level (hips at the
    knees' height) it is a squat pulling the bar: knees forward."""
    squatted = _metrics(bottom_shin_lean=25.0, bottom_thigh_lean=88.0)
    assert "knees_forward" in decide_rep(squatted, DL.faults, DL.thresholds)[0]
    hips_high = _metrics(bottom_shin_lean=25.0, bottom_thigh_lean=65.0)  # a normal pull from the floor
    assert "knees_forward" not in decide_rep(hips_high, DL.faults, DL.thresholds)[0]


def test_the_back_outline_is_not_read_turned_towards_the_camera_but_the_head_line_is():
    rounded = _metrics(back_curve=0.2)
    assert "back_rounding" in decide_rep(rounded, DL.faults, DL.thresholds)[0]
    towards = _metrics(back_curve=0.2, yaw=45.0, turn=1.0)
    assert decide_rep(towards, DL.faults, DL.thresholds)[1] == ("back_rounding",)  # unseen, never clean
    away = _metrics(back_curve=0.2, yaw=45.0, turn=-1.0)
    assert "back_rounding" in decide_rep(away, DL.faults, DL.thresholds)[0]
    head = _metrics(head_drop=0.25, yaw=45.0, turn=1.0)  # the keypoints' line holds from a front slant
    assert "back_rounding" in decide_rep(head, DL.faults, DL.thresholds)[0]


def test_an_unsure_outline_reading_is_not_a_reading():
    """Five readings spread 0.12 (a Pi's few frames): the median could be anywhere between flat and
    rounded, so the back is reported unread, not called."""
    unsure = _metrics(back_curve=0.14, back_readings=5.0, back_spread=0.12, back_error=median_error(0.12, 5))
    assert median_error(0.12, 5) > MAX_BACK_ERROR
    assert decide_rep(unsure, DL.faults, DL.thresholds) == ((), ("back_rounding",))
    sure = _metrics(back_curve=0.14, back_readings=20.0, back_spread=0.12, back_error=median_error(0.12, 20))
    assert decide_rep(sure, DL.faults, DL.thresholds)[0] == ("back_rounding",)
