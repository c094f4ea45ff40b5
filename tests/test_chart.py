import numpy as np

from station.core.coach.setreport import Rep
from station.edges.display.chart import BAD, GOOD, draw_trace, save_png


def test_reps_are_banded_green_or_red(tmp_path):
    trace = [(t / 10, 180 - 100 * abs(np.sin(t / 10)), 0.0) for t in range(100)]
    reps = [Rep(1, 1.0, 2.0, 3.0, (), {}, True), Rep(2, 5.0, 6.0, 7.0, ("back_rounding",), {}, True)]
    img = draw_trace(trace, reps, size=(1000, 400))
    assert img.shape == (400, 1000, 3)

    def tint(x: int) -> np.ndarray:
        return img[60:200, x].astype(int).mean(axis=0)

    good, bad = tint(int(70 + 2.0 / 9.9 * 910)), tint(int(70 + 6.0 / 9.9 * 910))
    assert good[1] > good[0] and bad[0] > bad[1]  # green band, red band
    assert GOOD[1] > GOOD[0] and BAD[0] > BAD[1]
    save_png(img, str(tmp_path / "c.png"))
    assert (tmp_path / "c.png").stat().st_size > 1000
