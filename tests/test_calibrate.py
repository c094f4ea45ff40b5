"""Calibration: margins, the fit, scoring, and leave-one-source-out, on hand-made reps and on the clips."""

import csv
from dataclasses import replace

import pytest

from station.core.drills import DRILLS
from station.tools.calibrate import (
    KNOBS,
    ClipResult,
    Side,
    evidence_mismatches,
    fit,
    leave_one_source_out,
    rep_rows,
    report_lines,
    score,
    source_of,
    write_csv,
)  # fmt: skip
from tests.conftest import clip_labels, shared_path
from tests.helpers import station

SHIN = next(k for k in KNOBS if k.field == "max_shin_lean")
LOCKOUT = next(k for k in KNOBS if k.field == "lockout_hip_angle")


def test_the_fit_cuts_half_way_between_the_nearest_clean_and_faulty_reps():
    clean, faulty = [Side(10.0, "a"), Side(20.0, "b")], [Side(40.0, "c"), Side(50.0, "d")]
    assert fit(clean, faulty, SHIN, prior=32.0) == 30.0
    # Faulty below (no lockout: the hips stop short): the same margin rule, mirrored.
    assert fit([Side(175.0, "a")], [Side(150.0, "b")], LOCKOUT, prior=162.0) == 162.5


def test_where_clean_and_faulty_reps_overlap_or_are_missing_the_coachs_value_stands():
    """Overlapping reps would place the cut by the few reps in the overlap: a fit to those clips."""
    clean = [Side(v, "c") for v in (10.0, 20.0, 35.0)]
    faulty = [Side(v, "f") for v in (30.0, 40.0, 45.0)]
    assert fit(clean, faulty, SHIN, prior=32.0) == 32.0
    assert fit(clean, [], SHIN, prior=32.0) == 32.0 and fit([], faulty, SHIN, prior=32.0) == 32.0


def _rep(index: int, faults=(), **metrics) -> dict:
    base = {"yaw": 5.0, "turn": 0.0, "angles_seen": 1.0, "bottom_torso_lean": 45.0, "bottom_thigh_lean": 60.0,
            "max_top_hip_angle": 178.0, "top_yaw": 5.0, "top_turn": 0.0, "top_angles_seen": 1.0}  # fmt: skip
    return {"index": index, "faults": list(faults), "unseen": [], "metrics": {**base, **metrics}}


def _clip(name: str, source: str, faults, shins: list[float], reps: int | None = None) -> ClipResult:
    label = {"source": f"{source} x.mp4", "drill": "deadlift", "reps": reps or len(shins), "faults": faults,
             "allowed": []}  # fmt: skip
    rep_list = [_rep(i + 1, ["knees_forward"] if s > 32 else [], bottom_shin_lean=s) for i, s in enumerate(shins)]
    return ClipResult(name, label, {"reps": len(rep_list), "rep_list": rep_list})


def test_scoring_follows_the_labels_rule():
    squat = _clip("s", "a/b", ["knees_forward"], [40.0, 41.0, 20.0])
    assert (score(squat).caught, score(squat).labelled, score(squat).false_alarms) == (1, 1, 0)
    clean = _clip("c", "a/b", [], [10.0, 40.0, 10.0, 10.0, 10.0, 10.0])  # 1 of 6: not more than a fifth
    assert score(clean).false_alarms == 0
    noisy = _clip("n", "a/b", [], [10.0, 40.0, 40.0])
    assert score(noisy).false_alarms == 1
    count_only = _clip("o", "a/b", None, [40.0, 40.0], reps=3)
    assert (score(count_only).exact, score(count_only).labelled, score(count_only).false_alarms) == (0, 0, 0)
    # Re-judged with other thresholds: a 25-degree limit calls the clean clip's 30s.
    strict = replace(DRILLS["deadlift"].thresholds, max_shin_lean=25.0)
    assert score(_clip("c2", "a/b", [], [30.0, 30.0, 10.0]), strict).false_alarms == 1


def test_leave_one_source_out_sets_thresholds_without_the_source_it_scores():
    results = [
        _clip("a1", "lifter/a", ["knees_forward"], [44.0, 46.0]), _clip("a2", "lifter/a", [], [12.0, 14.0]),
        _clip("b1", "lifter/b", ["knees_forward"], [36.0, 38.0]), _clip("b2", "lifter/b", [], [20.0, 22.0]),
    ]  # fmt: skip
    held = {source: (s, fitted) for source, s, fitted in leave_one_source_out(results)}
    assert set(held) == {"lifter/a", "lifter/b"}
    assert held["lifter/a"][1]["deadlift"].max_shin_lean == pytest.approx(29.0)  # from b alone: (22 + 36) / 2
    assert held["lifter/b"][1]["deadlift"].max_shin_lean == pytest.approx(29.0)  # from a alone: (14 + 44) / 2
    assert held["lifter/a"][0].caught == 1 and held["lifter/b"][0].caught == 1
    lines = report_lines(results)
    assert any(line.startswith("| **all, held out** | 4 | 4/4 | 2/2 | 0 |") for line in lines)


def test_the_per_rep_table_has_a_row_a_rep_with_labels_and_metrics(tmp_path):
    results = [_clip("a1", "lifter/a", ["knees_forward"], [44.0, 46.0]), _clip("o", "x/y", None, [10.0])]
    rows = rep_rows(results)
    write_csv(rows, tmp_path / "reps.csv")
    back = list(csv.DictReader((tmp_path / "reps.csv").read_text().splitlines()))
    assert [r["clip"] for r in back] == ["a1", "a1", "o"]
    assert back[0]["labelled"] == "knees_forward" and back[2]["labelled"] == "count only"
    assert back[1]["bottom_shin_lean"] == "46.0" and back[0]["source"] == "lifter/a"
    assert source_of({"source": "owner/repo path/to/clip.mp4 (labelled good)"}) == "owner/repo"


def test_calibration_over_the_shared_clips(clip_reports):
    """Every labelled clip's reps, scored in sample and held out by source: each source is scored on
    thresholds set without it, and the held-out table covers every clip."""
    labels = clip_labels()
    shared_path("footage", "labels.json")
    results = [ClipResult(c, label, clip_reports(c)) for c, label in sorted(labels.items())]
    lines = report_lines(results)
    print("\n".join(lines))
    held = next(line for line in lines if line.startswith("| **all, held out**"))
    assert held.startswith(f"| **all, held out** | {len(labels)} |")
    sources = {source_of(label) for label in labels.values()}
    assert all(any(line.startswith(f"| {s} |") for line in lines) for s in sources)
    # The registry's nearest clean and faulty reps beside each threshold are this calibration's.
    assert evidence_mismatches(results) == []


def test_calibrate_refuses_a_folder_without_labels_in_one_sentence(tmp_path):
    result = station("calibrate", str(tmp_path), timeout=60)
    assert result.returncode == 2 and "labels.json" in result.stderr and result.stderr.count("\n") == 1
    bad = station("calibrate", str(tmp_path), "--pose-fps", "ten", timeout=60)
    assert bad.returncode == 2 and "--pose-fps" in bad.stderr
