"""Reading the back's outline, because keypoints cannot see a rounded spine.

MoveNet has no spine points: a flexed lower back barely moves the ear, shoulder and hip keypoints.
The outline of the back in the image does move. Along the shoulder-hip chord, short profiles run
out of the body on the back's side; on each, the outermost pixel that differs from the scene behind
is the back's edge. A quadratic through those edges tells the back's shape: a neutral spine gives a
flat or slightly hollow outline (lordosis, glutes), a rounded one bows out in the middle.

The scene behind is the learnt empty scene where the kiosk has one (a fixed camera sees the room
empty between lifters), else the colour at the far end of each profile (clips have no empty scene).
Cost: one small `cv2.remap` of about 10 x 60 pixels a frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class BackSettings:
    """The [back] table of the config file."""

    profiles: int = 10  # profiles along the chord, from near the hip to near the shoulder
    first: float = 0.05  # first and last profile positions along the chord (0 hip, 1 shoulder)
    last: float = 0.95
    reach: float = 0.55  # profiles run this many torso lengths out from the chord
    scene_from: float = 0.45  # without an empty scene: the background is sampled beyond this
    body_within: float = 0.3  # the back's edge must lie within this of the chord
    min_contrast: float = 25.0  # RGB distance that counts as "not the background"
    min_edges: int = 6  # profiles that must find an edge for a reading


@dataclass(frozen=True)
class BackReading:
    curve: float  # how much the outline bows out (+) or in (-), per torso length
    positions: np.ndarray  # along the chord, 0..1
    offsets: np.ndarray  # edge distance from the chord, torso lengths (NaN where not found)


def read_back(
    image: np.ndarray,
    shoulder: tuple[float, float],
    hip: tuple[float, float],
    facing: int,
    background: np.ndarray | None = None,
    settings: BackSettings | None = None,
) -> BackReading | None:
    """The back's outline between `hip` and `shoulder` (image pixels), or None where it cannot be read."""
    cfg = settings or BackSettings()
    s, h = np.asarray(shoulder, np.float64), np.asarray(hip, np.float64)
    chord = s - h
    length = float(np.linalg.norm(chord))
    if facing == 0 or length < 12.0:
        return None
    u = chord / length
    dorsal = np.array([facing * u[1], -facing * u[0]])
    positions = np.linspace(cfg.first, cfg.last, cfg.profiles)
    offsets = np.arange(0.0, cfg.reach * length, max(1.0, length / 80.0))
    base = h[None, :] + positions[:, None] * length * u[None, :]
    pts = base[:, None, :] + offsets[None, :, None] * dorsal[None, None, :]
    map_x, map_y = pts[..., 0].astype(np.float32), pts[..., 1].astype(np.float32)
    profile = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE).astype(np.float32)
    profile = cv2.GaussianBlur(profile, (1, 5), 0)
    if background is not None:
        scene = cv2.remap(background, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        distance = np.linalg.norm(profile - scene.astype(np.float32), axis=2)
    else:
        far = offsets >= cfg.scene_from * length
        scene = np.median(profile[:, far], axis=1)
        distance = np.linalg.norm(profile - scene[:, None, :], axis=2)
    near = offsets <= cfg.body_within * length
    edges = np.full(cfg.profiles, np.nan)
    for i in range(cfg.profiles):
        contrast = float(distance[i, near].max())
        if contrast < cfg.min_contrast:
            continue
        beyond = np.nonzero(distance[i] > 0.5 * contrast)[0]
        edges[i] = offsets[beyond.max()] / length
    found = ~np.isnan(edges)
    if found.sum() < cfg.min_edges:
        return None
    curve = -float(np.polyfit(positions[found], edges[found], 2)[0])
    return BackReading(curve=curve, positions=positions, offsets=edges)
