"""Exact resizes (integer 2x2 means, then OpenCV's bit-exact bilinear) and the exact bilinear sampling of
the back's outline: the same numbers on x86 and ARM and on every OpenCV release."""

import cv2
import numpy as np

from station.core.pixels import bilinear, halved, resized


def test_a_half_is_each_blocks_rounded_mean():
    image = np.arange(8 * 12 * 3, dtype=np.uint8).reshape(8, 12, 3)
    half = halved(image)
    block = image[:2, :2].astype(int)
    assert half.shape == (4, 6, 3) and half[0, 0].tolist() == ((block.sum(axis=(0, 1)) + 2) // 4).tolist()
    assert halved(image[:7, :11]).shape == (3, 5, 3)  # an odd last row and column are dropped


def test_a_resize_halves_while_it_can_then_takes_the_exact_bilinear():
    rng = np.random.default_rng(5)
    image = rng.integers(0, 256, (360, 640, 3), dtype=np.uint8)
    quarter = halved(halved(image))
    expected = cv2.resize(quarter, (150, 84), interpolation=cv2.INTER_LINEAR_EXACT)
    assert np.array_equal(resized(image, (150, 84)), expected)
    assert resized(image, (640, 360)) is image  # already that size: untouched
    assert resized(image[:100, :100], (192, 192)).shape == (192, 192, 3)  # small crops are enlarged


def test_bilinear_samples_weigh_the_four_pixels_around_and_replicate_the_edges():
    image = np.array([[0, 100], [200, 40]], np.uint8)
    assert bilinear(image, np.array([0.0, 1.0, 0.5]), np.array([0.0, 1.0, 0.0])).tolist() == [0, 40, 50]
    assert bilinear(image, np.array([0.5]), np.array([0.5])).tolist() == [85]  # (0 + 100 + 200 + 40) / 4
    assert bilinear(image, np.array([-3.0, 9.0]), np.array([-1.0, 5.0])).tolist() == [0, 40]  # past the border
    colour = np.dstack([image, image // 2, 255 - image])
    assert bilinear(colour, np.array([[0.5]]), np.array([[0.5]])).shape == (1, 1, 3)


def test_bilinear_is_plain_arithmetic_within_a_level_of_opencvs_remap():
    """The back's outline was sampled by cv2.remap, whose bilinear rounds differently in OpenCV 4.11 and
    5.1: each sample is the textbook weighting of its four pixels (worked out here in Python floats),
    within a level of OpenCV's."""
    rng = np.random.default_rng(7)
    image = rng.integers(0, 256, (90, 160, 3), dtype=np.uint8)
    map_x = (rng.random((10, 60)) * 170 - 5).astype(np.float32)
    map_y = (rng.random((10, 60)) * 100 - 5).astype(np.float32)
    ours = bilinear(image, map_x, map_y)
    theirs = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    assert ours.dtype == np.float32 and np.abs(ours - theirs).max() <= 1.0
    for i, j in [(0, 0), (3, 17), (9, 59)]:
        x = min(max(float(map_x[i, j]), 0.0), 159.0)
        y = min(max(float(map_y[i, j]), 0.0), 89.0)
        x0, y0 = int(x), int(y)
        x1, y1 = min(x0 + 1, 159), min(y0 + 1, 89)
        fx, fy = x - x0, y - y0
        for c in range(3):
            p = [[float(image[yy, xx, c]) for xx in (x0, x1)] for yy in (y0, y1)]
            want = (p[0][0] * (1 - fx) + p[0][1] * fx) * (1 - fy) + (p[1][0] * (1 - fx) + p[1][1] * fx) * fy
            assert ours[i, j, c] == round(want), (i, j, c)
