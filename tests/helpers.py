"""Small builders shared by the coach tests (not fixtures: plain functions)."""

from __future__ import annotations

from station.athlete import Athlete, AthleteSpec
from station.coach.session import Coach
from station.drills import DRILLS
from station.pose.keypoints import Pose


def coach_run(spec: AthleteSpec, coach: Coach | None = None) -> Coach:
    """Play the synthetic athlete through a coach, images and all, and finish the set."""
    athlete = Athlete(spec)
    coach = coach or Coach(DRILLS[spec.drill])
    for t, keypoints, image in athlete.frames():
        coach.update(Pose(t, keypoints, True, spec.camera.size), image, 1.0)
    coach.finish()
    return coach
