"""Resizing and sampling pictures to the same numbers on every processor and OpenCV release.

MoveNet moves its keypoints by pixels when one input pixel changes by one level, so the station's
answer on a Pi is the answer the tests check only if every picture reaches the model byte for byte
as it does here. OpenCV's bilinear and area resizes are not bit-exact between x86 and ARM (one level
on 9% of pixels with OpenCV 5 on arm64), its `INTER_LINEAR_EXACT` is (it exists for that); a 2x2
mean in integers is exact anywhere. Measured with scripts/pi-check.sh (docs/figures.md).
The back's outline is sampled the same way for the same reason: `cv2.remap`'s bilinear rounds its
weights differently in OpenCV 4.11 (Bookworm's pip) and 5.1 (Trixie's), which moved one outline
reading of the shared band RDL; `bilinear` is plain arithmetic, the same everywhere.
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


def bilinear(image: np.ndarray, map_x: np.ndarray, map_y: np.ndarray) -> np.ndarray:
    """`image` sampled at the points (`map_x`, `map_y`), edges replicated past the border, as float32.

    Weighted in float64 from the four pixels around each point, each operation rounded as IEEE
    arithmetic rounds it anywhere; only the sampled pixels are converted (a profile is ~600 of them).
    Rounded to whole levels, as `cv2.remap`'s uint8 output was: on the 35 shared clips every figure
    of every rep is what OpenCV 5.1 gave (and 30 of the 175 reps read otherwise with OpenCV 4.11).
    """
    h, w = image.shape[:2]
    x = np.clip(np.asarray(map_x, np.float64), 0.0, w - 1.0)
    y = np.clip(np.asarray(map_y, np.float64), 0.0, h - 1.0)
    x0, y0 = np.floor(x).astype(np.intp), np.floor(y).astype(np.intp)
    x1, y1 = np.minimum(x0 + 1, w - 1), np.minimum(y0 + 1, h - 1)
    fx, fy = x - x0, y - y0
    if image.ndim == 3:
        fx, fy = fx[..., None], fy[..., None]
    top = image[y0, x0].astype(np.float64) * (1.0 - fx) + image[y0, x1].astype(np.float64) * fx
    bottom = image[y1, x0].astype(np.float64) * (1.0 - fx) + image[y1, x1].astype(np.float64) * fx
    return np.rint(top * (1.0 - fy) + bottom * fy).astype(np.float32)
