import numpy as np
import pytest

from station.core.coach.back import read_back
from station.core.coach.posture import facing_of, measure
from station.core.coach.scene import SceneModel
from station.edges.camera.athlete import Athlete, AthleteSpec, Faults


def _learnt(empty: np.ndarray):
    """The scene as the kiosk learns it: the empty room watched for a couple of seconds."""
    scene = SceneModel()
    for i in range(15):
        scene.update(i * 0.2, empty, None)
    return scene.view()


def _reading(flex: float, background: bool = False, clutter: bool = False, drill: str = "deadlift"):
    a = Athlete(AthleteSpec(drill=drill, faults=Faults(spine_flex_deg=flex)))
    m = a.move
    body = a.body(a.spec.lead_in_s + m.down_s + m.pause_s / 2)
    image, k = a.render(body), a.keypoints(body)
    empty = a.render(body) * 0 + image[0, 0]  # the wall without the lifter
    if clutter:  # stripes on the wall behind: what a gym looks like
        image[::12] = (90, 140, 90)
        empty[::12] = (90, 140, 90)
    p = measure(0.0, k, (640, 480), True, facing_of(k))
    return read_back(image, p.shoulder, p.hip, p.facing, _learnt(empty) if background else None)


def test_a_neutral_back_reads_flat_or_hollow():
    assert _reading(0).curve < 0.02


@pytest.mark.parametrize("flex", [45, 60])
def test_a_rounded_back_bows_out(flex):
    assert _reading(flex).curve > 0.1


def test_more_flexion_reads_more_curve():
    curves = [_reading(f).curve for f in (0, 20, 40, 60)]
    assert curves == sorted(curves)


def test_a_learnt_empty_scene_reads_the_same_shape_through_clutter():
    assert _reading(45, background=True, clutter=True).curve > 0.1
    assert _reading(0, background=True, clutter=True).curve < 0.02


def test_without_the_room_a_busy_wall_is_not_read_as_a_back():
    """Stripes behind the back and nothing learnt: the reader says it cannot read, never guesses."""
    for flex in (0, 45):
        reading = _reading(flex, clutter=True)
        assert reading is None or (reading.curve > 0.1) == (flex > 0)


def test_no_reading_without_a_facing_or_a_torso():
    image = np.zeros((100, 100, 3), np.uint8)
    assert read_back(image, (50, 20), (50, 80), 0) is None
    assert read_back(image, (50, 50), (52, 52), 1) is None
    assert read_back(image, (50, 20), (50, 80), 1) is None  # no contrast anywhere: no edge
