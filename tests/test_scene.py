import numpy as np

from station.coach.scene import SceneModel


def test_the_scene_is_learnt_only_from_empty_frames():
    scene = SceneModel(learn_s=1.0)
    room = np.full((10, 10, 3), 100, np.uint8)
    lifter = np.full((10, 10, 3), 10, np.uint8)
    for i in range(20):
        scene.update(i / 30, lifter, person=True)
    assert scene.background is None
    for i in range(20, 80):
        scene.update(i / 30, room, person=False)
    assert scene.background is not None and abs(int(scene.background.mean()) - 100) <= 1
    for i in range(80, 200):
        scene.update(i / 30, lifter, person=True)
    assert abs(int(scene.background.mean()) - 100) <= 1  # a lifter standing there is never learnt
