"""Run the pose stage and the coach over a clip: the offline twin of a live set."""

from __future__ import annotations

from pathlib import Path

from station.camera.source import open_source
from station.coach.session import Coach, CoachSettings
from station.drills import get_drill
from station.errors import StationError
from station.pipeline import PoseEstimator, needs_model, pose_of


def analyze(
    clip: str | Path, drill_id: str, estimator: PoseEstimator | None = None, settings: CoachSettings | None = None
) -> tuple[dict, list[tuple[float, float | None, float | None]]]:
    """The set report for `clip`, and a trace of (t, hip angle, depth) per frame for plotting."""
    drill = get_drill(drill_id)
    source = open_source(str(clip))
    if estimator is None and needs_model(source):
        from station.pose.movenet import load_movenet

        estimator = load_movenet()
    coach = Coach(drill, settings)
    trace: list[tuple[float, float | None, float | None]] = []
    try:
        for frame in source.frames():
            pose = pose_of(frame, estimator)
            update = coach.update(pose, frame.rgb, frame.scale)
            trace.append((pose.t, update.posture.hip_angle, update.depth))
    finally:
        source.close()
    coach.finish()
    report = coach.report()
    if report["person_frames"] == 0:
        raise StationError(f"Nobody was found in {clip}: the lifter must be in view, side-on.")
    return report, trace
