"""Exact resizes: integer 2x2 means, then OpenCV's bit-exact bilinear (the same bytes on x86 and ARM)."""

import cv2
import numpy as np

from station.core.pixels import halved, resized


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
