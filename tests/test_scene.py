import numpy as np

from station.core.coach.scene import SceneModel, SceneSettings, lifter_box

ROOM = np.full((90, 160, 3), 100, np.uint8)


def _with_lifter(x0: int, x1: int) -> np.ndarray:
    image = ROOM.copy()
    image[20:90, x0:x1] = 10
    return image


def test_the_room_is_learnt_around_the_lifter_not_from_them():
    scene = SceneModel(SceneSettings(size=160))
    for i in range(30):  # the lifter stands at 60..80 the whole time
        scene.update(i * 0.2, _with_lifter(60, 80), (55, 15, 85, 90))
    view = scene.view()
    assert view is not None
    assert view.known[50, 20] and abs(int(view.image[50, 20].mean()) - 100) <= 2  # beside the lifter: known
    assert not view.known[50, 70]  # where the lifter stands: never learnt


def test_the_room_stays_learnt_across_lifters_and_is_relearnt_when_the_light_changes():
    scene = SceneModel(SceneSettings(size=160))
    for i in range(20):
        scene.update(i * 0.2, ROOM, None)  # nobody there: the whole room
    assert scene.view().known.all()
    for i in range(20, 40):
        scene.update(i * 0.2, _with_lifter(60, 80), (55, 15, 85, 90))
    assert scene.view().known[50, 70]  # learnt while empty, kept while a lifter stands there
    dark = (ROOM // 2).astype(np.uint8)
    scene.update(40 * 0.2, dark, None)  # lights dimmed: every known pixel disagrees
    assert scene.relearnt == 1 and scene.view() is None
    for i in range(41, 60):
        scene.update(i * 0.2, dark, None)
    assert abs(int(scene.view().image.mean()) - 50) <= 2


def test_frames_closer_than_the_update_interval_are_skipped():
    scene = SceneModel(SceneSettings(size=160, every_s=0.2))
    scene.update(0.0, ROOM, None)
    scene.update(0.05, _with_lifter(0, 160), None)  # 50 ms later: not folded in
    scene.update(0.25, ROOM, None)
    assert abs(int(scene._mean.mean()) - 100) <= 1


def test_the_lifter_box_grows_past_the_keypoints():
    k = np.zeros((17, 3))
    k[:, 0], k[:, 1], k[:, 2] = np.linspace(100, 200, 17), np.linspace(50, 450, 17), 0.9
    x0, y0, x1, y1 = lifter_box(k, 0.3, 0.35, scale=2.0)
    assert x0 < 50 and x1 > 100 and y0 < 25 and y1 > 225
    assert lifter_box(k * [1, 1, 0], 0.3, 0.35) is None

