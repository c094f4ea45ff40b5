"""Reading the back's outline, because keypoints cannot see a rounded spine.

MoveNet has no spine points: a flexed lower back barely moves the ear, shoulder and hip keypoints.
The outline of the back in the image does move. Along the shoulder-hip chord, short profiles run
out of the body on the back's side; on each, the outermost pixel that differs from the scene behind
is the back's edge. A quadratic through those edges tells the back's shape: a neutral spine gives a
flat or slightly hollow outline (lordosis, glutes), a rounded one bows out in the middle.

The scene behind is the learnt room (`scene.SceneModel`) wherever it is known, else the colour at
the far end of each profile. A profile is only trusted where the body stands out from that scene
clearly more than the scene varies in itself (a brick wall, a busy room), and a reading only where
the edges lie on a smooth curve: otherwise the reader says it cannot read the back, never guesses.
Nor is a back read while it moves fast: at a camera's usual 1/60 s exposure a back moving one torso
length a second smears its edge by 0.017 torso lengths, the size of the bow that tells a rounded
back from a flat one (0.02 to 0.04 on the shared clips). The bottom of a swing is read only in the
instant it turns; a slow hinge's bottom is read throughout.
Cost: one small bilinear sampling of about 10 x 60 pixels a frame.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from station.core.coach.scene import SceneView
from station.core.pixels import bilinear


@dataclass(frozen=True)
class BackSettings:
    """The [back] table of the config file."""

    profiles: int = 10  # profiles along the chord, from near the hip to near the shoulder
    first: float = 0.05  # first and last profile positions along the chord (0 hip, 1 shoulder)
    last: float = 0.95
    reach: float = 0.55  # profiles run this many torso lengths out from the chord
    scene_from: float = 0.45  # without a learnt scene: the background is sampled beyond this
    body_within: float = 0.3  # the back's edge must lie within this of the chord
    min_contrast: float = 25.0  # RGB distance that counts as "not the background"
    texture_ratio: float = 3.0  # the body must stand out this many times more than the scene varies
    min_edges: int = 6  # profiles that must find an edge for a reading
    max_residual: float = 0.03  # edges further than this (torso lengths, RMS) from a smooth curve: no reading
    max_speed: float = 1.0  # the back moves faster than this (torso lengths a second): blurred, not read


@dataclass(frozen=True)
class BackReading:
    curve: float  # how much the outline bows out (+) or in (-), per torso length
    positions: np.ndarray  # along the chord, 0..1
    offsets: np.ndarray  # edge distance from the chord, torso lengths (NaN where not found)
    learnt_scene: int = 0  # profiles read against the learnt scene (the rest against their far end)


def read_back(
    image: np.ndarray,
    shoulder: tuple[float, float],
    hip: tuple[float, float],
    facing: int,
    scene: SceneView | None = None,
    settings: BackSettings | None = None,
) -> BackReading | None:
    """The back's outline between `hip` and `shoulder` (image pixels), or None where it cannot be read."""
    cfg = settings or BackSettings()
    s, h = np.asarray(shoulder, np.float64), np.asarray(hip, np.float64)
    chord = s - h
    length = float(np.linalg.norm(chord))
    if facing == 0 or length < 12.0 or cfg.profiles < 3:
        return None
    u = chord / length
    dorsal = np.array([facing * u[1], -facing * u[0]])
    positions = np.linspace(cfg.first, cfg.last, cfg.profiles)
    offsets = np.arange(0.0, cfg.reach * length, max(1.0, length / 80.0))
    base = h[None, :] + positions[:, None] * length * u[None, :]
    pts = base[:, None, :] + offsets[None, :, None] * dorsal[None, None, :]
    map_x, map_y = pts[..., 0].astype(np.float32), pts[..., 1].astype(np.float32)
    profile = bilinear(image, map_x, map_y)  # the same numbers on every processor and OpenCV release
    profile = cv2.GaussianBlur(profile, (1, 5), 0)

    far = offsets >= cfg.scene_from * length
    far_colour = np.median(profile[:, far], axis=1)
    distance = np.linalg.norm(profile - far_colour[:, None, :], axis=2)
    texture = np.percentile(distance[:, far], 90, axis=1)  # how much the scene varies in itself
    learnt = np.zeros(cfg.profiles, bool)
    if scene is not None:
        sx, sy = map_x * scene.scale, map_y * scene.scale
        room = bilinear(scene.image, sx, sy)
        known = cv2.remap(scene.known, sx, sy, cv2.INTER_NEAREST, borderMode=cv2.BORDER_CONSTANT, borderValue=0)
        learnt = (known > 0).all(axis=1)
        if learnt.any():
            against_room = np.linalg.norm(profile - room, axis=2)
            distance[learnt] = against_room[learnt]
            # Against the known room, what remains beyond the body is the frame's own noise.
            texture[learnt] = np.percentile(against_room[learnt][:, far], 90, axis=1)

    near = offsets <= cfg.body_within * length
    edges = np.full(cfg.profiles, np.nan)
    for i in range(cfg.profiles):
        contrast = float(distance[i, near].max())
        if contrast < max(cfg.min_contrast, cfg.texture_ratio * float(texture[i])):
            continue
        beyond = np.nonzero(distance[i] > 0.5 * contrast)[0]
        edges[i] = offsets[beyond.max()] / length
    found = ~np.isnan(edges)
    if found.sum() < max(3, cfg.min_edges):
        return None
    fit = np.polyfit(positions[found], edges[found], 2)
    residual = float(np.sqrt(np.mean((np.polyval(fit, positions[found]) - edges[found]) ** 2)))
    if residual > cfg.max_residual:
        return None
    return BackReading(curve=-float(fit[0]), positions=positions, offsets=edges, learnt_scene=int(learnt.sum()))
