"""The hip-angle trace with each rep and its faults marked, drawn with OpenCV into an RGB array.

Shared by `station analyze --plot` and the kiosk's summary screen, so a coach reads the same
picture in both: the line is the hip angle over time (180 = standing tall), a green band is a
good rep, a red band a rep with faults, named under it.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from station.core.coach.setreport import Rep
from station.core.drills import FAULT_NAMES

BG = (250, 250, 247)
INK = (40, 40, 40)
GRID = (215, 215, 210)
GOOD = (46, 160, 67)
BAD = (215, 58, 50)
LINE = (30, 90, 200)


def draw_trace(
    trace: Sequence[tuple[float, float | None, float | None]],
    reps: Sequence[Rep],
    size: tuple[int, int] = (1200, 500),
    title: str = "",
    text_scale: float | None = None,
) -> np.ndarray:
    """`trace` is (t, hip angle, depth) per frame; `reps` are the set report's reps. `text_scale`:
    bigger words than the size alone gives (the summary's short chart is read from a step back)."""
    w, h = size
    img = np.full((h, w, 3), BG, np.uint8)
    lines = max(0.4, h / 500.0)
    scale = text_scale or lines  # words and the margins they need
    fault_lines = max([len(r.faults) for r in reps] + [1])
    left, right, top = int(55 * scale), int(20 * scale), int(42 * scale)
    bottom = int((12 + 16 * fault_lines) * scale) + (int(20 * scale) if text_scale is None else 0)
    times = [t for t, _, _ in trace] or [0.0, 1.0]
    t0, t1 = min(times), max(max(times), min(times) + 1e-3)
    lo, hi = 30.0, 185.0

    def x_of(t: float) -> int:
        return int(left + (t - t0) / (t1 - t0) * (w - left - right))

    def y_of(angle: float) -> int:
        return int(top + (hi - angle) / (hi - lo) * (h - top - bottom))

    font, thick = cv2.FONT_HERSHEY_SIMPLEX, max(1, int(scale))
    plot_h = h - top - bottom
    for angle in (60, 90, 120, 150, 180) if plot_h >= 40 * scale * 2.5 else (60, 120, 180):
        y = y_of(angle)
        cv2.line(img, (left, y), (w - right, y), GRID, 1)
        cv2.putText(img, f"{angle}", (int(10 * scale), y + 5), font, 0.45 * scale, INK, thick, cv2.LINE_AA)
    for rep in reps:
        colour = GOOD if not rep.faults else BAD
        xa, xb = x_of(rep.start_s), max(x_of(rep.end_s), x_of(rep.start_s) + 2)
        overlay = img.copy()
        cv2.rectangle(overlay, (xa, top), (xb, h - bottom), colour, -1)
        img = cv2.addWeighted(overlay, 0.18, img, 0.82, 0)
        cv2.putText(
            img, str(rep.index), (xa + 3, top + int(18 * scale)), font, 0.55 * scale, colour, thick + 1, cv2.LINE_AA
        )
        for i, fault in enumerate(rep.faults):
            y = h - bottom + int((18 + 16 * i) * scale)
            cv2.putText(img, FAULT_NAMES.get(fault, fault), (xa, y), font, 0.4 * scale, BAD, thick, cv2.LINE_AA)
    pts = [(x_of(t), y_of(a)) for t, a, _ in trace if a is not None and np.isfinite(a)]
    if len(pts) > 1:
        cv2.polylines(img, [np.array(pts, np.int32)], False, LINE, max(2, int(2 * lines)), cv2.LINE_AA)
    cv2.putText(
        img,
        title or "Hip angle (degrees) over time",
        (left, int(30 * scale)),
        font,
        0.7 * scale,
        INK,
        thick + 1,
        cv2.LINE_AA,
    )
    cv2.putText(
        img,
        f"{t1 - t0:.0f} s",
        (w - right - int(40 * scale), h - int(10 * scale)),
        font,
        0.45 * scale,
        INK,
        thick,
        cv2.LINE_AA,
    )
    return img


def save_png(image: np.ndarray, path: str) -> None:
    if not cv2.imwrite(str(path), cv2.cvtColor(image, cv2.COLOR_RGB2BGR)):
        from station.errors import StationError

        raise StationError(f"Could not write the picture to {path}.")
