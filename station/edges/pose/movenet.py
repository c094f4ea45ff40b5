"""MoveNet SinglePose on a crop that follows the lifter.

MoveNet sees a 192x192 square. Squashing a 16:9 frame into it distorts every angle the coach
reads, so the frame is cropped to a square (zero padding past the edges) and never stretched.
The square follows the person from the previous frame's confident keypoints, which keeps the
lifter large in the model's view. When the person is lost the stage searches a few squares
(the whole frame, then squares along its long side) and keeps the one whose person is clearest,
discounted by distance from the centre: a kiosk's lifter stands in the middle, people walk behind.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import cv2
import numpy as np

from station.core.keypoints import Pose
from station.edges.camera.source import Frame
from station.edges.pose.runtime import LoadedModel

# A 192-px warp is too small to share out; OpenCV's pool would only fight the interpreter's threads.
cv2.setNumThreads(2)


@dataclass(frozen=True)
class PoseSettings:
    """Thresholds of the pose stage (the [pose] table of the config file)."""

    keypoint_score: float = 0.3  # a keypoint at or above this is trusted
    person_keypoints: int = 8  # trusted keypoints needed to say a person is there
    person_mean_score: float = 0.35  # mean score of those keypoints needed too
    extent_score: float = 0.1  # keypoints at or above this shape the next crop
    crop_margin: float = 1.35  # crop side over the keypoints' extent
    torso_reach: float = 1.9  # the crop reaches at least this many torso lengths from its centre
    min_crop_fraction: float = 0.25  # smallest crop, as a fraction of the frame's long side
    centre_preference: float = 0.5  # how much a search discounts a person at the frame's edge
    refine_passes: int = 3  # looks at a newly found person before the crop is trusted
    crop_hold: float = 0.12  # the crop stays put until the person moves this fraction of its half side
    kernels: str = "auto"  # the model's int8 kernels: auto (XNNPACK), builtin, or reference (slow; checks only)


@dataclass(frozen=True)
class Square:
    """A square crop in frame pixels: centre and half the side."""

    cx: float
    cy: float
    half: float

    @classmethod
    def whole(cls, shape: tuple[int, ...]) -> Square:
        """The square around the whole frame (padded along its short side)."""
        h, w = shape[:2]
        return cls(w / 2.0, h / 2.0, max(w, h) / 2.0)

    def pixels(self) -> tuple[int, int, int]:
        """(left, top, side) in whole pixels: where the crop is cut, and so where keypoints are placed."""
        side = max(1, round(2.0 * self.half))
        return round(self.cx - side / 2.0), round(self.cy - side / 2.0), side


def crop_resize(image: np.ndarray, square: Square, size: int) -> np.ndarray:
    """Crop `square` (whole pixels: `Square.pixels`) and resize it bilinearly, zero padding wherever
    it runs past the image (~0.3 ms).

    The same bytes on every processor: the padding is a copy and the resize OpenCV's bit-exact
    bilinear (see `station.core.pixels`), where the affine warp this replaced was not (1-2 levels on 1.5%
    of a padded crop's pixels on ARM, which moved MoveNet's keypoints by pixels: docs/figures.md).
    """
    h, w = image.shape[:2]
    x0, y0, side = square.pixels()
    x1, y1 = x0 + side, y0 + side
    if x0 >= 0 and y0 >= 0 and x1 <= w and y1 <= h:
        region = image[y0:y1, x0:x1]
    else:  # past the edge: the part inside the image, then black borders out to the square
        ix0, iy0, ix1, iy1 = max(x0, 0), max(y0, 0), min(x1, w), min(y1, h)
        if ix1 <= ix0 or iy1 <= iy0:  # wholly outside: nothing but padding
            return np.zeros((size, size, *image.shape[2:]), image.dtype)
        region = cv2.copyMakeBorder(image[iy0:iy1, ix0:ix1], iy0 - y0, y1 - iy1, ix0 - x0, x1 - ix1,
                                    cv2.BORDER_CONSTANT, value=0)  # fmt: skip
    # Plain bilinear, as MoveNet's own preprocessing (`tf.image.resize_with_pad`) and its training
    # saw: no mean-filtering first (that moved the still's hips by 24 px). The bit-exact variant.
    return cv2.resize(region, (size, size), interpolation=cv2.INTER_LINEAR_EXACT)


def _inside(centre: float, half: float, length: int) -> float:
    """Shift a crop's centre so the crop stays within the frame, or centre it where it cannot fit."""
    if 2.0 * half >= length:
        return length / 2.0
    return min(max(centre, half), length - half)


def _torso_length(keypoints: np.ndarray, min_score: float) -> float:
    """The longest trusted shoulder-to-hip distance, 0 when no pair is trusted."""
    best = 0.0
    for shoulder in (5, 6):
        for hip in (11, 12):
            if min(keypoints[shoulder, 2], keypoints[hip, 2]) >= min_score:
                best = max(best, float(np.hypot(*(keypoints[shoulder, :2] - keypoints[hip, :2]))))
    return best


class MoveNet:
    """Frames in, Poses out; keeps only the crop square between frames."""

    def __init__(self, model: LoadedModel, settings: PoseSettings | None = None) -> None:
        self.settings = settings or PoseSettings()
        self.runtime = model.runtime
        self.threads = model.threads
        self._interpreter = model.interpreter
        inp = self._interpreter.get_input_details()[0]
        self._input_index = inp["index"]
        self._input_dtype = inp["dtype"]
        self.input_size = int(inp["shape"][1])
        self._output_index = self._interpreter.get_output_details()[0]["index"]
        self._square: Square | None = None
        # Seconds spent per step ("crop", "invoke", "post"), only while the benchmark asks for them.
        self.stage_times: dict[str, list[float]] | None = None

    def reset(self) -> None:
        """Forget the person being followed (a new set, or a new clip)."""
        self._square = None

    def invoke(self, image: np.ndarray) -> np.ndarray:
        """Run the bare model on a square image; returns (17, 3) rows of y, x, score in 0..1."""
        # set_tensor copies the array in; a contiguous crop of the right type needs no copy before that.
        if image.dtype != self._input_dtype or not image.flags.c_contiguous:
            image = np.ascontiguousarray(image, dtype=self._input_dtype)
        self._interpreter.set_tensor(self._input_index, image[np.newaxis])
        self._interpreter.invoke()
        return self._interpreter.get_tensor(self._output_index)[0, 0]

    def estimate(self, frame: Frame) -> Pose:
        """The pose in `frame`, in source pixels."""
        image = frame.rgb
        if self._square is not None:
            keypoints = self._run(image, self._square)
            if self._is_person(keypoints):
                self._square = self._steady(self._square, self._follow(keypoints, image.shape))
                return self._pose(frame, keypoints, True)
        keypoints, found = self._search(image)
        return self._pose(frame, keypoints, found)

    # -- steps -------------------------------------------------------------------------
    def _run(self, image: np.ndarray, square: Square) -> np.ndarray:
        """Keypoints in frame pixels as (17, 3) rows of x, y, score."""
        if self.stage_times is not None:
            return self._run_timed(image, square, self.stage_times)
        return self._place(self.invoke(crop_resize(image, square, self.input_size)), square)

    def _run_timed(self, image: np.ndarray, square: Square, times: dict[str, list[float]]) -> np.ndarray:
        t0 = time.perf_counter()
        crop = crop_resize(image, square, self.input_size)
        t1 = time.perf_counter()
        raw = self.invoke(crop)
        t2 = time.perf_counter()
        out = self._place(raw, square)
        t3 = time.perf_counter()
        for name, seconds in (("crop", t1 - t0), ("invoke", t2 - t1), ("post", t3 - t2)):
            times.setdefault(name, []).append(seconds)
        return out

    @staticmethod
    def _place(raw: np.ndarray, square: Square) -> np.ndarray:
        x0, y0, side = square.pixels()  # the pixels the crop was cut from, not the square's fractions
        out = np.empty((17, 3), dtype=np.float32)
        out[:, 0] = x0 + raw[:, 1] * side
        out[:, 1] = y0 + raw[:, 0] * side
        out[:, 2] = raw[:, 2]
        return out

    def _is_person(self, keypoints: np.ndarray) -> bool:
        scores = keypoints[:, 2]
        trusted = scores[scores >= self.settings.keypoint_score]
        return (
            len(trusted) >= self.settings.person_keypoints and float(trusted.mean()) >= self.settings.person_mean_score
        )

    def _follow(self, keypoints: np.ndarray, shape: tuple[int, ...]) -> Square:
        """The next frame's square: around the confident keypoints, with room to move."""
        h, w = shape[:2]
        seen = keypoints[keypoints[:, 2] >= self.settings.extent_score]
        x0, y0 = seen[:, 0].min(), seen[:, 1].min()
        x1, y1 = seen[:, 0].max(), seen[:, 1].max()
        half = max(x1 - x0, y1 - y0) / 2.0 * self.settings.crop_margin
        # A limb the model is unsure of must not shrink the crop until it falls outside it.
        half = max(half, self.settings.torso_reach * _torso_length(keypoints, self.settings.keypoint_score))
        half = min(max(half, self.settings.min_crop_fraction * max(w, h) / 2.0), max(w, h) / 2.0)
        fitted = Square(_inside(float((x0 + x1) / 2.0), half, w), _inside(float((y0 + y1) / 2.0), half, h), float(half))
        # Zoom only where it gains something: a person who fills the frame gets the whole frame.
        return self._steady(Square.whole(shape), fitted)

    def _steady(self, old: Square, new: Square) -> Square:
        """Keep the old square unless the person has really moved or changed size.

        MoveNet's output shifts by several pixels when its input shifts by one, so a crop
        that follows every wobble of the keypoints feeds jitter back into them.
        """
        hold = self.settings.crop_hold * old.half
        moved = max(abs(new.cx - old.cx), abs(new.cy - old.cy), abs(new.half - old.half))
        return new if moved > hold else old

    def _candidates(self, shape: tuple[int, ...]) -> list[Square]:
        """Squares to look in when nobody is followed: the whole frame, then along its long side."""
        h, w = shape[:2]
        squares = [Square.whole(shape)]
        short, long_ = min(w, h), max(w, h)
        if long_ > 1.2 * short:
            for frac in (0.5, short / (2 * long_), 1 - short / (2 * long_)):
                c = frac * long_
                squares.append(Square(c, h / 2.0, short / 2.0) if w > h else Square(w / 2.0, c, short / 2.0))
        return squares

    def _search(self, image: np.ndarray) -> tuple[np.ndarray, bool]:
        h, w = image.shape[:2]
        best: tuple[float, np.ndarray, Square] | None = None
        fallback: np.ndarray | None = None
        for square in self._candidates(image.shape):
            keypoints = self._run(image, square)
            if fallback is None:
                fallback = keypoints
            if not self._is_person(keypoints):
                continue
            trusted = keypoints[keypoints[:, 2] >= self.settings.keypoint_score]
            off = np.hypot(trusted[:, 0].mean() / w - 0.5, trusted[:, 1].mean() / h - 0.5) / 0.7071
            value = float(trusted[:, 2].mean()) * (1.0 - self.settings.centre_preference * off)
            if best is None or value > best[0]:
                best = (value, keypoints, square)
        if best is None:
            self._square = None
            assert fallback is not None
            return fallback, False
        # Look again on a square fitted to the person until it settles: a coarse view
        # misplaces joints, but another look at much the same square only adds jitter.
        square, keypoints = best[2], best[1]
        for _ in range(self.settings.refine_passes):
            fitted = self._follow(keypoints, image.shape)
            if self._steady(square, fitted) is square:
                break
            again = self._run(image, fitted)
            if not self._is_person(again):
                break
            square, keypoints = fitted, again
        self._square = square
        return keypoints, True

    @staticmethod
    def _pose(frame: Frame, keypoints: np.ndarray, person: bool) -> Pose:
        if frame.scale != 1.0:
            keypoints = keypoints.copy()
            keypoints[:, :2] *= frame.scale
        return Pose(frame.t, keypoints, person, frame.source_size)


def load_movenet(threads: int | None = None, settings: PoseSettings | None = None) -> MoveNet:
    """The pose stage, ready to run: a verified model on the first runtime that works."""
    from station.edges.pose.model import find_model
    from station.edges.pose.runtime import load_interpreter

    return MoveNet(load_interpreter(find_model(), threads, kernels=(settings or PoseSettings()).kernels), settings)
