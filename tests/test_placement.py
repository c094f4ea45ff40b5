"""The placement check on the synthetic athlete: each bad placement gets its instruction, a good one passes."""

import numpy as np

from station.core.coach.scene import SceneModel, lifter_box
from station.core.coach.session import Coach
from station.core.drills import DRILLS
from station.core.keypoints import Pose
from station.core.placement import PlacementCheck, PlacementSettings
from station.edges.camera.athlete import Athlete, AthleteSpec, Camera

GOOD = Camera(size=(640, 480), body_fraction=0.62)


def _stand(camera: Camera = GOOD, seconds: float = 6.0, picture=None, settings: PlacementSettings | None = None):
    """Someone standing side-on on the mark for `seconds`; `picture(i, image)` changes what the camera sees."""
    spec = AthleteSpec(drill="rdl", reps=1, lead_in_s=seconds + 1, camera=camera, fps=15)
    coach, scene, check = Coach(DRILLS["rdl"]), SceneModel(), PlacementCheck(settings)
    placed = None
    for i, (t, keypoints, image) in enumerate(Athlete(spec).frames()):
        if t > seconds:
            break
        if picture is not None:
            image = picture(i, image)
        update = coach.update(Pose(t, keypoints, True, camera.size), image, 1.0)
        scene.update(t, image, lifter_box(keypoints, 0.3, 0.35))
        placed = check.update(t, keypoints, update.posture, image, 1.0, scene.view())
    return placed


def _failing(placed) -> dict[str, str]:
    return {c.name: c.advice for c in placed.checks if not c.passed}


def test_a_good_placement_passes_every_check_and_is_recorded_after_holding_still():
    placed = _stand()
    assert _failing(placed) == {} and placed.passed and placed.good_for_s >= 2.0
    assert 0.55 < placed.figures["height"] < 0.7 and placed.figures["yaw_deg"] < 5


def test_too_close():
    failing = _failing(_stand(Camera(size=(640, 480), body_fraction=0.93)))
    assert failing["distance"].startswith("Move the camera about") and failing["distance"].endswith("cm further back")
    assert failing["height"] == "The head is cut off: tilt the camera up a little, or raise it"


def test_too_far():
    failing = _failing(_stand(Camera(size=(640, 480), body_fraction=0.35)))
    assert set(failing) == {"distance"} and failing["distance"].endswith("cm closer")
    # A pinhole camera with the Module 3's 41 degrees: 0.35 of the picture is about 6.1 m away; 0.65 about 3.3 m.
    metres = int(failing["distance"].split("about ")[1].split(" cm")[0]) / 100
    assert 2.3 <= metres <= 3.3


def test_turned_45_degrees():
    failing = _failing(_stand(Camera(size=(640, 480), body_fraction=0.62, yaw_deg=45)))
    assert set(failing) == {"angle"} and "about 45 degrees" in failing["angle"] and "side-on" in failing["angle"]


def test_backlit_by_a_window():
    def window(i: int, image: np.ndarray) -> np.ndarray:
        wall = np.abs(image.astype(int) - (214, 218, 222)).sum(axis=2) < 20
        out = (image * 0.35).astype(np.uint8)  # the camera exposes for the window: the lifter goes dark
        out[wall] = 255
        return out

    failing = _failing(_stand(picture=window))
    assert failing["light"].startswith("The lifter is a silhouette against a bright background")


def test_a_back_that_does_not_stand_out_from_the_wall():
    def grey_wall(i: int, image: np.ndarray) -> np.ndarray:
        wall = np.abs(image.astype(int) - (214, 218, 222)).sum(axis=2) < 20
        out = image.copy()
        out[wall] = (66, 70, 80)  # nearly the colour of the lifter's clothes
        return out

    failing = _failing(_stand(picture=grey_wall))
    assert set(failing) == {"light"} and failing["light"].startswith("The back does not stand out")


def test_something_moving_behind_the_lifter():
    def screen(i: int, image: np.ndarray) -> np.ndarray:
        out = image.copy()
        x = 20 + (i * 7) % 120  # a bright shape crossing a screen on the wall, left of the lifter
        out[60:160, x : x + 40] = (240, 60, 60) if i % 2 else (40, 200, 90)
        return out

    failing = _failing(_stand(picture=screen))
    assert failing["scene"].startswith("Something moves behind the lifter")


def test_tipped_camera_and_no_room_ahead():
    import cv2

    def tipped(i: int, image: np.ndarray) -> np.ndarray:
        m = cv2.getRotationMatrix2D((320, 240), 12, 1.0)
        return cv2.warpAffine(image, m, (640, 480), borderValue=(214, 218, 222))

    check = PlacementCheck()
    spec = AthleteSpec(drill="rdl", reps=1, lead_in_s=4, camera=GOOD, fps=15)
    coach = Coach(DRILLS["rdl"])
    m = cv2.getRotationMatrix2D((320, 240), 12, 1.0)
    for t, k, image in Athlete(spec).frames():
        if t > 3:
            break
        k = k.copy()
        k[:, :2] = np.c_[k[:, :2], np.ones(17)] @ m.T
        placed = check.update(t, k, coach.update(Pose(t, k, True, (640, 480)), None, 1.0).posture, tipped(0, image))
    assert _failing(placed)["height"].startswith("Level the camera: it is tipped about 1")

    narrow = _stand(Camera(size=(300, 480), body_fraction=0.62))  # a portrait picture: the bar would leave it
    assert _failing(narrow)["height"].startswith("No room ahead of the lifter")


def test_nobody_standing_yet_asks_for_the_mark():
    placed = PlacementCheck().update(0.0, np.zeros((17, 3)), Coach(DRILLS["rdl"]).update(
        Pose(0.0, np.zeros((17, 3)), False, (640, 480))).posture, None)  # fmt: skip
    assert not placed.passed and all(c.passed is None and c.advice == "Stand on the floor mark, side-on"
                                     for c in placed.checks)  # fmt: skip
