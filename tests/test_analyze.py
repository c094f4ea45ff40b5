"""Every shared clip against its labels, through the real pose stage and coach."""

import json

import av
import numpy as np
import pytest

from station.core.coach.setreport import SetReport
from station.core.drills import DRILLS
from station.errors import StationError
from station.tools.analyze import analyze, format_table
from station.tools.calibrate import check_labels
from tests.conftest import PI_POSE_FPS, ROOT, clip_labels, clip_names, shared_path
from tests.helpers import station

LABELS = clip_labels()
# MoveNet runs over each clip once a run (`clip_pass` in conftest.py shares each clip's pass between
# the two workers through the run's temporary folder).
# Clips the coach cannot yet pass honestly: kept in the table as strict expected failures, with the
# reason measured, so the day one starts passing the test says so.
# The first three are one limitation: standing up after setting the bar down counts as a rep. The
# keypoints of an empty-handed rise match a lift (tried: hands' spacing and height at the top, the
# floor under the hands from the bottom to the top and from the last top to this one: none separated
# the three rises from the 40 real reps of the barbell clips).
STOOD_UP_AFTER_SET_DOWN = "standing up after setting the bar down ({}) counts as a rep: the bar stays on the floor"
KNOWN_MISSES = {
    "barbell-deadlift_backdiag_amateur.mp4": STOOD_UP_AFTER_SET_DOWN.format("22.2 to 23.2 s, then walks off"),
    "barbell-deadlift_diag_greenscreen.mp4": STOOD_UP_AFTER_SET_DOWN.format("13.4 to 14.0 s"),
    "barbell-deadlift_side_bad-form-turf.mp4": STOOD_UP_AFTER_SET_DOWN.format("8.0 to 8.7 s, into a fade")
    + " (its hips open to 147 degrees: a no_lockout false alarm on the fourth 'rep'); the back is called on "
    "two of the three real reps (outline bows 0.105, 0.152, 0.097 against 0.1)",
    "barbell-deadlift_side_bad-hips-up.mp4": (
        "back_rounding not called: the outline reads hollow (bow -0.174 from 14 readings: plates and racks "
        "behind the back are read as the back), and the head stays in line (head drop -0.031 against 0.2)"
    ),
}
# Since the exact resizes of issue 18 (the same bytes on x86 and ARM, which moved every keypoint by
# up to a pixel): a 1-second pull that starts at the bottom is no longer counted. The lifter is never
# seen standing before the pull, so the depth is measured against a standing height estimated from
# the limbs, and it peaks at 0.10 of it (the deadlift's bottom needs more) though the hips open from
# 98 to 157 degrees.
STARTS_AT_THE_BOTTOM = ("no rep counted: a 1 s pull from mid-shin that starts at the bottom reads a depth of 0.10 "
                        "at most against the standing height estimated from the limbs (it counted 1 before issue 18's "
                        "exact resizes moved the keypoints by a pixel)")  # fmt: skip
KNOWN_MISSES["barbell-deadlift_side_rounded-upper-back.mp4"] = STARTS_AT_THE_BOTTOM
# At 10 poses a second only: the clip's other figures hold there.
KNOWN_MISSES_PI = {
    "barbell-deadlift_side_good-pull.mp4": (
        "knees_forward called on a clean floor pull: the squatted-pull rule (thighs level, shins past two "
        "thirds of 36 degrees, so 24) reads the bottom's shins at 27.3 from these 10-a-second frames (24.3 "
        "with MoveNet run at 10 a second, 21.8 at full rate); the squatted pulls it is for read about 30"
    ),
}
ROWS: list[str] = []
TABLE = ROOT / "build" / "clip-table.txt"  # the per-clip table, written as the clip tests run


def _clips(at_a_pis_rate: bool = False) -> list:
    """One parameter a clip, in the clip's own xdist group: its tests run on one worker, which works out
    its one pass while the other worker works out another clip's."""
    params = []
    misses = {**KNOWN_MISSES, **KNOWN_MISSES_PI} if at_a_pis_rate else KNOWN_MISSES
    for c in clip_names():
        marks = [pytest.mark.xdist_group(c)]
        if c in misses:
            marks.append(pytest.mark.xfail(strict=True, reason=misses[c]))
        params.append(pytest.param(c, marks=marks))
    return params


def _score(clip: str, report: dict) -> tuple[str, list[str]]:
    """The per-clip row, and what breaks the labels' scoring rule (empty: the clip passes)."""
    label = LABELS[clip]
    reps = report["rep_list"]
    labelled = label["faults"] or []
    called = {f for r in reps for f in r["faults"]} | set(labelled)
    lit = {f: sum(f in r["faults"] for r in reps) for f in called}
    unseen = {f: sum(f in r.get("unseen", ()) for r in reps) for f in {f for r in reps for f in r.get("unseen", ())}}
    row = (f"{clip:46s} {label['view'][:8]:8s} reps {report['reps']:2d}/{label['reps']:2d}  lit: "
           + (", ".join(f"{f} {n}" for f, n in sorted(lit.items())) or "-")
           + ("  unseen: " + ", ".join(f"{f} {n}" for f, n in sorted(unseen.items())) if unseen else ""))  # fmt: skip
    problems = check_labels(label, [set(r["faults"]) for r in reps]).problems()
    return row, problems


def _record(row: str) -> None:
    """The per-clip table goes to build/clip-table.txt (README: "the per-clip table"), a row per clip
    as its test runs, so it survives the parallel run's quiet output."""
    ROWS.append(row)
    TABLE.parent.mkdir(exist_ok=True)
    with open(TABLE, "a") as handle:
        handle.write(row + "\n")


@pytest.mark.parametrize("clip", _clips())
def test_clip_matches_its_labels(clip, clip_reports):
    """One rule set for every clip: exact reps, each labelled fault on at least half the reps, no
    other fault on more than a fifth (the rule in labels.json)."""
    shared_path("footage", clip)
    row, problems = _score(clip, clip_reports(clip))
    _record(row + (f"  MISS: {'; '.join(problems)}" if problems else ""))
    assert not problems, problems


@pytest.mark.parametrize("clip", _clips(at_a_pis_rate=True))
def test_clip_holds_at_a_pis_pose_rate(clip, clip_reports_pi):
    """The same rule at 10 poses a second (a Pi 4): the frames a model that slow takes, nothing else."""
    shared_path("footage", clip)
    row, problems = _score(clip, clip_reports_pi(clip))
    _record(f"{row}  (at {PI_POSE_FPS:g} poses/s)" + (f"  MISS: {'; '.join(problems)}" if problems else ""))
    assert not problems, problems


@pytest.mark.xdist_group("barbell-deadlift_front_walk-in.mp4")
def test_a_front_view_clip_counts_every_rep_and_says_form_was_not_seen(recorded):
    clip = "barbell-deadlift_front_walk-in.mp4"
    report = analyze(shared_path("footage", clip), "deadlift", recorded(clip))[0].to_json()
    assert report["reps"] == 3
    for rep in report["rep_list"]:
        assert rep["faults"] == [] and not rep["judged"]
        assert set(rep["unseen"]) == set(DRILLS["deadlift"].faults)


def test_json_output_is_one_object_and_nothing_else(tmp_path):
    plot = tmp_path / "p.png"
    result = station(
        "analyze",
        str(shared_path("footage", "band-rdl_side_good.mp4")),
        "--drill",
        "rdl",
        "--json",
        "--plot",
        str(plot),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["drill"] == "rdl" and report["reps"] == 3 and len(report["rep_list"]) == 3
    assert report["frames"] >= report["person_frames"] > 0
    assert plot.stat().st_size > 5000


def test_table_output_reads_as_a_table():
    result = station(
        "analyze", str(shared_path("footage", "barbell-deadlift_side_good-pull.mp4")), "--drill", "deadlift"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Deadlift: 1 reps") and "good" in result.stdout


@pytest.mark.parametrize(("args", "phrase"), [
    (["--drill", "squat"], "no drill"),
    (["--drill", "rdl", "--json"], "There is no file"),
])  # fmt: skip
def test_bad_input_is_one_sentence(tmp_path, args, phrase):
    clip = str(shared_path("footage", "band-rdl_side_good.mp4")) if phrase == "no drill" else str(tmp_path / "x.mp4")
    result = station("analyze", clip, *args)
    assert result.returncode == 2 and result.stdout == ""
    assert phrase in result.stderr and result.stderr.count("\n") == 1


def test_a_clip_with_nobody_in_it_is_one_sentence(tmp_path, movenet):
    clip = tmp_path / "empty.mp4"
    with av.open(str(clip), "w") as out:
        stream = out.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        for i in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((240, 320, 3), 120, np.uint8), format="rgb24")
            frame.pts = i
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    with pytest.raises(StationError, match="Nobody was found"):
        analyze(clip, "rdl", movenet)


def test_format_table_marks_unjudged_reps_and_unseen_faults():
    rep = {"index": 1, "start_s": 0, "bottom_s": 1, "end_s": 2, "faults": [], "judged": False, "metrics": {}}
    half = {**rep, "index": 2, "judged": True, "unseen": ["back_rounding"]}
    report = {"drill": "rdl", "reps": 2, "frames": 10, "person_frames": 10, "rep_list": [rep, half]}
    table = format_table(SetReport.from_json(report))
    assert "not judged (turn side-on)" in table and "good (not seen: back rounding)" in table


# The clips whose back the outline gets wrong, for the reasons KNOWN_MISSES gives (the upper-back
# pull: no rep counted, so no back called either way).
BACK_MISSES = {"barbell-deadlift_side_bad-form-turf.mp4", "barbell-deadlift_side_bad-hips-up.mp4",
               "barbell-deadlift_side_rounded-upper-back.mp4"}  # fmt: skip


def test_back_rounding_outline_against_keypoints_only(clip_reports, clip_reports_keypoints):
    """One rule for every judged clip, read two ways: the back's outline (with the keypoint line) and
    the keypoint line alone. The outline gets every clip right but those named, and at least as many
    clips right as the keypoints alone."""
    rows, wrong = [], {"outline": set(), "keypoints": set()}
    shared_path("footage", "labels.json")
    judged = {clip: label for clip, label in sorted(LABELS.items()) if label["faults"] is not None}
    for clip, label in judged.items():
        calls = {}
        keypoints_only = clip_reports_keypoints(clip)  # worked out in the clip's one pass
        for name, report in (("outline", clip_reports(clip)), ("keypoints", keypoints_only)):
            n = sum("back_rounding" in r["faults"] for r in report["rep_list"])
            calls[name] = n
            reps = max(1, report["reps"])
            wanted = "back_rounding" in label["faults"]
            ok = n >= reps / 2 if wanted else (n <= reps / 5 or "back_rounding" in label["allowed"])
            if not ok:
                wrong[name].add(clip)
        rows.append(f"{clip:48s} labelled {'yes' if 'back_rounding' in label['faults'] else 'no ':3s}"
                    f"  outline {calls['outline']:2d}  keypoints only {calls['keypoints']:2d}")  # fmt: skip
    print("\nback_rounding reps per clip:\n" + "\n".join(rows) + f"\nclips called wrong: {wrong}")
    assert wrong["outline"] <= BACK_MISSES
    assert len(wrong["outline"]) <= len(wrong["keypoints"])
