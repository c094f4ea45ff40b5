"""The counter on hand-made depth traces, where the truth is obvious."""

import numpy as np
import pytest

from station.core.coach.posture import Posture
from station.core.coach.reps import RepCounter, Sample, StatureGauge
from station.core.drills import DRILLS
from tests.helpers import make_posture

TH = DRILLS["rdl"].thresholds
STANDING = 500.0


def _posture(t: float, depth: float, hip_angle: float | None = None, side: bool = True) -> Posture:
    return make_posture(
        t=t,
        view="side" if side else "front",
        yaw=0.0 if side else 90.0,
        stature=STANDING * (1 - depth),
        shin_length=STANDING / 3.1,
        hip_angle=(180 - 200 * depth if hip_angle is None else hip_angle) if side else None,
        torso_lean=40.0 * depth if side else None,
    )


def _count(depths: list[float], fps: float = 30.0, **kw) -> tuple[int, list]:
    counter = RepCounter(TH)
    reps = []
    for i, d in enumerate(depths):
        s = Sample(_posture(i / fps, d, **kw), d, None, STANDING, d, 3.1)
        counted, _ = counter.update(s)
        if counted:
            reps.append(counted)
    counter.finish()
    return len(reps), reps


def _rep(depth: float = 0.3, down: int = 40, up: int = 30, rest: int = 30) -> list[float]:
    return list(np.linspace(0, depth, down)) + list(np.linspace(depth, 0, up)) + [0.0] * rest


def test_counts_each_rep_at_the_top():
    n, reps = _count([0.0] * 30 + _rep() * 3)
    assert n == 3
    assert reps[0].samples[-1].depth <= TH.top_drop


def test_a_shallow_bob_is_no_rep():
    assert _count([0.0] * 30 + _rep(depth=TH.bottom_drop * 0.7) * 3)[0] == 0


def test_jitter_at_the_top_is_no_rep():
    rng = np.random.default_rng(0)
    wobble = list(np.clip(TH.top_drop + rng.normal(0, 0.02, 300), 0, None))
    assert _count(wobble)[0] == 0


def test_a_set_that_starts_at_the_bottom_counts_its_first_top():
    trace = list(np.linspace(0.3, 0, 30)) + [0.0] * 20 + _rep()
    n, reps = _count(trace)
    assert n == 2 and reps[0].started_at_bottom


def test_a_last_descent_that_never_comes_up_is_no_rep():
    assert _count([0.0] * 20 + _rep() + list(np.linspace(0, 0.35, 40)))[0] == 1


def test_a_pull_still_rising_when_the_stream_ends_is_no_rep():
    assert _count([0.0] * 20 + _rep() + list(np.linspace(0, 0.35, 30)) + list(np.linspace(0.35, 0.1, 20)))[0] == 1


def test_a_twitch_faster_than_the_drill_allows_is_no_rep():
    fast = _rep(down=5, up=5, rest=40)
    assert _count([0.0] * 20 + fast)[0] == 0


def test_side_view_bottom_needs_the_hips_to_close():
    # Shrinking by walking away from the camera: stature drops but the hips stay straight.
    assert _count([0.0] * 20 + _rep() * 2, hip_angle=178.0)[0] == 0


def test_from_the_front_depth_alone_counts():
    assert _count([0.0] * 20 + _rep() * 2, side=False)[0] == 2


def test_the_lockout_window_stays_open_through_a_wobble():
    counter = RepCounter(TH)
    trace = [0.0] * 10 + _rep(rest=0) + [TH.top_drop + 0.01, 0.0, 0.0] + [0.0] * 10 + _rep()
    windows = []
    for i, d in enumerate(trace):
        _, closed = counter.update(Sample(_posture(i / 30, d), d, None, STANDING, d, 3.1))
        if closed:
            windows.append(closed)
    windows.append(counter.finish())
    assert len(windows) == 2 and len(windows[0].top) > 10


@pytest.mark.parametrize("fps", [15, 30, 60])
def test_counting_does_not_depend_on_the_frame_rate(fps):
    seconds = np.arange(0, 12, 1 / fps)
    depth = np.clip(0.35 * np.sin(2 * np.pi * seconds / 3.0 - np.pi / 2) + 0.17, 0, None)
    assert _count(list(depth), fps=fps)[0] == 4


def test_the_gauge_ignores_a_shrug_and_knows_depth_from_limb_lengths():
    gauge = StatureGauge()
    base = _posture(0.0, 0.0)
    from dataclasses import replace

    for i in range(300):
        gauge(replace(base, t=i / 30, stature=STANDING))
    for i in range(300, 320):  # a 0.7 s shrug, shoulders 5% higher
        gauge(replace(base, t=i / 30, stature=STANDING * 1.05))
    assert gauge(replace(base, t=11.0, stature=STANDING))[0] == pytest.approx(0.0, abs=0.005)
    fresh = StatureGauge()
    bottom = replace(base, stature=STANDING * 0.7, segments=STANDING / 0.975, hip_angle=90.0, knee_angle=120.0)
    assert fresh(bottom)[0] == pytest.approx(0.3, abs=0.01)


def _gauged(
    statures: list[float],
    shins: list[float] | None = None,
    fps: float = 30.0,
    side: bool = False,
    drill: str = "deadlift",
    hands: list[float] | None = None,
) -> list:
    """Count through the real gauge: no standing height is known until the lifter shows it."""
    th, floats = DRILLS[drill].thresholds, DRILLS[drill].floats
    gauge, counter, reps = StatureGauge(), RepCounter(th, needs_float=floats), []
    for i, stature in enumerate(statures):
        shin = shins[i] if shins else STANDING / 3.1
        p = make_posture(
            t=i / fps,
            view="side" if side else "front",
            yaw=0.0 if side else 90.0,
            stature=stature,
            shin_length=shin,
            hip_angle=None,
            torso_lean=None,
            shin_lean=None,
            hands_up=hands[i] if hands else -0.3,
        )
        depth, rel = gauge(p)
        counted, _ = counter.update(Sample(p, depth, None, gauge.standing(), rel, gauge.standing_ratio()))
        if counted:
            reps.append(counted)
    counter.finish()
    return reps


def test_a_front_view_set_that_starts_at_the_bottom_counts_its_first_top_once_the_lifter_stands():
    """No limb lengths from the front: the standing height is learnt as the lifter rises."""
    rise = list(np.linspace(0.62, 1.0, 30))
    trace = [STANDING * f for f in [0.62] * 10 + rise + [1.0] * 30 + [1 - d for d in _rep(0.38)[:-30]] + [1.0] * 30]
    reps = _gauged(trace)
    assert len(reps) == 2 and reps[0].started_at_bottom
    assert reps[0].samples[-1].posture.stature > 0.97 * STANDING  # counted standing, not half way up


def test_walking_towards_or_away_from_the_camera_is_no_rep():
    """Shrinking 30% and growing back (walking away and back) changes the shins alike: no rep."""
    scale = [1.0] * 30 + list(np.linspace(1.0, 0.7, 60)) + list(np.linspace(0.7, 1.0, 60)) + [1.0] * 30
    assert _gauged([STANDING * s for s in scale], [STANDING / 3.1 * s for s in scale]) == []
    walk_in = list(np.linspace(0.6, 1.0, 90)) + [1.0] * 60  # from far away towards the camera
    assert _gauged([STANDING * s for s in walk_in], [STANDING / 3.1 * s for s in walk_in]) == []


def test_a_swing_counts_at_the_float_and_standing_up_after_parking_the_bell_is_no_rep():
    swing = list(np.linspace(0, 0.35, 12)) + list(np.linspace(0.35, 0, 10)) + [0.0] * 15
    float_ = [-0.5] * 22 + [0.2, 0.6, 0.9, 1.0, 0.9, 0.6] + [-0.3] * 9
    park = list(np.linspace(0, 0.4, 20)) + [0.4] * 25 + list(np.linspace(0.4, 0, 30)) + [0.0] * 30
    statures = [STANDING * (1 - d) for d in [0.0] * 30 + swing * 3 + park]
    hands = [-0.3] * 30 + float_ * 3 + [-0.4] * len(park)
    reps = _gauged(statures, drill="kb-swing", hands=hands, side=True)
    assert len(reps) == 3


def test_a_set_that_starts_at_the_bottom_and_ends_at_its_lockout_counts_one():
    """From the front nothing tells the standing height until the lifter has stood still a moment;
    a clip (or a set) that ends just after its one lockout still counts it, once the rise has levelled."""
    gauge, counter = StatureGauge(), RepCounter(TH)
    trace = [0.3] * 10 + list(np.linspace(0.3, 0.0, 15)) + [0.0] * 4  # ends 0.13 s after the top
    reps = 0
    for i, d in enumerate(trace):
        p = _posture(i / 30, d, side=False)
        depth, rel = gauge(p)
        counted, _ = counter.update(Sample(p, depth, None, gauge.standing(), rel, gauge.standing_ratio()))
        reps += counted is not None
    assert reps == 0  # not yet sure: the lifter has not stood still for STILL_S
    settled = counter.settle()
    assert settled is not None and settled.started_at_bottom
    assert counter.finish() is settled  # its top window closes with the stream


def test_a_stream_that_ends_mid_rise_counts_nothing():
    gauge, counter = StatureGauge(), RepCounter(TH)
    trace = [0.3] * 10 + list(np.linspace(0.3, 0.0, 15))  # still rising fast in the last frame
    for i, d in enumerate(trace):
        p = _posture(i / 30, d, side=False)
        depth, rel = gauge(p)
        counter.update(Sample(p, depth, None, gauge.standing(), rel, gauge.standing_ratio()))
    assert counter.settle() is None


def test_standing_height_comes_from_frames_standing_tall_where_there_are_some():
    """Limb lengths overestimate a lifter's standing height (7% on a woman holding dumbbells): once she
    has stood tall (hips and knees open), her measured height is the one depth is read against."""
    gauge = StatureGauge()
    tall = make_posture(stature=STANDING, segments=STANDING * 1.1 / 0.975, hip_angle=176.0, knee_angle=175.0)
    for i in range(30):
        depth, _ = gauge(make_posture(**{**tall.__dict__, "t": i / 30}))
    assert gauge.standing() == pytest.approx(STANDING)
    assert depth == pytest.approx(0.0, abs=0.005)


def test_with_the_feet_cut_off_depth_is_read_against_the_knees():
    gauge = StatureGauge()
    for i in range(30):
        gauge(make_posture(t=i / 30, stature=STANDING, knee_height=300.0, hip_angle=178.0, knee_angle=178.0))
    cut = make_posture(t=1.1, stature=None, knee_height=300.0 - 0.2 * STANDING, hip_angle=120.0)
    depth, rel = gauge(cut)
    assert depth == pytest.approx(0.2, abs=0.005) and rel is None
