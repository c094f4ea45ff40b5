"""Resizing pictures to the same bytes on every processor.

MoveNet moves its keypoints by pixels when one input pixel changes by one level, so the station's
answer on a Pi is the answer the tests check only if every picture reaches the model byte for byte
as it does here. OpenCV's bilinear and area resizes are not bit-exact between x86 and ARM (one level
on 9% of pixels with OpenCV 5 on arm64), its `INTER_LINEAR_EXACT` is (it exists for that); a 2x2
mean in integers is exact anywhere. Measured with scripts/pi-check.sh (docs/figures.md).
"""

from __future__ import annotations

import cv2
import numpy as np


def halved(image: np.ndarray) -> np.ndarray:
    """Each 2x2 block's rounded mean, in integers (an odd last row or column is dropped)."""
    even = image[: image.shape[0] // 2 * 2, : image.shape[1] // 2 * 2].astype(np.uint16)
    return ((even[0::2, 0::2] + even[1::2, 0::2] + even[0::2, 1::2] + even[1::2, 1::2] + 2) // 4).astype(np.uint8)


def resized(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`image` (uint8) at `size` (width, height): 2x2 means while it is twice that size or more (no
    aliasing), then OpenCV's bit-exact bilinear."""
    w, h = size
    while image.shape[0] >= 2 * h and image.shape[1] >= 2 * w:
        image = halved(image)
    if image.shape[:2] == (h, w):
        return image
    return cv2.resize(image, (w, h), interpolation=cv2.INTER_LINEAR_EXACT)
