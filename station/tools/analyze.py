"""Run the pose stage and the coach over a clip: the offline twin of a live set."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from station.core.coach.session import Coach, CoachSettings
from station.core.coach.setreport import SetReport
from station.core.drills import Drill, get_drill
from station.core.keypoints import Pose
from station.edges.camera.pick import open_source
from station.edges.pose.pipeline import PoseEstimator, estimator_for
from station.edges.progress import Progress
from station.errors import StationError
from station.tools.posecache import thinned


def analyze(
    clip: str | Path,
    drill: str | Drill,
    estimator: PoseEstimator | None = None,
    settings: CoachSettings | None = None,
    pose_fps: float | None = None,
    progress: Progress | None = None,
    load_estimator: Callable[[], PoseEstimator] | None = None,
) -> tuple[SetReport, list[tuple[float, float | None, float | None]]]:
    """The set report for `clip`, and a trace of (t, hip angle, depth) per frame for plotting.

    `drill`: a drill with a site's thresholds (`compose.analysis`), or a drill's id for the shipped
    ones. `load_estimator`: how to load the model when the clip needs one (default: the shipped
    pose settings). `pose_fps`: analyse only the frames a model that slow would see live (a Pi 4
    manages about 10).
    """
    drill = get_drill(drill) if isinstance(drill, str) else drill
    source = open_source(str(clip))
    if estimator is None:
        if load_estimator is None:
            from station.edges.pose.movenet import load_movenet

            load_estimator = load_movenet
        try:
            estimator = estimator_for(source, load_estimator)
        except BaseException:
            source.close()
            raise
    coach = Coach(drill, settings)
    trace: list[tuple[float, float | None, float | None]] = []
    try:
        for frame in thinned(source.frames(), pose_fps):
            pose = estimator.estimate(frame)
            update = coach.update(pose, frame.rgb, frame.scale)
            trace.append((pose.t, update.posture.hip_angle, update.depth))
            if progress is not None:
                progress.step()
    finally:
        source.close()
        if progress is not None:
            progress.close()
    coach.finish()
    return check_found(coach.report(), clip), trace


def check_found(report: SetReport, clip: str | Path) -> SetReport:
    """The report, unless nobody was ever found in the clip: then one sentence."""
    if report.person_frames == 0:
        raise StationError(f"Nobody was found in {clip}: the lifter must be in view, side-on.")
    return report


def analyze_poses(poses: list[Pose], drill_id: str, settings: CoachSettings | None = None) -> SetReport:
    """The set report from poses alone (no images, so no back outline): the keypoints' own verdict."""
    coach = Coach(get_drill(drill_id), settings)
    for pose in poses:
        coach.update(pose)
    coach.finish()
    return coach.report()


def format_table(report: SetReport) -> str:
    """The set report as a table a person reads."""
    from station.core.drills import FAULT_NAMES, get_drill

    drill = get_drill(report.drill)
    lines = [
        f"{drill.name}: {report.count} reps, {report.good_reps} good  "
        f"(person in {report.person_frames} of {report.frames} frames)",
        f"{'rep':>3}  {'start':>6}  {'bottom':>6}  {'end':>6}  {'hip min':>7}  {'shin max':>8}  faults",
    ]
    for r in report.reps:
        m = r.metrics
        hip = f"{m['min_hip_angle']:.0f}" if m.get("min_hip_angle") is not None else "-"
        shin = f"{m['max_shin_lean']:.0f}" if m.get("max_shin_lean") is not None else "-"
        faults = ", ".join(FAULT_NAMES[f] for f in r.faults) or ("good" if r.judged else "not judged (turn side-on)")
        unseen = [FAULT_NAMES[f].lower() for f in r.unseen]
        if unseen and r.judged:
            faults += f" (not seen: {', '.join(unseen)})"
        lines.append(
            f"{r.index:>3}  {r.start_s:6.2f}  {r.bottom_s:6.2f}  {r.end_s:6.2f}  {hip:>7}  {shin:>8}  {faults}"
        )
    return "\n".join(lines)
