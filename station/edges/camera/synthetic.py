"""The synthetic athlete as a frame source: no camera, known truth, the pose model bypassed."""

from __future__ import annotations

from collections.abc import Iterator

from station.core.drills import DRILLS
from station.edges.camera.athlete import Athlete, AthleteSpec, Faults
from station.edges.camera.source import Frame
from station.errors import StationError


class SyntheticSource:
    """Frames of the synthetic athlete, each carrying its true keypoints."""

    live = False
    has_truth = True

    def __init__(self, spec: AthleteSpec | None = None) -> None:
        self.spec = spec or AthleteSpec(reps=None)
        self.athlete = Athlete(self.spec)
        self.name = f"synthetic {self.spec.drill}"

    @classmethod
    def from_spec(cls, text: str) -> SyntheticSource:
        """`synthetic`, `synthetic:DRILL` or `synthetic:DRILL:FAULT` (the fault on every other rep)."""
        parts = text.split(":")
        drill = parts[1] if len(parts) > 1 and parts[1] else "rdl"
        if drill not in DRILLS:
            raise StationError(
                f"There is no drill '{drill}' for the synthetic athlete: choose one of {', '.join(DRILLS)}."
            )
        faults, every = Faults(), 1
        if len(parts) > 2 and parts[2]:
            try:
                faults, every = Faults.named(parts[2]), 2
            except ValueError:
                raise StationError(f"The synthetic athlete knows no fault '{parts[2]}'.") from None
        return cls(AthleteSpec(drill=drill, reps=None, faults=faults, fault_every=every, noise=0.004, drop=0.02))

    def frames(self) -> Iterator[Frame]:
        for index, (t, keypoints, image) in enumerate(self.athlete.frames()):
            assert image is not None
            yield Frame(rgb=image, t=t, index=index, truth=keypoints)

    def close(self) -> None:
        pass
