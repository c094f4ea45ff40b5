from station.edges.camera.still import StillSource
from tests.conftest import shared_path


def test_a_still_repeats_with_rising_times():
    frames = list(StillSource(shared_path("stills", "standing_man.jpeg"), repeat=3).frames())
    assert [f.t for f in frames] == [0.0, 0.1, 0.2]
    assert frames[0].rgb.shape == (640, 399, 3)

