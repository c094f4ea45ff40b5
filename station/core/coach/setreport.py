"""What a finished set says: its reps, their faults and tempo, one typed report for every reader.

The coach makes a `SetReport`; the screen, the history, the log, the QR code and the JSON of
`station analyze --json` / `station run --exit-at-end` all read it. The one rule for a good rep
lives here: the view let something be judged, and no fault was called. A rep seen only from the
front counts, but is not "good": nothing about its form was seen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Rep:
    index: int
    start_s: float
    bottom_s: float
    end_s: float
    faults: tuple[str, ...]
    metrics: Mapping[str, float | None]
    judged: bool  # at least one of the drill's faults could be judged from the view
    unseen: tuple[str, ...] = ()  # faults the view could not show on this rep

    @property
    def good(self) -> bool:
        """Judged and clean: the one good-rep rule."""
        return self.judged and not self.faults

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "start_s": round(self.start_s, 3),
            "bottom_s": round(self.bottom_s, 3),
            "end_s": round(self.end_s, 3),
            "faults": list(self.faults),
            "unseen": list(self.unseen),
            "judged": self.judged,
            "metrics": dict(self.metrics),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rep:
        """A rep as `to_json` wrote it (the set journal, the history); older rows lack the view fields."""
        return cls(
            index=int(data["index"]),
            start_s=float(data.get("start_s", 0.0)),
            bottom_s=float(data.get("bottom_s", 0.0)),
            end_s=float(data.get("end_s", 0.0)),
            faults=tuple(data.get("faults", ())),
            metrics=dict(data.get("metrics", {})),
            judged=bool(data.get("judged", True)),
            unseen=tuple(data.get("unseen", ())),
        )


@dataclass(frozen=True)
class SetReport:
    """One finished set (or the set so far). `reps` in order; frames counted for the log's sake."""

    drill: str
    reps: tuple[Rep, ...] = ()
    frames: int = 0
    person_frames: int = 0

    @property
    def count(self) -> int:
        return len(self.reps)

    @property
    def good_reps(self) -> int:
        return sum(1 for rep in self.reps if rep.good)

    @property
    def duration_s(self) -> float:
        return max(0.0, self.reps[-1].end_s - self.reps[0].start_s) if self.reps else 0.0

    def faults(self) -> dict[str, list[int]]:
        """Each fault called in the set and the reps (1-based) it showed on, in the order first seen."""
        out: dict[str, list[int]] = {}
        for rep in self.reps:
            for fault in rep.faults:
                out.setdefault(fault, []).append(rep.index)
        return out

    def tempo(self) -> tuple[float | None, float | None]:
        """Median seconds down and up over the reps that have them (None where none do)."""
        return _median(r.metrics.get("eccentric_s") for r in self.reps), _median(
            r.metrics.get("concentric_s") for r in self.reps
        )

    def to_json(self) -> dict[str, Any]:
        """The schema of `station analyze --json` (unchanged since the first release)."""
        return {
            "drill": self.drill,
            "reps": self.count,
            "rep_list": [r.to_json() for r in self.reps],
            "frames": self.frames,
            "person_frames": self.person_frames,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SetReport:
        return cls(
            drill=str(data["drill"]),
            reps=tuple(Rep.from_json(r) for r in data.get("rep_list", ())),
            frames=int(data.get("frames", 0)),
            person_frames=int(data.get("person_frames", 0)),
        )


def _median(values: Iterable[Any]) -> float | None:
    got = sorted(float(v) for v in values if v is not None)
    if not got:
        return None
    mid = len(got) // 2
    return got[mid] if len(got) % 2 else (got[mid - 1] + got[mid]) / 2
