import cv2
import numpy as np
import pytest

from station.edges.camera.source import Frame
from station.edges.camera.still import StillSource
from station.edges.pose.movenet import Square, crop_resize
from tests.conftest import clip_labels, clip_names, shared_path

CLIPS = clip_labels()


def _reference() -> np.ndarray:
    return np.loadtxt(shared_path("stills", "standing_man_keypoints.csv"), delimiter=",", skiprows=1).reshape(17, 2)


def _man() -> np.ndarray:
    return next(StillSource(shared_path("stills", "standing_man.jpeg")).frames()).rgb


def test_standing_man_lands_within_21_px_of_the_reference(movenet):
    frame = next(StillSource(shared_path("stills", "standing_man.jpeg")).frames())
    pose = movenet.estimate(frame)
    errors = np.hypot(*(pose.keypoints[:, :2] - _reference()).T)
    print("per-keypoint error (px):", errors.round(1).tolist())
    assert pose.person
    assert errors.max() <= 21.0


def test_following_the_still_keeps_it_within_21_px(movenet):
    for frame in StillSource(shared_path("stills", "standing_man.jpeg"), repeat=5).frames():
        pose = movenet.estimate(frame)
    assert np.hypot(*(pose.keypoints[:, :2] - _reference()).T).max() <= 21.0


@pytest.mark.parametrize("kind", ["black", "grey", "noise"])
def test_no_person_on_an_empty_frame(movenet, kind):
    rng = np.random.default_rng(1)
    image = {
        "black": np.zeros((360, 640, 3), np.uint8),
        "grey": np.full((360, 640, 3), 128, np.uint8),
        "noise": rng.integers(0, 255, (360, 640, 3), dtype=np.uint8),
    }[kind]
    for i in range(3):
        assert not movenet.estimate(Frame(image, i / 30, i)).person


def test_keypoints_come_back_in_source_pixels(movenet):
    man = _man()
    half = cv2.resize(man, (man.shape[1] // 2, man.shape[0] // 2), interpolation=cv2.INTER_AREA)
    pose = movenet.estimate(Frame(half, 0.0, 0, scale=2.0))
    assert abs(pose.size[0] - man.shape[1]) <= 2 and pose.size[1] == man.shape[0]
    assert np.hypot(*(pose.keypoints[:, :2] - _reference()).T).max() <= 30.0


def test_crop_resize_keeps_aspect_and_pads_with_black():
    image = np.full((100, 200, 3), 255, np.uint8)
    out = crop_resize(image, Square(100, 50, 100), 192)  # the whole frame: 200 wide, 100 tall
    assert out.shape == (192, 192, 3)
    rows = out[:, 96, 0]
    assert rows[:40].max() == 0 and rows[-40:].max() == 0  # padded above and below, not stretched
    assert rows[60:130].min() == 255
    inside = crop_resize(image, Square(100, 50, 40), 192)
    assert inside.min() == 255  # a square inside the image needs no padding


def test_crop_resize_puts_a_dot_where_it_belongs():
    image = np.zeros((300, 400, 3), np.uint8)
    image[148:153, 248:253] = 255  # a dot centred at (250, 150)
    for square in (Square(250, 150, 100), Square(200, 150, 200)):
        out = crop_resize(image, square, 192)
        y, x = np.unravel_index(np.argmax(out[..., 0]), out.shape[:2])
        expect_x = (250 - (square.cx - square.half)) / (2 * square.half) * 192
        expect_y = (150 - (square.cy - square.half)) / (2 * square.half) * 192
        assert abs(x - expect_x) <= 1.5 and abs(y - expect_y) <= 1.5


def _canvas_with(man: np.ndarray, height: int, size: tuple[int, int], centres_x: list[int]) -> np.ndarray:
    w, h = size
    canvas = np.full((h, w, 3), 90, np.uint8)
    scaled = cv2.resize(man, (round(man.shape[1] * height / man.shape[0]), height), interpolation=cv2.INTER_AREA)
    sh, sw = scaled.shape[:2]
    top = (h - sh) // 2
    for cx in centres_x:
        left = cx - sw // 2
        canvas[top : top + sh, left : left + sw] = scaled
    return canvas


def test_finds_a_lifter_a_third_of_the_frame_high(movenet):
    canvas = _canvas_with(_man(), 360, (1920, 1080), [960])
    frame = Frame(canvas, 0.0, 0)
    pose = movenet.estimate(frame)
    assert pose.person
    hips = pose.keypoints[[11, 12], :2].mean(axis=0)
    assert abs(hips[0] - 960) < 40 and 540 - 40 < hips[1] < 540 + 80


def test_search_prefers_the_person_nearest_the_centre(movenet):
    canvas = _canvas_with(_man(), 500, (1600, 600), [250, 800])
    pose = movenet.estimate(Frame(canvas, 0.0, 0))
    assert pose.person
    trusted = pose.keypoints[pose.keypoints[:, 2] > 0.3]
    assert abs(trusted[:, 0].mean() - 800) < 80


def test_losing_the_person_searches_again(movenet):
    man_left = _canvas_with(_man(), 300, (960, 540), [480])
    empty = np.full((540, 960, 3), 90, np.uint8)
    assert movenet.estimate(Frame(man_left, 0.0, 0)).person
    assert not movenet.estimate(Frame(empty, 0.1, 1)).person
    assert movenet.estimate(Frame(man_left, 0.2, 2)).person


@pytest.mark.parametrize(
    "clip", [pytest.param(c, marks=pytest.mark.xdist_group(c)) for c in clip_names()]
)  # with the clip's other tests, on the worker that makes its one MoveNet pass
def test_a_person_is_found_on_95_percent_of_clip_frames(clip_poses, clip):
    """Over the frames where a lifter is in the picture (labels.json's no_person_s spans, an end
    card, are left out). The poses are the run's one MoveNet pass over the clip."""
    shared_path("footage", clip)
    spans = CLIPS[clip].get("no_person_s", [])
    poses = [p for p in clip_poses(clip) if not any(a <= p.t <= b for a, b in spans)]
    found = sum(p.person for p in poses)
    print(f"{clip}: person on {found}/{len(poses)} frames = {found / len(poses):.1%}")
    assert found / len(poses) >= 0.95


def test_a_second_person_walking_in_does_not_steal_the_lifter(movenet):
    lifter = _canvas_with(_man(), 450, (1600, 600), [800])
    both = _canvas_with(_man(), 450, (1600, 600), [800, 250])
    for i, image in enumerate([lifter, lifter, both, both, both]):
        pose = movenet.estimate(Frame(image, i / 30, i))
        trusted = pose.keypoints[pose.keypoints[:, 2] > 0.3]
        assert pose.person and abs(trusted[:, 0].mean() - 800) < 80, i


def test_a_crop_past_the_edge_is_the_resize_of_the_image_padded_with_black():
    """Issue 18: the padding is a plain copy, so a padded crop is the same bytes on x86 and ARM."""
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (90, 160, 3), dtype=np.uint8)
    for square in (Square(80, 45, 80), Square(10.4, 30.6, 40.2), Square(150, 80, 25), Square(-30, 45, 20)):
        x0, y0, side = square.pixels()
        canvas = np.zeros((90 + 2 * 200, 160 + 2 * 200, 3), np.uint8)
        canvas[200:290, 200:360] = image
        cut = canvas[200 + y0 : 200 + y0 + side, 200 + x0 : 200 + x0 + side]
        expected = cv2.resize(cut, (96, 96), interpolation=cv2.INTER_LINEAR_EXACT)
        assert np.array_equal(crop_resize(image, square, 96), expected)
