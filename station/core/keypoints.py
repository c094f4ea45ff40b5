"""The 17 MoveNet keypoints and the Pose that carries them downstream."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KEYPOINT_NAMES: tuple[str, ...] = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow",
    "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)  # fmt: skip
KP = {name: i for i, name in enumerate(KEYPOINT_NAMES)}

# Lines drawn for the skeleton on screen and in plots.
BONES: tuple[tuple[int, int], ...] = (
    (KP["left_ear"], KP["left_shoulder"]), (KP["right_ear"], KP["right_shoulder"]),
    (KP["left_shoulder"], KP["right_shoulder"]), (KP["left_hip"], KP["right_hip"]),
    (KP["left_shoulder"], KP["left_elbow"]), (KP["left_elbow"], KP["left_wrist"]),
    (KP["right_shoulder"], KP["right_elbow"]), (KP["right_elbow"], KP["right_wrist"]),
    (KP["left_shoulder"], KP["left_hip"]), (KP["right_shoulder"], KP["right_hip"]),
    (KP["left_hip"], KP["left_knee"]), (KP["left_knee"], KP["left_ankle"]),
    (KP["right_hip"], KP["right_knee"]), (KP["right_knee"], KP["right_ankle"]),
)  # fmt: skip


@dataclass(frozen=True, eq=False)
class Pose:
    """Keypoints of one person in one frame: x, y in source pixels and a 0..1 score each.

    `person` says whether the pose stage believes a person is really there; when it is
    false the keypoints are the model's best guess and nothing downstream should trust them.
    """

    t: float
    keypoints: np.ndarray  # (17, 3) float32: x, y, score
    person: bool
    size: tuple[int, int]  # (width, height) of the source image

    def to_json(self) -> dict:
        kps = [[round(float(x), 1), round(float(y), 1), round(float(s), 3)] for x, y, s in self.keypoints]
        return {"t": round(self.t, 4), "person": self.person, "keypoints": kps}
