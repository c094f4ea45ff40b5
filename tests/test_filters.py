import numpy as np

from station.core.coach.filters import KeypointSmoother, OneEuroFilter, SmoothingSettings


def _run(filt: OneEuroFilter, times: np.ndarray, values: np.ndarray) -> np.ndarray:
    return np.array([filt(float(t), np.array([v]))[0] for t, v in zip(times, values, strict=True)])


def test_jitter_on_a_still_joint_is_removed():
    rng = np.random.default_rng(0)
    t = np.arange(0, 3, 1 / 30)
    noisy = 0.5 + rng.normal(0, 0.01, t.size)
    out = _run(OneEuroFilter(1.5, 2.0, 1.0), t, noisy)
    assert out[30:].std() < noisy[30:].std() / 2  # 1.5 Hz cut-off at 30 fps: about 0.37 of the raw jitter


def test_a_fast_movement_is_followed_without_much_lag():
    t = np.arange(0, 1, 1 / 30)
    ramp = np.clip((t - 0.2) * 2.0, 0, 1)  # half a body height a second, like a swing
    out = _run(OneEuroFilter(1.5, 2.0, 1.0), t, ramp)
    lag = np.abs(out - ramp)[10:25].max()
    assert lag < 0.08  # under 0.04 s of movement behind


def test_smoothing_is_set_in_seconds_not_frames():
    rng = np.random.default_rng(1)
    results = []
    for fps in (30, 60):
        t = np.arange(0, 4, 1 / fps)
        x = np.sin(2 * np.pi * 0.4 * t) * 0.2 + rng.normal(0, 0.005, t.size)
        out = _run(OneEuroFilter(1.5, 2.0, 1.0), t, x)
        results.append(np.interp(np.arange(1, 4, 0.1), t, out))
    assert np.abs(results[0] - results[1]).max() < 0.02


def test_repeated_timestamps_change_nothing():
    f = OneEuroFilter(1.5, 2.0, 1.0)
    f(0.0, np.array([0.0]))
    first = f(0.1, np.array([1.0]))
    assert f(0.1, np.array([5.0]))[0] == first[0]


def test_a_lost_keypoint_holds_briefly_then_drops_out():
    smoother = KeypointSmoother(SmoothingSettings(hold_s=0.3))
    k = np.tile([100.0, 200.0, 0.9], (17, 1))
    smoother(0.0, k, 480)
    lost = k.copy()
    lost[3] = [0.0, 0.0, 0.05]
    held = smoother(0.2, lost, 480)
    assert held[3, 2] > 0.5 and abs(held[3, 0] - 100.0) < 1e-6
    gone = smoother(0.6, lost, 480)
    assert gone[3, 2] == 0.0
